"""Whether patrols go where they should: GPS track cleaning, patrol dosage, reach, visits.

Tracks are cleaned into *legs* (straight 2-point LineStrings between consecutive good
fixes, each with start and end time); every time and distance figure comes from cutting
legs at polygon boundaries and assuming constant speed along each leg.
"""

from gis.coverage.review import CoverageReview, coverage_review

__all__ = ["CoverageReview", "coverage_review"]

"""The parts of the demo-district generator (``data.generate`` orchestrates them).

frame → areas → defects → assemble → population → incidents / messy / tracks / staffing
→ export.  Every random draw comes from one ``numpy.random.Generator`` passed down in
a fixed order, so the same seed gives byte-identical files.
"""

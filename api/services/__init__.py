"""Workflows between the routes and the engines, testable without HTTP.

A route validates its input, calls one service and returns a response model; a service
reads what it needs from the store (through :mod:`api.services.district`), calls the
``gis`` library, applies the reader's :class:`api.policy.Jurisdiction` and writes
versions, audit rows and notices.

- :mod:`api.services.district` — a :class:`gis.district.District` from stored layers
- :mod:`api.services.checks` — the consistency-check job
- :mod:`api.services.hotspots` — the hotspot job
- :mod:`api.services.coverage` — the patrol-coverage job
- :mod:`api.services.edits` — grid edits (split, merge, move, reassign, draw) and impact
"""

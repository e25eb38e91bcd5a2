"""Interactive maps of beatgrid's results: folium builders that work with no internet.

Builders (results in, ``folium.Map`` out, styling only):
:func:`~maps.alignment.alignment_map`, :func:`~maps.hotspots.hotspot_map`,
:func:`~maps.coverage.coverage_map`, :func:`~maps.changes.changes_map`.
Options: :class:`~maps.base.MapOptions`; HTML: :func:`~maps.base.render_html`;
service: :func:`~maps.web.maps_router`; offline assets: :mod:`maps.assets`
(``python -m maps.vendor``).  See docs/maps.md.
"""

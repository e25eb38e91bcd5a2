"""The beatgrid service: storage with history, access control, REST, OGC API Features, tiles.

``create_app(settings)`` in :mod:`api.app` builds the FastAPI application.
"""

"""The web application: server-rendered pages for each role, on the same services as the API.

:func:`api.web.pages.router` serves the landing page, the login form and the four role
workspaces; :mod:`api.web.errors` answers browsers with pages instead of JSON;
:mod:`api.web.docs` serves Swagger UI from the vendored files (no CDN).
"""

"""The Origin check on cookie-authenticated writes (CSRF defence in depth).

The login cookie is ``SameSite=strict``, but "same site" is not "same origin": another
service on a sibling host (``evil.police.example`` beside ``map.police.example``) is the same
site, and older browsers ignore SameSite.  So a write (POST, PUT, PATCH, DELETE)
authenticated by the cookie must come from a page of this service: its ``Origin`` (or, when
a browser sends none, its ``Referer``) must be the service's own origin, ``public_url`` or
one of ``trusted_origins``.  Requests with a bearer token are not affected: a browser never
attaches one on its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from api.settings import Settings
from gis.i18n import Text

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def foreign_origin(request: Request, settings: Settings) -> str | None:
    """Why a cookie-authenticated request may not write, or None when it may."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
    if not sent or sent == "null":
        return str(
            Text(
                "跨站请求被拒绝：写操作须带 Origin 请求头",
                "a cookie-authenticated write must say where it comes from (Origin header)",
            )
        )
    if sent.lower() not in _allowed(request, settings):
        return str(
            Text(
                f"跨站请求被拒绝：不接受来自 {sent} 的写操作",
                f"writes from {sent} are not accepted with the login cookie",
            )
        )
    return None


def _allowed(request: Request, settings: Settings) -> set[str]:
    host = request.headers.get("host", request.url.netloc).lower()
    schemes = {request.url.scheme, "https"} if settings.behind_https else {request.url.scheme}
    allowed = {f"{scheme}://{host}" for scheme in schemes}
    if settings.public_url:
        allowed.add(_origin_of(settings.public_url) or "")
    allowed |= {o.rstrip("/").lower() for o in settings.trusted_origins}
    return allowed


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()

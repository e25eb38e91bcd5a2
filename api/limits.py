"""Request-size and rate limits, and JSON bodies JSON can carry: a small pure-ASGI middleware."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class LimitsMiddleware:
    """Refuse bodies over ``max_body`` bytes (413) and clients over ``per_minute`` (429).

    The rate limit is a token bucket per client address, refilled continuously.  A JSON
    body holding ``NaN``, ``Infinity`` or a number too large for a float (``1e999``) is
    refused with 422 before any route sees it: Python's parser accepts them, JSON does not,
    and they would be stored or echoed in a response no client can parse.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, per_minute: int) -> None:
        self.app = app
        self.max_body = max_body
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        if not self._take(client):
            await _refuse(send, 429, "too many requests; slow down", {"retry-after": "1"})
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(send, 413, f"request body over the {self.max_body} byte limit")
            return
        if _is_json(headers) and scope["method"] in ("POST", "PUT", "PATCH"):
            messages = await self._buffer(receive)
            if messages is None:
                await _refuse(send, 413, f"request body over the {self.max_body} byte limit")
                return
            problem = non_finite(b"".join(m.get("body", b"") for m in messages))
            if problem is not None:
                await _refuse(send, 422, problem)
                return
            await self.app(scope, _replay(messages, receive), send)
            return
        if length is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # No declared length (chunked): read it here, so an oversized body is a clean 413.
            messages = await self._buffer(receive)
            if messages is None:
                await _refuse(send, 413, f"request body over the {self.max_body} byte limit")
                return
            await self.app(scope, _replay(messages, receive), send)
            return
        await self.app(scope, self._counting(receive), send)

    async def _buffer(self, receive: Receive) -> list[Message] | None:
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                return None
            if message["type"] != "http.request" or not message.get("more_body", False):
                return messages

    def _take(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60.0)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1.0, now)
            return True

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        return wrapped


_BIG_EXPONENT = re.compile(rb"[eE]\+?0*[1-9][0-9]{2,}")
_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")
_LONG_NUMBER = b"0" * 300


def _suspect(body: bytes) -> bool:
    """Does ``body`` hold the bytes a non-finite number needs?  (Fast: no regex over the
    digits, so a 10 MB body of coordinates costs milliseconds; only suspects are parsed.)"""
    if b"NaN" in body or b"Infinity" in body or _BIG_EXPONENT.search(body):
        return True
    return _LONG_NUMBER in body.translate(_DIGITS)


def _is_json(headers: dict[bytes, bytes]) -> bool:
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return kind == b"application/json" or kind.endswith(b"+json")


def non_finite(body: bytes) -> str | None:
    """Why ``body`` is not plain JSON numbers (``NaN``, ``Infinity``, ``1e999``), or None.

    >>> non_finite(b'{"x": NaN}')
    'the JSON body holds NaN, which JSON does not allow; send finite numbers (数值须为有限数)'
    >>> non_finite(b'{"x": "NaN"}') is None
    True
    """
    if not _suspect(body):
        return None

    def constant(name: str) -> float:
        raise _NonFinite(name)

    def number(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise _NonFinite(text[:40])
        return value

    try:
        json.loads(body, parse_constant=constant, parse_float=number)
    except _NonFinite as exc:
        return (
            f"the JSON body holds {exc}, which JSON does not allow; send finite numbers "
            "(数值须为有限数)"
        )
    except ValueError:
        return None  # malformed JSON: the route's own parser says where
    return None


class _NonFinite(Exception):
    pass


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def wrapped() -> Message:
        return pending.pop(0) if pending else await receive()

    return wrapped


class BodyTooLarge(Exception):
    """A chunked body grew past the limit; the app answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over the {limit} byte limit")


async def _refuse(
    send: Send, status: int, detail: str, extra: dict[str, str] | None = None
) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers: list[Any] = [(b"content-type", b"application/json; charset=utf-8")]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

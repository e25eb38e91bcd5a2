"""Logins resist guessing; sessions end; cookies are not abused.

- Failed logins are throttled per account and per address, in the database, so every
  worker process sees the same counts (two apps on one database here, and a real
  ``beatgrid serve --workers 2``); the lockout reads the same for real and unknown names.
- Logout revokes the token (bearer or cookie) for good.
- The cookie is ``Secure`` when ``behind_https``; a cookie-authenticated write from a
  foreign Origin is 403.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from api.app import create_app
from api.auth import create_user
from api.deps import COOKIE
from api.models import LoginAttempt
from api.settings import Settings
from tests.api.service_fixtures import PASSWORD
from tests.api.test_service_cli import HANG_GUARD_S, _wait_ready

TIGHT = {"login_max_failures": 3, "login_max_failures_per_address": 6, "recover_jobs": False}


@pytest.fixture(scope="module")
def tight(settings: Settings, app: FastAPI) -> Iterator[FastAPI]:
    """A second app on the shared database with tight login limits."""
    application = create_app(settings.model_copy(update=TIGHT))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def address(app: FastAPI) -> Iterator[str]:
    """A client address of this test alone; the failures of 10.* are removed afterwards."""
    yield f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    with app.state.sessions() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.address.like("10.%")))
        s.commit()


@pytest.fixture
def person(app: FastAPI) -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    with app.state.sessions() as s:
        create_user(s, username=name, password=PASSWORD, role="commander")
        s.commit()
    return name


def _client(app: FastAPI, **options: Any) -> contextlib.nullcontext[TestClient]:
    """A client that does not run the app's lifespan: leaving it must not shut down the
    job runner of the session's shared app."""
    return contextlib.nullcontext(TestClient(app, **options))


def _login(app: FastAPI, address: str, username: str, password: str) -> httpx.Response:
    with _client(app, client=(address, 5000)) as c:
        return c.post("/auth/token", data={"username": username, "password": password})


def test_an_account_is_locked_after_failures_across_apps(
    tight: FastAPI, app: FastAPI, person: str, address: str
):
    other = f"10.9.{uuid.uuid4().int % 250}.1"
    codes = [_login(tight, address, person, "wrong-password").status_code for _ in range(3)]
    assert codes == [401] * 3
    # A second app on the same database (another worker) refuses even the right password.
    second = create_app(tight.state.settings)
    try:
        locked = _login(second, other, person, PASSWORD)
    finally:
        second.state.engine.dispose()
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["Retry-After"]) > 0


def test_the_lockout_does_not_tell_whether_the_account_exists(
    tight: FastAPI, person: str, address: str
):
    ghost = f"ghost{uuid.uuid4().hex[:8]}"
    answers = {}
    for name in (person, ghost):
        first = [_login(tight, address + name[-1], name, "wrong-password") for _ in range(3)]
        assert {r.json()["detail"] for r in first} == {"wrong username or password"}
        answers[name] = _login(tight, address + name[-1], name, "wrong-password")
    assert answers[person].status_code == answers[ghost].status_code == 429
    assert answers[person].json() == answers[ghost].json()


def test_an_address_is_locked_after_failures_on_many_names(
    tight: FastAPI, person: str, address: str
):
    codes = [
        _login(tight, address, f"n{i}{uuid.uuid4().hex[:6]}", "wrong-password").status_code
        for i in range(6)
    ]
    assert codes == [401] * 6
    assert _login(tight, address, person, PASSWORD).status_code == 429
    assert _login(tight, address + "1", person, PASSWORD).status_code == 200


def test_a_good_login_clears_the_account_count(tight: FastAPI, person: str, address: str):
    for _ in range(2):
        assert _login(tight, address, person, "wrong-password").status_code == 401
    assert _login(tight, address, person, PASSWORD).status_code == 200
    for _ in range(2):
        assert _login(tight, address, person, "wrong-password").status_code == 401
    assert _login(tight, address, person, PASSWORD).status_code == 200


def test_logout_revokes_the_bearer_token(client: TestClient, person: str):
    token = client.post("/auth/token", data={"username": person, "password": PASSWORD})
    h = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get("/auth/me", headers=h).status_code == 200
    assert client.post("/auth/logout", headers=h).status_code == 204
    assert client.get("/auth/me", headers=h).status_code == 401
    assert client.post("/auth/logout", headers=h).status_code == 401


def test_logout_revokes_the_cookie(app: FastAPI, person: str):
    with _client(app) as browser:
        form = {"username": person, "password": PASSWORD, "next": "/auth/me"}
        assert browser.post("/auth/login", data=form).status_code == 200
        token = browser.cookies[COOKIE]
        own = {"origin": "http://testserver"}
        assert browser.post("/auth/logout", headers=own).status_code == 204
    with _client(app, cookies={COOKIE: token}) as stolen:
        assert stolen.get("/auth/me").status_code == 401


@pytest.mark.parametrize("sent", ["Basic !!", "Bearer not-a-token", "Digest x", "Basic"])
def test_a_broken_authorization_header_is_not_rescued_by_the_cookie(
    app: FastAPI, person: str, sent: str
):
    """A client that sends credentials means them: a wrong header is refused, even from a
    browser that also holds a good login cookie."""
    with _client(app) as browser:
        form = {"username": person, "password": PASSWORD, "next": "/auth/me"}
        assert browser.post("/auth/login", data=form).status_code == 200
        assert browser.get("/auth/me").json()["username"] == person
        assert browser.get("/auth/me", headers={"Authorization": sent}).status_code == 401


@pytest.mark.parametrize("https", [False, True])
def test_the_cookie_is_secure_behind_https(settings: Settings, app: FastAPI, person, https):
    served = create_app(settings.model_copy(update={"behind_https": https, "recover_jobs": False}))
    try:
        with TestClient(served) as browser:
            form = {"username": person, "password": PASSWORD, "next": "/auth/me"}
            r = browser.post("/auth/login", data=form, follow_redirects=False)
    finally:
        served.state.engine.dispose()
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert ("secure" in cookie.replace("samesite", "")) is https


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ({"origin": "http://evil.testserver"}, 403),
        ({"origin": "https://attacker.example"}, 403),
        ({"origin": "null"}, 403),
        ({}, 403),
        ({"referer": "http://evil.testserver/page"}, 403),
        ({"origin": "http://testserver"}, 404),
        ({"referer": "http://testserver/maps"}, 404),
    ],
)
def test_cookie_writes_from_a_foreign_origin_are_403(
    app: FastAPI, person: str, origin: dict, status: int
):
    with _client(app) as browser:
        form = {"username": person, "password": PASSWORD, "next": "/auth/me"}
        assert browser.post("/auth/login", data=form).status_code == 200
        body = {"base_version": 1, "reason": "x", "upsert": []}
        r = browser.patch("/layers/no-such-layer/features", json=body, headers=origin)
        assert r.status_code == status, r.text
        assert browser.get("/auth/me", headers=origin).status_code == 200  # reads are fine


def test_bearer_writes_need_no_origin(client: TestClient, headers: dict):
    body = {"base_version": 1, "reason": "x", "upsert": []}
    h = {**headers["admin"], "origin": "https://elsewhere.example"}
    assert client.patch("/layers/no-such-layer/features", json=body, headers=h).status_code == 404


def test_throttle_holds_across_serve_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``beatgrid serve --workers 2``: failures seen by either process count for both."""
    url = f"sqlite:///{tmp_path}/w.db"
    setup = create_app(Settings(database_url=url))
    with setup.state.sessions() as s:
        create_user(s, username="wang", password="s3cret-pass", role="admin")
        s.commit()
    setup.state.jobs.shutdown()
    setup.state.engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("BEATGRID_LOGIN_MAX_FAILURES", "4")
    cmd = [str(Path(sys.executable).with_name("beatgrid")), "serve", "--workers", "2",
           "--database-url", url, "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    wrong = {"username": "wang", "password": "not-the-password"}
    lines: list[str] = []
    try:
        _wait_ready(proc, lines, workers=2)
        codes = [httpx.post(f"{base}/auth/token", data=wrong).status_code for _ in range(4)]
        right = [
            httpx.post(f"{base}/auth/token", data={**wrong, "password": "s3cret-pass"})
            for _ in range(4)
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=HANG_GUARD_S)
        output = "".join(lines)
    assert codes == [401] * 4, output
    assert [r.status_code for r in right] == [429] * 4, output
    assert "2 workers" in output and output.count("Started server process") == 2, output

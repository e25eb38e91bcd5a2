"""Settings, request-size and rate limits (a small app of their own, SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.settings import Settings


def _client(tmp_path: Path, **options) -> TestClient:
    return TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", **options)))


def test_body_over_the_limit_is_413(tmp_path: Path) -> None:
    with _client(tmp_path, max_body_mb=0.001) as client:
        r = client.post("/auth/token", data={"username": "a" * 5000, "password": "x"})
        assert r.status_code == 413 and "limit" in r.json()["detail"]
        small = client.post("/auth/token", data={"username": "a", "password": "x"})
        assert small.status_code == 401


def test_chunked_body_over_the_limit_is_413(tmp_path: Path) -> None:
    def chunks():
        for _ in range(10):
            yield b"x" * 500

    with _client(tmp_path, max_body_mb=0.001) as client:
        r = client.post(
            "/auth/token",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 413


def test_upload_over_the_file_limit_is_413(tmp_path: Path) -> None:
    from api.auth import create_user

    with _client(tmp_path, max_upload_mb=0.001) as client:
        with client.app.state.sessions() as s:  # type: ignore[attr-defined]
            create_user(s, username="root", password="password123", role="admin")
            s.commit()
        token = client.post("/auth/token", data={"username": "root", "password": "password123"})
        h = {"Authorization": f"Bearer {token.json()['access_token']}"}
        r = client.post(
            "/layers",
            headers=h,
            data={"layer_id": "g", "kind": "grid", "reason": "x"},
            files={"file": ("g.geojson", b" " * 5000, "application/geo+json")},
        )
        assert r.status_code == 413


def test_rate_limit_is_429(tmp_path: Path) -> None:
    with _client(tmp_path, rate_limit_per_minute=5) as client:
        codes = [client.get("/health").status_code for _ in range(8)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/x")
    monkeypatch.setenv("BEATGRID_MAX_UPLOAD_MB", "7")
    s = Settings()
    assert (s.database_url, s.max_upload_mb, s.is_sqlite) == (
        "postgresql+psycopg://u:p@db/x",
        7,
        False,
    )


@pytest.mark.parametrize(
    "options",
    [{"database_url": "mysql://x"}, {"max_upload_mb": 0}, {"job_workers": 0}],
)
def test_bad_settings_are_refused(options: dict) -> None:
    with pytest.raises(ValidationError):
        Settings(**options)


def test_health_and_docs_are_public(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        assert client.get("/health").json()["database"] == "sqlite"
        assert client.get("/docs").status_code == 200
        assert (
            "/ogc/collections/{collection_id}/items" in client.get("/openapi.json").json()["paths"]
        )

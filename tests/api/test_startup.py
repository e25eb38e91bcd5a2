"""What a service does at start besides serving: the permutation kernels are loaded in the
background, so the first hotspot job does not pay for them (the kernels themselves:
``tests/gis/hotspots/test_cached_kernels.py``)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.app
from api.settings import Settings


def test_the_kernels_are_warmed_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    called = threading.Event()
    names: list[str] = []

    def warm() -> None:
        names.append(threading.current_thread().name)
        called.set()

    monkeypatch.setattr(api.app, "warm_kernels", warm)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", warm_every_s=0)
    with TestClient(api.app.create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert called.wait(60)
    assert names == ["kernels"]  # in its own thread, not on the way of a request

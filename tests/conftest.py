"""Fixtures shared by the whole suite.

- ``shared_data``: the real public data beside the project (``../shared/data``).
- ``demo_dir``: the demo district, generated once per session into a temporary
  folder by the same seeded generator ``make demo`` uses.
- ``browser``: the system Chromium (``tests/browser.py``), launched once per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import launch

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BEATGRID_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real public data not found at {SHARED_DATA} (set BEATGRID_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from data.generate import generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, seed=20161013)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium

"""Fixtures shared by the whole suite.

- ``shared_data``: the real public data beside the project (``../shared/data``).
- ``demo_dir``: the demo district, generated once per session into a temporary
  folder by the same seeded generator ``make demo`` uses.
- ``browser``: the system Chromium (``tests/browser.py``), launched once per session.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import launch


def _parse_again_on_a_spurious_mismatch() -> None:
    """CPython before 3.11.8 can fail ``ast.parse`` with a spurious "AST constructor
    recursion depth mismatch" (python/cpython#106905, fixed in 3.11.8): its depth counter is
    shared, and a failure path skips the decrement.  In the suite it struck twice, deep in
    an xdist worker's stack: pytest rewriting a plugin's module, and Hypothesis reading a
    lambda's source in the fuzz test.  The parse is pure, so it is simply made again."""
    if sys.version_info >= (3, 11, 8):
        return
    parse = ast.parse

    @functools.wraps(parse)
    def parse_again(*args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except SystemError as exc:
            if "recursion depth mismatch" not in str(exc):
                raise
            return parse(*args, **kwargs)

    ast.parse = parse_again


_parse_again_on_a_spurious_mismatch()

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

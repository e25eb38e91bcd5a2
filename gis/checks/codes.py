"""``code_mismatch``: a child's code starts with its parent's code (GB/T 2260 hierarchy).

Chinese division codes nest: a street (街道/乡镇) code is the county's 6 GB/T 2260
digits plus 3, a community's the street's plus 3, a grid's commonly the community's
plus a sequence (DOMAIN.md, "Codes")::

    street     320105900
    community  320105900003
    grid       320105900003012      ✓ starts with its community's code
    grid       320105901003013      ✗ code_mismatch

The parent is the one the child declares (``parent_id``) when that exists, else the
one it lies in.  Foreign data has other codes (Chicago's beat ``0411`` is not its
district's ``4`` plus digits): with ``codes="auto"`` the rule runs only when both
layers' codes are all digits and the parents' have at least 6.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from gis.checks.findings import draft
from gis.checks.ids import IdNormalization, is_missing
from gis.i18n import Text

_DIGITS = re.compile(r"^\d+$")
_MIN_PARENT_DIGITS = 6  # a GB/T 2260 county code


def check_codes(
    ids: np.ndarray,
    geoms: np.ndarray,
    codes: np.ndarray,
    parent_of: np.ndarray,
    parent_codes: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
    parent_ids: np.ndarray,
    mode: Literal["auto", "on", "off"],
) -> pd.DataFrame:
    """Children whose code does not start with their parent's code.

    Parameters
    ----------
    codes, parent_codes
        The ``code`` of each child and each parent (empty or missing: not checked).
    parent_of
        Position of each child's parent in the parent arrays (-1: none known).
    """
    codes = np.array([_clean(c) for c in codes], dtype=object)
    parent_codes = np.array([_clean(c) for c in parent_codes], dtype=object)
    if mode == "off" or (mode == "auto" and not _chinese(codes, parent_codes)):
        return draft("code_mismatch", kind, [], [])
    has = parent_of >= 0
    theirs = np.where(has, parent_codes[np.maximum(parent_of, 0)], "")
    checked = has & (codes != "") & (theirs != "")
    wrong = checked & ~np.array(
        [c.startswith(p) for c, p in zip(codes, theirs, strict=True)], dtype=bool
    )
    return draft(
        "code_mismatch",
        kind,
        ids[wrong],
        geoms[wrong],
        other_layer=parent_kind,
        other_ids=parent_ids[parent_of[wrong]],
        detail=[
            Text(f"{c}（上级代码 {p}）", f"{c} (parent code {p})")
            for c, p in zip(codes[wrong], theirs[wrong], strict=True)
        ],
    )


def parent_positions(
    declared: np.ndarray | None,
    home: np.ndarray,
    parent_ids: np.ndarray,
    *,
    how: IdNormalization,
) -> np.ndarray:
    """Each child's parent: the declared one when it exists, else the one it lies in."""
    out = np.asarray(home).copy()
    if declared is None:
        return out
    index = pd.Series(np.arange(len(parent_ids)), index=how.apply(parent_ids))
    index = index[~index.index.duplicated()]
    named = pd.Series(how.apply(declared)).map(index)
    ok = named.notna().to_numpy() & ~np.array([is_missing(d) for d in declared], dtype=bool)
    out[ok] = named[ok].astype(int).to_numpy()
    return out


def _clean(value: object) -> str:
    return "" if is_missing(value) else str(value).strip()


def _chinese(codes: np.ndarray, parent_codes: np.ndarray) -> bool:
    """Whether both layers carry division-style codes (all digits; parents ≥ 6 of them)."""
    mine = [c for c in codes if c]
    theirs = [c for c in parent_codes if c]
    if not mine or not theirs:
        return False
    digits = all(_DIGITS.match(c) for c in (*mine, *theirs))
    return digits and min(len(c) for c in theirs) >= _MIN_PARENT_DIGITS

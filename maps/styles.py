"""Colours and Leaflet path styles shared by the builders (styling only, no analysis)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

GI_COLOURS: dict[int, str] = {
    3: "#d62f27",
    2: "#ed7551",
    1: "#fab984",
    0: "#ffffbf",
    -1: "#c0ccbe",
    -2: "#849eba",
    -3: "#4575b5",
}
"""Esri's Hot Spot Analysis (Gi_Bin) colours: red hot, blue cold, pale not significant."""

SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
"""ColorBrewer YlOrRd, five classes, for counts and rates."""

RULE_COLOURS: dict[str, str] = {
    "invalid_geometry": "#6a3d9a",
    "empty_geometry": "#6a3d9a",
    "duplicate_id": "#cab2d6",
    "overlap": "#e31a1c",
    "gap": "#ff7f00",
    "not_covering_parent": "#fdbf6f",
    "crosses_parent": "#b15928",
    "orphan": "#8c510a",
    "grid_split_by_beat": "#d01c8b",
    "beat_boundary_off_grid": "#f781bf",
    "aux_beat_missing": "#1f78b4",
    "aux_beat_extra": "#a6cee3",
    "aux_beat_mismatch": "#33a02c",
    "grid_unstaffed": "#525252",
    "community_understaffed": "#969696",
    "joint_point_outside_grid": "#01665e",
    "grid_without_joint_point": "#80cdc1",
}
OTHER_COLOUR = "#7f7f7f"

OUTLINE = {
    "grid": "#2b6cb0",
    "beat": "#8b1a1a",
    "aux_beat": "#dd8a1d",
    "joint_point": "#2f855a",
    "track": "#3f51b5",
    "old": "#9e9e9e",
    "new": "#1565c0",
}


def path_style(
    colour: str,
    *,
    fill: str | None = None,
    weight: float = 1.5,
    opacity: float = 1.0,
    fill_opacity: float = 0.0,
    dash: str | None = None,
) -> dict[str, Any]:
    """A Leaflet path style; no fill when ``fill`` is None."""
    style: dict[str, Any] = {"color": colour, "weight": weight, "opacity": opacity}
    style["fill"] = fill is not None
    if fill is not None:
        style |= {"fillColor": fill, "fillOpacity": fill_opacity}
    if dash:
        style["dashArray"] = dash
    return style


def class_breaks(values: pd.Series, *, k: int = len(SEQUENTIAL)) -> np.ndarray:
    """Class limits for a choropleth legend (unique, finite, ascending; the last is the max).

    Counts and rates of crime are heavy-tailed, and equal quantiles paint two fifths of
    the district orange or red.  Head/tail breaks (Jiang 2013) cut at the mean, then at the
    mean of what lies above it, while that head is under 40 % of its part: each darker
    class is a small head of the one before, so the darkest holds the few real hot areas.
    Values that are not heavy-tailed (the first head is 40 % or more) get quantiles
    bunched at the top (50, 75, 90, 97 %), so the darkest class is still a minority; when
    the heads stop being heavy-tailed before the classes are used up, the last head is cut
    at its own 50 / 80 / 95 % quantiles, so the hottest grids are not lumped with the warm.
    """
    finite = values[np.isfinite(values.astype(float))].astype(float).to_numpy()
    if finite.size == 0:
        return np.array([0.0])
    top = float(finite.max())
    limits = _head_tail(finite, k - 1)
    # "higher": every quantile limit is an observed value, so counts get whole-number limits
    if len(limits) < 2:
        probs = np.array([0.5, 0.75, 0.9, 0.97])[: k - 1]
        limits = list(np.quantile(finite, probs, method="higher"))
    elif len(limits) < k - 1:  # the last head is no longer heavy-tailed: split it by its
        head = finite[finite > limits[-1]]  # own quantiles, so the hottest stand out from it
        probs = np.array([0.5, 0.8, 0.95])[: k - 1 - len(limits)]
        limits += list(np.quantile(head, probs, method="higher"))
    return np.unique(np.array([*(v for v in limits if v < top), top]))


def _head_tail(values: np.ndarray, n: int) -> list[float]:
    """Up to ``n`` head/tail limits (successive means of the heads, each head < 40 %)."""
    limits: list[float] = []
    part = values
    while len(limits) < n and part.size > 1:
        mean = float(part.mean())
        head = part[part > mean]
        if head.size == 0 or head.size >= 0.4 * part.size:
            break
        limits.append(mean)
        part = head
    return limits


def classify(values: pd.Series, breaks: np.ndarray) -> np.ndarray:
    """The class index (0 … len(breaks)-1) of each value; -1 for missing."""
    arr = values.astype(float).to_numpy()
    idx = np.searchsorted(breaks, arr, side="left").clip(0, len(breaks) - 1)
    return np.where(np.isfinite(arr), idx, -1)


def fills(classes: np.ndarray, palette: Sequence[str], *, missing: str = "#e0e0e0") -> list[str]:
    """Colour of each class index (spread over the palette when there are fewer classes)."""
    lut = np.array([*palette, missing], dtype=object)
    return list(lut[np.where(classes < 0, len(palette), classes)])


def spread(n: int, palette: Sequence[str]) -> list[str]:
    """``n`` colours taken evenly from ``palette`` (the darkest always last)."""
    if n <= 0:
        return []
    pick = np.round(np.linspace(0, len(palette) - 1, n)).astype(int)
    return [palette[i] for i in pick]

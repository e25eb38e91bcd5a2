"""How well a hot-spot map made on one period predicts the incidents of the next.

Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008)::

    PAI = (n / N) / (a / A)        hit rate = n / N

with N the incidents of the test period, n those falling in the cells flagged as hot,
A the study area and a the area flagged.  To compare maps fairly the flagged area is
fixed: the highest-scoring cells are taken until they cover ``area_share`` of A (3 % by
default); the last cell is taken whole, so the share actually used is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.crs import to_metric
from gis.errors import ConfigError
from gis.guard import require
from gis.hotspots.counts import assign_points
from gis.i18n import Text


@dataclass(frozen=True)
class Evaluation:
    """PAI and hit rate of one map against one test period.

    Attributes
    ----------
    pai, hit_rate : float
    n_hit, n_total : int
        Test incidents in the flagged cells, and in the whole study area.
    area_flagged_km2, area_total_km2 : float
    area_share : float
        The share actually flagged (≥ the share asked for, by at most one cell).
    flagged : tuple of str
        Ids of the flagged cells, highest score first.
    """

    pai: float
    hit_rate: float
    n_hit: int
    n_total: int
    area_flagged_km2: float
    area_total_km2: float
    area_share: float
    flagged: tuple[str, ...]


def pai(
    cells: gpd.GeoDataFrame,
    test_counts: pd.Series | np.ndarray,
    *,
    score: str = "count",
    area_share: float = 0.03,
) -> Evaluation:
    """PAI and hit rate at a fixed area share.

    Parameters
    ----------
    cells : GeoDataFrame
        ``id`` and the ``score`` column of the map made on the training period
        (counts, Gi* z, KDE density…); higher means hotter.
    test_counts : Series or ndarray
        Test-period incidents per cell (Series indexed by cell id, or an array aligned
        with ``cells``).
    area_share : float
        Share of the study area to flag, in (0, 1].

    Examples
    --------
    Four 1 km² cells, scores 9, 5, 1, 0; 10 test incidents, 6 in the top cell::

        >>> import shapely
        >>> boxes = [shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)]
        >>> cells = gpd.GeoDataFrame({"id": list("abcd"), "count": [9, 5, 1, 0]},
        ...                          geometry=boxes, crs="EPSG:32650")
        >>> r = pai(cells, np.array([6, 2, 1, 1]), area_share=0.25)
        >>> r.hit_rate, r.pai
        (0.6, 2.4)
    """
    require(cells, ["id", score], source="cells")
    if not 0 < area_share <= 1:
        raise ConfigError(
            str(Text("面积比例须在0到1之间", f"area_share must be in (0, 1], got {area_share}"))
        )
    ids = cells["id"].astype(str)
    if isinstance(test_counts, pd.Series):
        test = test_counts.reindex(ids).fillna(0).to_numpy(dtype=float)
    else:
        test = np.asarray(test_counts, dtype=float)
        if test.shape != (len(cells),):
            raise ConfigError(
                str(Text("检验期计数须与格网一一对应", "test_counts must align with cells"))
            )
    area = to_metric(cells)[0].geometry.area.to_numpy()
    order = np.argsort(
        -np.nan_to_num(cells[score].to_numpy(dtype=float), nan=-np.inf), kind="stable"
    )
    cum = np.cumsum(area[order])
    total_area, total_n = float(area.sum()), float(test.sum())
    k = int(np.searchsorted(cum, area_share * total_area - 1e-9) + 1)
    chosen = order[: min(k, len(order))]
    a, n = float(area[chosen].sum()), float(test[chosen].sum())
    hit = n / total_n if total_n > 0 else float("nan")
    share = a / total_area if total_area > 0 else float("nan")
    return Evaluation(
        pai=hit / share if share > 0 else float("nan"),
        hit_rate=hit,
        n_hit=int(n),
        n_total=int(total_n),
        area_flagged_km2=a / 1e6,
        area_total_km2=total_area / 1e6,
        area_share=share,
        flagged=tuple(ids.to_numpy()[chosen]),
    )


def evaluate_periods(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    train: tuple[pd.Timestamp | str, pd.Timestamp | str],
    test: tuple[pd.Timestamp | str, pd.Timestamp | str],
    area_share: float = 0.03,
) -> Evaluation:
    """PAI of the count map of the ``train`` period ``[start, end)`` on the ``test`` period."""
    require(incidents, ["time"], source="incidents")
    times = pd.to_datetime(incidents["time"], errors="coerce")
    where = assign_points(incidents, cells)

    def per_cell(lo: pd.Timestamp | str, hi: pd.Timestamp | str) -> pd.Series:
        keep = (times >= pd.Timestamp(lo)) & (times < pd.Timestamp(hi)) & where.notna()
        return where[keep].value_counts()

    scored = cells.assign(
        count=per_cell(*train).reindex(cells["id"].astype(str)).fillna(0).to_numpy()
    )
    return pai(scored, per_cell(*test), area_share=area_share)

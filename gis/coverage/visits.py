"""Standard visit coverage (规范化服务走访覆盖率) per grid, from visit records.

Yuanling street (2025) sets a 100 % target for standard visit coverage and says who
visits: ordinary addresses (一般) by grid workers; key and attention addresses (重点类、
关注类) jointly by police and grid workers.  An address is *covered* in the period when:

* ordinary: at least one visit of any role;
* key / attention: a visit recorded as ``joint``, or (``same_day_pair=True``) a
  ``police`` and a ``grid_worker`` visit on the same calendar day.

Coverage of a grid = covered addresses / standard addresses in the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import FieldError
from gis.guard import require
from gis.hotspots.counts import assign_points
from gis.i18n import Text

_LEVELS = {
    "key": "key",
    "重点": "key",
    "重点类": "key",
    "attention": "attention",
    "关注": "attention",
    "关注类": "attention",
    "ordinary": "ordinary",
    "一般": "ordinary",
    "一般类": "ordinary",
    "": "ordinary",
}
_ROLES = {"police", "grid_worker", "joint"}


@dataclass(frozen=True)
class VisitCoverage:
    """Visit coverage.

    Attributes
    ----------
    grids : GeoDataFrame
        ``id``, ``addresses``, ``covered``, ``coverage``, ``visited_any``,
        ``key_addresses`` (key + attention), ``key_covered``, ``key_coverage``, geometry.
    addresses : DataFrame
        ``id``, ``grid_id``, ``level``, ``visits``, ``visited``, ``joint``, ``covered``.
    start, end : Timestamp or None
    """

    grids: gpd.GeoDataFrame
    addresses: pd.DataFrame
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    @property
    def uncovered(self) -> pd.DataFrame:
        """Addresses not covered in the period, key ones first."""
        todo = self.addresses[~self.addresses["covered"]]
        rank = todo["level"].map({"key": 0, "attention": 1, "ordinary": 2})
        return todo.assign(_r=rank).sort_values(["_r", "grid_id", "id"]).drop(columns="_r")


def visit_coverage(
    addresses: gpd.GeoDataFrame | pd.DataFrame,
    visits: pd.DataFrame,
    grids: gpd.GeoDataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    grid_col: str | None = None,
    same_day_pair: bool = True,
) -> VisitCoverage:
    """Share of standard addresses visited as required, per grid, in ``[start, end)``.

    Parameters
    ----------
    addresses : GeoDataFrame or DataFrame
        Standard addresses: ``id``, optional ``level``; points unless ``grid_col`` is given.
    visits : DataFrame
        ``address_id``, ``time``, ``visitor_role`` (police / grid_worker / joint).
    grids : GeoDataFrame
        Grid polygons with ``id``.
    grid_col : str, optional
        Column of ``addresses`` already holding the grid id.
    """
    require(addresses, ["id"], source="addresses")
    require(visits, ["address_id", "time", "visitor_role"], source="visits")
    require(grids, ["id"], source="grids")
    addr = _addresses(addresses, grids, grid_col)
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    per_address = _address_status(addr, _period_visits(visits, lo, hi), same_day_pair)
    return VisitCoverage(_grid_frame(grids, per_address), per_address, lo, hi)


def _addresses(
    addresses: gpd.GeoDataFrame | pd.DataFrame, grids: gpd.GeoDataFrame, grid_col: str | None
) -> pd.DataFrame:
    if grid_col is not None:
        require(addresses, [grid_col], source="addresses")
        grid_id = addresses[grid_col].astype(object).where(addresses[grid_col].notna())
    elif isinstance(addresses, gpd.GeoDataFrame):
        grid_id = assign_points(addresses, grids)
    else:
        raise FieldError.single(
            "addresses", str(Text("既无坐标也无网格编码", "no geometry and no grid_col"))
        )
    raw = (
        addresses["level"] if "level" in addresses.columns else pd.Series("", index=addresses.index)
    )
    level = raw.fillna("").astype(str).str.strip().str.lower().map(_LEVELS)
    bad = level.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise FieldError.single(
            "addresses",
            f"unknown level {raw.iloc[row]!r} (key/attention/ordinary; 重点/关注/一般)",
            row=row + 1,
            feature_id=str(addresses["id"].iloc[row]),
            field="level",
        )
    return pd.DataFrame(
        {
            "id": addresses["id"].astype(str).to_numpy(),
            "grid_id": grid_id.to_numpy(),
            "level": level.to_numpy(),
        }
    )


def _period_visits(
    visits: pd.DataFrame, lo: pd.Timestamp | None, hi: pd.Timestamp | None
) -> pd.DataFrame:
    times = pd.to_datetime(visits["time"], errors="coerce")
    role = visits["visitor_role"].astype(str).str.strip().str.lower()
    unknown = ~role.isin(_ROLES)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise FieldError.single(
            "visits",
            f"unknown visitor_role {visits['visitor_role'].iloc[row]!r} "
            "(police / grid_worker / joint)",
            row=row + 1,
            field="visitor_role",
        )
    keep = times.notna()
    if lo is not None:
        keep &= times >= lo
    if hi is not None:
        keep &= times < hi
    return pd.DataFrame(
        {
            "address_id": visits["address_id"].astype(str)[keep],
            "day": times[keep].dt.normalize(),
            "role": role[keep],
        }
    )


def _address_status(addr: pd.DataFrame, visits: pd.DataFrame, same_day_pair: bool) -> pd.DataFrame:
    n_visits = visits["address_id"].value_counts()
    joint_ids = set(visits.loc[visits["role"] == "joint", "address_id"])
    if same_day_pair:
        roles = visits.groupby(["address_id", "day"])["role"].agg(set)
        paired = roles[roles.map(lambda r: {"police", "grid_worker"} <= r)]
        joint_ids |= set(paired.index.get_level_values(0))
    out = addr.copy()
    out["visits"] = n_visits.reindex(out["id"]).fillna(0).astype(int).to_numpy()
    out["visited"] = out["visits"] > 0
    out["joint"] = out["id"].isin(joint_ids)
    out["covered"] = np.where(out["level"] == "ordinary", out["visited"], out["joint"])
    return out


def _grid_frame(grids: gpd.GeoDataFrame, addr: pd.DataFrame) -> gpd.GeoDataFrame:
    key = addr["level"] != "ordinary"
    g = addr.assign(key=key, key_covered=key & addr["covered"]).groupby("grid_id")
    stats = g.agg(
        addresses=("id", "size"),
        covered=("covered", "sum"),
        visited_any=("visited", "sum"),
        key_addresses=("key", "sum"),
        key_covered=("key_covered", "sum"),
    ).reindex(grids["id"].astype(str), fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(stats["addresses"] > 0, stats["covered"] / stats["addresses"], np.nan)
        key_cov = np.where(
            stats["key_addresses"] > 0, stats["key_covered"] / stats["key_addresses"], np.nan
        )
    return gpd.GeoDataFrame(
        {
            "id": stats.index.to_numpy(),
            **{c: stats[c].astype(int).to_numpy() for c in stats.columns},
            "coverage": coverage,
            "key_coverage": key_cov,
        },
        geometry=grids.geometry.to_numpy(),
        crs=grids.crs,
    )

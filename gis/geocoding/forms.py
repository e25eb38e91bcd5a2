"""Address forms a standard-address gazetteer does not list line by line.

Police and 12345 records name places the way people speak, not the way the 标准地址库
lists flats.  After :func:`~gis.geocoding.match.match_addresses` (exact, normalized,
fuzzy), the rows it could not place are read as one of these forms:

============  =====================================  ===========================================
form          example                                placed at
============  =====================================  ===========================================
door_plate    清溪路115号                            the door plate's buildings (门牌), when they
                                                     lie within ``spread_m``; review otherwise
building      锦岸路110-1-201 (门牌-楼栋-室)          the building (all its flats share a point)
poi           清洲佳园 / 清洲佳园小区 / 清洲佳园2栋   the 小区/POI (from ``pois``)
nearby        云禾大街121号附近 / 旁 / 对面 / 门口    where the rest is placed, lower confidence
intersection  清溪路与锦岸路交叉口 / 路口            the crossing of the two roads' centre lines
============  =====================================  ===========================================

Every row gets a ``match_status`` (``matched`` / ``review`` / ``unmatched`` / ``empty``), a
``match_confidence`` (0-1) and a ``match_form``.  Nothing ambiguous is placed: a door
plate spread over a compound, two roads crossing twice, a POI name close to two POIs
go to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from rapidfuzz import fuzz, process

from gis.geocoding.match import Gazetteer, match_addresses
from gis.geocoding.normalize import normalize_address

Status = Literal["matched", "review", "unmatched", "empty"]
_ROAD = r"(?:大街|大道|路|街|巷|弄|道)"
_ROAD_RE = re.compile(rf"^(?P<road>.+?{_ROAD})(?P<rest>.*)$")
_CROSS_RE = re.compile(
    rf"^(?P<a>.+?{_ROAD})(?:与|和|跟|同|、|/)?(?P<b>.+?{_ROAD})"
    r"(?:交叉路口|交叉口|十字路口|路口|交汇处|交界处|口)$"
)
_NEAR_RE = re.compile(r"(?:附近|旁边|周边|对面|门口|旁|[东西南北]侧|一带)$")
_POI_SUFFIX = re.compile(r"(?:小区|社区|花园|新村|家园|公寓)?(?:\d+栋.*)?$")
CONFIDENCE = {
    "exact": 1.0,
    "normalized": 1.0,
    "building": 0.95,
    "door_plate": 0.85,
    "poi": 0.8,
    "intersection": 0.8,
}
NEARBY_FACTOR = 0.8
"""Confidence of "…附近" relative to the place it is near."""


@dataclass(frozen=True)
class Place:
    """Where one address form puts a row (``lon``/``lat`` None unless matched)."""

    status: Status
    form: str
    confidence: float
    lon: float | None = None
    lat: float | None = None
    note: str = ""


def pois_from_buildings(buildings: gpd.GeoDataFrame) -> pd.DataFrame:
    """小区/POI names from building names (``清洲佳园2栋`` → ``清洲佳园``): name, lon, lat,
    spread_m (the largest distance from the centre to one of its buildings)."""
    frame = buildings.to_crs(4326)
    names = frame["name"].astype(str).str.replace(r"\d+栋.*$", "", regex=True).str.strip()
    pts = frame.geometry.representative_point()
    table = pd.DataFrame({"name": names, "lon": pts.x, "lat": pts.y})
    table = table[table["name"] != ""]
    grouped = table.groupby("name").agg(lon=("lon", "mean"), lat=("lat", "mean"))
    spread = table.join(grouped, on="name", rsuffix="_c")
    spread["d"] = _metres(spread["lon"], spread["lat"], spread["lon_c"], spread["lat_c"])
    grouped["spread_m"] = spread.groupby("name")["d"].max()
    return grouped.reset_index()


def match_forms(
    addresses: pd.Series,
    gazetteer: Gazetteer,
    *,
    roads: gpd.GeoDataFrame | None = None,
    pois: pd.DataFrame | None = None,
    spread_m: float = 150.0,
    **options: float,
) -> pd.DataFrame:
    """Match addresses, then read the unplaced ones as door plates, buildings, POIs,
    "附近" and road intersections.

    Returns :func:`match_addresses`' columns plus ``match_status``,
    ``match_confidence`` and ``match_form``, aligned with ``addresses``.
    """
    out = match_addresses(addresses, gazetteer, **options)
    method = out["match_method"].astype(str).to_numpy()
    status = np.select(
        [np.isin(method, ("exact", "normalized", "fuzzy")), method == "review", method == "empty"],
        ["matched", "review", "empty"],
        default="unmatched",
    ).astype(object)
    confidence = np.where(status == "matched", out["match_score"].fillna(0) / 100.0, 0.0)
    form = np.where(status == "matched", method, "").astype(object)
    reader = _Reader(gazetteer, roads, pois, spread_m)
    lon, lat = out["match_lon"].to_numpy(copy=True), out["match_lat"].to_numpy(copy=True)
    for i in np.flatnonzero(np.isin(status, ("review", "unmatched"))):  # only the leftovers
        place = reader.read(str(addresses.iloc[i]))
        if place is None or (place.status == "unmatched" and status[i] == "review"):
            continue
        status[i], form[i], confidence[i] = place.status, place.form, place.confidence
        lon[i], lat[i] = place.lon, place.lat
    out["match_lon"], out["match_lat"] = lon, lat
    out["match_status"] = pd.Series(status, index=out.index, dtype="string")
    out["match_confidence"] = np.round(confidence.astype(float), 2)
    out["match_form"] = pd.Series(form, index=out.index, dtype="string")
    return out


class _Reader:
    """Reads one leftover address as one of the forms (a handful of rows per batch)."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        roads: gpd.GeoDataFrame | None,
        pois: pd.DataFrame | None,
        spread_m: float,
    ) -> None:
        table = gazetteer.table
        self.table = table
        self.plates = [n.split("|") if n else [] for n in table["numbers"]]
        self.roads = None if roads is None else roads.to_crs(4326)
        self.pois = pois
        self.spread_m = spread_m

    def read(self, text: str) -> Place | None:
        key = normalize_address(text)
        if not key:
            return None
        near = _NEAR_RE.search(key)
        if near:
            base = self.read(key[: near.start()])
            if base is None or base.status != "matched":
                return base and Place(base.status, f"nearby_{base.form}", 0.0)
            return Place(
                "matched", f"nearby_{base.form}", round(base.confidence * NEARBY_FACTOR, 2),
                base.lon, base.lat,
            )  # fmt: skip
        cross = _CROSS_RE.match(key)
        if cross:
            return self._intersection(cross["a"], cross["b"])
        road = _ROAD_RE.match(key)
        if road and re.match(r"^\d", road["rest"]):
            return self._plate(road["road"], re.findall(r"\d+", road["rest"]))
        return self._poi(key)

    def _plate(self, road: str, numbers: list[str]) -> Place:
        """门牌 (``115号``) or 门牌-楼栋[-单元]-室 (``110-1-201``, ``110号1栋201室``)."""
        on_road = self.table["block"].to_numpy() == road
        plate = np.array([bool(p) and p[0] == numbers[0] for p in self.plates]) & on_road
        form = "door_plate"
        if len(numbers) >= 2:
            building = np.array([len(p) > 1 and p[1] == numbers[1] for p in self.plates])
            if (plate & building).any():
                plate, form = plate & building, "building"
        if not plate.any():
            return Place("unmatched", form, 0.0)
        rows = self.table[plate]
        lon, lat = float(rows["lon"].mean()), float(rows["lat"].mean())
        spread = float(_metres(rows["lon"], rows["lat"], lon, lat).max())
        if spread > self.spread_m:
            return Place("review", form, 0.5, note=f"{spread:.0f} m")
        return Place("matched", form, CONFIDENCE[form], lon, lat)

    def _poi(self, key: str) -> Place | None:
        if self.pois is None or not len(self.pois):
            return None
        name = _POI_SUFFIX.sub("", key)
        if not name:
            return None
        names = self.pois["name"].astype(str).tolist()
        scores = process.extract(name, names, scorer=fuzz.ratio, limit=2)
        if not scores or scores[0][1] < 60:
            return Place("unmatched", "poi", 0.0)
        best, score, row = scores[0]
        rival = scores[1][1] if len(scores) > 1 else 0.0
        poi = self.pois.iloc[row]
        wide = "spread_m" in poi.index and float(poi["spread_m"]) > 2 * self.spread_m
        if score < 90 or score - rival < 5 or wide:
            return Place("review", "poi", round(score / 100 * 0.6, 2), note=best)
        return Place("matched", "poi", CONFIDENCE["poi"], float(poi["lon"]), float(poi["lat"]))

    def _intersection(self, a: str, b: str) -> Place:
        """The crossing point(s) of the two roads' centre lines."""
        if self.roads is None:
            return Place("unmatched", "intersection", 0.0, note="no roads layer")
        names = self.roads["name"].astype(str)
        first = self.roads.geometry[names == a]
        second = self.roads.geometry[names == b]
        if first.empty or second.empty:
            return Place("unmatched", "intersection", 0.0)
        cross = shapely.intersection(shapely.union_all(first), shapely.union_all(second))
        points = shapely.get_parts(cross)
        points = points[shapely.get_type_id(points) == 0]
        if len(points) == 0:
            return Place("unmatched", "intersection", 0.0)
        lon, lat = float(np.mean(shapely.get_x(points))), float(np.mean(shapely.get_y(points)))
        spread = _metres(shapely.get_x(points), shapely.get_y(points), lon, lat).max()
        if spread > self.spread_m / 2:  # the roads cross more than once, far apart
            return Place("review", "intersection", 0.5)
        return Place("matched", "intersection", CONFIDENCE["intersection"], lon, lat)


_GEOD = pyproj.Geod(ellps="WGS84")


def _metres(lon: object, lat: object, lon0: object, lat0: object) -> np.ndarray:
    """Geodesic distances in metres (WGS84)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x0 = np.broadcast_to(np.asarray(lon0, dtype=float), x.shape)
    y0 = np.broadcast_to(np.asarray(lat0, dtype=float), y.shape)
    return np.asarray(_GEOD.inv(x, y, x0, y0)[2], dtype=float)

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
``match_confidence`` (0-1), a ``match_form`` and a ``match_note``.  Nothing ambiguous is
placed: a door plate spread over a compound, two roads crossing twice, a POI name close to
two POIs, a door plate on a misspelt road (``清西路115号``) go to review.  An intersection
without a roads layer is not guessed: ``match_note`` is :data:`NO_ROADS` and the pipeline
gives the row its own status (``needs_roads``).

The geocoding pipeline (:func:`gis.geocoding.pipeline.geocode_frame`) runs
:func:`match_forms` on the rows without coordinates; :func:`address_context` reads the
roads and POIs from a district manifest (its ``roads`` extra and its buildings) or from
files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from rapidfuzz import fuzz, process

from gis.errors import FieldError, Problem
from gis.geocoding.match import ROAD_SIMILARITY, Gazetteer, match_addresses
from gis.geocoding.normalize import normalize_address
from gis.i18n import Text

Status = Literal["matched", "review", "unmatched", "empty"]
_ROAD = r"(?:大街|大道|路|街|巷|弄|道)"
_ROAD_RE = re.compile(rf"^(?P<road>.+?{_ROAD})(?P<rest>.*)$")
_CROSS_RE = re.compile(
    rf"^(?P<a>.+?{_ROAD})(?:与|和|跟|同|、|/)?(?P<b>.+?{_ROAD})"
    r"(?:交叉路口|交叉口|十字路口|路口|交汇处|交界处|口)$"
)
_NEAR_RE = re.compile(r"(?:附近|旁边|周边|对面|门口|旁|[东西南北]侧|一带)$")
_POI_SUFFIX = re.compile(r"(?:小区|社区)?(?:\d+栋.*)?$")
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
NO_ROADS = "no_roads"
"""``match_note`` of an intersection read while no roads layer was given."""
FORM_COLUMNS = ("match_status", "match_confidence", "match_form", "match_note")
FORM_WORDS: dict[str, Text] = {
    "exact": Text("完全一致", "exact"),
    "normalized": Text("规范化后一致", "normalized"),
    "fuzzy": Text("模糊匹配", "fuzzy"),
    "door_plate": Text("门牌", "door plate"),
    "building": Text("楼栋", "building"),
    "poi": Text("小区/地名", "compound / POI"),
    "intersection": Text("道路交叉口", "road intersection"),
    "nearby": Text("附近", "nearby"),
}
"""Words for the forms in reasons (``nearby_door_plate`` → 门牌附近)."""
ROAD_NAME_COLUMNS = ("name", "road_name", "名称", "路名", "道路名称", "NAME", "Name", "ROAD_NAME")


def form_words(form: str) -> Text:
    """``nearby_door_plate`` → 门牌附近 / door plate (nearby)."""
    if form.startswith("nearby_"):
        base = form_words(form.removeprefix("nearby_"))
        return Text(base.zh + "附近", base.en + " (nearby)")
    return FORM_WORDS.get(form, Text(form, form))


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
    spread = table.merge(grouped, left_on="name", right_index=True, suffixes=("", "_c"))
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
    forms: bool = True,
    **options: float,
) -> pd.DataFrame:
    """Match addresses, then read the unplaced ones as door plates, buildings, POIs,
    "附近" and road intersections.

    Returns :func:`match_addresses`' columns plus :data:`FORM_COLUMNS`, aligned with
    ``addresses``.  ``forms=False`` stops after :func:`match_addresses` (same columns).
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
    note = np.full(len(out), "", dtype=object)
    lon, lat = out["match_lon"].to_numpy(copy=True), out["match_lat"].to_numpy(copy=True)
    leftovers = np.flatnonzero(np.isin(status, ("review", "unmatched")) & forms)
    placed_by_form = np.zeros(len(out), dtype=bool)
    reader = _Reader(gazetteer, roads, pois, spread_m) if len(leftovers) else None
    for i in leftovers:  # only the rows the gazetteer passes left
        assert reader is not None
        place = reader.read(str(addresses.iloc[i]))
        if place is None or (place.status == "unmatched" and status[i] == "review"):
            continue
        status[i], form[i], confidence[i] = place.status, place.form, place.confidence
        lon[i], lat[i], note[i] = place.lon, place.lat, place.note
        placed_by_form[i] = place.status == "matched"
    out.loc[placed_by_form, "review_candidate"] = pd.NA  # placed: no longer a candidate
    out["match_lon"], out["match_lat"] = lon.astype(float), lat.astype(float)
    out["match_status"] = pd.Series(status, index=out.index, dtype="string")
    out["match_confidence"] = np.round(confidence.astype(float), 2)
    out["match_form"] = pd.Series(form, index=out.index, dtype="string")
    out["match_note"] = pd.Series(note, index=out.index, dtype="string")
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
        self.table = gazetteer.table
        self.plate, self.building, self.block, self.road_names = gazetteer.memo(
            "forms:plates", lambda: _plates(gazetteer.table)
        )
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
                return base and Place(
                    base.status, f"nearby_{base.form}", base.confidence * NEARBY_FACTOR,
                    note=base.note,
                )  # fmt: skip
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
        """门牌 (``115号``) or 门牌-楼栋[-单元]-室 (``110-1-201``, ``110号1栋201室``).

        A road the gazetteer does not know but spells alike (``清西路`` for ``清溪路``,
        one clear candidate) sends an existing plate to review, never to matched."""
        spelt = road
        if road not in self.road_names and self.road_names:
            ranked = process.extract(road, self.road_names, scorer=fuzz.ratio, limit=2)
            best = ranked[0] if ranked else None
            rival = ranked[1][1] if len(ranked) > 1 else 0.0
            if best is None or best[1] < ROAD_SIMILARITY or best[1] - rival < 5:
                return Place("unmatched", "door_plate", 0.0)
            spelt = str(best[0])
        plate = (self.block == spelt) & (self.plate == numbers[0])
        form = "door_plate"
        if len(numbers) >= 2 and (plate & (self.building == numbers[1])).any():
            plate, form = plate & (self.building == numbers[1]), "building"
        if not plate.any():
            return Place("unmatched", form, 0.0)
        rows = self.table[plate]
        lon, lat = float(rows["lon"].mean()), float(rows["lat"].mean())
        spread = float(_metres(rows["lon"], rows["lat"], lon, lat).max())
        if spelt != road:
            return Place("review", form, 0.5, note=f"{spelt}{numbers[0]}号")
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
            return Place("unmatched", "intersection", 0.0, note=NO_ROADS)
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


def _plates(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Door plate, building number and road of every gazetteer row, and the road names."""
    parts = table["numbers"].astype(str).str.split("|")
    plate = parts.str[0].fillna("").to_numpy(dtype=object)
    building = parts.str[1].fillna("").to_numpy(dtype=object)
    block = table["block"].to_numpy(dtype=object)
    return plate, building, block, sorted(set(block) - {""})


@dataclass(frozen=True)
class AddressContext:
    """What the address forms read besides the gazetteer: road centre lines (WGS84,
    column ``name``) and 小区/POI points (``name, lon, lat[, spread_m]``); either None."""

    roads: gpd.GeoDataFrame | None = None
    pois: pd.DataFrame | None = None


def address_context(
    manifest: str | Path | None = None,
    *,
    roads: str | Path | None = None,
    pois: str | Path | None = None,
    road_name: str | None = None,
) -> AddressContext:
    """Roads and POIs for :func:`match_forms`.

    ``roads`` / ``pois`` files win; otherwise a district ``manifest`` gives its ``roads``
    extra and the 小区 names of its buildings.  Neither is required: without roads an
    intersection is reported as such (:data:`NO_ROADS`), without POIs a name is unmatched.
    """
    from gis.io import read_frame
    from gis.manifest import read_manifest

    road_file = Path(roads) if roads is not None else None
    road_crs: str | int | None = None
    poi_frame: pd.DataFrame | None = None
    path = Path(manifest) if manifest is not None else None
    if path is not None and path.is_dir():
        path = path / "manifest.json"
    if path is not None and path.suffix.lower() == ".json":  # a workspace GeoPackage has none
        entries = read_manifest(path)
        extra = entries.extras.get("roads")
        if road_file is None and extra is not None:
            road_file, road_crs = path.parent / extra.path, extra.crs or entries.crs
        building = entries.layers.get("building") or entries.layers.get("buildings")
        if pois is None and building is not None:
            found = read_frame(path.parent / building.path, crs=building.crs or entries.crs)
            poi_frame = pois_from_buildings(found)
    if pois is not None:
        poi_frame = pois_from_points(read_frame(Path(pois)))
    road_frame = None
    if road_file is not None:
        road_frame = roads_with_names(read_frame(road_file, crs=road_crs), column=road_name)
    return AddressContext(roads=road_frame, pois=poi_frame)


def _name_column(frame: pd.DataFrame, column: str | None, source: str) -> str:
    if column is not None and column in frame.columns:
        return column
    found = [c for c in ROAD_NAME_COLUMNS if c in frame.columns] if column is None else []
    if not found:
        wanted = column or "name"
        raise FieldError(
            [Problem(f"missing column {wanted!r} (名称列)", source=source, field=wanted)]
        )
    return found[0]


def roads_with_names(roads: gpd.GeoDataFrame, *, column: str | None = None) -> gpd.GeoDataFrame:
    """Road centre lines as ``name, geometry`` in WGS84, normalised names (``江东中路``)."""
    name = _name_column(roads, column, "roads")
    lines = roads[roads.geometry.notna() & ~roads.geometry.is_empty]
    names = lines[name].astype("string").fillna("").map(normalize_address)
    out = gpd.GeoDataFrame(
        {"name": names.to_numpy()}, geometry=lines.geometry.to_numpy(), crs=lines.crs
    )
    out = out[out["name"] != ""].reset_index(drop=True)
    return out.to_crs(4326) if out.crs is not None else out


def pois_from_points(frame: gpd.GeoDataFrame, *, column: str | None = None) -> pd.DataFrame:
    """小区/POI names from a point or polygon file: ``name, lon, lat, spread_m`` (0)."""
    name = _name_column(frame, column, "pois")
    wgs = frame.to_crs(4326) if frame.crs is not None else frame
    points = wgs.geometry.representative_point()
    names = wgs[name].astype("string").fillna("").map(normalize_address)
    table = pd.DataFrame({"name": names, "lon": points.x, "lat": points.y, "spread_m": 0.0})
    return table[table["name"] != ""].reset_index(drop=True)


_GEOD = pyproj.Geod(ellps="WGS84")


def _metres(lon: object, lat: object, lon0: object, lat0: object) -> np.ndarray:
    """Geodesic distances in metres (WGS84)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x0 = np.broadcast_to(np.asarray(lon0, dtype=float), x.shape)
    y0 = np.broadcast_to(np.asarray(lat0, dtype=float), y.shape)
    return np.asarray(_GEOD.inv(x, y, x0, y0)[2], dtype=float)

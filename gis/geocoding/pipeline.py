"""One table of incident records → the same table with locations, areas and statuses.

:func:`geocode_frame` is what every entry point runs on its rows: the batch reader
on each chunk (``gis.geocoding.batch``), the dask path on each partition
(``gis.geocoding.distributed``).  Its output depends on nothing but the rows it is
given (and the ids seen in earlier chunks), so chunked, distributed and in-memory
runs give identical answers.

Added columns: ``source_row`` (1-based data row), ``coord_status``, ``geocode_source``
(``coordinates`` / ``address`` / empty), ``geocode_lon`` / ``geocode_lat`` (WGS84),
the match columns when a gazetteer is given (``gis.geocoding.match``, then the address
forms of ``gis.geocoding.forms``: ``match_status``, ``match_confidence``, ``match_form``,
``match_note``), the layer
columns (``gis.geocoding.assign``), then ``status``, ``reason_zh``, ``reason_en``.
An input column with one of these names is kept as ``input_<name>`` (an incident
export's own ``status`` column becomes ``input_status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from numpy.typing import NDArray

from gis.crs import CRSLike, SourceCRS, bd09_to_wgs84, gcj02_to_wgs84, parse_crs
from gis.geocoding.assign import AreaIndex, assign_xy, point_xy
from gis.geocoding.forms import FORM_COLUMNS, NO_ROADS, form_words, match_forms
from gis.geocoding.match import MATCH_COLUMNS, Gazetteer
from gis.geocoding.status import (
    COORDINATE_PROBLEMS,
    CoordinateCheck,
    Status,
    check_coordinates,
    garbled,
    reasons,
)

WGS84 = pyproj.CRS.from_epsg(4326)


@dataclass(frozen=True)
class GeocodeOptions:
    """What to read from the records and how to match them (all keyword-only)."""

    x: str | None = "lon"
    y: str | None = "lat"
    address: str | None = None
    id_column: str | None = None
    row_ids: bool = False  # no id column: the 1-based data row is the id
    source_crs: CRSLike = "wgs84"
    gazetteer: Gazetteer | None = None
    threshold: float = 85.0
    review_floor: float = 60.0
    margin: float = 5.0
    address_forms: bool = True  # door plates, buildings, POIs, 附近, intersections
    roads: gpd.GeoDataFrame | None = None  # centre lines with ``name`` (intersections)
    pois: pd.DataFrame | None = None  # 小区/POI ``name, lon, lat[, spread_m]``


@dataclass
class SeenIds:
    """Incident ids met in earlier chunks (8-byte hashes and first rows, ~16 bytes a row)."""

    hashes: NDArray[np.uint64] = field(default_factory=lambda: np.empty(0, np.uint64))
    rows: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))

    def check_and_add(self, ids: pd.Series, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        """First row of each id when seen before (this chunk or earlier), else 0."""
        text = ids.astype("string").fillna("").str.strip()
        present = (text != "").to_numpy(dtype=bool)
        h = pd.util.hash_pandas_object(text, index=False).to_numpy(dtype=np.uint64)
        first = np.zeros(len(ids), dtype=np.int64)
        pos = np.searchsorted(self.hashes, h)
        pos = np.minimum(pos, max(len(self.hashes) - 1, 0))
        if len(self.hashes):
            earlier = self.hashes[pos] == h
            first[earlier] = self.rows[pos[earlier]]
        frame = pd.DataFrame({"h": h, "row": rows})[present & (first == 0)]
        firsts = frame.groupby("h")["row"].transform("min").to_numpy()
        later = frame["row"].to_numpy() != firsts
        first[np.flatnonzero(present & (first == 0))[later]] = firsts[later]
        new = frame.drop_duplicates("h")
        hashes = np.concatenate([self.hashes, new["h"].to_numpy(dtype=np.uint64)])
        order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[order]
        self.rows = np.concatenate([self.rows, new["row"].to_numpy(dtype=np.int64)])[order]
        first[~present] = 0
        return first


def geocode_frame(
    frame: pd.DataFrame,
    areas: AreaIndex,
    *,
    options: GeocodeOptions | None = None,
    first_row: int = 1,
    seen: SeenIds | None = None,
) -> pd.DataFrame:
    """Geocode one table of records (a chunk of a file, a partition, a whole frame).

    Parameters
    ----------
    frame : records; a GeoDataFrame's point geometry is used when ``options.x`` is None
        or not one of its columns.
    areas : the area layers (:func:`gis.geocoding.assign.build_area_index`).
    options : columns, source CRS, gazetteer and thresholds.
    first_row : 1-based number of the frame's first row in its file.
    seen : ids from earlier chunks, for duplicate detection across chunks.
    """
    opts = options or GeocodeOptions()
    src = parse_crs(opts.source_crs)
    rows = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    check = _check(frame, opts, src, areas)
    lon, lat = _to_wgs84(check, src, areas)
    source = np.where(check.usable, "coordinates", "").astype(object)
    detail = pd.DataFrame({"zh": "", "en": ""}, index=frame.index, dtype="string")
    status = pd.Series(check.status, index=frame.index, dtype=object)
    _coordinate_details(frame, opts, check, detail)
    matched = _fallback_to_address(frame, opts, check, status, detail, lon, lat, source)
    x, y = areas.transformer(WGS84).transform(lon, lat)
    layers = assign_xy(np.asarray(x), np.asarray(y), areas)
    layers.index = frame.index
    _placement_status(areas, layers, source != "", status, detail)
    if opts.id_column is not None and opts.id_column in frame.columns:
        _duplicates(frame[opts.id_column], rows, seen or SeenIds(), status, detail)
    head = pd.DataFrame(
        {
            "source_row": rows,
            "coord_status": pd.Series(check.status, index=frame.index, dtype="string"),
            "geocode_source": pd.Series(source, index=frame.index, dtype="string"),
            "geocode_lon": lon,
            "geocode_lat": lat,
        },
        index=frame.index,
    )
    tail = pd.DataFrame({"status": status.astype("string")}, index=frame.index)
    tail = tail.join(reasons(tail["status"], detail["zh"], detail["en"]))
    added = [head, *([matched] if matched is not None else []), layers, tail]
    original = pd.DataFrame(frame).drop(columns=_geometry_columns(frame))
    if opts.row_ids and "id" not in original.columns:  # a file without ids: its row numbers
        original.insert(0, "id", rows.astype(str))
    taken = {c for part in added for c in part.columns}
    original = original.rename(columns={c: f"input_{c}" for c in original.columns if c in taken})
    return pd.concat([original, *added], axis=1)


def _geometry_columns(frame: pd.DataFrame) -> list[str]:
    return [frame.geometry.name] if isinstance(frame, gpd.GeoDataFrame) else []


def _check(
    frame: pd.DataFrame, opts: GeocodeOptions, src: SourceCRS, areas: AreaIndex
) -> CoordinateCheck:
    """Coordinate verdicts, from x/y columns or from a point geometry column."""
    extent = _extent(areas, src)
    if isinstance(frame, gpd.GeoDataFrame) and (opts.x is None or opts.x not in frame):
        x, y = point_xy(frame.geometry.to_numpy())
        xs, ys = pd.Series(x, index=frame.index), pd.Series(y, index=frame.index)
        return check_coordinates(xs, ys, geographic=src.is_geographic, extent=extent)
    if opts.x is None or opts.y is None or opts.x not in frame or opts.y not in frame:
        empty = pd.Series(np.nan, index=frame.index)
        return check_coordinates(empty, empty, geographic=True, extent=None)
    return check_coordinates(
        frame[opts.x], frame[opts.y], geographic=src.is_geographic, extent=extent
    )


def _extent(areas: AreaIndex, src: SourceCRS) -> tuple[float, float, float, float]:
    """Where records are expected, in the source units: the areas' bounds, grown by
    their own size (wide enough for the GCJ-02 offset and for records just outside)."""
    x0, y0, x1, y1 = areas.bounds
    grow = max(x1 - x0, y1 - y0, 10_000.0)
    bounds = areas.transformer(areas.crs, src.crs).transform_bounds(
        x0 - grow, y0 - grow, x1 + grow, y1 + grow
    )
    return float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])


def _to_wgs84(
    check: CoordinateCheck, src: SourceCRS, areas: AreaIndex
) -> tuple[NDArray[np.float64], ...]:
    if src.chinese == "gcj02":
        return gcj02_to_wgs84(check.x, check.y)
    if src.chinese == "bd09":
        return bd09_to_wgs84(check.x, check.y)
    if src.crs.equals(WGS84):
        return check.x.copy(), check.y.copy()
    lon, lat = areas.transformer(src.crs, WGS84).transform(check.x, check.y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _coordinate_details(
    frame: pd.DataFrame, opts: GeocodeOptions, check: CoordinateCheck, detail: pd.DataFrame
) -> None:
    """Name the bad values: ``lon='abc', lat='31.2'``."""
    bad = ~check.usable
    if not bad.any() or opts.x is None or opts.y is None or opts.x not in frame:
        return
    xs = frame[opts.x].astype("string").fillna("∅")[bad]
    ys = frame[opts.y].astype("string").fillna("∅")[bad]
    text = opts.x + "=" + xs + ", " + opts.y + "=" + ys
    detail.loc[bad, "zh"] = text
    detail.loc[bad, "en"] = text


def _fallback_to_address(
    frame: pd.DataFrame,
    opts: GeocodeOptions,
    check: CoordinateCheck,
    status: pd.Series,
    detail: pd.DataFrame,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    source: NDArray[np.object_],
) -> pd.DataFrame | None:
    """Rows without usable coordinates: match their address (in place on the arrays)."""
    if opts.gazetteer is None or opts.address is None or opts.address not in frame:
        return None
    out = pd.DataFrame(index=frame.index, columns=[*MATCH_COLUMNS, *FORM_COLUMNS])
    need = ~check.usable
    text = frame[opts.address].astype("string")
    empty = (text.fillna("").str.strip() == "").to_numpy()
    broken = need & ~empty & garbled(text)
    if opts.x is None or opts.x not in frame:  # an address-only file
        status[need & empty] = Status.EMPTY_ADDRESS
    status[broken] = Status.BAD_ENCODING
    todo = need & ~empty & ~broken
    if todo.any():
        found = match_forms(
            text[todo],
            opts.gazetteer,
            roads=opts.roads,
            pois=opts.pois,
            forms=opts.address_forms,
            threshold=opts.threshold,
            review_floor=opts.review_floor,
            margin=opts.margin,
        )
        out.loc[todo] = found[out.columns].to_numpy()
        _apply_matches(found, np.flatnonzero(todo), status, detail, lon, lat, source)
    return out.astype(
        {
            "match_score": float,
            "match_lon": float,
            "match_lat": float,
            "match_confidence": float,
            "match_status": "string",
            "match_form": "string",
            "match_note": "string",
        }
    )


def _apply_matches(
    found: pd.DataFrame,
    idx: NDArray[np.int64],
    status: pd.Series,
    detail: pd.DataFrame,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    source: NDArray[np.object_],
) -> None:
    """Write matched coordinates and the address statuses of rows ``idx``."""
    verdict, zh, en = address_verdicts(found)
    placed = verdict == Status.ADDRESS
    lon[idx[placed]] = found["match_lon"].to_numpy(dtype=float)[placed]
    lat[idx[placed]] = found["match_lat"].to_numpy(dtype=float)[placed]
    source[idx[placed]] = "address"
    status.iloc[idx] = verdict
    detail.iloc[idx, 0] = zh
    detail.iloc[idx, 1] = en


def address_verdicts(
    found: pd.DataFrame,
) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.object_]]:
    """Row statuses and reason details of :func:`gis.geocoding.forms.match_forms` results.

    ``match_status`` decides: matched → ``address``, review → ``review``, an intersection
    without roads → ``needs_roads``, empty → ``empty_address``, the rest ``unmatched``; the
    details name the form and the confidence (and the candidate of a review)."""
    verdict_of = found["match_status"].fillna("unmatched").to_numpy(dtype=object)
    placed = verdict_of == "matched"
    review = verdict_of == "review"
    no_roads = (found["match_note"].fillna("") == NO_ROADS).to_numpy(dtype=bool) & ~placed
    verdict = np.where(review, Status.REVIEW, Status.UNMATCHED).astype(object)
    verdict[verdict_of == "empty"] = Status.EMPTY_ADDRESS
    verdict[placed] = Status.ADDRESS
    verdict[no_roads] = Status.NEEDS_ROADS
    forms = found["match_form"].fillna("").to_numpy(dtype=object)
    confidence = found["match_confidence"].fillna(0).to_numpy(dtype=float)
    candidate = found["review_candidate"].fillna("").to_numpy(dtype=object)
    notes = found["match_note"].fillna("").to_numpy(dtype=object)
    zh = np.full(len(found), "", dtype=object)
    en = np.full(len(found), "", dtype=object)
    for i in np.flatnonzero(placed | review):
        words = form_words(str(forms[i]))
        shown = str(candidate[i] or (notes[i] if notes[i] != NO_ROADS else ""))
        tail = f" → {shown}" if review[i] and shown else ""
        zh[i] = f"{words.zh}，置信度 {confidence[i]:.2f}{tail}"
        en[i] = f"{words.en}, confidence {confidence[i]:.2f}{tail}"
    return verdict, zh, en


def _placement_status(
    areas: AreaIndex,
    layers: pd.DataFrame,
    located: NDArray[np.bool_],
    status: pd.Series,
    detail: pd.DataFrame,
) -> None:
    """ok / tolerance / outside for located rows; the nearest area named when outside."""
    by_coords = located & (status == Status.OK).to_numpy()
    tolerance = np.zeros(len(layers), dtype=bool)
    outside = np.zeros(len(layers), dtype=bool)
    covering = [layer.name for layer in areas.layers if layer.covering]
    for name in reversed(covering):  # the first layer's note wins
        how = layers[f"{name}_how"].to_numpy(dtype=object)
        tolerance |= how == "tolerance"
        out = located & (how == "outside")
        outside |= out
        if out.any():
            dist = layers[f"{name}_distance_m"].round(1).astype("string")
            near = layers[f"{name}_nearest_id"].fillna("")
            detail.loc[out, "zh"] = name + " 最近 " + near[out] + "，距离 " + dist[out] + " 米"
            detail.loc[out, "en"] = name + ": nearest " + near[out] + " at " + dist[out] + " m"
    status[by_coords & tolerance] = Status.TOLERANCE
    status[outside] = Status.OUTSIDE


def _duplicates(
    ids: pd.Series, rows: NDArray[np.int64], seen: SeenIds, status: pd.Series, detail: pd.DataFrame
) -> None:
    first = seen.check_and_add(ids, rows)
    dup = first > 0
    if not dup.any():
        return
    zh, en = duplicate_details(first[dup], status[dup])
    detail.loc[dup, "zh"] = zh
    detail.loc[dup, "en"] = en
    status[dup] = Status.DUPLICATE_ID


def duplicate_details(first: NDArray[np.int64], before: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Detail texts of duplicate rows: where the id first appeared, how the row was placed."""
    placed = before.astype("string")
    first_text = pd.Series(first, index=before.index).astype("string")
    return (
        "首次出现于第 " + first_text + " 行；定位结果：" + placed,
        "first in row " + first_text + "; placement: " + placed,
    )


__all__ = [
    "COORDINATE_PROBLEMS",
    "GeocodeOptions",
    "SeenIds",
    "address_verdicts",
    "duplicate_details",
    "geocode_frame",
]

"""A district: every layer of one area, loaded and validated together from a manifest.

``manifest.json`` (written by ``data.generate.generate_demo`` and by users by hand)::

    {"name": "建邺区 demo", "crs": "EPSG:4490", "metric_crs": "EPSG:4549",
     "layers": {"grid": {"path": "grids.geojson"}, "beat": {"path": "beats.geojson"}},
     "tables": {"incidents": {"path": "incidents.csv"}, "visits": {"path": "visits.csv"}}}

Keys of ``layers`` and ``tables`` are layer kinds, singular (``grid``) or plural
(``grids``).  An entry may add the options of :func:`gis.io.read_layer`: ``crs``,
``encoding``, ``layer``, ``mapping``, ``lon``, ``lat``, ``wkt``.  Tables that are no layer
kind (visits, gazetteer…) are kept as paths in :attr:`District.tables`.  Layers in
different CRSs are an error unless ``to_crs=`` asks to reproject them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis import crs as gcrs
from gis.errors import ConfigError, CRSError, FileFormatError, Problem
from gis.io import Layer, read_layer
from gis.layers import LayerKind, spec

ATTRIBUTE: dict[LayerKind, str] = {
    LayerKind.STREET: "streets",
    LayerKind.COMMUNITY: "communities",
    LayerKind.GRID: "grids",
    LayerKind.JOINT_POINT: "joint_points",
    LayerKind.STATION: "stations",
    LayerKind.BEAT: "beats",
    LayerKind.AUX_BEAT: "aux_beats",
    LayerKind.INCIDENT: "incidents",
    LayerKind.TRACK: "tracks",
    LayerKind.ADDRESS: "addresses",
    LayerKind.BUILDING: "buildings",
    LayerKind.ASSIGNMENT: "assignments",
    LayerKind.OUTSIDE: "outside",
}
"""District attribute holding each layer kind."""

_BY_NAME = {**{k.value: k for k in LayerKind}, **{v: k for k, v in ATTRIBUTE.items()}}
_OPTIONS = ("crs", "encoding", "layer", "mapping", "lon", "lat", "wkt")


@dataclass(frozen=True)
class District:
    """The layers of one district, canonical and validated, all in one CRS.

    Layer attributes are GeoDataFrames (``assignments`` a DataFrame), None when absent;
    :attr:`layers` holds the full :class:`~gis.io.Layer` records (column maps, warnings,
    repairs, rejected rows).
    """

    name: str
    crs: pyproj.CRS | None
    source: Path | None
    metric_crs: pyproj.CRS | None = None
    streets: gpd.GeoDataFrame | None = None
    communities: gpd.GeoDataFrame | None = None
    grids: gpd.GeoDataFrame | None = None
    joint_points: gpd.GeoDataFrame | None = None
    stations: gpd.GeoDataFrame | None = None
    beats: gpd.GeoDataFrame | None = None
    aux_beats: gpd.GeoDataFrame | None = None
    incidents: gpd.GeoDataFrame | None = None
    tracks: gpd.GeoDataFrame | None = None
    addresses: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    assignments: pd.DataFrame | None = None
    outside: gpd.GeoDataFrame | None = None
    layers: dict[LayerKind, Layer] = field(default_factory=dict)
    tables: dict[str, Path] = field(default_factory=dict)

    def get(self, kind: LayerKind | str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        """The frame of one layer kind, or None."""
        value: gpd.GeoDataFrame | pd.DataFrame | None = getattr(self, ATTRIBUTE[LayerKind(kind)])
        return value

    def summary(self) -> pd.DataFrame:
        """One row per layer: count, CRS, bounds, area in km² and validity figures.

        Areas are measured in the district's metric CRS (``gis.crs.to_metric``'s choice
        when the manifest names none), given in the ``metric_crs`` column.
        """
        return pd.DataFrame(
            [_summary_row(kind, layer, self.metric_crs) for kind, layer in self.layers.items()]
        )


def _summary_row(kind: LayerKind, layer: Layer, metric: pyproj.CRS | None) -> dict[str, Any]:
    frame = layer.gdf
    row: dict[str, Any] = {
        "layer": kind.value,
        "label": spec(kind).label_zh,
        "count": len(frame),
        "crs": _crs_name(getattr(frame, "crs", None)),
        "minx": np.nan,
        "miny": np.nan,
        "maxx": np.nan,
        "maxy": np.nan,
        "area_km2": np.nan,
        "metric_crs": None,
        "valid": len(frame),
        "repaired": len(layer.repairs),
        "rejected_rows": len(layer.rejected),
        "warnings": len(layer.warnings),
    }
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return row
    row.update(zip(("minx", "miny", "maxx", "maxy"), frame.total_bounds, strict=True))
    geoms = frame.geometry.to_numpy()
    row["valid"] = int(shapely.is_valid(geoms).sum())
    if spec(kind).geometry == "polygon":
        measured, used = gcrs.to_metric(frame, crs=metric)
        row["area_km2"] = float(measured.geometry.area.sum()) / 1e6
        row["metric_crs"] = _crs_name(used)
    return row


def _crs_name(crs: pyproj.CRS | None) -> str | None:
    if crs is None:
        return None
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


def load_district(
    path: str | Path,
    *,
    to_crs: str | int | pyproj.CRS | None = None,
    repair: bool = False,
    on_layer: Callable[[str], None] | None = None,
) -> District:
    """Load every layer and table a ``manifest.json`` lists.

    Parameters
    ----------
    path
        The manifest, or the folder holding ``manifest.json``.
    to_crs
        Reproject every layer to this CRS (otherwise mixed CRSs are an error).
    repair
        Passed to :func:`gis.io.read_layer` for every layer.
    on_layer
        Called with each layer's name before it is read (progress bars).

    Raises
    ------
    FileFormatError
        The manifest is missing or malformed, or names a file that does not exist.
    CRSError
        Layers come in different CRSs and ``to_crs`` was not given.
    """
    manifest_path = Path(path)
    if manifest_path.is_dir():
        manifest_path = manifest_path / "manifest.json"
    manifest = _read_manifest(manifest_path)
    base = manifest_path.parent
    default_crs = manifest.get("crs")
    layers: dict[LayerKind, Layer] = {}
    tables: dict[str, Path] = {}
    for section in ("layers", "tables"):
        for key, entry in manifest.get(section, {}).items():
            kind = _BY_NAME.get(key)
            file = base / _entry_path(entry, key, manifest_path)
            if kind is None:
                tables[key] = file
                continue
            if on_layer is not None:
                on_layer(key)
            layers[kind] = _read_entry(file, kind, entry, default_crs, repair=repair)
    layers = _one_crs(layers, to_crs, manifest_path.name)
    return _assemble(manifest, manifest_path, layers, tables, to_crs)


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise FileFormatError.single(path.name, f"no manifest at {path} (找不到 manifest.json)")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, f"not a readable JSON manifest (manifest 不是有效 JSON): {exc}"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict):
        raise FileFormatError.single(
            path.name, "a manifest is an object with a 'layers' object (manifest 格式错误)"
        )
    unknown = [k for k in data.get("layers", {}) if k not in _BY_NAME]
    if unknown:
        raise FileFormatError.single(
            path.name,
            f"unknown layer kinds {', '.join(unknown)} (未知图层类型); kinds are "
            f"{', '.join(k.value for k in LayerKind)}",
            field="layers",
        )
    return data


def _entry_path(entry: Any, key: str, manifest: Path) -> str:
    value = entry.get("path") if isinstance(entry, Mapping) else entry
    if not isinstance(value, str):
        raise FileFormatError.single(
            manifest.name, f"entry {key!r} needs a 'path' (缺少 path)", field=key
        )
    return value


def _read_entry(
    file: Path, kind: LayerKind, entry: Any, default_crs: str | None, *, repair: bool
) -> Layer:
    entry = dict(entry) if isinstance(entry, Mapping) else {}
    for short, full in (("x", "lon"), ("y", "lat")):  # the generator's spelling
        if short in entry:
            entry.setdefault(full, entry.pop(short))
    options = {k: entry[k] for k in _OPTIONS if k in entry}
    if "crs" not in options and default_crs is not None and _applies(default_crs, file):
        options["crs"] = default_crs
    try:
        return read_layer(file, kind=kind, repair=repair, **options)
    except ConfigError as exc:
        raise FileFormatError.single(file.name, str(exc)) from exc


def _applies(default_crs: str, file: Path) -> bool:
    """Does the district's CRS apply to a file that names none itself?

    Tables declare nothing, so it always does.  GCJ-02/BD-09 cannot be declared in any file
    (GeoJSON from Amap says EPSG:4326), so a GCJ-02 district's CRS applies to every file.
    Otherwise the file's own declaration wins, and a disagreement shows up as mixed CRSs.
    """
    if file.suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        return True
    return gcrs.parse_crs(default_crs).chinese is not None


def _one_crs(
    layers: dict[LayerKind, Layer], to_crs: str | int | pyproj.CRS | None, source: str
) -> dict[LayerKind, Layer]:
    spatial = {k: v for k, v in layers.items() if isinstance(v.gdf, gpd.GeoDataFrame)}
    if to_crs is not None:
        parsed = gcrs.parse_crs(to_crs)
        if parsed.chinese is not None:
            raise ConfigError(
                f"to_crs={to_crs!r}: layers are held in WGS84/CGCS2000 or a projected CRS; "
                "GCJ-02/BD-09 is for export only (write_layer(..., to_crs='gcj02')) "
                "(GCJ-02/BD-09 仅用于导出)"
            )
        target = parsed.crs
        return {
            k: replace(v, gdf=v.gdf.to_crs(target)) if k in spatial else v
            for k, v in layers.items()
        }
    crss = {k: v.gdf.crs for k, v in spatial.items()}
    first = next(iter(crss.values()), None)
    if all(c is not None and first is not None and c.equals(first) for c in crss.values()):
        return layers
    problems = [
        Problem(
            f"layer {k.value} is in {_crs_name(c)} ({layers[k].crs_note}); the layers of a "
            "district must share one CRS: pass to_crs= (CLI --to-crs) to reproject them all "
            "(图层坐标系不一致)",
            source,
            field=k.value,
        )
        for k, c in crss.items()
    ]
    raise CRSError(problems)


def _assemble(
    manifest: dict[str, Any],
    manifest_path: Path,
    layers: dict[LayerKind, Layer],
    tables: dict[str, Path],
    to_crs: str | int | pyproj.CRS | None,
) -> District:
    frames = {ATTRIBUTE[k]: v.gdf for k, v in layers.items()}
    crss = [v.gdf.crs for v in layers.values() if isinstance(v.gdf, gpd.GeoDataFrame)]
    metric = manifest.get("metric_crs") if to_crs is None else None
    return District(
        name=str(manifest.get("name", manifest_path.parent.name)),
        crs=crss[0] if crss else None,
        source=manifest_path,
        metric_crs=pyproj.CRS.from_user_input(metric) if metric else None,
        layers=layers,
        tables=tables,
        **frames,
    )

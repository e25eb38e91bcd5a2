"""A district: every layer of one area, loaded and validated together from a manifest.

``manifest.json`` (written by ``data.generate.generate_demo`` and by users by hand; parsed
by the pydantic models of :mod:`gis.manifest`)::

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

from collections.abc import Callable
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
from gis.i18n import Text
from gis.io import Layer, read_layer
from gis.layers import ATTRIBUTE, LayerKind, kind_named, spec
from gis.manifest import Manifest, ManifestEntry, read_manifest


@dataclass(frozen=True)
class District:
    """The layers of one district, canonical and validated, all in one CRS.

    Layer attributes are GeoDataFrames (``assignments`` a DataFrame), None when absent;
    :attr:`layers` holds the full :class:`~gis.io.Layer` records (column maps, warnings,
    repairs, rejected rows); :attr:`tables` the files of tables that are no layer kind
    (visits, gazetteer…) and :attr:`extras` the context layers of the manifest's ``extras``
    (roads, cold areas), read with :func:`gis.io.read_frame` when needed.
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
    roads: gpd.GeoDataFrame | None = None
    layers: dict[LayerKind, Layer] = field(default_factory=dict)
    tables: dict[str, Path] = field(default_factory=dict)
    extras: dict[str, Path] = field(default_factory=dict)

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
    tz: str | None = None,
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
    tz
        Local time zone of the times (IANA name), passed to :func:`gis.io.read_layer`:
        default ``Asia/Shanghai`` for data in China, UTC elsewhere.

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
    manifest = read_manifest(manifest_path)
    base = manifest_path.parent
    layers: dict[LayerKind, Layer] = {}
    tables: dict[str, Path] = {}
    for section in (manifest.layers, manifest.tables):
        for key, entry in section.items():
            kind = kind_named(key)
            file = base / entry.path
            if kind is None:
                tables[key] = file
                continue
            if on_layer is not None:
                on_layer(key)
            layers[kind] = _read_entry(file, kind, entry, manifest.crs, repair=repair, tz=tz)
    layers = _one_crs(layers, to_crs, manifest_path.name)
    return _assemble(manifest, manifest_path, layers, tables, to_crs)


def _read_entry(
    file: Path,
    kind: LayerKind,
    entry: ManifestEntry,
    default_crs: str | int | None,
    *,
    repair: bool,
    tz: str | None = None,
) -> Layer:
    options = entry.read_options()
    if "crs" not in options and default_crs is not None and _applies(default_crs, file):
        options["crs"] = default_crs
    try:
        return read_layer(file, kind=kind, repair=repair, tz=tz, **options)
    except ConfigError as exc:
        raise FileFormatError.single(file.name, str(exc)) from exc


def _applies(default_crs: str | int, file: Path) -> bool:
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
            str(
                Text(
                    "图层坐标系不一致",
                    f"layer {k.value} is in {_crs_name(c)} ({layers[k].crs_note}); the layers of a "
                    "district must share one CRS: pass to_crs= (CLI --to-crs) to reproject them "
                    "all",
                )
            ),
            source,
            field=k.value,
        )
        for k, c in crss.items()
    ]
    raise CRSError(problems)


def _assemble(
    manifest: Manifest,
    manifest_path: Path,
    layers: dict[LayerKind, Layer],
    tables: dict[str, Path],
    to_crs: str | int | pyproj.CRS | None,
) -> District:
    frames = {ATTRIBUTE[k]: v.gdf for k, v in layers.items()}
    crss = [v.gdf.crs for v in layers.values() if isinstance(v.gdf, gpd.GeoDataFrame)]
    metric = manifest.metric_crs if to_crs is None else None
    return District(
        name=manifest.name if manifest.name is not None else manifest_path.parent.name,
        crs=crss[0] if crss else None,
        source=manifest_path,
        metric_crs=pyproj.CRS.from_user_input(metric) if metric else None,
        layers=layers,
        tables=tables,
        extras={key: manifest_path.parent / e.path for key, e in manifest.extras.items()},
        **frames,
    )

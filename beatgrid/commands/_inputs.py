"""The one definition of how commands read layers: the same inputs, the same options.

Every command that reads polygon layers accepts a district manifest, a workspace
GeoPackage written by ``beatgrid import`` (one layer per kind), or single files, with
the same options:

- ``--repair``: repair invalid polygons, merge rows sharing an id;
- ``--to-crs``: reproject every layer to one CRS (mixed CRSs are an error otherwise);
- ``--map``: ``FIELD=COLUMN`` or ``KIND:FIELD=COLUMN`` for a column not recognised;
- ``--layer``: ``NAME`` or ``KIND=NAME``, the layer of a multi-layer file (GeoPackage, KML).

Error hints in ``gis`` name these options; ``tests/cli/test_hints.py`` checks that every
option a hint names exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gis.errors import ConfigError
from gis.i18n import Text

if TYPE_CHECKING:
    import geopandas as gpd

RepairOpt = Annotated[
    bool, typer.Option("--repair", help="repair invalid polygons and merge split features")
]
ToCrsOpt = Annotated[
    str | None,
    typer.Option("--to-crs", help="reproject every layer to this CRS (EPSG:4490, 4326 …)"),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", "-m", help="FIELD=COLUMN or KIND:FIELD=COLUMN (repeatable)"),
]
LayerOpt = Annotated[
    list[str] | None,
    typer.Option("--layer", help="NAME or KIND=NAME: layer of a GeoPackage/KML (repeatable)"),
]


def mappings(options: list[str] | None) -> dict[str, dict[str, str]]:
    """``--map`` values by kind (``""``: every kind)."""
    from gis.fields import parse_map_options

    out: dict[str, dict[str, str]] = {}
    for item in options or []:
        kind, colon, rest = item.partition(":")
        if colon and "=" not in kind:
            out.setdefault(kind.strip(), {}).update(parse_map_options([rest]))
        else:
            out.setdefault("", {}).update(parse_map_options([item]))
    return out


def layer_names(options: list[str] | None) -> dict[str, str]:
    """``--layer`` values by kind (``""``: the one name for every file)."""
    out = {}
    for item in options or []:
        kind, eq, name = item.partition("=")
        out["" if not eq else kind.strip()] = (name if eq else kind).strip()
    return out


def is_workspace(path: Path) -> bool:
    """A GeoPackage (the workspace ``beatgrid import`` writes), not a manifest."""
    return path.suffix.lower() == ".gpkg" and path.is_file()


def read_workspace(path: Path, kinds: tuple[str, ...], **options: Any) -> dict[str, Any]:
    """Every layer of a workspace GeoPackage whose name is one of ``kinds``."""
    import pyogrio

    names = {str(n) for n in pyogrio.list_layers(path)[:, 0]}
    found = [k for k in kinds if k in names]
    if not found:
        raise ConfigError(
            str(
                Text(
                    "工作库中没有可识别的图层",
                    f"{path.name}: no layer named after a layer kind; "
                    f"layers are {', '.join(sorted(names))}; name files with --grids, --beats …",
                )
            )
        )
    named = dict(options.pop("layers", None) or {})
    return {k: read_one(path, k, layers={**named, k: k}, **options) for k in found}


def read_one(
    path: Path,
    kind: str,
    *,
    repair: bool = False,
    maps: Mapping[str, Mapping[str, str]] | None = None,
    layers: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """One layer file (or one layer of a GeoPackage) as a validated GeoDataFrame."""
    from gis.io import read_layer

    maps, layers = maps or {}, layers or {}
    mapping = {**maps.get("", {}), **maps.get(kind, {})}
    name = layers.get(kind) or layers.get("")
    if name is None and is_workspace(path):
        import pyogrio

        if kind in {str(n) for n in pyogrio.list_layers(path)[:, 0]}:
            name = kind
    return read_layer(path, kind=kind, layer=name, mapping=mapping or None, repair=repair).gdf


def same_crs(
    frames: Mapping[str, gpd.GeoDataFrame], to_crs: str | None
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer in ``to_crs`` when given (Chinese systems included)."""
    if to_crs is None:
        return dict(frames)
    from gis.crs import from_wgs84, parse_crs

    target = parse_crs(to_crs)
    if target.chinese is None:
        return {k: v.to_crs(target.crs) for k, v in frames.items()}
    return {k: from_wgs84(v.to_crs(4326), target=target.chinese) for k, v in frames.items()}

"""The one definition of how commands read layers: the same inputs, the same options.

Every command that reads polygon layers accepts a district manifest, a workspace
GeoPackage written by ``beatgrid import`` (one layer per kind), or single files, with
the same options:

- ``--repair``: repair invalid polygons, merge rows sharing an id;
- ``--to-crs``: reproject every layer to one CRS (mixed CRSs are an error otherwise);
- ``--map``: ``FIELD=COLUMN`` or ``KIND:FIELD=COLUMN`` for a column not recognised;
- ``--layer``: ``NAME`` or ``KIND=NAME``, the layer of a multi-layer file (GeoPackage, KML);
- ``--crs``, ``--encoding``: for files that do not state their CRS or encoding;
- ``--tz``: the local time zone of the times, for commands that count by day, week or month.

The source argument (:data:`SourceArg`) is a manifest or a workspace; single files come
through the per-kind options (:data:`GridsOpt`, :data:`IncidentsOpt` …) and replace the
source's layer of that kind.  :meth:`Inputs.district` reads them all as one
:class:`~gis.district.District`.  Error hints in ``gis`` name these options;
``tests/cli/test_check_inputs.py`` checks that every option a hint names exists and that
every command reading layers has the shared options.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
CrsOpt = Annotated[
    str | None,
    typer.Option(
        "--crs", help="CRS of layer files that do not state it: EPSG:4490, 4326, gcj02, bd09 …"
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="attribute encoding of layer files (gbk, utf-8); detected"),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="local time zone of the times (IANA, e.g. Asia/Shanghai); default Asia/Shanghai "
        "for data in China, UTC elsewhere; days and weeks are counted in local time",
    ),
]
SourceArg = Annotated[
    Path | None,
    typer.Argument(
        help="district manifest.json (or its folder), or a workspace .gpkg of `beatgrid import`"
    ),
]
GridsOpt = Annotated[Path | None, typer.Option("--grids", help="grid layer file")]
IncidentsOpt = Annotated[
    Path | None, typer.Option("--incidents", help="incident file (CSV/XLSX with lon/lat, …)")
]
TracksOpt = Annotated[Path | None, typer.Option("--tracks", help="GPS fixes of the patrols")]
BeatsOpt = Annotated[Path | None, typer.Option("--beats", help="officer beat layer")]
BuildingsOpt = Annotated[
    Path | None, typer.Option("--buildings", help="buildings (households, population)")
]
JointPointsOpt = Annotated[Path | None, typer.Option("--joint-points", help="joint points")]
AddressesOpt = Annotated[Path | None, typer.Option("--addresses", help="standard addresses")]


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
    tz: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """One layer file (or one layer of a GeoPackage) as a validated GeoDataFrame."""
    from gis.io import read_layer
    from gis.layers import spec

    maps, layers = maps or {}, layers or {}
    fields = {f.name for f in spec(kind).fields}
    shared = {k: v for k, v in maps.get("", {}).items() if k in fields}  # FIELD=COLUMN: where known
    mapping = {**shared, **maps.get(kind, {})}
    name = layers.get(kind) or layers.get("")
    if name is None and is_workspace(path):
        import pyogrio

        if kind in {str(n) for n in pyogrio.list_layers(path)[:, 0]}:
            name = kind
    return read_layer(
        path,
        kind=kind,
        layer=name,
        mapping=mapping or None,
        repair=repair,
        tz=tz,
        crs=crs,
        encoding=encoding,
    ).gdf


def same_crs(
    frames: Mapping[str, gpd.GeoDataFrame], to_crs: str | None
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer in ``to_crs`` when given (Chinese systems included)."""
    if to_crs is None:
        return dict(frames)
    import geopandas as gpd

    from gis.crs import parse_crs

    target = parse_crs(to_crs)
    return {k: _to(v, target) if isinstance(v, gpd.GeoDataFrame) else v for k, v in frames.items()}


def _to(frame: gpd.GeoDataFrame, target: Any) -> gpd.GeoDataFrame:
    from gis.crs import from_wgs84

    if target.chinese is None:
        return frame.to_crs(target.crs)
    return from_wgs84(frame.to_crs(4326), target=target.chinese)


@dataclass(frozen=True)
class Reading:
    """How the layers are read: the shared options of this module."""

    repair: bool = False
    to_crs: str | None = None
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)
    tz: str | None = None
    crs: str | None = None
    encoding: str | None = None

    @classmethod
    def of(
        cls,
        repair: bool = False,
        to_crs: str | None = None,
        map_: list[str] | None = None,
        layer: list[str] | None = None,
        tz: str | None = None,
        *,
        crs: str | None = None,
        encoding: str | None = None,
    ) -> Reading:
        """From the command's option values."""
        if tz is not None:
            from gis.io.validate import local_zone

            local_zone(tz)  # an unknown zone is refused before anything is read
        return cls(repair, to_crs, mappings(map_), layer_names(layer), tz, crs, encoding)

    def options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`read_one`."""
        return {
            "repair": self.repair,
            "maps": self.maps,
            "layers": self.layers,
            "tz": self.tz,
            "crs": self.crs,
            "encoding": self.encoding,
        }


@dataclass(frozen=True)
class Inputs:
    """What a command was given to read: a manifest or workspace, and single files."""

    source: Path | None
    files: Mapping[str, Path | None]
    how: Reading = field(default_factory=Reading)

    def district(self) -> Any:
        """Every layer as one :class:`~gis.district.District` (files replace the source's).

        What the reading noticed (CRS assumed, columns left empty, rows merged) is printed
        once each as a note, not as Python warnings.
        """
        import warnings

        from beatgrid.commands._common import err_console
        from gis.errors import CRSWarning, DataQualityWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            warnings.simplefilter("always", CRSWarning)
            district = self._read()
        ours = [w for w in caught if issubclass(w.category, DataQualityWarning | CRSWarning)]
        for note in dict.fromkeys(str(w.message) for w in ours):
            err_console.print(f"[yellow]note:[/] {note}", highlight=False)
        for other in caught:
            if other not in ours:
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        return district

    def _read(self) -> Any:
        from gis.district import District, load_district
        from gis.layers import ATTRIBUTE, LayerKind

        how, given = self.how, {k: v for k, v in self.files.items() if v is not None}
        base: District | None = None
        frames: dict[str, Any] = {}
        if self.source is not None and not is_workspace(self.source):
            base = load_district(self.source, to_crs=how.to_crs, repair=how.repair, tz=how.tz)
            if not given:
                return base
        elif self.source is not None:
            kinds = tuple(k.value for k in LayerKind)
            frames = read_workspace(self.source, kinds, **how.options())
        if base is None and not given and not frames:
            options = ", ".join(_OPTION_OF[k] for k in self.files if k in _OPTION_OF)
            raise ConfigError(
                "give a manifest, a workspace .gpkg or the layer files "
                f"(需要 manifest、工作库或图层文件: {options})"
            )
        for kind, path in given.items():
            frames[kind] = read_one(path, kind, **how.options())
        if base is not None:
            from dataclasses import replace

            import geopandas as gpd

            held = {"manifest": gpd.GeoDataFrame(geometry=[], crs=base.crs)} if base.crs else {}
            frames = one_crs({**held, **frames}, how.to_crs)  # files join the district's CRS
            frames.pop("manifest", None)
            return replace(base, **{ATTRIBUTE[LayerKind(k)]: v for k, v in frames.items()})
        frames = one_crs(frames, how.to_crs)
        crs = next((v.crs for v in frames.values() if getattr(v, "crs", None) is not None), None)
        name = self.source.stem if self.source is not None else "files"
        return District(
            name=name,
            crs=crs,
            source=self.source,
            **{ATTRIBUTE[LayerKind(k)]: v for k, v in frames.items()},
        )


def zone_of(district: Any, tz: str | None) -> str:
    """``--tz``, else the zone of the data: Asia/Shanghai for grids in China, UTC elsewhere
    (the zone the layers' times were read in; tables without geometry follow it)."""
    if tz is not None:
        return tz
    from gis.io.read import default_zone

    grids = district.grids
    return "UTC" if grids is None or grids.empty else default_zone(grids)


_OPTION_OF = {
    "grid": "--grids",
    "incident": "--incidents",
    "track": "--tracks",
    "beat": "--beats",
    "building": "--buildings",
    "joint_point": "--joint-points",
    "address": "--addresses",
}


def one_crs(frames: Mapping[str, Any], to_crs: str | None) -> dict[str, Any]:
    """Every spatial layer in one CRS: ``to_crs`` when given, else they must agree."""
    import geopandas as gpd

    if to_crs is not None:
        return same_crs(frames, to_crs)
    spatial = {k: v.crs for k, v in frames.items() if isinstance(v, gpd.GeoDataFrame)}
    first = next(iter(spatial.values()), None)
    if any(c is None or first is None or not c.equals(first) for c in spatial.values()):
        named = "; ".join(f"{k}: {c.to_string() if c else 'none'}" for k, c in spatial.items())
        raise ConfigError(
            f"the layers are in different CRSs ({named}); pass --to-crs EPSG:4326 (or the "
            "metric CRS) to reproject them all (图层坐标系不一致，请用 --to-crs 统一)"
        )
    return dict(frames)


_READING_PARAMS: tuple[tuple[str, Any, Any], ...] = (
    ("repair", RepairOpt, False),
    ("to_crs", ToCrsOpt, None),
    ("map_", MapOpt, None),
    ("layer", LayerOpt, None),
    ("crs", CrsOpt, None),
    ("encoding", EncodingOpt, None),
)


def reads_layers(*, tz: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the shared reading options (and ``--tz`` when ``tz``).

    The command declares a parameter ``how: Reading`` (not an option); the decorator adds
    ``--repair``, ``--to-crs``, ``--map``, ``--layer``, ``--crs``, ``--encoding`` (and
    ``--tz``) to what typer sees and passes their values as one :class:`Reading`.
    """
    names = [n for n, _, _ in _READING_PARAMS] + (["tz"] if tz else [])
    added = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
        for n, a, d in (*_READING_PARAMS, *((("tz", TzOpt, None),) if tz else ()))
    ]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        kept = [p for p in signature.parameters.values() if p.name != "how"]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in names}
            how = Reading.of(
                values["repair"],
                values["to_crs"],
                values["map_"],
                values["layer"],
                values.get("tz"),
                crs=values["crs"],
                encoding=values["encoding"],
            )
            return func(*args, how=how, **kwargs)

        params = [*kept, *added]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate

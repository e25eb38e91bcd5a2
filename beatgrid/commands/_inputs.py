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
through the per-kind options (:data:`FILE_OPTIONS`: ``--grids``, ``--incidents`` …; tables
such as ``--visits``: :data:`TABLE_OPTIONS`) and replace the source's layer of that kind.
A command gets all of them from :func:`reads_layers` (``kinds=`` the layer kinds it uses)
as one :class:`Inputs`; :meth:`Inputs.district` reads them as one
:class:`~gis.district.District`.  Error hints in ``gis`` name these options;
``tests/cli/test_check_inputs.py`` checks that every option a hint names exists and that
every command reading layers has the shared options and the file options of its kinds.
"""

from __future__ import annotations

import functools
import inspect
import types
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
        help="district manifest.json (or its folder), or a workspace .gpkg of `beatgrid import`; "
        "leave it out when the layers are given as files (--grids, --beats …)",
        show_default=False,
    ),
]
StreetsOpt = Annotated[Path | None, typer.Option("--streets", help="street / township layer")]
CommunitiesOpt = Annotated[Path | None, typer.Option("--communities", help="community layer")]
GridsOpt = Annotated[Path | None, typer.Option("--grids", help="grid layer file")]
JointPointsOpt = Annotated[Path | None, typer.Option("--joint-points", help="joint points")]
StationsOpt = Annotated[Path | None, typer.Option("--stations", help="police station areas")]
BeatsOpt = Annotated[Path | None, typer.Option("--beats", help="officer beat layer")]
AuxBeatsOpt = Annotated[Path | None, typer.Option("--aux-beats", help="auxiliary beats")]
IncidentsOpt = Annotated[
    Path | None, typer.Option("--incidents", help="incident file (CSV/XLSX with lon/lat, …)")
]
TracksOpt = Annotated[Path | None, typer.Option("--tracks", help="GPS fixes of the patrols")]
AddressesOpt = Annotated[Path | None, typer.Option("--addresses", help="standard addresses")]
BuildingsOpt = Annotated[
    Path | None, typer.Option("--buildings", help="buildings (households, population)")
]
AssignmentsOpt = Annotated[
    Path | None, typer.Option("--assignments", help="officer assignments CSV")
]
OutsideOpt = Annotated[
    Path | None,
    typer.Option("--outside", help="land belonging to no one here (enclaves): not gaps"),
]
VisitsOpt = Annotated[
    Path | None, typer.Option("--visits", help="visit table: address_id, time, visitor_role")
]
EventsOpt = Annotated[Path | None, typer.Option("--events", help="event table (事件流转)")]

FILE_OPTIONS: dict[str, tuple[str, Any]] = {
    "street": ("streets", StreetsOpt),
    "community": ("communities", CommunitiesOpt),
    "grid": ("grids", GridsOpt),
    "joint_point": ("joint_points", JointPointsOpt),
    "station": ("stations", StationsOpt),
    "beat": ("beats", BeatsOpt),
    "aux_beat": ("aux_beats", AuxBeatsOpt),
    "incident": ("incidents", IncidentsOpt),
    "track": ("tracks", TracksOpt),
    "address": ("addresses", AddressesOpt),
    "building": ("buildings", BuildingsOpt),
    "assignment": ("assignments", AssignmentsOpt),
    "outside": ("outside", OutsideOpt),
}
"""Layer kind → (parameter, option) of the single file of that kind: one definition each."""

TABLE_OPTIONS: dict[str, tuple[str, Any]] = {
    "visit": ("visits", VisitsOpt),
    "event": ("events", EventsOpt),
}
"""Table (not a layer kind) → (parameter, option): a manifest's ``tables`` entry, replaced."""

AREA_KINDS = ("street", "community", "grid", "joint_point", "station", "beat", "aux_beat")
"""The areas of the hierarchy (as :data:`gis.geocoding.assign.AREA_KINDS`, as names)."""

DISTRICT_KINDS = (
    *AREA_KINDS,
    "incident",
    "track",
    "address",
    "building",
    "assignment",
)
"""The layer kinds a district-wide document (briefing, assessment, maps) may use."""


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
    tables: Mapping[str, Path | None] = field(default_factory=dict)
    """Tables that are no layer kind (``visit``, ``event``): they replace the manifest's."""

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
            tables = {k: v for k, v in self.tables.items() if v is not None}
            if tables:
                from dataclasses import replace

                district = replace(district, tables={**district.tables, **tables})
        ours = [w for w in caught if issubclass(w.category, DataQualityWarning | CRSWarning)]
        for note in dict.fromkeys(str(w.message) for w in ours):
            err_console.print(f"[yellow]note:[/] {note}", highlight=False)
        for other in caught:
            if other not in ours:
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        return district

    def validate(self) -> None:
        """Refuse a file that is not there and a layer file given as SOURCE, naming the
        option to use, before anything is read."""
        for kind, path in {k: v for k, v in self.files.items() if v is not None}.items():
            if not path.exists():
                raise ConfigError(
                    f"{option_of(kind)} {path}: no such file (文件不存在: {option_of(kind)} {path})"
                )
        if self.source is not None and not self.source.exists():
            raise ConfigError(
                f"{self.source}: no such manifest, folder or workspace .gpkg "
                f"(找不到 manifest、目录或工作库: {self.source})"
            )
        source = self.source
        if source is not None and source.is_file() and source.suffix.lower() not in _SOURCES:
            options = ", ".join(option_of(k) for k in self.files if k in FILE_OPTIONS)
            raise ConfigError(
                f"{source.name}: a layer file, not a manifest or workspace; give it with the "
                f"option of its kind ({options}) (图层文件请用对应选项指定: {options})"
            )

    def _read(self) -> Any:
        from gis.district import District, load_district
        from gis.layers import ATTRIBUTE, LayerKind

        how, given = self.how, {k: v for k, v in self.files.items() if v is not None}
        self.validate()
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
            options = ", ".join(option_of(k) for k in self.files if k in FILE_OPTIONS)
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


_SOURCES = (".json", ".gpkg")
"""What a SOURCE file is: a manifest or a workspace GeoPackage."""


def option_of(kind: str) -> str:
    """The option naming the single file of a layer kind (``grid`` → ``--grids``)."""
    return "--" + FILE_OPTIONS[kind][0].replace("_", "-")


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


def reads_layers(
    *,
    tz: bool = False,
    kinds: tuple[str, ...] = (),
    tables: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the shared inputs and reading options.

    The command declares ``how: Reading`` and/or ``inputs: Inputs`` (not options).  The
    decorator adds ``--repair``, ``--to-crs``, ``--map``, ``--layer``, ``--crs``,
    ``--encoding`` (and ``--tz`` when ``tz``), passed as one :class:`Reading`.  With
    ``kinds`` it also adds the optional SOURCE argument (:data:`SourceArg`, first) and the
    single-file option of each kind (:data:`FILE_OPTIONS`; ``tables``: :data:`TABLE_OPTIONS`),
    passed as one :class:`Inputs`.

    SOURCE may be left out when files are given: the command's own arguments then come
    first (``redraw impact --grids old.shp new.shp``).  A value given where SOURCE stands
    moves on to the command's arguments when one of them would be missing, or, before a
    list of arguments (``redraw merge --grids g.shp A B``), when it names no file.
    """
    names = [n for n, _, _ in _READING_PARAMS] + (["tz"] if tz else [])
    added = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d)
        for n, a, d in (*_READING_PARAMS, *((("tz", TzOpt, None),) if tz else ()))
    ]
    files = {k: FILE_OPTIONS[k] for k in kinds}
    tabs = {k: TABLE_OPTIONS[k] for k in tables}
    added += [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=None)
        for n, a in (*files.values(), *tabs.values())
    ]
    source = (
        []
        if not kinds
        else [
            inspect.Parameter(
                "source", inspect.Parameter.KEYWORD_ONLY, annotation=SourceArg, default=None
            )
        ]
    )

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        wanted = {n for n in ("how", "inputs") if n in signature.parameters}
        if kinds and "inputs" not in wanted:
            raise TypeError(f"{func.__name__}: declare `inputs: Inputs` to read layer files")
        kept = [p for p in signature.parameters.values() if p.name not in ("how", "inputs")]
        trailing = [p for p in kept if _is_argument(p)] if kinds else []
        required = {p.name for p in trailing if p.default is inspect.Parameter.empty}
        optional = {p.name for p in trailing}
        kept = [
            p.replace(
                kind=inspect.Parameter.KEYWORD_ONLY,
                default=None if p.name in optional else p.default,
            )
            for p in kept
        ]

        @functools.wraps(func)
        def command(**kwargs: Any) -> Any:
            from beatgrid.commands._common import user_errors

            values = {n: kwargs.pop(n) for n in names}
            with user_errors():  # a bad --tz or --map is refused as the command would
                how = Reading.of(
                    values["repair"],
                    values["to_crs"],
                    values["map_"],
                    values["layer"],
                    values.get("tz"),
                    crs=values["crs"],
                    encoding=values["encoding"],
                )
            passed: dict[str, Any] = {"how": how} if "how" in wanted else {}
            if kinds:
                given = {k: kwargs.pop(n) for k, (n, _) in files.items()}
                table_files = {k: kwargs.pop(n) for k, (n, _) in tabs.items()}
                where = _shifted(kwargs.pop("source"), kwargs, trailing, required, given)
                passed["inputs"] = Inputs(where, given, how, table_files)
            return func(**kwargs, **passed)

        params = [*source, *kept, *added]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def _is_argument(param: inspect.Parameter) -> bool:
    """A positional argument of typer (``Annotated[…, typer.Argument(…)]``)."""
    from typer.models import ArgumentInfo

    return any(isinstance(m, ArgumentInfo) for m in getattr(param.annotation, "__metadata__", ()))


def _shifted(
    source: Path | None,
    kwargs: dict[str, Any],
    trailing: list[inspect.Parameter],
    required: set[str],
    files: Mapping[str, Path | None],
) -> Path | None:
    """SOURCE, or None when its value is the command's first argument (SOURCE left out)."""

    def empty(value: Any) -> bool:
        return value is None or (isinstance(value, list | tuple) and not value)

    missing = any(p.name in required and empty(kwargs[p.name]) for p in trailing)
    listed = any(_is_list(p) for p in trailing)
    stray = (
        listed and any(v is not None for v in files.values()) and not Path(source or "").exists()
    )
    if source is not None and trailing and (missing or stray):
        queue: list[str] = [str(source)]
        for p in trailing:
            value = kwargs[p.name]
            queue += (
                [str(v) for v in value]
                if isinstance(value, list | tuple)
                else ([] if value is None else [str(value)])
            )
        source = None
        for p in trailing:
            if _is_list(p):
                kwargs[p.name], queue = [_typed(p, v) for v in queue], []
            else:
                kwargs[p.name] = _typed(p, queue.pop(0)) if queue else None
    for p in trailing:
        if p.name in required and empty(kwargs[p.name]):
            raise typer.BadParameter("missing argument / 缺少参数", param_hint=p.name.upper())
    return source


def _base(param: inspect.Parameter) -> Any:
    """The type of an ``Annotated[…]`` parameter, without ``None``."""
    import typing

    base = typing.get_args(param.annotation)[0]
    kept = [a for a in typing.get_args(base) if a is not type(None)]
    return kept[0] if typing.get_origin(base) in (typing.Union, types.UnionType) else base


def _is_list(param: inspect.Parameter) -> bool:
    import typing

    return typing.get_origin(_base(param)) is list


def _typed(param: inspect.Parameter, value: str) -> Any:
    return Path(value) if _base(param) is Path else value

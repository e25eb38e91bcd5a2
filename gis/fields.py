"""Column-name recognition: which column of a user's file holds which canonical field.

Real files name their columns in many ways (``网格编码``, ``WGBM``, ``GRID_ID``, ``Grid Code``).
:func:`recognise` maps them onto the canonical fields of :mod:`gis.layers` automatically;
anything it does not know is stated by the user, either as a mapping (``{"id": "MY_COL"}``,
from CLI options ``--map id=MY_COL``) or as a small mapping file::

    # mapping.toml
    [grid]
    id = "MY_COL"
    parent_id = "SQ"

Matching ignores case, whitespace, ``_``/``-`` and full-width forms (``ＧＲＩＤ＿ＩＤ`` is
``grid_id``).  Aliases come in tiers: names specific to the layer kind first, then generic
ones.  Within one tier two columns matching the same field is an error naming both: the
user must say which one is meant.  The result is deterministic for a given set of columns.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gis.errors import ConfigError, FieldError, Problem
from gis.i18n import Text
from gis.layers import LayerKind, spec

COORDINATE_FIELDS = ("lon", "lat", "wkt")
"""Pseudo-fields of tabular files (CSV, XLSX) that hold the geometry."""

_GENERIC: dict[str, str] = {
    "id": "id 编码 编号 标识 bm bh uid",
    "name": "name 名称 名字 mc title label",
    "code": "code 代码 dm",
    "parent_id": "parent_id parent parentid 上级编码 上级编号 所属 sjbm",
    "time": "time datetime date timestamp 时间 日期 日期时间 tracked_at occurred_at reported_at",
    "category": "category type 类别 类型 分类 lb",
    "address": "address addr 地址 详细地址 dz",
    "status": "status state 状态 处置状态 办结状态 办理状态 zt",
    "track_id": "track_id trackid trip_id tripid 轨迹编号 轨迹id",
    "officer_id": "officer_id officerid police_id badge 警号 警员编号 民警编号 jh",
    "building_id": "building_id buildingid bldg_id 建筑编码 建筑物编码 楼栋编码 jzwbm",
    "level": "level 管理类别 地址类别 地址级别",
    "households": "households household hh 户数 总户数 hs",
    "population": "population pop 人口 人口数 实有人口 rk",
    "urban": "urban is_urban 是否城市社区 城市社区 城乡",
    "grid_id": "grid_id gridid grid_code 对应网格 网格编码 网格编号 wgbm",
    "role": "role 岗位 角色 职务",
    "area_kind": "area_kind 责任区类型 区域类型",
    "area_id": "area_id areaid 责任区编码 区域编码",
    "lon": "lon lng long longitude 经度 jd x point_x 经度坐标",
    "lat": "lat latitude 纬度 wd y point_y 纬度坐标",
    "wkt": "wkt wkt_geom geometry geom the_geom shape 几何 空间信息 图形",
    "source": "source 来源 数据来源 src",
}

_GRID_IDS = "网格编码 网格编号 网格id wgbm wgbh wgid grid_id grid_code gridid grid_no"
_STATION_IDS = "派出所编码 派出所编号 pcsbm station_id station_code"
_BEAT_IDS = "责任区编码 责任区编号 警务责任区编码 zrqbm beat_id beat_num beat_no beatnum"
_COMMUNITY_IDS = "社区编码 社区编号 村编码 村居编码 sqbm community_id community_code"
_STREET_IDS = "街道编码 街道编号 乡镇编码 jdbm street_id street_code"

# Per kind, per field: alias tiers, strongest first.  They are tried before the generic ones.
_BY_KIND: dict[LayerKind, dict[str, tuple[str, ...]]] = {
    LayerKind.STREET: {
        "code": ("街道代码 乡镇代码",),
        "id": (_STREET_IDS, "adcode district_adcode 行政区划代码"),
        "name": ("街道名称 乡镇名称 街道 jdmc street_name", "district_name 区县名称 district"),
    },
    LayerKind.COMMUNITY: {
        "code": ("社区代码 村代码",),
        "id": (_COMMUNITY_IDS + " area_numbe area_number area_num", "geoid"),
        "name": ("社区名称 村名称 社区 sqmc community_name community",),
        "parent_id": ("所属街道 " + _STREET_IDS,),
    },
    LayerKind.GRID: {
        "code": ("网格代码",),
        "id": (_GRID_IDS,),
        "name": ("网格名称 wgmc grid_name",),
        "parent_id": ("所属社区 所属社区编码 " + _COMMUNITY_IDS,),
    },
    LayerKind.JOINT_POINT: {
        "code": ("联防点代码 联防联控点代码",),
        "id": ("联防联控点编码 联防点编码 联防点编号 lfdbm point_id joint_point_id",),
        "name": ("联防联控点名称 联防点名称 lfdmc",),
        "parent_id": ("所属网格 " + _GRID_IDS,),
    },
    LayerKind.STATION: {
        "code": ("派出所代码",),
        "id": (_STATION_IDS + " dist_num district_id", "district precinct"),
        "name": ("派出所名称 派出所 pcsmc station_name dist_label",),
    },
    LayerKind.BEAT: {
        "code": ("责任区代码",),
        "id": (_BEAT_IDS, "beat"),
        "name": ("责任区名称 zrqmc beat_name",),
        "parent_id": ("所属派出所 " + _STATION_IDS + " district dist_num precinct",),
    },
    LayerKind.AUX_BEAT: {
        "code": ("警格代码",),
        "id": ("警格编码 警格编号 辅警警格编码 jgbm aux_beat_id",),
        "name": ("警格名称 jgmc aux_beat_name",),
        "parent_id": ("所属责任区 " + _BEAT_IDS, "beat"),
    },
    LayerKind.INCIDENT: {
        "id": ("警情编号 接警单编号 事件编号 案件编号 jqbh incident_id event_id",),
        "time": ("发生时间 报警时间 接警时间 案发时间 事发时间 occurred",),
        "category": (
            "警情类别 警情类型 案件类别 事件类别 事件类型 primary_type crime_type offense",
        ),
        "address": ("发生地址 案发地址 事发地址 block",),
    },
    LayerKind.TRACK: {
        "time": ("定位时间 gps_time fix_time",),
    },
    LayerKind.ADDRESS: {
        "id": ("地址编码 地址编号 dzbm address_id",),
        "address": ("标准地址 地址名称 full_address",),
    },
    LayerKind.BUILDING: {
        "id": ("建筑编码 建筑物编码 楼栋编码 jzwbm building_id bldg_id",),
        "name": ("建筑名称 建筑物名称 楼栋名称",),
    },
    LayerKind.ASSIGNMENT: {
        "officer_id": ("警号 警员编号 民警编号",),
        "name": ("姓名 xm",),
    },
}

_STRIP = re.compile(r"[\s_\-\.·]+")


def normalize(name: object) -> str:
    """The comparison key of a column name: NFKC, case-folded, without spaces, ``_``, ``-``.

    >>> normalize(" ＧＲＩＤ＿ＩＤ ") == normalize("grid-id") == "gridid"
    True
    """
    return _STRIP.sub("", unicodedata.normalize("NFKC", str(name)).casefold())


def _tier(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


_GENERIC_TIERS = {f: _tier(w) for f, w in _GENERIC.items()}
_KIND_TIERS = {
    k: {f: tuple(_tier(t) for t in tiers) for f, tiers in d.items()} for k, d in _BY_KIND.items()
}


@dataclass(frozen=True)
class ColumnMatch:
    """Which source column went to which canonical field, and how it was found.

    Attributes
    ----------
    columns
        Canonical field → source column name (also ``lon``/``lat``/``wkt`` for tables).
    how
        Canonical field → ``"mapping"`` (stated by the user) or ``"alias"`` (recognised).
    """

    columns: dict[str, str]
    how: dict[str, Literal["mapping", "alias"]]

    def report(self) -> list[tuple[str, str, str]]:
        """Rows ``(field, column, how)`` in canonical order, for tables and logs."""
        return [(f, c, self.how[f]) for f, c in self.columns.items()]


def fields_of(kind: LayerKind | str, *, coordinates: bool = False) -> tuple[str, ...]:
    """The canonical fields looked for in a layer of ``kind`` (plus lon/lat/wkt for tables)."""
    names = spec(kind).field_names
    return (*names, *COORDINATE_FIELDS) if coordinates else names


def recognise(
    columns: Sequence[str],
    kind: LayerKind | str,
    *,
    mapping: Mapping[str, str] | None = None,
    coordinates: bool = False,
    source: str | None = None,
) -> ColumnMatch:
    """Match the columns of a file to the canonical fields of ``kind``.

    Parameters
    ----------
    columns
        Column names of the file, in file order (the geometry column excluded).
    kind
        The layer kind the file is read as.
    mapping
        Fields stated by the user: canonical field → column.  They win over aliases.
    coordinates
        Also look for ``lon``/``lat``/``wkt`` columns (CSV and XLSX).
    source
        File name for error messages.

    Returns
    -------
    ColumnMatch

    Raises
    ------
    FieldError
        A mapping names an unknown field or a column the file lacks, or two columns match the
        same field within one alias tier.

    Examples
    --------
    >>> recognise(["WGBM", "网格名称", "所属社区"], "grid").columns
    {'id': 'WGBM', 'name': '网格名称', 'parent_id': '所属社区'}
    """
    kind = LayerKind(kind)
    wanted = fields_of(kind, coordinates=coordinates)
    found, how = _apply_mapping(columns, wanted, mapping or {}, source)
    problems: list[Problem] = []
    kind_tiers = _KIND_TIERS.get(kind, {})
    depth = max((len(t) for t in kind_tiers.values()), default=0)
    for level in range(depth + 2):
        for fname in wanted:
            if fname in found:
                continue
            # the canonical name itself first, then the kind's tiers, then generic aliases
            tiers = (frozenset({normalize(fname)}), *kind_tiers.get(fname, ()), None)
            if level >= len(tiers):
                continue
            tier = tiers[level]
            aliases = _GENERIC_TIERS[fname] if tier is None else tier
            free = [c for c in columns if c not in found.values()]
            hits = [c for c in free if normalize(c) in aliases]
            if len(hits) > 1:
                problems.append(_ambiguous(fname, hits, source))
            elif hits:
                found[fname], how[fname] = hits[0], "alias"
    if problems:
        raise FieldError(problems)
    order = {f: i for i, f in enumerate(wanted)}
    ordered = dict(sorted(found.items(), key=lambda kv: order[kv[0]]))
    return ColumnMatch(ordered, {f: how[f] for f in ordered})


def _apply_mapping(
    columns: Sequence[str], wanted: Sequence[str], mapping: Mapping[str, str], source: str | None
) -> tuple[dict[str, str], dict[str, Literal["mapping", "alias"]]]:
    by_key = {normalize(c): c for c in columns}
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for fname, column in mapping.items():
        if fname not in wanted:
            problems.append(
                Problem(
                    str(
                        Text(
                            "未知字段",
                            f"mapping names unknown field {fname!r}; "
                            f"fields are {', '.join(wanted)}",
                        )
                    ),
                    source,
                    field=fname,
                )
            )
        elif column in columns:
            found[fname] = column
        elif normalize(column) in by_key:
            found[fname] = by_key[normalize(column)]
        else:
            problems.append(
                Problem(
                    str(
                        Text(
                            "文件中没有该列",
                            f"mapping says {fname} = {column!r}, but the file has no such column; "
                            f"columns are {', '.join(map(str, columns))}",
                        )
                    ),
                    source,
                    field=column,
                )
            )
    if problems:
        raise FieldError(problems)
    return found, dict.fromkeys(found, "mapping")


def _ambiguous(fname: str, hits: list[str], source: str | None) -> Problem:
    names = " and ".join(repr(h) for h in hits)
    return Problem(
        str(
            Text(
                f"列 {names} 都像是 {fname}，请用 --map 指定",
                f"columns {names} both look like {fname!r}; "
                f"say which one with --map {fname}=COLUMN",
            )
        ),
        source,
        field=fname,
    )


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """Parse CLI options ``id=MY_COL`` into a mapping.

    >>> parse_map_options(["id=WG BM", "parent_id = SQ"])
    {'id': 'WG BM', 'parent_id': 'SQ'}
    """
    out: dict[str, str] = {}
    for option in options:
        fname, sep, column = option.partition("=")
        if not sep or not fname.strip() or not column.strip():
            raise ConfigError(
                str(
                    Text(
                        "格式应为 字段=列名",
                        f"--map {option!r}: expected FIELD=COLUMN, e.g. --map id=WGBM",
                    )
                )
            )
        out[fname.strip()] = column.strip()
    return out


def load_mapping(path: str | Path, kind: LayerKind | str) -> dict[str, str]:
    """Read a mapping file (TOML or JSON) and return the mapping for ``kind``.

    Keys at the top level apply to every kind; a table named after the kind (``[grid]``)
    adds to and overrides them.

    Raises
    ------
    ConfigError
        The file is missing, unparsable, or a value is not a column name.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            str(Text("无法读取映射文件", f"{path.name}: cannot read mapping file: {exc}"))
        ) from exc
    kind = LayerKind(kind)
    out = {k: v for k, v in data.items() if not isinstance(v, dict)}
    section = data.get(kind.value, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path.name}: [{kind.value}] must be a table of field = column")
    out.update(section)
    bad = [k for k, v in out.items() if not isinstance(v, str) or not v]
    if bad:
        raise ConfigError(f"{path.name}: values of {', '.join(bad)} must be column names")
    return out


def header_score(cells: Sequence[str], kind: LayerKind | str, *, coordinates: bool = True) -> int:
    """How many of ``cells`` are column names known for ``kind`` (to find a sheet's header).

    >>> header_score(["网格台账", None, None], "grid"), header_score(["网格编码", "名称"], "grid")
    (0, 2)
    """
    kind = LayerKind(kind)
    known: set[str] = set()
    for fname in fields_of(kind, coordinates=coordinates):
        known.add(normalize(fname))
        known |= _GENERIC_TIERS[fname]
        for tier in _KIND_TIERS.get(kind, {}).get(fname, ()):
            known |= tier
    return sum(1 for c in cells if c is not None and normalize(c) in known)

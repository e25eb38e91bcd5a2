"""Validating a layer: every problem found at once, located by file, row, id and field.

:func:`validate_layer` takes a GeoDataFrame whose columns already carry canonical names
(``gis.fields`` did the renaming) and returns a :class:`~gis.io.layer.Layer`, or raises
one :class:`~gis.errors.LayerError` subclass listing every problem: nothing is half-loaded.
"""

from __future__ import annotations

import warnings
import zoneinfo

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from gis.errors import ConfigError, DataQualityWarning, FieldError, FileFormatError
from gis.i18n import Text
from gis.io.geometry import check_geometries
from gis.io.layer import Layer, Repair
from gis.io.problems import Problems
from gis.io.repair import merge_shared_ids
from gis.layers import FieldSpec, LayerKind, LayerSpec, spec

_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日",
    "%Y%m%d%H%M%S",
    "%d.%m.%Y %H:%M",
)
# Chinese spellings of the canonical values of enumerated fields (DOMAIN.md)
_VALUES: dict[str, dict[str, str]] = {
    "role": {"民警": "officer", "社区民警": "officer", "辅警": "auxiliary", "协警": "auxiliary"},
    "level": {
        "重点": "key",
        "重点类": "key",
        "关注": "attention",
        "关注类": "attention",
        "一般": "ordinary",
        "一般类": "ordinary",
        "普通": "ordinary",
    },
    "area_kind": {
        "责任区": "beat",
        "民警责任区": "beat",
        "警格": "aux_beat",
        "辅警警格": "aux_beat",
        "网格": "grid",
        "社区": "community",
        "村": "community",
    },
}
_NO_UNIQUE_ID = (LayerKind.TRACK, LayerKind.ASSIGNMENT)
_TRUE = {"true", "1", "yes", "y", "t", "是", "城市", "城镇", "urban"}
_FALSE = {"false", "0", "no", "n", "f", "否", "农村", "乡村", "rural"}


def validate_layer(
    gdf: gpd.GeoDataFrame | pd.DataFrame,
    kind: LayerKind | str,
    *,
    source: str,
    repair: bool = False,
    rows: np.ndarray | None = None,
    crs_note: str | None = None,
    column_map: dict[str, str] | None = None,
    tz: str = "UTC",
) -> Layer:
    """Check a layer with canonical columns and coerce its values to the canonical types.

    Parameters
    ----------
    gdf
        The layer; a plain DataFrame for officer assignments.
    kind
        Its layer kind.
    source
        File name used in messages.
    repair
        Repair invalid polygons with ``shapely.make_valid`` (polygonal part kept) and report
        each repair with its area change, instead of refusing them.
    rows
        1-based row numbers of the file for each feature (default: position + 1).
    crs_note, column_map
        Passed through to the :class:`Layer`.
    tz
        The local time zone (IANA name): times that carry a zone are converted to it and
        kept as local wall-clock time, so that days are counted in local time.

    Returns
    -------
    Layer

    Raises
    ------
    FileFormatError, FieldError, GeometryError, CRSError
        With every problem found (capped per check), each naming file, row, id and field.
    """
    sp = kind_spec(kind)
    rows = np.arange(1, len(gdf) + 1) if rows is None else np.asarray(rows)
    if len(gdf) == 0:
        raise FileFormatError.single(source, str(Text("图层没有要素", "the layer has no features")))
    # to_numpy converts arrow strings in C; list() would iterate them in Python
    ids = gdf["id"].to_numpy(dtype=object) if "id" in gdf.columns else None
    problems = Problems(source, rows, ids)
    notes: list[str] = []
    frame = _check_fields(gdf, sp, problems, notes, column_map, tz=local_zone(tz))
    merges: list[Repair] = []
    if repair and sp.geometry == "polygon" and isinstance(frame, gpd.GeoDataFrame):
        frame, merges = _merge_parts(frame, problems)
    _check_duplicates(frame, sp, problems)
    repairs: tuple[Repair, ...] = ()
    if sp.geometry != "none":
        frame, repairs = check_geometries(frame, sp, problems, repair=repair)
    repairs = (*merges, *repairs)
    problems.raise_if_any()
    for note in notes:
        warnings.warn(f"{source}: {note}", DataQualityWarning, stacklevel=2)
    for done in repairs:
        warnings.warn(f"{source} {done}", DataQualityWarning, stacklevel=2)
    crs = getattr(frame, "crs", None)
    return Layer(
        kind=sp.kind,
        gdf=frame,
        source=source,
        crs_note=crs_note or (f"declared: {crs.to_string()}" if crs else "none"),
        column_map=dict(column_map or {f: f for f in sp.field_names if f in frame.columns}),
        warnings=tuple(notes) + tuple(str(r) for r in repairs),
        repairs=repairs,
    )


def kind_spec(kind: LayerKind | str) -> LayerSpec:
    """The spec of a layer kind; an unknown kind is a :class:`ConfigError` listing them."""
    try:
        return spec(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in LayerKind)
        raise ConfigError(
            str(Text("未知图层类型", f"unknown layer kind {kind!r}; kinds are {kinds}"))
        ) from None


def _merge_parts(
    frame: gpd.GeoDataFrame, problems: Problems
) -> tuple[gpd.GeoDataFrame, list[Repair]]:
    merged_frame, rows, merged = merge_shared_ids(frame, problems.rows)
    problems.rows = rows
    problems.ids = list(merged_frame["id"])
    repairs = [
        Repair(
            row=parts[0],
            feature_id=fid,
            reason=str(
                Text(
                    "同一编码的多行合并",
                    f"rows {', '.join(map(str, parts))} share this id: merged into one "
                    "multipart feature",
                )
            ),
            area_before_m2=before,
            area_after_m2=after,
        )
        for fid, parts, before, after in merged
    ]
    return merged_frame, repairs


def _check_fields(
    gdf: pd.DataFrame,
    sp: LayerSpec,
    problems: Problems,
    notes: list[str],
    column_map: dict[str, str] | None,
    *,
    tz: str,
) -> pd.DataFrame:
    frame = gdf.copy()
    shown = {canonical: source for canonical, source in (column_map or {}).items()}
    columns = ", ".join(str(shown.get(c, c)) for c in gdf.columns if c != "geometry")
    for fs in sp.fields:
        if fs.name not in frame.columns:
            if fs.required and fs.name == "parent_id":
                # The parent can also be found from the geometry (gis.checks does so): a file
                # without the column still loads, with a note.
                notes.append(f"no column for field 'parent_id' ({fs.label_zh}); left empty")
            elif fs.required:
                problems.add(
                    FieldError,
                    str(
                        Text(
                            "缺少必填字段，请用 --map 指定列",
                            f"required field {fs.name!r} ({fs.label_zh}) not found; columns are "
                            f"{columns}; name it with --map {fs.name}=COLUMN",
                        )
                    ),
                    field=fs.name,
                )
            frame[fs.name] = pd.Series(None, index=frame.index, dtype=object)
            continue
        text = _as_str(frame[fs.name])  # once per field: the blank test and the coercion
        blank = text.isna().to_numpy()  # unparsable values: reported once
        frame[fs.name] = _coerce(frame[fs.name], text, fs, problems, notes, tz=tz)
        if fs.required and not (fs.name == "parent_id" and blank.all()):
            empty = np.flatnonzero(blank)
            problems.at(
                FieldError, empty, str(Text("必填字段为空", f"{fs.name} is empty")), field=fs.name
            )
    canonical = list(sp.field_names)
    others = [c for c in frame.columns if c not in canonical and c != "geometry"]
    tail = ["geometry"] if "geometry" in frame.columns else []
    return frame[canonical + others + tail]


def _coerce(
    values: pd.Series,
    text: pd.Series,
    fs: FieldSpec,
    problems: Problems,
    notes: list[str],
    *,
    tz: str = "UTC",
) -> pd.Series:
    """``values`` as the field's type; ``text`` is ``_as_str(values)``."""
    if fs.dtype == "str":
        return text.replace(_VALUES[fs.name]) if fs.name in _VALUES else text
    if fs.dtype == "datetime":
        return _as_datetime(values, fs, problems, notes, tz=tz)
    if fs.dtype in ("int", "float"):
        numbers = pd.to_numeric(text, errors="coerce")
        bad = values.notna() & text.notna() & numbers.isna()
        if fs.dtype == "int":
            bad |= numbers.notna() & (numbers % 1 != 0)
        problems.at(
            FieldError,
            np.flatnonzero(bad.to_numpy()),
            [
                str(
                    Text(
                        "不是数字",
                        f"{fs.name} {v!r} is not "
                        f"{'an integer' if fs.dtype == 'int' else 'a number'}",
                    )
                )
                for v in values[bad].tolist()[:50]
            ],
            field=fs.name,
        )
        return numbers.where(~bad).astype("Int64" if fs.dtype == "int" else "Float64")
    return _as_bool(values, fs, problems)


def _as_str(values: pd.Series) -> pd.Series:
    """Ids and names as str (``1.0`` from a spreadsheet becomes ``"1"``), nulls as None."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    text = values.astype("string").str.strip()
    text = text.where(text != "")
    # to_numpy converts arrow strings in C; astype(object) iterates them in Python
    plain = text.array.to_numpy(dtype=object, na_value=None)  # type: ignore[arg-type]
    return pd.Series(plain, index=text.index, name=text.name, dtype=object)


def local_zone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``), else a ConfigError."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            str(
                Text(
                    "未知时区",
                    f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai",
                )
            )
        ) from exc
    return name


def _as_datetime(
    values: pd.Series, fs: FieldSpec, problems: Problems, notes: list[str], *, tz: str = "UTC"
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = _as_str(values)
        parsed = parse_times(text, tz=tz)
        bad = parsed.isna() & text.notna()
        problems.at(
            FieldError,
            np.flatnonzero(bad.to_numpy()),
            [
                str(Text("无法识别的时间", f"{fs.name} {v!r} is not a date/time"))
                for v in text[bad].tolist()[:50]
            ],
            field=fs.name,
        )
    if getattr(parsed.dt, "tz", None) is not None:
        notes.append(
            str(
                Text(
                    f"时间已换算为当地时间 {tz}",
                    f"times in {fs.name!r} carried a time zone; kept as local time in {tz}",
                )
            )
        )
        parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    return parsed


def parse_times(text: pd.Series, *, tz: str = "UTC") -> pd.Series:
    """Parse a column of date/time text, vectorized with the first format that fits.

    The format is guessed from a sample (ISO 8601, ``01/03/2016 11:57:00 PM``,
    ``2016/01/03 23:57``, ``2016年1月3日 23:57`` …); values that do not fit it are parsed
    one by one; what still fails is NaT.  When formats with and without a zone mix, the
    zoned values are converted to local time in ``tz``.
    """
    sample = text.dropna().head(50)
    parsed: pd.Series | None = None
    for fmt in _candidate_formats(sample):
        zoned = "%z" in fmt or "%Z" in fmt  # offsets may differ row to row: go through UTC
        try:
            pd.to_datetime(sample, format=fmt, utc=zoned)
        except (ValueError, TypeError):
            continue
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=zoned)
        break
    if parsed is None:
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    retry = parsed.isna() & text.notna()
    if retry.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            again = pd.to_datetime(_westernize(text[retry]), errors="coerce", format="mixed")
        if getattr(again.dt, "tz", None) is not None:
            again = again.dt.tz_convert(tz).dt.tz_localize(None)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
        parsed = parsed.astype(object)
        parsed[retry] = again
        parsed = pd.to_datetime(parsed)
    return parsed


def _westernize(text: pd.Series) -> pd.Series:
    """``2024年3月1日 22时40分`` → ``2024-3-1 22:40``, which dateutil understands."""
    out = text.astype("string").str.normalize("NFKC")
    out = out.str.replace(r"(\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*[日号]?", r"\1-\2-\3 ", regex=True)
    out = out.str.replace(
        r"(\d+)\s*[时点]\s*(\d+)\s*分?\s*(?:(\d+)\s*秒)?",
        lambda m: f"{m[1]}:{m[2]}:{m[3] or '00'}",
        regex=True,
    )
    return out.str.replace("上午", "AM").str.replace("下午", "PM").str.strip()


def _candidate_formats(sample: pd.Series) -> list[str]:
    guessed = guess_datetime_format(str(sample.iloc[0])) if len(sample) else None
    return [f for f in (guessed, "ISO8601", *_FORMATS) if f]


def _as_bool(values: pd.Series, fs: FieldSpec, problems: Problems) -> pd.Series:
    text = _as_str(values).astype("string").str.casefold()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    bad = text.notna() & out.isna()
    problems.at(
        FieldError,
        np.flatnonzero(bad.to_numpy()),
        f"{fs.name} is not yes/no (是/否)",
        field=fs.name,
    )
    return out


def _check_duplicates(frame: pd.DataFrame, sp: LayerSpec, problems: Problems) -> None:
    if sp.kind in _NO_UNIQUE_ID or "id" not in sp.field_names:
        return
    ids = frame["id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return
    hint = (
        "; if they are pieces of one area, import with --repair to merge them"
        if sp.geometry == "polygon"
        else ""
    )
    first_rows = pd.Series(problems.rows, index=frame.index)[dup].groupby(ids[dup]).agg(list)
    messages = [
        str(
            Text(
                "编码重复",
                f"id {ids.iloc[p]!r} is used by rows "
                f"{', '.join(map(str, first_rows[ids.iloc[p]]))} "
                f"{hint}",
            )
        )
        for p in np.flatnonzero(dup.to_numpy())[:50]
    ]
    problems.at(FieldError, np.flatnonzero(dup.to_numpy()), messages, field="id")

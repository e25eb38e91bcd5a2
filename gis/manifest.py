"""``manifest.json``: the file that lists a district's layers, parsed by pydantic models.

Every problem is reported at once, each naming the manifest and the field
(``layers.grid.path``), in both languages::

    {"name": "建邺区 demo", "crs": "EPSG:4490", "metric_crs": "EPSG:4549",
     "layers": {"grid": {"path": "grids.geojson"}, "incident": {"path": "i.csv", "x": "lon"}},
     "tables": {"visits": {"path": "visits.csv"}},
     "extras": {"roads": {"path": "roads.geojson"}}}

Keys of ``layers`` are layer kinds, singular (``grid``) or as the district attribute
(``grids``).  An entry is a path, or an object with ``path`` and the options of
:func:`gis.io.read_layer` (``crs``, ``encoding``, ``layer``, ``mapping``, ``lon``/``x``,
``lat``/``y``, ``wkt``); any other key is refused.  Other top-level keys (``seed``,
``truth``…) are kept and ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gis.errors import FileFormatError, Problem
from gis.layers import LayerKind, kind_named

__all__ = ["Manifest", "ManifestEntry", "parse_manifest", "read_manifest"]


class ManifestEntry(BaseModel):
    """One file of a manifest and how to read it (the options of ``gis.io.read_layer``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    path: str = Field(min_length=1)
    crs: str | int | None = None
    encoding: str | None = None
    layer: str | None = None
    mapping: dict[str, str] | None = None
    lon: str | None = Field(default=None, validation_alias=AliasChoices("lon", "x"))
    lat: str | None = Field(default=None, validation_alias=AliasChoices("lat", "y"))
    wkt: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _a_path_alone(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value

    def read_options(self) -> dict[str, Any]:
        """The options given, as keyword arguments of ``gis.io.read_layer``."""
        return self.model_dump(exclude={"path"}, exclude_none=True)


class Manifest(BaseModel):
    """A district's manifest: its name, CRS, layers, tables and extra context layers."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str | None = None
    crs: str | int | None = None
    metric_crs: str | int | None = None
    layers: dict[str, ManifestEntry] = Field(default_factory=dict)
    tables: dict[str, ManifestEntry] = Field(default_factory=dict)
    extras: dict[str, ManifestEntry] = Field(default_factory=dict)

    @field_validator("layers")
    @classmethod
    def _known_kinds(cls, value: dict[str, ManifestEntry]) -> dict[str, ManifestEntry]:
        unknown = [k for k in value if kind_named(k) is None]
        if unknown:
            kinds = ", ".join(k.value for k in LayerKind)
            raise ValueError(
                f"unknown layer kinds {', '.join(unknown)} (未知图层类型); kinds are {kinds}"
            )
        return value


def read_manifest(path: Path) -> Manifest:
    """Read and parse ``path``.

    Raises
    ------
    gis.errors.FileFormatError
        No such file, not JSON, or fields that do not fit (every one named).
    """
    if not path.exists():
        raise FileFormatError.single(path.name, f"no manifest at {path} (找不到 manifest.json)")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, f"not a readable JSON manifest (manifest 不是有效 JSON): {exc}"
        ) from exc
    return parse_manifest(data, source=path.name)


def parse_manifest(data: object, *, source: str) -> Manifest:
    """Parse a manifest already read from JSON; ``source`` names it in the errors.

    Examples
    --------
    >>> parse_manifest({"layers": {"grids": {}}}, source="m.json")
    Traceback (most recent call last):
    ...
    gis.errors.FileFormatError: m.json field 'layers.grids.path': needs a 'path' (缺少 path)
    """
    if not isinstance(data, dict):
        raise FileFormatError.single(
            source, "a manifest is an object with a 'layers' object (manifest 格式错误)"
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise FileFormatError([_problem(e, source) for e in exc.errors()]) from None


def _problem(error: Any, source: str) -> Problem:
    """One pydantic error as a located, bilingual problem."""
    loc = [str(part) for part in error["loc"]]
    kind = error["type"]
    if kind == "missing" and loc[-1] == "path":
        message = "needs a 'path' (缺少 path)"
    elif kind == "extra_forbidden":
        message = (
            f"unknown option {loc[-1]!r} (未知选项); an entry takes path, crs, encoding, "
            "layer, mapping, lon/x, lat/y, wkt"
        )
    elif loc in (["layers"], ["tables"], ["extras"]) and kind == "dict_type":
        message = f"a manifest is an object with a '{loc[0]}' object (manifest 格式错误)"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        if "input" in error and kind != "value_error":
            message += f", got {error['input']!r}"
    return Problem(message, source, field=".".join(loc) or None)

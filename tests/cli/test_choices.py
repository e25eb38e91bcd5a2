"""The CLI's choice enums agree with the literals of the library and the service."""

from __future__ import annotations

from enum import StrEnum
from typing import get_args, get_type_hints

import pytest
from typer.testing import CliRunner

from api.auth import Role
from beatgrid.cli import app
from beatgrid.commands._choices import BasemapCrs, LangChoice, MapValue, RoleChoice, ScopeChoice
from gis.i18n import Lang
from gis.redraw.balance import Scope
from maps.base import MapOptions
from maps.hotspots import Value


@pytest.mark.parametrize(
    ("choice", "literal"),
    [
        (LangChoice, Lang),
        (ScopeChoice, Scope),
        (RoleChoice, Role),
        (MapValue, Value),
        (BasemapCrs, get_type_hints(MapOptions)["basemap_crs"]),
    ],
)
def test_choices_mirror_the_literals(choice: type[StrEnum], literal: object) -> None:
    assert [c.value for c in choice] == list(get_args(literal))


def test_lang_choice_gives_the_library_literal() -> None:
    assert [c.lang for c in LangChoice] == ["zh", "en"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["check", "manifest.json", "--lang", "fr"], "--lang"),
        (["redraw", "balance", "m.json", "-o", "x.gpkg", "--scope", "city"], "--scope"),
        (
            ["map", "hotspots", "c.geojson", "-o", "x.html", "--basemap-crs", "bd09"],
            "--basemap-crs",
        ),
    ],
)
def test_a_value_outside_the_choices_is_refused_by_name(args: list[str], option: str) -> None:
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2 and option in done.output

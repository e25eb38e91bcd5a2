"""``beatgrid check`` on raw real files in one command, from every kind of input, and every
option an error hint names exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from beatgrid.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _check(*args: object):
    return CliRunner().invoke(app, ["check", *map(str, args)])


def test_raw_chicago_in_one_command(shared_data: Path) -> None:
    beats = shared_data / "chicago" / "police_beats.zip"
    districts = shared_data / "chicago" / "police_districts.zip"
    first = _check("--beats", beats, "--stations", districts, "--repair")
    assert first.exit_code == 1
    assert "--parent-ids zeros" in first.output  # the check suggests the normalisation
    result = _check(
        "--beats", beats, "--stations", districts, "--repair", "--parent-ids", "zeros",
        "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "2 violations" in result.output
    assert "0411" in result.output and "0624" in result.output
    assert "leading zeros" in result.output  # the normalisation used is reported


def test_raw_seattle_with_map(shared_data: Path) -> None:
    beats = shared_data / "seattle" / "spd-beats.geojson"
    precincts = shared_data / "seattle" / "spd-precincts.geojson"
    refused = _check("--beats", beats, "--stations", precincts)
    assert refused.exit_code == 2 and "--map id=COLUMN" in refused.output
    assert _check("--beats", beats, "--stations", precincts, "--map", "id=name").exit_code == 0


def test_workspace_geopackage_from_import(shared_data: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    runner = CliRunner()
    for kind, name in (("beat", "police_beats.zip"), ("station", "police_districts.zip")):
        done = runner.invoke(
            app,
            ["import", str(shared_data / "chicago" / name), "-k", kind, "-o", str(ws), "--repair"],
        )
        assert done.exit_code == 0, done.output
    result = _check(ws, "--parent-ids", "zeros", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "2 violations" in result.output
    layered = _check("--beats", ws, "--stations", ws, "--parent-ids", "zeros", "--lang", "en")
    assert "2 violations" in layered.output


def test_to_crs_and_layer_options(shared_data: Path, tmp_path: Path) -> None:
    beats = shared_data / "seattle" / "spd-beats.geojson"
    precincts = shared_data / "seattle" / "spd-precincts.geojson"
    result = _check(
        "--beats", beats, "--stations", precincts, "--map", "id=name", "--to-crs", "EPSG:32610",
        "--layer", "beat=spd-beats",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def _options() -> set[str]:
    """Every option name of every command (and sub-command) of the CLI."""
    found: set[str] = set()

    def walk(command: Any) -> None:
        for param in command.params:
            names = [*param.opts, *getattr(param, "secondary_opts", [])]
            found.update(o for o in names if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def test_every_hint_names_an_option_that_exists() -> None:
    """Options named in the messages of gis and the CLI (``--map id=COLUMN`` …)."""
    options = _options()
    named: dict[str, str] = {}
    for folder in ("gis", "beatgrid"):
        for path in (ROOT / folder).rglob("*.py"):
            for literal in re.findall(r"\"[^\"\n]*\"|'[^'\n]*'", path.read_text(encoding="utf-8")):
                for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", literal):
                    named.setdefault(option, str(path.relative_to(ROOT)))
    missing = {o: where for o, where in named.items() if o not in options}
    assert not missing, missing
    assert {"--map", "--repair", "--to-crs", "--layer", "--parent-ids"} <= set(named)


READING = {"--repair", "--to-crs", "--map", "--layer", "--crs", "--encoding"}
"""The shared reading options (``beatgrid.commands._inputs``)."""

DISTRICT = (
    "--streets", "--communities", "--grids", "--joint-points", "--stations", "--beats",
    "--aux-beats", "--incidents", "--tracks", "--addresses", "--buildings", "--assignments",
)  # fmt: skip
EDIT = ("--grids", "--communities")
IMPACT = (
    "--grids", "--beats", "--aux-beats", "--joint-points", "--addresses", "--incidents",
    "--assignments", "--buildings",
)  # fmt: skip

LAYER_COMMANDS: dict[tuple[str, ...], tuple[bool, tuple[str, ...]]] = {
    ("check",): (
        False,
        (
            "--streets",
            "--communities",
            "--grids",
            "--joint-points",
            "--stations",
            "--beats",
            "--aux-beats",
            "--outside",
            "--assignments",
        ),
    ),
    ("hotspots",): (True, ("--grids", "--incidents", "--buildings")),
    ("coverage",): (True, ("--grids", "--tracks", "--joint-points", "--addresses", "--visits")),
    ("brief",): (True, (*DISTRICT, "--events", "--visits")),
    ("assess",): (True, (*DISTRICT, "--events", "--visits")),
    ("wallmap",): (
        False,
        (
            "--streets",
            "--communities",
            "--grids",
            "--joint-points",
            "--stations",
            "--beats",
            "--aux-beats",
            "--assignments",
        ),
    ),
    ("map", "alignment"): (False, ("--grids", "--beats", "--aux-beats", "--joint-points")),
    ("map", "district"): (False, (*DISTRICT, "--events", "--visits")),
    **{("redraw", name): (False, EDIT) for name in ("split", "merge", "move", "reassign", "draw")},
    ("redraw", "diff"): (False, ("--grids", "--buildings")),
    ("redraw", "impact"): (False, IMPACT),
    ("redraw", "notice"): (False, IMPACT),
    ("redraw", "balance"): (False, ("--grids", "--buildings")),
    ("redraw", "beats"): (False, ("--grids", "--beats", "--buildings", "--incidents")),
}
"""Every command that reads layers → (counts by day/week/month: has ``--tz``; the single-file
options of the layer kinds it uses)."""


def _command(path: tuple[str, ...]) -> Any:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _command_options(path: tuple[str, ...]) -> set[str]:
    command = _command(path)
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}


def _reading_hints() -> dict[str, str]:
    """Options named by the messages of the reading code (gis.io, fields, district …)."""
    named: dict[str, str] = {}
    places = [ROOT / "gis" / "io", ROOT / "gis" / "crs"] + [
        ROOT / "gis" / f"{name}.py" for name in ("fields", "district", "manifest", "layers")
    ]
    for place in places:
        for path in [place] if place.is_file() else sorted(place.rglob("*.py")):
            for literal in re.findall(r"\"[^\"\n]*\"|'[^'\n]*'", path.read_text(encoding="utf-8")):
                for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", literal):
                    named.setdefault(option, str(path.relative_to(ROOT)))
    return named


def test_every_command_reading_layers_has_the_shared_options() -> None:
    for path, (counts_days, files) in LAYER_COMMANDS.items():
        options = _command_options(path)
        assert options >= READING, (path, READING - options)
        assert ("--tz" in options) == counts_days, path
        assert options >= set(files), (path, set(files) - options)


def test_every_command_reading_layers_takes_an_optional_source_first() -> None:
    """A manifest or workspace as the first argument, left out when files are given."""
    for path in LAYER_COMMANDS:
        arguments = [p for p in _command(path).params if p.param_type_name == "argument"]
        assert arguments and arguments[0].name == "source", path
        assert not arguments[0].required, path


def test_every_file_option_has_one_definition() -> None:
    """``--grids`` (``--beats`` …) reads the same way and says the same in every command that
    has it: one definition in ``beatgrid.commands._inputs``, no command's own."""
    helps: dict[str, set[str | None]] = {}
    for path in LAYER_COMMANDS:
        for param in _command(path).params:
            for name in param.opts:
                if name in READING or name in DISTRICT or name in {"--outside", "--visits"}:
                    helps.setdefault(name, set()).add(getattr(param, "help", None))
    assert {"--grids", "--beats", "--visits", "--map", "--to-crs"} <= set(helps)
    assert {k: v for k, v in helps.items() if len(v) != 1} == {}


def test_every_reading_hint_names_an_option_of_every_command_that_reads() -> None:
    """A hint from reading a layer (``--map id=COLUMN``, ``--repair``, ``--crs`` …) may come
    from any command that reads layers: each of them must have the option it names."""
    hints = _reading_hints()
    assert {"--map", "--repair", "--to-crs", "--layer", "--crs", "--encoding"} <= set(hints)
    for path in LAYER_COMMANDS:
        missing = {o: where for o, where in hints.items() if o not in _command_options(path)}
        assert not missing, (path, missing)


def test_hints_on_raw_seattle_name_options_of_the_command_given(
    shared_data: Path, tmp_path: Path
) -> None:
    """Seattle's beats have no id column: each command's own hint names its own options."""
    beats = shared_data / "seattle" / "spd-beats.geojson"
    runs = {
        ("check",): ["--grids", beats],
        ("hotspots",): ["--grids", beats, "-o", tmp_path],
        ("coverage",): ["--grids", beats, "-o", tmp_path],
    }
    for path, args in runs.items():
        result = CliRunner().invoke(app, [*path, *map(str, args)])
        assert result.exit_code == 2, result.output
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", result.output))
        assert "--map" in named, result.output
        assert named <= _command_options(path), (path, named - _command_options(path))


def test_geocode_reads_its_areas_with_the_shared_options() -> None:
    """``geocode``'s first argument is the incidents, so its areas come from ``--areas`` and
    the per-kind files; those and the reading options are the shared definitions (its
    ``--crs`` is the incidents' coordinates)."""
    areas = ("--streets", "--communities", "--grids", "--joint-points", "--stations", "--beats",
             "--aux-beats")  # fmt: skip
    options = _command_options(("geocode",))
    assert options >= {*areas, *(READING - {"--crs"}), "--areas"}

    def helps(path: tuple[str, ...]) -> dict[str, str | None]:
        return {o: p.help for p in _command(path).params for o in p.opts if o in areas}

    assert helps(("geocode",)) == helps(("check",))


def test_the_commands_area_kinds_are_the_libraries() -> None:
    from beatgrid.commands._inputs import AREA_KINDS
    from gis.geocoding.assign import AREA_KINDS as LIBRARY

    assert tuple(k.value for k in LIBRARY) == AREA_KINDS

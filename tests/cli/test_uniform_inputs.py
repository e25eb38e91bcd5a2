"""The commands that make documents and redraw grids read the raw Seattle and Chicago files
as single files, like ``check`` does, and a broken input ends with an error that names the
file and the option to use (exit status 2)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
from typer.testing import CliRunner

from beatgrid.cli import app


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _count(output: str, row: str) -> int:
    found = re.search(rf"{row}\s*│\s*(\d+)", output)
    assert found, output
    return int(found.group(1))


def test_redraw_merge_and_impact_from_single_seattle_files(
    shared_data: Path, tmp_path: Path
) -> None:
    """No manifest: the grids (Seattle beats, named by ``--map id=name``) and the beats
    (Seattle precincts) are single files; SOURCE is left out before the grid ids."""
    grids = shared_data / "seattle" / "spd-beats.geojson"
    precincts = shared_data / "seattle" / "spd-precincts.geojson"
    merged = tmp_path / "merged.geojson"
    code, out = _run(
        "redraw", "merge", "--grids", grids, "--map", "id=name", "B1", "B2", "--new-id", "B12",
        "-o", merged,
    )  # fmt: skip
    assert code == 0, out
    new = gpd.read_file(merged)
    assert "B12" in set(new["id"]) and not {"B1", "B2"} & set(new["id"])
    assert len(new) == 50  # 51 beats, two of them merged
    code, out = _run(
        "redraw", "impact", "--grids", grids, "--beats", precincts, "--map", "id=name", merged
    )
    assert code == 0, out
    assert _count(out, "grids_changed") == 3  # B1 and B2 removed, B12 added
    # B1 and B2 lie in one precinct: the merged grid still nests in it
    assert _count(out, "beats_misaligned") == 0


def test_brief_from_single_chicago_files(shared_data: Path, tmp_path: Path) -> None:
    """A day briefing of Chicago from the raw beats (as grids) and the raw incidents."""
    out_file = tmp_path / "brief.html"
    code, out = _run(
        "brief", "--grids", shared_data / "chicago" / "police_beats.zip",
        "--map", "grid:id=BEAT_NUM", "--repair",
        "--incidents", shared_data / "chicago" / "crimes_2016-01_sample.csv",
        "--period", "day", "--at", "2016-01-02", "-o", out_file, "--lang", "en",
    )  # fmt: skip
    assert code == 0, out
    html = out_file.read_text(encoding="utf-8")
    assert "2016" in html and len(html) > 1000


def test_missing_file_names_the_option(shared_data: Path, tmp_path: Path) -> None:
    missing = shared_data / "chicago" / "no_such_beats.zip"
    code, out = _run(
        "brief", "--grids", missing, "--period", "day", "--at", "2016-01-02",
        "-o", tmp_path / "b.html",
    )  # fmt: skip
    assert code == 2, out
    assert "--grids" in out and "no_such_beats.zip" in out
    assert not (tmp_path / "b.html").exists()


def test_wrong_layer_name_lists_the_layers(shared_data: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    code, out = _run(
        "import", shared_data / "seattle" / "spd-beats.geojson", "-k", "grid", "--map", "id=name",
        "-o", ws,
    )  # fmt: skip
    assert code == 0, out
    code, out = _run(
        "redraw", "diff", "--grids", ws, "--layer", "grid=beats", ws, "-o", tmp_path / "d.csv"
    )
    assert code == 2, out
    assert "ws.gpkg" in out and "'beats'" in out and "grid" in out  # the layers it has
    code, out = _run("redraw", "diff", ws, ws, "-o", tmp_path / "d.csv")  # the workspace itself
    assert code == 0, out


def test_mixed_crs_needs_to_crs(shared_data: Path, tmp_path: Path) -> None:
    """Chicago's community areas are in EPSG:3435 (US feet), the beats in EPSG:4326."""
    args = [
        "wallmap", "--grids", shared_data / "chicago" / "police_beats.zip",
        "--map", "grid:id=BEAT_NUM", "--map", "grid:parent_id=DISTRICT", "--repair",
        "--communities", shared_data / "chicago" / "community_areas.zip",
        "--map", "community:id=AREA_NUMBE", "--map", "community:name=COMMUNITY",
    ]  # fmt: skip
    code, out = _run(*args, "8", "-o", tmp_path / "wall.png")
    assert code == 2, out
    assert "--to-crs" in out and "EPSG:3435" in out
    assert not (tmp_path / "wall.png").exists()


def test_layer_file_as_source_names_the_options(shared_data: Path, tmp_path: Path) -> None:
    """The issue's first try: a raw shapefile where a manifest goes."""
    code, out = _run(
        "assess", shared_data / "chicago" / "police_beats.zip", "--period", "week",
        "--at", "2016-01-02", "-o", tmp_path / "a.xlsx",
    )  # fmt: skip
    assert code == 2, out
    assert "police_beats.zip" in out and "--grids" in out and "--beats" in out
    assert "utf-8" not in out  # not read as a broken JSON manifest


def test_missing_argument_after_source_left_out(shared_data: Path, tmp_path: Path) -> None:
    grids = shared_data / "seattle" / "spd-beats.geojson"
    code, out = _run("redraw", "impact", "--grids", grids, "--map", "id=name")
    assert code == 2, out
    assert "AFTER" in out


def test_table_files_replace_the_sources_tables(shared_data: Path, tmp_path: Path) -> None:
    """``--visits`` / ``--events`` are tables, not layers: they reach the district as a
    manifest's ``tables`` entry would, for the brief and coverage to read."""
    from beatgrid.commands._inputs import Inputs, Reading

    visits = tmp_path / "visits.csv"
    visits.write_text("address_id,time,visitor_role\nA1,2016-01-02 10:00,officer\n")
    district = Inputs(
        None,
        {"grid": shared_data / "seattle" / "spd-beats.geojson"},
        Reading.of(map_=["id=name"]),
        {"visit": visits, "event": None},
    ).district()
    assert district.tables == {"visit": visits}
    assert district.grids is not None and len(district.grids) == 51

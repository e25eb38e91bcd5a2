"""``beatgrid geocode`` on the real Chicago incidents, as a new user would run it.

The portal export names its coordinates ``Latitude``/``Longitude`` (WGS84) and
``X Coordinate``/``Y Coordinate`` (EPSG:3435, US feet); 188 of the 1,730 rows have none.
"""

from __future__ import annotations

import gzip
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from beatgrid.cli import app


@pytest.fixture(scope="module")
def crimes(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crimes")
    src = folder / "crimes.csv.gz"
    raw = shared_data / "chicago" / "crimes_2016-01_sample.csv"
    with raw.open("rb") as f, gzip.open(src, "wb") as out:
        shutil.copyfileobj(f, out)
    return src


def _geocode(shared_data: Path, src: Path, out: Path, *args: str):
    beats = shared_data / "chicago" / "police_beats.zip"
    return CliRunner().invoke(
        app, ["geocode", str(src), "-o", str(out), "--beats", str(beats), "--repair", *args]
    )


def test_recognised_columns_gz_input_and_row_ids(shared_data, crimes, tmp_path) -> None:
    out = tmp_path / "out.csv"
    result = _geocode(shared_data, crimes, out, "--row-ids", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "x = Longitude, y = Latitude" in result.output
    frame = pd.read_csv(out, dtype=str)
    assert len(frame) == 1730
    assert frame["id"].tolist()[:3] == ["1", "2", "3"]  # row numbers as ids
    assert (frame["status"] == "ok").sum() > 1500
    assert frame.loc[frame["status"] == "ok", "beat_id"].notna().all()


def test_zip_input(shared_data, tmp_path) -> None:
    src = tmp_path / "crimes.zip"
    with zipfile.ZipFile(src, "w") as archive:
        archive.write(shared_data / "chicago" / "crimes_2016-01_sample.csv", "crimes.csv")
    result = _geocode(shared_data, src, tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "out.csv")) == 1730


@pytest.mark.parametrize(
    ("args", "reason", "fix"),
    [
        (["--x", "X Coordinate", "--y", "Y Coordinate"], "projected metres", "--crs"),
        (["--x", "Latitude", "--y", "Longitude"], "swapped", "--x Longitude --y Latitude"),
        (
            ["--x", "X Coordinate", "--y", "Y Coordinate", "--crs", "EPSG:4549"],
            "coordinate system EPSG:4549 may be wrong",
            "--crs gcj02",
        ),
    ],
)
def test_mostly_failing_runs_exit_1_with_reason_and_fix(
    shared_data, crimes, tmp_path, args, reason, fix
) -> None:
    result = _geocode(shared_data, crimes, tmp_path / "out.csv", "--lang", "en", *args)
    assert result.exit_code == 1, result.output
    assert reason in result.output and fix in result.output


def test_the_right_crs_for_projected_columns_places_them(shared_data, crimes, tmp_path) -> None:
    args = ["--x", "X Coordinate", "--y", "Y Coordinate", "--crs", "EPSG:3435"]
    result = _geocode(shared_data, crimes, tmp_path / "out.csv", *args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert (frame["status"] == "ok").sum() > 1500


def test_unknown_coordinate_column_is_named(shared_data, crimes, tmp_path) -> None:
    result = _geocode(shared_data, crimes, tmp_path / "out.csv", "--x", "经度")
    assert result.exit_code == 2
    assert "经度" in result.output and "Longitude" in result.output


def test_summary_counts_rows_near_another_area(shared_data, crimes, tmp_path) -> None:
    """With a 1 m tolerance many real incidents lie on a beat boundary street."""
    out = tmp_path / "out.csv"
    result = _geocode(shared_data, crimes, out, "--tolerance", "1", "--lang", "en")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "another area within" in x)
    shown = int(re.sub(r"\D", "", line.split("│")[-2]))
    frame = pd.read_csv(out, dtype=str)
    expected = frame.filter(like="_alt_ids").notna().any(axis=1).sum()
    assert shown == expected > 0.1 * len(frame)


def test_address_forms_through_the_cli(demo_dir, tmp_path) -> None:
    """An address-only file: door plates, 小区 names and intersections are placed through the
    manifest's roads and buildings; a roads file without names is refused, naming the column."""
    src = tmp_path / "addresses.csv"
    pd.DataFrame(
        {
            "编号": ["a1", "a2", "a3", "a4", "a5"],
            "地址": [
                "清溪路115号",
                "清溪路与柳汀路交叉口",
                "清洲佳园小区",
                "清西路115号",
                "火星路1号",
            ],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    base = ["geocode", str(src), "-o", str(out), "--areas", str(demo_dir), "--address", "地址"]
    gaz = ["--gazetteer", str(demo_dir / "gazetteer.csv")]
    result = CliRunner().invoke(app, [*base, *gaz])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert list(got["match_status"]) == ["matched", "matched", "matched", "review", "unmatched"]
    assert list(got["match_form"].fillna("")) == [
        "door_plate", "intersection", "poi", "door_plate", "door_plate"
    ]  # fmt: skip
    assert list(got["status"]) == ["address", "address", "address", "review", "unmatched"]
    assert got.loc[:2, "grid_id"].notna().all() and got.loc[3:, "grid_id"].isna().all()
    assert got["match_confidence"].astype(float).tolist()[:3] == [0.85, 0.8, 0.8]
    # a roads file without the roads named: intersections are reported, not guessed
    nameless = tmp_path / "roads.geojson"
    import geopandas as gpd

    gpd.read_file(demo_dir / "roads.geojson").rename(columns={"name": "label"}).to_file(nameless)
    bad = CliRunner().invoke(app, [*base, *gaz, "--roads", str(nameless)])
    assert bad.exit_code == 2 and "name" in bad.output

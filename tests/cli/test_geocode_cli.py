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
        app, ["geocode", str(src), "-o", str(out), "--layer", f"beat={beats}", "--repair", *args]
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

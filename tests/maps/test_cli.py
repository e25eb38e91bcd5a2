"""``beatgrid map ...``: standalone HTML files from result files."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from beatgrid.cli import app
from maps.assets import VENDOR_DIR

pytestmark = pytest.mark.skipif(
    not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file(),
    reason="assets not vendored: run `python -m maps.vendor`",
)
runner = CliRunner()


def _save(frame: gpd.GeoDataFrame, path: Path) -> str:
    frame.to_file(path, driver="GeoJSON")
    return str(path)


def _standalone(html: str) -> None:
    outside = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    assert not re.search(r"https?://", outside)


def test_alignment_file_works_offline(tmp_path: Path, findings, grids, beats) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "alignment.html"
    args = ["map", "alignment", _save(findings, tmp_path / "f.geojson")]
    args += ["--grids", _save(grids, tmp_path / "g.geojson")]
    args += ["--beats", _save(beats, tmp_path / "b.geojson"), "-o", str(out), "--lang", "en"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    _standalone(out.read_text(encoding="utf-8"))
    assert "works offline" in done.output


def test_alignment_reads_layers_like_check(tmp_path: Path, findings, grids, beats) -> None:  # type: ignore[no-untyped-def]
    """Columns named as users name them (网格编码, a beat column only --map names)."""
    out = tmp_path / "alignment.html"
    args = ["map", "alignment", _save(findings, tmp_path / "f.geojson")]
    args += ["--grids", _save(grids.rename(columns={"id": "网格编码"}), tmp_path / "g.geojson")]
    args += ["--beats", _save(beats.rename(columns={"id": "ZRQ"}), tmp_path / "b.geojson")]
    done = runner.invoke(app, [*args, "-o", str(out), "--map", "beat:id=ZRQ", "--repair"])
    assert done.exit_code == 0, done.output
    refused = runner.invoke(app, [*args, "-o", str(out)])
    assert refused.exit_code == 2 and "--map id=COLUMN" in refused.output


def test_hotspots_coverage_changes(tmp_path: Path, cells, coverage_grids, grids, new_grids) -> None:  # type: ignore[no-untyped-def]
    jobs = {
        "hotspots": [_save(cells.drop(columns=["address"]), tmp_path / "c.geojson")],
        "coverage": [_save(coverage_grids, tmp_path / "cg.geojson")],
        "changes": [_save(grids, tmp_path / "o.geojson"), _save(new_grids, tmp_path / "n.geojson")],
    }
    for name, inputs in jobs.items():
        out = tmp_path / f"{name}.html"
        done = runner.invoke(app, ["map", name, *inputs, "-o", str(out)])
        assert done.exit_code == 0, (name, done.output)
        _standalone(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lang", "fr"], "--lang"),
        (["--value", "rate_1000"], "rate_1000"),
        (["--basemap-url", "http://tiles.local/x.png"], "{z}"),
    ],
)
def test_bad_options_exit_2_with_a_message(tmp_path: Path, cells, extra, message) -> None:  # type: ignore[no-untyped-def]
    src = _save(cells.drop(columns=["address"]), tmp_path / "c.geojson")
    done = runner.invoke(app, ["map", "hotspots", src, "-o", str(tmp_path / "x.html"), *extra])
    assert done.exit_code == 2 and message in done.output, done.output


def test_unreadable_file_is_named(tmp_path: Path, grids) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    done = runner.invoke(app, ["map", "coverage", str(bad), "-o", str(tmp_path / "x.html")])
    assert done.exit_code == 2 and "broken.geojson" in done.output


@pytest.mark.slow
def test_district_folder_for_a_usb_stick(tmp_path: Path, demo_dir: Path) -> None:
    out = tmp_path / "maps"
    done = runner.invoke(app, ["map", "district", str(demo_dir / "manifest.json"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("alignment", "hotspots", "coverage"):
        assert f'href="{name}-zh.html"' in index
        _standalone((out / f"{name}-en.html").read_text(encoding="utf-8"))
    assert 'href="index-en.html"' in index

"""``beatgrid demo run --no-serve``: the main job of ``make demo``, short of serving."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from beatgrid.cli import app


def test_demo_run_writes_every_stage(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = CliRunner().invoke(app, ["demo", "run", "--out", str(out), "--no-serve"])
    assert done.exit_code == 0, done.output
    # 3/6 the consistency report, with the planted defects as findings
    findings = pd.read_csv(out / "report" / "csv" / "findings.csv")
    assert {"grid_split_by_beat", "gap", "overlap", "grid_unstaffed"} <= set(findings["rule"])
    # 4/6 the messy addresses are placed by the gazetteer at their true standard address
    placed = pd.read_csv(out / "incident_addresses_geocoded.csv", dtype=str)
    assert len(placed) == 2000
    assert (placed["status"] == "address").mean() > 0.99
    right = placed["match_address_id"] == placed["true_address_id"]
    assert right.mean() > 0.99
    assert placed.loc[~right, "status"].isin(["review", "unmatched"]).all()  # never guessed
    # 5/6 the change notice for the police station, in both formats
    html = (out / "notice" / "notice.html").read_text(encoding="utf-8")
    assert "关于网格调整的告知书" in html and "特此告知" in html
    assert (out / "notice" / "notice.xlsx").stat().st_size > 0
    # 6/6 the four maps
    assert "4 maps ready" in done.output

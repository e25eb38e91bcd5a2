"""The reference district is consistent; the report's shape follows the contract."""

from __future__ import annotations

from gis.checks import FINDING_COLUMNS
from tests.gis.checks.helpers import run


def test_reference_district_is_consistent(district) -> None:
    report = run(district())
    assert report.ok, report.violations[["rule", "ids", "message_en"]].to_string()
    assert report.figures["share_grids_aligned"] == 1.0
    assert report.figures["share_area_consistent"] == 1.0
    assert report.figures["grids"] == 8
    assert list(report.findings.columns) == list(FINDING_COLUMNS)
    assert set(report.grids["beat_id"]) == {"B1", "B2"}
    assert report.grids.set_index("id")["community_id"].to_dict()["G6"] == "C2"
    assert report.metric_crs.endswith("4549") or "4549" in report.metric_crs

"""The demo district: every planted defect is found and nothing else.

``truth.json`` lists the findings each planted defect implies, in the engine's rule
vocabulary.  A finding matches when rule, layer, ids and severity agree, and the
other ids too where the truth gives them.  Aux beats mirror grids one to one
(DOMAIN rule 1), so a planted *grid* defect also leaves the mirror auxiliary beat
of each grid it touched (and of a neighbour a grid grew into) different from its
grid: those ``aux_beat_mismatch`` findings are implied by the truth's own grid
findings and are accepted as such (reported to the generator's owner).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.checks import check_district
from gis.checks.repair import realign_beats, regenerate_aux_beats


@pytest.fixture(scope="module")
def demo(demo_dir: Path):
    from gis.district import load_district

    district = load_district(demo_dir / "manifest.json")
    truth = json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))
    return district, truth, check_district(district)


def _ids(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(sorted(str(v) for v in value))
    return ",".join(sorted(p for p in str(value or "").split(",") if p))


def _expected(truth: dict) -> list[dict]:
    return [f for d in truth["defects"] for f in d["findings"]]


def _matches(row, want: dict) -> bool:
    return (
        row["rule"] == want["rule"]
        and row["layer"] == want["layer"]
        and row["ids"] == _ids(want["ids"])
        and row["severity"] == want["severity"]
        and (not want.get("other_ids") or row["other_ids"] == _ids(want["other_ids"]))
    )


def _implied_aux(truth: dict, district) -> set[str]:
    """Aux beats overlapping a grid that a planted grid defect changed (their mirrors
    and, for a grid grown into a neighbour, the neighbour's mirror)."""
    touched = {
        g
        for f in _expected(truth)
        if f["layer"] == "grid" and f["rule"] in ("overlap", "gap", "crosses_parent")
        for g in f["ids"]
    }
    grids = district.grids[district.grids["id"].astype(str).isin(touched)]
    aux = district.aux_beats.to_crs(grids.crs)
    a, g = grids.sindex.query(aux.geometry, predicate="intersects")
    shared = aux.geometry.iloc[a].intersection(grids.geometry.iloc[g], align=False)
    metric = shared.set_crs(grids.crs, allow_override=True).to_crs(truth["metric_crs"])
    return set(aux["id"].astype(str).iloc[a[metric.area.to_numpy() > 1.0]])


def test_every_planted_defect_is_found(demo) -> None:
    _, truth, report = demo
    rows = [r for _, r in report.findings.iterrows()]
    missed = [w for w in _expected(truth) if not any(_matches(r, w) for r in rows)]
    assert not missed, f"recall < 1: {missed}"


def test_nothing_else_is_found(demo) -> None:
    district, truth, report = demo
    expected = _expected(truth)
    implied = _implied_aux(truth, district)
    extra = [
        (r["rule"], r["ids"], r["other_ids"], r["severity"])
        for _, r in report.findings.iterrows()
        if not any(_matches(r, w) for w in expected)
        and not (r["rule"] == "aux_beat_mismatch" and r["ids"] in implied)
    ]
    assert not extra, f"precision < 1: {extra}"


def test_tolerance_separates_noise(demo) -> None:
    _, truth, report = demo
    noise = {w["rule"] for w in _expected(truth) if w["severity"] == "noise"}
    assert noise <= set(report.noise["rule"])
    assert not report.ok


def test_repair_proposals_recheck_clean(demo) -> None:
    district, _, _ = demo
    beats = realign_beats(district.grids, district.beats)
    aux = regenerate_aux_beats(district.grids, beats.layer)
    from dataclasses import replace

    fixed = replace(district, beats=beats.layer, aux_beats=aux.layer)
    report = check_district(fixed)
    rules = set(report.violations["rule"])
    assert not rules & {
        "grid_split_by_beat",
        "beat_boundary_off_grid",
        "aux_beat_mismatch",
        "aux_beat_missing",
        "aux_beat_extra",
    }

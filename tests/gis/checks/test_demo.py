"""The demo district: every planted defect is found and nothing else (issue 3, item 6).

``truth.json`` lists every finding each planted defect implies, in the engine's rule
vocabulary (docs/demo.md).  The engine's findings — all of them: errors, warnings,
noise, accepted or not — are compared with the truth as a multiset of keys::

    (rule, severity class, layer, frozenset(ids), other_layer, frozenset(other_ids))

where the severity class is ``noise`` or ``error`` (a warning counts as an error),

and must be equal: precision and recall exactly 1, with no allowance list and no
finding left out by the test.  Checked on the default seed, on two other seeds, and
from the GCJ-02 copy (``gcj02/manifest.json``) of the default seed.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from data.generate import generate_demo
from gis.checks import CheckReport, check_district
from gis.checks.repair import realign_beats, regenerate_aux_beats
from gis.district import District, load_district

Demo = tuple[District, dict[str, Any], CheckReport]
Key = tuple[str, str, str, frozenset[str], str | None, frozenset[str]]
#: rules whose finding is an area (the truth's ``area_m2`` is then that area)
AREA_RULES = {"overlap", "gap", "crosses_parent", "grid_split_by_beat", "aux_beat_mismatch"}
OTHER_SEEDS = (7, 42)


def _set(value: object) -> frozenset[str]:
    """Ids as a set, from a truth list or the engine's comma-joined string."""
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return frozenset()
    return frozenset(p for p in str(value).split(",") if p)


def _layer(value: object) -> str | None:
    """``None`` for no other layer (the engine writes an empty string)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value) or None


def _severity(value: object) -> str:
    """The severity class: digitizing noise or not (a warning counts as an error)."""
    return "noise" if value == "noise" else "error"


def truth_keys(truth: dict[str, Any]) -> Counter[Key]:
    return Counter(
        (
            f["rule"],
            _severity(f["severity"]),
            f["layer"],
            _set(f["ids"]),
            _layer(f["other_layer"]),
            _set(f["other_ids"]),
        )
        for d in truth["defects"]
        for f in d["findings"]
    )


def found_keys(report: CheckReport) -> Counter[Key]:
    f = report.findings
    return Counter(
        (str(r), _severity(s), str(la), _set(i), _layer(ol), _set(oi))
        for r, s, la, i, ol, oi in zip(
            f["rule"],
            f["severity"],
            f["layer"],
            f["ids"],
            f["other_layer"],
            f["other_ids"],
            strict=True,
        )
    )


def assert_exactly_the_truth(report: CheckReport, truth: dict[str, Any]) -> None:
    want, got = truth_keys(truth), found_keys(report)
    missed, extra = want - got, got - want
    assert not missed, f"recall < 1, missed: {sorted(missed.elements(), key=str)}"
    assert not extra, f"precision < 1, extra: {sorted(extra.elements(), key=str)}"
    assert got == want
    assert len(report.findings) == sum(want.values()) == len(truth["expected_findings"])


def _load(folder: Path) -> Demo:
    district = load_district(folder / "manifest.json")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return district, truth, check_district(district)


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> Demo:
    return _load(demo_dir)


def test_default_seed_findings_equal_the_truth(demo: Demo) -> None:
    _, truth, report = demo
    assert_exactly_the_truth(report, truth)
    # every kind of planted defect is represented, errors and noise alike
    assert {d["id"] for d in truth["defects"]} >= {"split", "gap", "overlap", "crossing"}
    assert {"error", "noise"} == set(report.findings["severity"])


def test_gcj02_copy_findings_equal_the_truth(demo_dir: Path, demo: Demo) -> None:
    """The same district read from the GCJ-02 copy (GBK shapefile, Chinese columns)."""
    _, truth, _ = demo
    report = check_district(load_district(demo_dir / "gcj02" / "manifest.json"))
    assert_exactly_the_truth(report, truth)


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_other_seeds_findings_equal_the_truth(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(f"demo_seed_{seed}")
    generate_demo(folder, seed=seed)
    _, truth, report = _load(folder)
    assert_exactly_the_truth(report, truth)


def test_sizes_of_findings_agree_with_the_truth(demo: Demo) -> None:
    """Areas of the area findings and the length of the off-grid beat boundary."""
    _, truth, report = demo
    f = report.findings
    size = {
        (r, _set(i)): (a, n)
        for r, i, a, n in zip(f["rule"], f["ids"], f["area_m2"], f["length_m"], strict=True)
    }
    wanted = [w for d in truth["defects"] for w in d["findings"]]
    areas = [w for w in wanted if w["rule"] in AREA_RULES]
    lines = [w for w in wanted if w["rule"] == "beat_boundary_off_grid"]
    assert areas and lines
    for w in areas:
        area, _ = size[(w["rule"], _set(w["ids"]))]
        assert area == pytest.approx(w["area_m2"], rel=0.01, abs=1.0), w
    for w in lines:
        area, length = size[(w["rule"], _set(w["ids"]))]
        assert area == w["area_m2"] == 0.0
        assert length == pytest.approx(w["length_m"], rel=0.01), w


@pytest.mark.parametrize(
    "change",
    [
        {"other_ids": lambda v: v[1:]},  # e.g. only the crossed parent, not the home one
        {"other_layer": lambda v: None},
        {"severity": lambda v: "noise" if v == "error" else "error"},
        {"ids": lambda v: [*v, "X"]},
    ],
    ids=["other_ids", "other_layer", "severity", "ids"],
)
def test_a_truth_differing_in_any_field_fails(
    demo: Demo, change: dict[str, Callable[[Any], Any]]
) -> None:
    _, truth, report = demo
    ((field, edit),) = change.items()
    bad = copy.deepcopy(truth)
    target = next(f for d in bad["defects"] for f in d["findings"] if len(f["other_ids"]) == 2)
    target[field] = edit(target[field])
    with pytest.raises(AssertionError, match="recall < 1"):
        assert_exactly_the_truth(report, bad)


def test_a_missing_or_extra_truth_finding_fails(demo: Demo) -> None:
    _, truth, report = demo
    fewer = copy.deepcopy(truth)
    fewer["defects"][0]["findings"].pop()
    with pytest.raises(AssertionError, match="precision < 1"):
        assert_exactly_the_truth(report, fewer)
    more = copy.deepcopy(truth)
    more["defects"][0]["findings"].append(more["defects"][1]["findings"][0])
    with pytest.raises(AssertionError, match="recall < 1"):
        assert_exactly_the_truth(report, more)


def test_tolerance_separates_noise(demo: Demo) -> None:
    _, truth, report = demo
    noise = [f for d in truth["defects"] for f in d["findings"] if f["severity"] == "noise"]
    assert len(report.noise) == len(noise) > 0
    assert not report.ok


def test_repair_proposals_recheck_clean(demo: Demo) -> None:
    district, _, original = demo
    beats = realign_beats(district.grids, district.beats)
    aux = regenerate_aux_beats(district.grids, beats.layer, existing=district.aux_beats)
    fixed = replace(district, beats=beats.layer, aux_beats=aux.layer)
    report = check_district(fixed)
    rules = set(report.violations["rule"])
    # repairs keep ids and create nothing: no finding that was not there before
    before = original.violations
    key = ["rule", "ids", "other_ids"]
    new = report.violations.merge(before[key], on=key, how="left", indicator=True)
    assert (new["_merge"] == "both").all(), new.loc[new["_merge"] == "left_only", key]
    assert aux.changes["id_kept"].all()
    assert set(aux.layer["id"]) == set(district.aux_beats["id"])
    assert (report.violations["rule"] == "grid_unstaffed").sum() == 1
    assert not (
        (report.violations["rule"] == "overlap") & (report.violations["layer"] == "aux_beat")
    ).any()
    assert not rules & {
        "grid_split_by_beat",
        "beat_boundary_off_grid",
        "aux_beat_missing",
        "aux_beat_extra",
    }
    # the one mismatch left is the planted grid overlap, which aux beats cannot copy twice
    mismatch = report.violations[report.violations["rule"] == "aux_beat_mismatch"]
    assert list(mismatch["other_ids"]) == ["320105900003002"]

"""make_brief on the hand-drawn district (see conftest's sketch): every figure by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gis.briefing import make_brief, resolve_scope
from gis.district import District
from gis.errors import ConfigError, NotFoundError
from tests.gis.briefing.conftest import VISITS, tiny_district

AT = "2025-11-12"
DEADLINES = {"dispute": 3.0}


@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    return make_brief(tiny_district(), kind="week", at=AT, visits=VISITS, deadlines=DEADLINES)


def test_periods_are_the_iso_week_and_the_one_before(week) -> None:  # type: ignore[no-untyped-def]
    p = week.periods.current
    assert (p.start, p.end, p.previous_start) == (
        pd.Timestamp("2025-11-10"),
        pd.Timestamp("2025-11-17"),
        pd.Timestamp("2025-11-03"),
    )
    assert week.periods.label("zh") == "2025年11月10日至11月16日"


def test_categories_against_the_previous_week(week) -> None:  # type: ignore[no-untyped-def]
    t = week.incidents.by_category.set_index("category")
    assert t.loc["dispute", ["count", "previous", "change"]].tolist() == [3, 1, 2]
    assert t.loc["theft", ["count", "previous"]].tolist() == [2, 1]
    assert t.loc["noise", ["count", "previous"]].tolist() == [1, 0]
    assert np.isnan(t.loc["noise", "change_pct"])  # nothing before: no percentage
    assert t.loc["*", ["count", "previous", "change", "change_pct"]].tolist() == [6, 2, 4, 200.0]
    # the data start in November 2025: there is no year-earlier figure, not a zero
    assert not week.incidents.has_last_year
    assert t["yoy_pct"].isna().all() and t["last_year"].isna().all()


def test_handling_per_grid(week) -> None:  # type: ignore[no-untyped-def]
    g = week.incidents.by_grid.set_index("grid_id")
    assert g.loc["G1", ["received", "closed", "open", "overdue"]].tolist() == [3, 2, 1, 1]
    assert g.loc["G4", ["received", "closed", "open", "overdue"]].tolist() == [2, 1, 1, 0]
    assert g.loc["G1", "closure_rate"] == pytest.approx(2 / 3)
    assert np.isnan(g.loc["G3", "closure_rate"])  # received nothing: no rate
    assert week.incidents.closure_rate == pytest.approx(4 / 6)
    items = week.incidents.open_items
    assert items["id"].tolist() == ["I1", "I6"]
    assert items["overdue"].tolist() == [True, False]


def test_duty_lists(week) -> None:  # type: ignore[no-untyped-def]
    d = week.duty
    assert sorted(d.unvisited_key["id"]) == ["AG21", "AG31", "AG41"]
    assert d.has_tracks
    assert sorted(d.unpatrolled_grids) == ["G2", "G3", "G4"]
    hours = d.officer_hours.set_index("officer_id")
    assert hours.loc["P1", "hours"] == pytest.approx(1.0, abs=0.05)
    assert hours.loc["P2", "hours"] == 0.0
    assert hours["short"].all()


def test_assessment_by_hand(week) -> None:  # type: ignore[no-untyped-def]
    g = week.assessment.grids.set_index("grid_id")
    assert g.loc["G1", ["addresses", "covered", "received", "closed"]].tolist() == [2, 2, 3, 2]
    assert g.loc["G2", "visit_coverage"] == 0.5
    assert g.loc["G4", "registration_rate"] == 0.5  # one address has no building
    assert g.loc["G1", "patrol_hours"] == pytest.approx(1.0, abs=0.01)
    # grid work: visits 40, registration 30, reports 15 (hazards all 0: no scale, left out)
    assert g.loc["G1", "grid_score"] == pytest.approx(100.0)
    assert g.loc["G2", "grid_score"] == pytest.approx(
        (40 * 50 + 30 * 100 + 15 * 100 / 3) / 85, abs=0.05
    )
    # police work: closure 40, patrol 40 (no closing times: handling left out)
    assert g.loc["G1", "police_score"] == pytest.approx((40 * 200 / 3 + 40 * 100) / 80, abs=0.05)
    assert g.loc["G1", "rank"] == 1
    people = week.assessment.people.set_index("person_id")
    p1 = people.loc["P1"]  # beat B1 = G1 + G2
    assert (p1["addresses"], p1["covered"], p1["received"], p1["closed"]) == (4, 3, 4, 3)
    assert p1["visit_coverage"] == 0.75 and p1["closure_rate"] == 0.75
    assert people.loc["X1", "grids"] == 1  # the auxiliary of grid G4
    head = people.loc["H1"]  # the grid head of G1 answers for G1 alone
    assert (head["role"], head["addresses"], head["received"], head["closed"]) == (
        "grid_head",
        2,
        3,
        2,
    )
    assert head["rank"] == 1  # ranked among grid heads only


def test_next_steps_quote_their_figures(week) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(a.zh for a in week.actions)
    assert "超期未办结事项 1 件" in text
    assert "办结率 66.7%" in text
    assert "地址 3 处未走访" in text
    assert "3 个网格本期无巡逻轨迹" in text
    assert not week.zero_report


def test_scope_selects_grids() -> None:
    d = tiny_district()
    assert resolve_scope(d, kind="community", id="C2").grid_ids == ("G3", "G4")
    assert resolve_scope(d, kind="station", id="S1").grid_ids == ("G1", "G2", "G3", "G4")
    assert resolve_scope(d, kind="street", id="ST1").name == "示例街道"
    brief = make_brief(d, kind="week", at=AT, scope=("community", "C2"), visits=VISITS)
    assert brief.incidents.total == 2  # G4's two; G3's one was the week before
    assert set(brief.incidents.by_grid["grid_id"]) == {"G3", "G4"}


@pytest.mark.parametrize(
    ("scope", "error", "words"),
    [
        (("community", "C9"), NotFoundError, "C9"),
        (("station", None), ConfigError, "id"),
        (("station", "nowhere"), NotFoundError, "派出所"),
    ],
)
def test_bad_scope_is_named(scope, error, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=words):
        make_brief(tiny_district(), kind="week", at=AT, scope=scope)


def test_no_incident_layer_is_refused() -> None:
    with pytest.raises(ConfigError, match="警情"):
        make_brief(replace(tiny_district(), incidents=None), kind="day", at=AT)


def test_a_quiet_period_is_a_zero_report() -> None:
    quiet: District = replace(tiny_district(incidents=False), addresses=None, tracks=None)
    brief = make_brief(quiet, kind="day", at=AT)
    assert brief.zero_report
    assert brief.incidents.total == 0 and brief.actions == ()


def test_a_day_brief_has_no_assessment_and_a_month_brief_has_one() -> None:
    d = tiny_district()
    assert make_brief(d, kind="day", at=AT, visits=VISITS).assessment is None
    month = make_brief(d, kind="month", at=AT, visits=VISITS)
    assert month.assessment is not None
    assert month.incidents.total == 8


def test_events_decide_handling_and_closure_when_given() -> None:
    """Three events of the week 2025-11-10 (UTC times, counted in Beijing days): E1 in G1
    closed in 5 h, E2 in G1 open past its deadline, E3 in G4 received at 2025-11-09 18:00
    UTC = 11-10 02:00 Beijing, closed in 2 h."""
    t = pd.Timestamp
    events = pd.DataFrame(
        {
            "id": ["E1", "E2", "E3"],
            "category": ["矛盾纠纷", "安全隐患", "民生诉求"],
            "grid_id": ["G1", "G1", "G4"],
            "received_at": [t("2025-11-10 01:00", tz="UTC"), t("2025-11-11 01:00", tz="UTC"),
                            t("2025-11-09 18:00", tz="UTC")],
            "responded_at": [t("2025-11-10 02:00", tz="UTC"), pd.NaT,
                             t("2025-11-09 19:00", tz="UTC")],
            "closed_at": [t("2025-11-10 06:00", tz="UTC"), pd.NaT, t("2025-11-09 20:00", tz="UTC")],
            "due_at": [t("2025-11-12 01:00", tz="UTC")] * 2 + [t("2025-11-11 18:00", tz="UTC")],
        }
    )  # fmt: skip
    brief = make_brief(tiny_district(), kind="week", at=AT, visits=VISITS, events=events)
    assert brief.events is not None
    total = brief.events.total
    assert (total["events"], total["closed"], total["overdue"]) == (3, 2, 1)
    assert total["mean_handling_h"] == pytest.approx((5 + 2) / 2)
    assert "办结率 66.7%" in "\n".join(a.zh for a in brief.actions)
    g = brief.assessment.grids.set_index("grid_id")
    assert g.loc["G1", ["received", "closed"]].tolist() == [2, 1]
    assert g.loc["G4", "handling_hours"] == pytest.approx(2.0)
    assert g.loc["G1", "hazards"] == 1  # 安全隐患 is a hidden danger found

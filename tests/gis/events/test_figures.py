"""Closure rate, overdue, response and handling times, zero reports, by area and person."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from gis.errors import ConfigError
from gis.events import event_figures

T = pd.Timestamp


def _events() -> pd.DataFrame:
    """Four March events: G1 one closed in time and one overdue open; G2 closed late, and
    one received in April (outside the period)."""
    return pd.DataFrame(
        {
            "grid_id": ["G1", "G1", "G2", "G2"],
            "community_id": ["C1", "C1", "C1", "C1"],
            "assignees": [["a", "b"], ["a"], ["b"], ["b"]],
            "received_at": [
                T("2025-03-01 08:00"),
                T("2025-03-02"),
                T("2025-03-03"),
                T("2025-04-02"),
            ],
            "responded_at": [T("2025-03-01 10:00"), None, T("2025-03-03 04:00"), None],
            "closed_at": [T("2025-03-02 08:00"), None, T("2025-03-10"), None],
            "due_at": [T("2025-03-04"), T("2025-03-05"), T("2025-03-06"), T("2025-04-05")],
        }
    )


def test_figures_per_grid_and_total() -> None:
    zero = pd.DataFrame(
        {
            "day": [T("2025-03-05"), T("2025-03-06"), T("2025-03-07")],
            "grid_id": ["G3", "G3", "G1"],
            "reporter": ["c", "c", "a"],
        }
    )
    f = event_figures(
        _events(),
        by="grid",
        start=datetime(2025, 3, 1),
        end=datetime(2025, 4, 1),
        zero_reports=zero,
    )
    t = f.table
    assert list(t.index) == ["G1", "G2", "G3"]
    assert t.loc["G1", "events"] == 2 and t.loc["G1", "closed"] == 1
    assert t.loc["G1", "closure_rate"] == 0.5 and t.loc["G1", "overdue"] == 1
    assert t.loc["G1", "mean_response_h"] == 2 and t.loc["G1", "mean_handling_h"] == 24
    assert t.loc["G2", "overdue"] == 1 and t.loc["G2", "closure_rate"] == 1.0
    assert t.loc["G3", "events"] == 0 and t.loc["G3", "zero_reports"] == 2
    assert t["closure_rate"].isna()["G3"]
    assert f.total["events"] == 3 and f.total["closed"] == 2 and f.total["zero_reports"] == 3


def test_person_figures_count_shared_events_for_each_but_once_in_total() -> None:
    f = event_figures(_events(), by="person", start=datetime(2025, 3, 1), end=datetime(2025, 4, 1))
    assert f.table.loc["a", "events"] == 2 and f.table.loc["b", "events"] == 2
    assert f.total["events"] == 3


def test_an_event_closed_after_the_period_is_open_in_it() -> None:
    f = event_figures(
        _events(), by="community", start=datetime(2025, 3, 1), end=datetime(2025, 3, 8)
    )
    assert f.table.loc["C1", "closed"] == 1 and f.table.loc["C1", "overdue"] == 2


@pytest.mark.parametrize(("drop", "words"), [("due_at", "missing columns"), (None, "must end")])
def test_bad_input(drop: str | None, words: str) -> None:
    frame = _events().drop(columns=drop) if drop else _events()
    end = datetime(2025, 4, 1) if drop else datetime(2025, 3, 1)
    with pytest.raises(ConfigError, match=words):
        event_figures(frame, by="grid", start=datetime(2025, 3, 1), end=end)

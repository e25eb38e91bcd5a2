"""Query parameters parsed once: one error shape, non-finite numbers refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from api.params import cursor, parse_bbox, parse_cursor, parse_interval
from gis.errors import ConfigError


@pytest.mark.parametrize(
    "text",
    ["1,2,3", "a,b,c,d", "nan,0,1,1", "0,0,inf,1", "0,0,1e999,1", "2,0,1,1", "", "1,,2,3"],
)
def test_bad_bboxes_name_the_value(text: str) -> None:
    with pytest.raises(ConfigError, match="bbox"):
        parse_bbox(text)


def test_bbox_interval_and_cursor_round_trip() -> None:
    assert parse_bbox(" 1, 2,3,4") == (1.0, 2.0, 3.0, 4.0)
    assert parse_interval("2025-06-01/..").end is None
    assert parse_interval("2025-06-01T10:00:00").instant
    with pytest.raises(ConfigError, match="datetime"):
        parse_interval("yesterday")
    stamp = datetime(2025, 6, 1, 10, 0)
    assert parse_cursor(cursor(stamp, "a,b")) == (stamp, "a,b")
    for bad in ("2025-06-01", "soon,x", "2025-06-01T10:00:00,"):
        with pytest.raises(ConfigError, match="after"):
            parse_cursor(bad)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/incidents", {"bbox": "0,0,1e999,1"}),
        ("/incidents", {"after": "nonsense"}),
        ("/ogc/collections/incidents/items", {"bbox": "0,0,1e999,1"}),
        ("/ogc/collections/incidents/items", {"datetime": "a/b/c"}),
    ],
)
def test_routes_answer_bad_parameters_with_one_422_shape(
    client: TestClient, headers: dict, path: str, params: dict
) -> None:
    r = client.get(path, params=params, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "ConfigError" and r.json()["detail"]


def test_non_finite_coordinates_are_422(client: TestClient, headers: dict) -> None:
    body = '{"layer": "x", "lon": [NaN], "lat": [1.0]}'
    r = client.post(
        "/geocode/batch",
        content=body,
        headers={**headers["admin"], "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "NaN" in r.json()["detail"]  # refused before parsing, naming the bad literal

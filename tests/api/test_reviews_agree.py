"""The service's hotspot and coverage jobs and the library's reviews give the same answer
for the same district (the demo, seeded into a database as ``make demo`` does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.schemas import HotspotRequest
from api.services.coverage import coverage_job
from api.services.hotspots import hotspot_job
from gis.coverage import coverage_review
from gis.district import load_district
from gis.hotspots import hotspot_review
from gis.layers import LayerKind

pytestmark = pytest.mark.slow  # seeds the whole demo district


def _by_id(result: dict[str, Any], key: str) -> pd.DataFrame:
    rows = [f["properties"] for f in result[key]["features"]]
    return pd.DataFrame(rows).set_index("id")


def test_hotspot_classes_agree(demo_dir: Path, demo_session: Session) -> None:
    job = hotspot_job(HotspotRequest(layer="grids"), LayerKind.GRID, Jurisdiction.everywhere())
    result = job(demo_session, lambda _: None).model_dump(mode="json")
    service = _by_id(result, "cells")
    review = hotspot_review(load_district(demo_dir), trends=False)
    library = review.grids.set_index("id")
    assert sorted(service.index) == sorted(library.index)
    service = service.reindex(library.index)
    assert service["count"].tolist() == library["count"].tolist()
    assert service["hotspot_class"].tolist() == library["hotspot_class"].tolist()
    assert service["gi_z"].to_numpy() == pytest.approx(library["gi_z"].to_numpy())
    assert result["period"]["start"] == str(review.period.start)
    assert (library["hotspot_class"] > 0).sum() >= 3  # the planted hot spots, not nothing


def test_patrol_coverage_agrees(demo_dir: Path, demo_session: Session) -> None:
    district = load_district(demo_dir)
    assert district.tracks is not None
    start, end = pd.Timestamp("2025-11-03"), pd.Timestamp("2025-11-10")
    work = coverage_job(
        district.tracks.to_crs(4326), layer="grids", kind=LayerKind.GRID, start=start, end=end,
        within_m=50, policy=Jurisdiction.everywhere(),
    )  # fmt: skip
    service = _by_id(work(demo_session, lambda _: None).model_dump(mode="json"), "grids")
    library = coverage_review(district, start=start, end=end).grids.set_index("id")
    service = service.reindex(library.index)
    for col in ("patrol_minutes", "distance_m", "covered_share"):
        assert service[col].to_numpy() == pytest.approx(library[col].to_numpy(), rel=1e-6)
    assert library["patrol_minutes"].sum() > 0

"""The patrol-coverage job: uploaded GPS fixes × a stored grid layer (``gis.coverage``).

GPS tracks locate officers, so the service does not store them: the fixes of one request
are read, used by the job and dropped; the result holds per-grid figures only.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from api.jobs import Progress, Work
from api.policy import Jurisdiction
from api.store.query import FeatureQuery, read_features
from gis.coverage.patrol import patrol_coverage

OUTPUT = ["id", "patrol_minutes", "distance_m", "covered_share", "visits"]


def coverage_job(
    fixes: gpd.GeoDataFrame,
    *,
    layer: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    within_m: float,
    policy: Jurisdiction,
) -> Work:
    """A job body; only grids and fixes inside ``policy`` take part."""
    fixes = policy.clip(fixes)

    def work(session: Session, progress: Progress) -> dict[str, Any]:
        grids = read_features(session, layer, FeatureQuery(policy=policy)).frame
        progress(0.2)
        result = patrol_coverage(fixes, grids, start=start, end=end, within_m=within_m)
        frame = result.grids
        keep = [c for c in OUTPUT if c in frame.columns]
        out = grids[["id", "geometry"]].merge(frame[keep], on="id", how="left")
        return {
            "layer": layer,
            "within_m": within_m,
            "metric_crs": str(result.crs),
            "grids": json.loads(gpd.GeoDataFrame(out, crs=4326).to_json(na="null", drop_id=True)),
        }

    return work

"""The patrol-coverage job: uploaded GPS fixes × a stored grid layer (``gis.coverage``).

GPS tracks locate officers, so the service does not store them: the fixes of one request
are read, used by the job and dropped; the result holds per-grid figures only.  Only the
grids and fixes inside the reader's jurisdiction take part.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from api.jobs import JobRunner, Progress, Work
from api.policy import Jurisdiction
from api.schemas import CoverageResult, FeatureCollection
from api.services.district import district_from_store, frame_of
from api.store import layers as store
from gis.coverage import coverage_review
from gis.layers import LayerKind

OUTPUT = ["id", "patrol_minutes", "distance_m", "covered_share", "visits"]


def start_coverage(
    session: Session,
    jobs: JobRunner,
    *,
    owner: str,
    fixes: gpd.GeoDataFrame,
    layer: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    within_m: float,
    policy: Jurisdiction,
) -> str:
    """Check the layer exists (404 now) and start the job; its id."""
    kind = LayerKind(store.get_layer(session, layer).kind)
    work = coverage_job(
        policy.clip(fixes), layer=layer, kind=kind, start=start, end=end, within_m=within_m,
        policy=policy,
    )  # fmt: skip
    params = {"layer": layer, "within_m": within_m, "fixes": len(fixes)}
    return jobs.submit(kind="coverage", owner=owner, params=params, work=work)


def coverage_job(
    fixes: gpd.GeoDataFrame,
    *,
    layer: str,
    kind: LayerKind,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    within_m: float,
    policy: Jurisdiction,
) -> Work:
    """A job body: patrol minutes, distance and covered share per area of ``layer``."""

    def work(session: Session, progress: Progress) -> CoverageResult:
        district = district_from_store(session, layers={kind: layer}, policy=policy)
        grids = frame_of(district, kind)
        progress(0.2)
        review = coverage_review(
            replace(district, grids=grids), fixes=fixes, start=start, end=end, within_m=within_m
        )
        frame = review.grids
        keep = [c for c in OUTPUT if c in frame.columns]
        out = grids[["id", "geometry"]].merge(frame[keep], on="id", how="left")
        grids_json = gpd.GeoDataFrame(out, crs=4326).to_json(na="null", drop_id=True)
        return CoverageResult(
            layer=layer,
            within_m=within_m,
            metric_crs=str(review.metric_crs),
            grids=FeatureCollection.model_validate_json(grids_json),
        )

    return work

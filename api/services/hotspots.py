"""The hotspot job: stored incidents × a stored area layer → counts and Gi* (``gis.hotspots``).

Only the areas and incidents inside the reader's jurisdiction take part; both are
filtered by the database (:func:`api.services.district.district_from_store`).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from api.jobs import JobRunner, Progress, Work
from api.localtime import local_stamp
from api.policy import Jurisdiction
from api.schemas import FeatureCollection, HotspotRequest, HotspotResult, Period
from api.services.district import district_from_store, frame_of
from api.store import layers as store
from api.store.incidents import IncidentQuery
from gis.hotspots import hotspot_review
from gis.layers import LayerKind

OUTPUT = ["id", "count", "previous_count", "change", "area_km2", "rate_km2",
          "gi_z", "gi_p", "gi_p_fdr", "hotspot_class"]  # fmt: skip


def start_hotspots(
    session: Session, jobs: JobRunner, *, owner: str, req: HotspotRequest, policy: Jurisdiction
) -> str:
    """Check the area layer exists (404 now) and start the job; its id."""
    kind = LayerKind(store.get_layer(session, req.layer).kind)
    return jobs.submit(
        kind="hotspots",
        owner=owner,
        params=req.model_dump(mode="json"),
        work=hotspot_job(req, kind, policy),
    )


def run_hotspots(
    session: Session,
    *,
    req: HotspotRequest,
    kind: LayerKind,
    policy: Jurisdiction,
    progress: Progress | None = None,
) -> HotspotResult:
    """``gis.hotspots.hotspot_review`` of the areas of ``req.layer`` inside ``policy``.

    The areas (grids, beats, …) are reviewed as the district's grids; ``cells`` of the
    answer holds one row per area (counts, change, rates, Gi* class).
    """
    district = district_from_store(
        session, layers={kind: req.layer}, policy=policy, incidents=IncidentQuery()
    )
    district = replace(district, grids=frame_of(district, kind))
    if progress is not None:
        progress(0.3)
    review = hotspot_review(
        district,
        window=req.window,
        at=local_stamp(req.at),
        start=local_stamp(req.start),
        end=local_stamp(req.end),
        category=req.category,
        permutations=req.permutations,
        trends=False,  # the answer carries the period's classes, not emerging patterns
    )
    areas = review.grids
    areas = areas[[c for c in OUTPUT if c in areas.columns] + ["geometry"]].to_crs(4326)
    period = review.period
    return HotspotResult(
        layer=req.layer,
        window=req.window,
        period=Period(start=str(period.start), end=str(period.end)),
        cells=FeatureCollection.model_validate_json(areas.to_json(na="null", drop_id=True)),
    )


def hotspot_job(req: HotspotRequest, kind: LayerKind, policy: Jurisdiction) -> Work:
    """A job body running :func:`run_hotspots`."""

    def work(session: Session, progress: Progress) -> HotspotResult:
        return run_hotspots(session, req=req, kind=kind, policy=policy, progress=progress)

    return work

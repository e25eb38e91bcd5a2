"""The hotspot job: stored incidents × a stored area layer → counts and Gi* (``gis.hotspots``)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from api.jobs import Progress, Work
from api.policy import Jurisdiction
from api.schemas import HotspotRequest
from api.store.incidents import IncidentQuery, incident_frame
from api.store.query import FeatureQuery, read_features
from gis.hotspots.counts import count_incidents
from gis.hotspots.gistar import gi_star

OUTPUT = ["id", "count", "previous_count", "change", "area_km2", "rate_km2",
          "gi_z", "gi_p", "gi_p_fdr", "hotspot_class"]  # fmt: skip


def hotspot_job(req: HotspotRequest, policy: Jurisdiction) -> Work:
    """A job body; only incidents and areas inside ``policy`` take part."""

    def work(session: Session, progress: Progress) -> dict[str, Any]:
        areas = read_features(session, req.layer, FeatureQuery(policy=policy)).frame
        incidents = incident_frame(session, IncidentQuery(policy=policy))
        progress(0.3)
        counts = count_incidents(
            incidents,
            areas,
            window=req.window,
            at=None if req.at is None else pd.Timestamp(req.at),
            category=req.category,
        )
        progress(0.6)
        cells = gi_star(counts.areas, value="count", permutations=req.permutations).cells
        cells = cells[[c for c in OUTPUT if c in cells.columns] + ["geometry"]].to_crs(4326)
        period = counts.period
        return {
            "layer": req.layer,
            "window": req.window,
            "period": {"start": str(period.start), "end": str(period.end)},
            "cells": json.loads(cells.to_json(na="null", drop_id=True)),
        }

    return work

"""The hotspot job: stored incidents × a stored area layer → counts and Gi* (``gis.hotspots``)."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.jobs import Progress, Work
from api.models import Incident
from api.schemas import HotspotRequest
from api.store.query import FeatureQuery, read_features
from gis.hotspots.counts import count_incidents
from gis.hotspots.gistar import gi_star

MAX_INCIDENTS = 2_000_000
OUTPUT = ["id", "count", "previous_count", "change", "area_km2", "rate_km2",
          "gi_z", "gi_p", "gi_p_fdr", "hotspot_class"]  # fmt: skip


def hotspot_job(req: HotspotRequest, area: BaseGeometry | None) -> Work:
    """A job body; only incidents and areas inside ``area`` take part."""

    def work(session: Session, progress: Progress) -> dict[str, Any]:
        areas = read_features(session, req.layer, FeatureQuery(within=area)).frame
        incidents = _incidents(session, area)
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


def _incidents(session: Session, area: BaseGeometry | None) -> gpd.GeoDataFrame:
    rows = session.execute(
        select(Incident.id, Incident.time, Incident.category, Incident.lon, Incident.lat)
        .order_by(Incident.time)
        .limit(MAX_INCIDENTS)
    ).all()
    frame = gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "time": [r[1] for r in rows],
            "category": [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([r[3] for r in rows], [r[4] for r in rows]),
        crs=4326,
    )
    return frame if area is None else frame[frame.intersects(area)]

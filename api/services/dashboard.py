"""The command centre's dashboard: a period's hot-spot review, its event figures, its layers.

Everything here is computed by ``gis`` (``hotspot_review``, ``kernel_density``,
``count_table``, ``event_figures``) on the stored data inside the reader's jurisdiction;
this module picks the period, reads the frames and keeps the answers.

Cached answers
--------------
A review costs seconds (cells, two spatial-weights matrices, Gi*); the map it draws
changes only when its inputs do.  So each answer is kept under the key

    (what, grid layer id and version, incident data version, period, jurisdiction[, language])

where the incident data version is ``(latest time, last incident audit id)`` of the
stored incidents: an edit of the grids (a new version) or a new batch of incidents changes
the key and the next page load recomputes, an unchanged map is served from memory.  The
language is part of the key only where the answer holds words (the emerging patterns'
labels).  :func:`warm` fills the opening periods when the service starts.  Event
figures (closure rate, overdue) change with every transition and are cheap: never cached.

Only the incidents of the period and the one before it are read (the review runs with
trends off), so the first computation does not grow with the years stored; the cell size,
which ``hotspot_review`` derives from *all* incidents, is read once per data version from
the coordinates alone, so the classes equal those of ``POST /hotspots`` and the CLI.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Principal, list_users, principal
from api.localtime import LOCAL_TZ, local_stamp
from api.models import AuditEntry, Incident
from api.policy import Jurisdiction
from api.services import events as event_service
from api.services.briefs import stored_layers
from api.services.district import district_from_store, frame_of
from api.store import layers as store
from api.store.events import aware
from api.store.incidents import IncidentQuery, incident_frame
from api.store.query import visible_extent
from gis.district import District
from gis.errors import BeatgridError, ConfigError, NotFoundError
from gis.hotspots.cells import derived_size
from gis.hotspots.counts import (
    Period,
    assign_points,
    complete_period,
    count_table,
    period_bounds,
)
from gis.hotspots.kde import kernel_density
from gis.hotspots.review import HotspotReview, hotspot_review
from gis.i18n import Text
from gis.layers import LayerKind

Window = Literal["day", "week", "month"]
Overlay = Literal["kde", "emerging"]
_log = logging.getLogger(__name__)
GRID_COLUMNS = ["id", "count", "previous_count", "change", "change_pct", "rate_km2",
                "gi_z", "gi_p_fdr", "hotspot_class", "hot_share"]  # fmt: skip
TREND_BINS = {"day": 14, "week": 12, "month": 12}
_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}
_KDE_CELLS = 6_000
"""At most this many raster cells drawn for the kernel-density layer."""


@dataclass(frozen=True)
class PeriodChoice:
    """What the reader asked for: a window and a moment in it, or a custom range."""

    window: Window | Literal["custom"] = "week"
    at: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None


class AnswerCache:
    """JSON-ready answers by key, least recently used dropped first; thread-safe.

    Two requests for the same missing key compute it once: the second waits for the first.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._pending: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            with self._lock:
                self.misses += 1
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = AnswerCache()


def warm(sessions: sessionmaker[Session]) -> None:
    """Compute the opening reviews (the last complete week, month and day) of every
    commander, so the first open after a start is served from the cache; best effort."""
    try:
        with sessions() as session:
            commanders = [principal(u) for u in list_users(session) if u.role == "commander"]
            for user in commanders:
                for window in ("week", "month", "day"):
                    review(session, user=user, choice=PeriodChoice(window=window), lang="zh")
    except BeatgridError:
        return  # nothing to review yet (no grids or incidents stored)
    except Exception:  # a background warm-up must never take the service down
        _log.warning("dashboard warm-up failed", exc_info=True)


class Warmer:
    """Keeps the commanders' opening reviews computed: at start, then whenever the grids or
    the incidents change, so the first open after a new batch or a redraw is a cache hit.

    A daemon thread looks every ``every_s`` seconds at two indexed values (the grid layer's
    head version, :func:`data_version`) and runs :func:`warm` when they moved; with
    ``every_s`` 0 it warms once at start only.  Each serving process keeps its own cache,
    so each warms its own.
    """

    def __init__(self, sessions: sessionmaker[Session], *, every_s: float) -> None:
        self.sessions = sessions
        self.every_s = every_s
        self._seen: tuple[Any, ...] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = threading.Event()
        """Set once the first turn has ended (warmed, or failed and logged)."""

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="warm-up", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)  # a review being computed is left to finish alone
            self._thread = None

    def tick(self) -> bool:
        """Warm if the data changed since the last turn; whether it did."""
        state = self._state()
        if state == self._seen:
            return False
        warm(self.sessions)
        self._seen = state
        return True

    def _state(self) -> tuple[Any, ...]:
        with self.sessions() as session:
            try:
                grid: tuple[str, int] | None = _grid_layer(session)
            except ConfigError:
                grid = None
            return grid, data_version(session)

    def _loop(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # a failed turn (e.g. the database restarting) waits
                _log.warning("dashboard warm-up turn failed", exc_info=True)
            self.started.set()
            if self.every_s <= 0 or self._stop.wait(self.every_s):
                return


def data_version(session: Session) -> tuple[str, str, int]:
    """``(database, latest time, last incident audit id)`` of the stored incidents.

    Incidents are only ever added, each batch with an ``incident.create`` audit entry (the
    audit log is append-only), so the last such entry changes with every batch; both parts
    are read from an index, without counting a million rows.  The database is part of it:
    two services in one process (or a database swapped under one) share no answer.
    """
    latest = session.scalar(select(func.max(Incident.time)))
    audited = session.scalar(
        select(func.max(AuditEntry.id)).where(AuditEntry.action.like("incident.%"))
    )
    return str(session.get_bind().engine.url), str(latest), int(audited or 0)


def choose_period(session: Session, choice: PeriodChoice, *, now: datetime | None = None) -> Period:
    """The period asked for; without ``at`` or a range, the last *complete* one of the data."""
    if choice.window == "custom" or choice.start is not None:
        if choice.start is None or choice.end is None:
            raise ConfigError(
                str(Text("自定义时段需要起止日期", "a custom range needs start and end"))
            )
        return period_bounds("custom", start=local_stamp(choice.start), end=local_stamp(choice.end))
    if choice.at is not None:
        return period_bounds(choice.window, at=local_stamp(choice.at))
    latest = session.scalar(select(func.max(Incident.time)))
    if latest is None:
        raise ConfigError(str(Text("尚无警情数据", "no incident is stored yet")))
    today = pd.Timestamp(now) if now is not None else pd.Timestamp.now(LOCAL_TZ).tz_localize(None)
    return complete_period(choice.window, latest=latest, now=today)


def review(session: Session, *, user: Principal, choice: PeriodChoice, lang: str) -> dict[str, Any]:
    """The dashboard: the period, the incident counts against the previous period, the
    grids with their Gi* classes (GeoJSON), and the events' closure rate and overdue."""
    period = choose_period(session, choice)
    policy = Jurisdiction.of(user)
    grid = _grid_layer(session)
    key = ("review", grid, data_version(session), _period_key(period), _area(policy))
    answer = CACHE.get(key, lambda: _review_answer(session, policy, grid, period))
    return {**answer, "events": _event_figures(session, user, period)}


def overlay(
    session: Session, *, user: Principal, name: Overlay, choice: PeriodChoice, lang: str
) -> dict[str, Any]:
    """A switchable layer of the period: kernel density or emerging hot spots (GeoJSON)."""
    period = choose_period(session, choice)
    policy = Jurisdiction.of(user)
    grid = _grid_layer(session)
    key = (name, grid, data_version(session), _period_key(period), _area(policy), lang)
    if name == "kde":
        return CACHE.get(key, lambda: _kde_answer(session, policy, grid, period))
    return CACHE.get(key, lambda: _emerging_answer(session, policy, grid, period, lang))


def grid_detail(
    session: Session, *, user: Principal, grid_id: str, choice: PeriodChoice
) -> dict[str, Any]:
    """One grid of the period: its counts by category (now and before), the trend over the
    last bins and its events (category, state, times; no person, no location)."""
    period = choose_period(session, choice)
    policy = Jurisdiction.of(user)
    grid = _grid_layer(session)
    grids = _district(session, policy, grid, start=None, end=None, incidents=False).grids
    assert grids is not None
    if grid_id not in set(grids["id"].astype(str)):
        raise NotFoundError(f"grid {grid_id!r} does not exist / 网格不存在")
    window = period.window if period.window != "custom" else "day"
    first = (
        pd.Timestamp(period.end)
        - pd.tseries.frequencies.to_offset(_FREQ[window]) * TREND_BINS[window]
    )
    first = min(first, period.previous_start)
    incidents = _incidents_of(session, policy, grids, grid_id, start=first, end=period.end)
    return {
        "id": grid_id,
        "period": _period_json(period),
        "categories": _by_category(incidents, period),
        "trend": _trend(incidents, window=window, first=first, end=period.end),
        "events": _grid_events(session, user, grid_id, period),
    }


def _incidents_of(
    session: Session,
    policy: Jurisdiction,
    grids: gpd.GeoDataFrame,
    grid_id: str,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> gpd.GeoDataFrame:
    """The incidents of ``[start, end)`` lying in the grid's current geometry, located by the
    rule the review counts with (:func:`gis.hotspots.counts.assign_points`), not by the
    grid id stored when each was recorded (grids are redrawn)."""
    x0, y0, x1, y1 = (float(v) for v in grids[grids["id"].astype(str) == grid_id].total_bounds)
    query = IncidentQuery(bbox=(x0, y0, x1, y1), start=start, end=end, policy=policy)
    found = incident_frame(session, query)
    return found[(assign_points(found, grids) == grid_id).to_numpy()]


def _grid_layer(session: Session) -> tuple[str, int]:
    layers = stored_layers(session)
    if LayerKind.GRID not in layers:
        raise ConfigError(str(Text("尚未上传网格图层", "no grid layer is stored")))
    layer_id = layers[LayerKind.GRID]
    return layer_id, store.get_layer(session, layer_id).head_version


def _district(
    session: Session,
    policy: Jurisdiction,
    grid: tuple[str, int],
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    incidents: bool = True,
) -> District:
    query = IncidentQuery(start=start, end=end) if incidents else None
    district = district_from_store(
        session, layers={LayerKind.GRID: grid[0]}, policy=policy, incidents=query
    )
    return replace(district, grids=frame_of(district, LayerKind.GRID))


def _review_answer(
    session: Session, policy: Jurisdiction, grid: tuple[str, int], period: Period
) -> dict[str, Any]:
    found = _period_review(session, policy, grid, period)
    grids = found.grids
    out = grids[[c for c in GRID_COLUMNS if c in grids.columns] + ["geometry"]].to_crs(4326)
    return {
        "period": _period_json(period),
        "count": int(grids["count"].sum()),
        "previous_count": int(grids["previous_count"].sum()),
        "hot_grids": int((grids["hotspot_class"] > 0).sum()),
        "cell_size_m": round(found.cell_size_m, 1),
        "grids": json.loads(out.to_json(na="null", drop_id=True)),
    }


def _period_review(
    session: Session, policy: Jurisdiction, grid: tuple[str, int], period: Period
) -> HotspotReview:
    """``hotspot_review`` of the period on the incidents of it and the one before (trends
    off), with the cell size of all the incidents (cached per data version)."""
    district = _district(session, policy, grid, start=period.previous_start, end=period.end)
    if district.incidents is None or district.incidents.empty:
        raise ConfigError(str(Text("该时段没有警情", "no incident in this period")))
    size = CACHE.get(
        ("cell_size", grid, data_version(session), _area(policy)),
        lambda: _cell_size(session, policy, district),
    )
    window = period.window
    if window == "custom":
        return hotspot_review(
            district, start=period.start, end=period.end, size_m=size, trends=False
        )
    return hotspot_review(district, window=window, at=period.start, size_m=size, trends=False)


def _cell_size(session: Session, policy: Jurisdiction, district: District) -> float:
    """The cell size ``hotspot_review`` derives from every stored incident inside
    ``policy`` (:func:`gis.hotspots.cells.derived_size`), read as coordinates only."""
    assert district.grids is not None
    xy = _all_xy(session, policy)
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)
    return derived_size(district.grids, points)


def _all_xy(session: Session, policy: Jurisdiction) -> np.ndarray:
    stmt = select(Incident.lon, Incident.lat)
    bounds = policy.bounds(None)
    if policy.nowhere:
        return np.empty((0, 2))
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        stmt = stmt.where(Incident.lon.between(minx, maxx), Incident.lat.between(miny, maxy))
    flat = itertools.chain.from_iterable(session.execute(stmt))  # no Row per point kept
    xy = np.fromiter(flat, dtype=float).reshape(-1, 2)
    if not policy.unrestricted:
        xy = xy[policy.mask(xy[:, 0], xy[:, 1])]
    return xy


def _kde_answer(
    session: Session, policy: Jurisdiction, grid: tuple[str, int], period: Period
) -> dict[str, Any]:
    """Kernel density of the period's incidents over the grid layer's box: a stray
    incident on another continent does not stretch the surface across the globe."""
    extent = visible_extent(session, grid[0], version=grid[1], policy=None)
    query = IncidentQuery(bbox=extent, start=period.start, end=period.end, policy=policy)
    points = incident_frame(session, query)
    if len(points) < 2:
        return {"period": _period_json(period), "max": 0, "cells": _empty()}
    surface = kernel_density(points)
    peak = float(surface.density.max())
    if surface.density.size > _KDE_CELLS:  # coarser squares for the browser, same bandwidth
        factor = float(np.ceil(np.sqrt(surface.density.size / _KDE_CELLS)))
        surface = kernel_density(
            points, bandwidth_m=surface.bandwidth_m, cell_m=surface.cell_m * factor
        )
    cells = surface.to_cells(min_density=0.15 * peak).to_crs(4326)
    cells["density"] = cells["density"].round(1)
    return {
        "period": _period_json(period),
        "max": round(peak, 1),
        "bandwidth_m": round(surface.bandwidth_m, 1),
        "cells": json.loads(cells.to_json(drop_id=True)),
    }


def _emerging_answer(
    session: Session, policy: Jurisdiction, grid: tuple[str, int], period: Period, lang: str
) -> dict[str, Any]:
    """Emerging hot spots of the history up to the period's end (monthly bins): the cells
    with a pattern, labelled in ``lang``."""
    district = _district(session, policy, grid, start=None, end=period.end)
    if district.incidents is None or district.incidents.empty:
        raise ConfigError(str(Text("该时段没有警情", "no incident in this period")))
    size = CACHE.get(
        ("cell_size", grid, data_version(session), _area(policy)),
        lambda: _cell_size(session, policy, district),
    )
    window = "month" if period.window == "custom" else period.window
    found = hotspot_review(district, window=window, at=period.start, size_m=size, bins="month")
    assert found.emerging is not None
    cells = found.emerging
    cells = cells[cells["pattern"] != "none"]
    label = "label_zh" if lang == "zh" else "label_en"
    out = cells[["id", "pattern", label, "geometry"]].rename(columns={label: "label"})
    return {
        "period": _period_json(period),
        "cells": json.loads(out.to_crs(4326).to_json(drop_id=True)),
    }


def _event_figures(session: Session, user: Principal, period: Period) -> dict[str, Any]:
    """Closure rate (办结率), overdue and events of the period and the previous one."""

    def total(start: pd.Timestamp, end: pd.Timestamp) -> dict[str, Any]:
        found = event_service.figures(
            session, user=user, by="grid", start=_utc(start), end=_utc(end)
        ).total
        rate = found["closure_rate"]
        return {
            "events": int(found["events"]),
            "closed": int(found["closed"]),
            "closure_rate": None if pd.isna(rate) else round(float(rate), 4),
            "overdue": int(found["overdue"]),
        }

    return {
        "now": total(period.start, period.end),
        "before": total(period.previous_start, period.start),
    }


def _grid_events(
    session: Session, user: Principal, grid_id: str, period: Period
) -> list[dict[str, Any]]:
    _, rows = event_service.page_events(
        session, user=user, start=_utc(period.start), end=_utc(period.end), grid_id=grid_id,
        limit=100,
    )  # fmt: skip
    return [
        {"id": r.id, "category": r.category, "state": r.state,
         "received_at": _local(r.received_at), "due_at": _local(r.due_at)}
        for r in rows
    ]  # fmt: skip


def _by_category(incidents: gpd.GeoDataFrame, period: Period) -> list[dict[str, Any]]:
    table = count_table(incidents.assign(area="g"), area_col="area", freq="D")
    days = pd.to_datetime(table["period"])
    now = table[(days >= period.start) & (days < period.end)]
    before = table[(days >= period.previous_start) & (days < period.start)]
    both = pd.DataFrame(
        {
            "count": now.groupby("category")["count"].sum(),
            "previous_count": before.groupby("category")["count"].sum(),
        }
    )
    both = both.fillna(0).astype(int)
    both = both.sort_values("count", ascending=False)
    return [
        {"category": str(k), **{str(c): int(v) for c, v in r.items()}} for k, r in both.iterrows()
    ]


def _trend(
    incidents: gpd.GeoDataFrame, *, window: Window, first: pd.Timestamp, end: pd.Timestamp
) -> list[dict[str, Any]]:
    table = count_table(incidents.assign(area="g"), area_col="area", freq=window, by_category=False)
    counts = table.set_index(pd.to_datetime(table["period"]))["count"]
    starts = pd.date_range(
        start=period_bounds(window, at=first).start, end=end, freq=_FREQ[window], inclusive="left"
    )
    return [{"start": s.strftime("%Y-%m-%d"), "count": int(counts.get(s, 0))} for s in starts]


def _period_json(period: Period) -> dict[str, str]:
    return {
        "window": period.window,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "previous_start": period.previous_start.isoformat(),
    }


def _period_key(period: Period) -> tuple[str, str, str]:
    return period.window, period.start.isoformat(), period.end.isoformat()


def _area(policy: Jurisdiction) -> str:
    return "all" if policy.area is None else hashlib.sha1(policy.area.wkb).hexdigest()


def _utc(local: pd.Timestamp) -> datetime:
    return pd.Timestamp(local).tz_localize(LOCAL_TZ).tz_convert("UTC").to_pydatetime()


def _local(moment: datetime | None) -> str | None:
    return None if moment is None else local_stamp(aware(moment)).isoformat(timespec="minutes")


def _empty() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": []}

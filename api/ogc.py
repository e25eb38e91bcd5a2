"""OGC API - Features (Part 1: Core, GeoJSON, OpenAPI 3.0) over the stored layers.

Every layer is a collection (its newest version; ``datetime`` picks the version that was
current then), and ``incidents`` is one too (``datetime`` filters incident times).  QGIS
and GDAL's OAPIF driver open ``/ogc``; send the bearer token as an HTTP header.  Personal
fields never appear (``api.privacy``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from api import geojson
from api.deps import CurrentUserDep, SessionDep
from api.models import Feature, Incident
from api.params import BBox, BBoxDep, DatetimeDep, Interval
from api.policy import Jurisdiction, JurisdictionDep
from api.privacy import public_frame
from api.store import layers as store
from api.store.incidents import IncidentQuery, get_incident, query_incidents
from api.store.query import FeatureQuery, read_features
from gis.errors import NotFoundError

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
GEOJSON = "application/geo+json"
INCIDENTS = "incidents"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
FormatQuery = Annotated[str | None, Query(alias="f", pattern="^(json|geojson)$")]


def _url(request: Request, name: str, **params: str) -> str:
    return str(request.url_for(name, **params))


@router.get("", name="ogc_landing")
@router.get("/", include_in_schema=False)
def landing(request: Request, user: CurrentUserDep, f: FormatQuery = None) -> dict[str, Any]:
    """The landing page: links to the API definition, conformance and collections."""
    return {
        "title": "beatgrid 警网融合",
        "description": "Police-grid layers with history (OGC API - Features)",
        "links": [
            {"href": _url(request, "ogc_landing"), "rel": "self", "type": "application/json"},
            {
                "href": str(request.url_for("openapi")),
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
            },
            {"href": _url(request, "ogc_conformance"), "rel": "conformance"},
            {"href": _url(request, "ogc_collections"), "rel": "data"},
        ],
    }


@router.get("/conformance", name="ogc_conformance")
def conformance(user: CurrentUserDep, f: FormatQuery = None) -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


@router.get("/collections", name="ogc_collections")
def collections(
    request: Request, session: SessionDep, user: CurrentUserDep, f: FormatQuery = None
) -> dict[str, Any]:
    ids = [layer.id for layer in store.list_layers(session)] + [INCIDENTS]
    return {
        "links": [{"href": _url(request, "ogc_collections"), "rel": "self"}],
        "collections": [_collection(request, session, i) for i in ids],
    }


@router.get("/collections/{collection_id}", name="ogc_collection")
def collection(
    collection_id: str,
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    f: FormatQuery = None,
) -> dict[str, Any]:
    return _collection(request, session, collection_id)


def _collection(request: Request, session: SessionDep, collection_id: str) -> dict[str, Any]:
    if collection_id == INCIDENTS:
        title, extent = "警情 / incidents", [-180.0, -90.0, 180.0, 90.0]
    else:
        layer = store.get_layer(session, collection_id)
        title, extent = layer.title, _extent(session, layer.id)
    items = _url(request, "ogc_items", collection_id=collection_id)
    return {
        "id": collection_id,
        "title": title,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            {"href": _url(request, "ogc_collection", collection_id=collection_id), "rel": "self"},
            {"href": items, "rel": "items", "type": GEOJSON},
        ],
    }


def _extent(session: SessionDep, layer_id: str) -> list[float]:
    row = session.execute(
        select(
            func.min(Feature.minx),
            func.min(Feature.miny),
            func.max(Feature.maxx),
            func.max(Feature.maxy),
        ).where(Feature.layer_id == layer_id, Feature.version_to.is_(None))
    ).one()
    return [-180.0, -90.0, 180.0, 90.0] if row[0] is None else [float(v) for v in row]


@router.get("/collections/{collection_id}/items", name="ogc_items")
def items(
    collection_id: str,
    request: Request,
    session: SessionDep,
    policy: JurisdictionDep,
    box: BBoxDep,
    interval: DatetimeDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    f: FormatQuery = None,
) -> JSONResponse:
    """Features of a collection in your jurisdiction, a page at a time (``next`` links)."""
    if collection_id == INCIDENTS:
        frame, matched = _incident_page(session, box, interval, policy, limit, offset)
    else:
        frame, matched = _layer_page(
            session, collection_id, box, interval.end, policy, limit, offset
        )
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if offset + len(frame) < matched:
        nxt = request.url.include_query_params(offset=offset + limit, limit=limit)
        links.append({"href": str(nxt), "rel": "next", "type": GEOJSON})
    body = geojson.feature_collection(
        frame,
        numberMatched=matched,
        numberReturned=len(frame),
        timeStamp=datetime.now(UTC).isoformat(),
        links=links,
    )
    return JSONResponse(body, media_type=GEOJSON)


@router.get("/collections/{collection_id}/items/{fid}", name="ogc_item")
def item(
    collection_id: str,
    fid: str,
    session: SessionDep,
    policy: JurisdictionDep,
    f: FormatQuery = None,
) -> JSONResponse:
    if collection_id == INCIDENTS:
        row = get_incident(session, fid, policy=policy)
        one = geojson.one_feature(_incident_frame([row]))
        return JSONResponse(one, media_type=GEOJSON)
    layer = store.get_layer(session, collection_id)
    page = read_features(session, collection_id, FeatureQuery(fids=(fid,), policy=policy))
    if page.frame.empty:  # also when it exists outside your jurisdiction
        raise NotFoundError(f"collection {collection_id!r} has no feature {fid!r}")
    body = geojson.one_feature(public_frame(page.frame, kind=layer.kind))
    return JSONResponse(body, media_type=GEOJSON)


def _layer_page(
    session: SessionDep,
    layer_id: str,
    box: BBox | None,
    at: datetime | None,
    policy: Jurisdiction,
    limit: int,
    offset: int,
) -> tuple[gpd.GeoDataFrame, int]:
    layer = store.get_layer(session, layer_id)
    version = None if at is None else store.version_at_time(session, layer_id, at)
    if at is not None and version is None:
        return gpd.GeoDataFrame({"id": []}, geometry=[], crs=4326), 0
    query = FeatureQuery(version=version, bbox=box, policy=policy, limit=limit, offset=offset)
    page = read_features(session, layer_id, query)
    return public_frame(page.frame, kind=layer.kind), page.number_matched


def _incident_page(
    session: SessionDep,
    box: BBox | None,
    interval: Interval,
    policy: Jurisdiction,
    limit: int,
    offset: int,
) -> tuple[gpd.GeoDataFrame, int]:
    start, end = interval.start, interval.end
    if interval.instant and start is not None:  # an instant: incidents at that second
        end = start + timedelta(seconds=1)
    query = IncidentQuery(bbox=box, start=start, end=end, policy=policy, limit=limit, offset=offset)
    page = query_incidents(session, query)
    return _incident_frame(page.rows), page.number_matched


def _incident_frame(rows: Sequence[Incident]) -> gpd.GeoDataFrame:
    """Incidents as public features: no address, no persons (``public_frame`` drops them)."""
    frame = gpd.GeoDataFrame(
        {
            "id": [r.id for r in rows],
            "time": [r.time.isoformat() for r in rows],
            "category": [r.category for r in rows],
            "status": [r.status for r in rows],
            "grid_id": [r.grid_id for r in rows],
        },
        geometry=gpd.points_from_xy([r.lon for r in rows], [r.lat for r in rows]),
        crs=4326,
    )
    return public_frame(frame, kind="incident")

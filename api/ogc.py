"""OGC API - Features (Part 1: Core, GeoJSON, OpenAPI 3.0) over the stored layers.

Every layer is a collection (its newest version; ``datetime`` picks the version that was
current then), and ``incidents`` is one too (``datetime`` filters incident times).  QGIS
and GDAL's OAPIF driver open ``/ogc``; send the bearer token as an HTTP header.  Personal
fields never appear (``api.privacy``).

Paging is by keyset: a ``next`` link carries ``after=<the page's last id>`` (for
incidents ``<time>,<id>``), so every page costs what the first does, and ``limit`` goes up
to :data:`MAX_LIMIT` (declared in the API definition, which QGIS reads to choose its page
size).  ``numberMatched`` is counted on the first page only (it is optional in the
standard and costs a pass over the collection).  A collection's extent is that of the
data the reader may see, within the reader's jurisdiction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import geopandas as gpd
import shapely
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api import geojson
from api.deps import CurrentUserDep, SessionDep
from api.models import Incident, Layer
from api.params import BBox, BBoxDep, DatetimeDep, Interval, cursor, parse_cursor
from api.policy import Jurisdiction, JurisdictionDep
from api.privacy import is_personal, public_frame
from api.store import layers as store
from api.store.incidents import (
    IncidentQuery,
    get_incident,
    incident_extent,
    incident_map_rows,
)
from api.store.query import (
    FeatureQuery,
    count_features,
    feature_rows,
    read_features,
    visible_extent,
)
from gis.errors import NotFoundError

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
GEOJSON = "application/geo+json"
INCIDENTS = "incidents"
MAX_LIMIT = 10_000
"""The largest page (declared in the API definition as ``components/parameters/limit``)."""
DEFAULT_LIMIT = 1_000
"""A page without ``limit``.  QGIS reads both from ``components/parameters/limit`` of the
API definition (and nowhere else) and asks for pages of max(1000, default) up to the
maximum; without them it pages by 100 (60 k addresses: 600 requests).  Past that, QGIS 3.22
spends its own time: it files every feature in a local SQLite cache (three statements each,
about 0.4 ms a feature here), several times what a page costs the server, whatever the page
size."""
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
FormatQuery = Annotated[str | None, Query(alias="f", pattern="^(json|geojson)$")]


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None


class Landing(BaseModel):
    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str]


class SpatialExtent(BaseModel):
    bbox: list[list[float]] = Field(description="[minx, miny, maxx, maxy] in CRS84")
    crs: str = CRS84


class Extent(BaseModel):
    spatial: SpatialExtent


class Collection(BaseModel):
    """A collection; ``extent`` is left out when the reader sees none of its data."""

    id: str
    title: str
    itemType: str = "feature"
    crs: list[str] = Field(default_factory=lambda: [CRS84])
    extent: Extent | None = None
    links: list[Link]


class Collections(BaseModel):
    links: list[Link]
    collections: list[Collection]


def install(app: FastAPI) -> None:
    """Declare ``limit`` of the items paths once, as ``components/parameters/limit`` of the
    API definition, where OGC's own OpenAPI fragments put it and QGIS looks for it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        limit = {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": f"features per page (at most {MAX_LIMIT})",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                       "default": DEFAULT_LIMIT},
        }  # fmt: skip
        schema.setdefault("components", {}).setdefault("parameters", {})["limit"] = limit
        for path, operations in schema.get("paths", {}).items():
            get = operations.get("get", {})
            if path.startswith(router.prefix) and path.endswith("/items"):
                get["parameters"] = [
                    {"$ref": "#/components/parameters/limit"} if p.get("name") == "limit" else p
                    for p in get.get("parameters", [])
                ]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _url(request: Request, name: str, **params: str) -> str:
    return str(request.url_for(name, **params))


@router.get("", name="ogc_landing", response_model=Landing, response_model_exclude_none=True)
@router.get("/", include_in_schema=False, response_model_exclude_none=True)
def landing(request: Request, user: CurrentUserDep, f: FormatQuery = None) -> Landing:
    """The landing page: links to the API definition, conformance and collections."""
    return Landing(
        title="beatgrid 警网融合",
        description="Police-grid layers with history (OGC API - Features)",
        links=[
            Link(href=_url(request, "ogc_landing"), rel="self", type="application/json"),
            Link(
                href=str(request.url_for("openapi")),
                rel="service-desc",
                type="application/vnd.oai.openapi+json;version=3.0",
            ),
            Link(href=_url(request, "ogc_conformance"), rel="conformance"),
            Link(href=_url(request, "ogc_collections"), rel="data"),
        ],
    )


@router.get("/conformance", name="ogc_conformance", response_model=Conformance)
def conformance(user: CurrentUserDep, f: FormatQuery = None) -> Conformance:
    return Conformance(conformsTo=CONFORMANCE)


@router.get(
    "/collections",
    name="ogc_collections",
    response_model=Collections,
    response_model_exclude_none=True,
)
def collections(
    request: Request, session: SessionDep, policy: JurisdictionDep, f: FormatQuery = None
) -> Collections:
    ids = [layer.id for layer in store.list_layers(session)] + [INCIDENTS]
    return Collections(
        links=[Link(href=_url(request, "ogc_collections"), rel="self")],
        collections=[_collection(request, session, i, policy) for i in ids],
    )


@router.get(
    "/collections/{collection_id}",
    name="ogc_collection",
    response_model=Collection,
    response_model_exclude_none=True,
)
def collection(
    collection_id: str,
    request: Request,
    session: SessionDep,
    policy: JurisdictionDep,
    f: FormatQuery = None,
) -> Collection:
    return _collection(request, session, collection_id, policy)


def _collection(
    request: Request, session: SessionDep, collection_id: str, policy: Jurisdiction
) -> Collection:
    if collection_id == INCIDENTS:
        title, extent = "警情 / incidents", incident_extent(session, _restricted(policy))
    else:
        layer = store.get_layer(session, collection_id)
        title, extent = layer.title, _layer_extent(session, layer, policy)
    extent = _within(extent, policy)
    items = _url(request, "ogc_items", collection_id=collection_id)
    return Collection(
        id=collection_id,
        title=title,
        extent=None if extent is None else Extent(spatial=SpatialExtent(bbox=[list(extent)])),
        links=[
            Link(href=_url(request, "ogc_collection", collection_id=collection_id), rel="self"),
            Link(href=items, rel="items", type=GEOJSON),
        ],
    )


def _restricted(policy: Jurisdiction) -> Jurisdiction | None:
    return None if policy.unrestricted else policy


def _within(extent: BBox | None, policy: Jurisdiction) -> BBox | None:
    """The data's extent cut to the reader's jurisdiction: a feature reaching out of it
    must not widen the box into the neighbours' ground."""
    if extent is None or policy.area is None:
        return extent
    if policy.nowhere:
        return None
    x0, y0, x1, y1 = policy.area.bounds
    cut = (max(extent[0], x0), max(extent[1], y0), min(extent[2], x1), min(extent[3], y1))
    return cut if cut[0] <= cut[2] and cut[1] <= cut[3] else None


_PER_VERSION: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_PER_VERSION_LOCK = threading.Lock()


def _per_version(
    session: SessionDep,
    layer: Layer,
    version: int,
    policy: Jurisdiction,
    what: tuple[Any, ...],
    compute: Callable[[], Any],
) -> Any:
    """``compute()`` once per layer version, reader's jurisdiction and ``what`` (cached: a
    version never changes, and a jurisdiction is keyed by its shape).  QGIS asks for a
    collection's first page twice and each first page carries ``numberMatched``."""
    area = None if policy.area is None else shapely.to_wkb(policy.area)
    key = (id(session.get_bind()), layer.id, version, str(layer.created_at), area, *what)
    with _PER_VERSION_LOCK:
        if key in _PER_VERSION:
            _PER_VERSION.move_to_end(key)
            return _PER_VERSION[key]
    found = compute()
    with _PER_VERSION_LOCK:
        _PER_VERSION[key] = found
        while len(_PER_VERSION) > 512:
            _PER_VERSION.popitem(last=False)
    return found


def _layer_extent(session: SessionDep, layer: Layer, policy: Jurisdiction) -> BBox | None:
    """The extent of what the reader sees of the layer's newest version."""
    version = layer.head_version
    return _per_version(
        session, layer, version, policy, ("extent",),
        lambda: visible_extent(session, layer.id, version=version, policy=_restricted(policy)),
    )  # fmt: skip


@router.get(
    "/collections/{collection_id}/items",
    name="ogc_items",
    response_class=JSONResponse,
    responses={200: {"content": {GEOJSON: {}}, "description": "a GeoJSON FeatureCollection"}},
)
def items(
    collection_id: str,
    request: Request,
    session: SessionDep,
    policy: JurisdictionDep,
    box: BBoxDep,
    interval: DatetimeDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    after: Annotated[
        str | None,
        Query(max_length=400, description="keyset cursor: the ``next`` link sets it"),
    ] = None,
    f: FormatQuery = None,
) -> Response:
    """Features of a collection in your jurisdiction, a page at a time (``next`` links)."""
    if collection_id == INCIDENTS:
        body, last, returned, matched = _incident_page(
            session, box, interval, policy, limit, offset, after
        )
    else:
        body, last, returned, matched = _layer_page(
            session, collection_id, box, interval.end, policy, limit, offset, after
        )
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if returned == limit and last is not None:
        nxt = request.url.remove_query_params("offset").include_query_params(
            after=last, limit=limit
        )
        links.append({"href": str(nxt), "rel": "next", "type": GEOJSON})
    members: dict[str, object] = {"numberReturned": returned}
    if matched is not None:
        members["numberMatched"] = matched
    members["timeStamp"] = datetime.now(UTC).isoformat()
    members["links"] = links
    return Response(body(members), media_type=GEOJSON)


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
    after: str | None,
) -> tuple[Callable[[dict[str, object]], bytes], str | None, int, int | None]:
    """The page's writer, its last id, how many it holds, how many match (first page)."""
    layer = store.get_layer(session, layer_id)
    version = layer.head_version if at is None else store.version_at_time(session, layer_id, at)
    if version is None:
        return (lambda m: geojson.feature_collection_bytes([], [], [], **m)), None, 0, 0
    where = {"version": version, "bbox": box, "policy": _restricted(policy)}
    rows = feature_rows(session, layer_id, after=after, limit=limit, offset=offset, **where)  # type: ignore[arg-type]
    matched = None
    if after is None:
        matched = _per_version(
            session, layer, version, policy, ("count", box),
            lambda: count_features(session, layer_id, **where),  # type: ignore[arg-type]
        )  # fmt: skip

    def write(members: dict[str, object]) -> bytes:
        return geojson.feature_collection_bytes(
            rows.fids, rows.props, rows.geoms,
            drop=lambda k: is_personal(k, kind=layer.kind), **members,
        )  # fmt: skip

    return write, (rows.fids[-1] if rows.fids else None), len(rows.fids), matched


def _incident_page(
    session: SessionDep,
    box: BBox | None,
    interval: Interval,
    policy: Jurisdiction,
    limit: int,
    offset: int,
    after: str | None,
) -> tuple[Callable[[dict[str, object]], bytes], str | None, int, int | None]:
    start, end = interval.start, interval.end
    if interval.instant and start is not None:  # an instant: incidents at that second
        end = start + timedelta(seconds=1)
    query = IncidentQuery(bbox=box, start=start, end=end, policy=policy, limit=limit,
                          offset=offset, after=parse_cursor(after),
                          count=after is None)  # fmt: skip
    rows, matched = incident_map_rows(session, query)
    fids = [r.id for r in rows]
    props = [
        {"time": r.time.isoformat(), "category": r.category, "status": r.status,
         "grid_id": r.grid_id}
        for r in rows
    ]  # fmt: skip
    geoms = list(shapely.points([r.lon for r in rows], [r.lat for r in rows])) if rows else []
    last = cursor(rows[-1].time, rows[-1].id) if rows else None

    def write(members: dict[str, object]) -> bytes:
        return geojson.feature_collection_bytes(
            fids, props, geoms, drop=lambda k: is_personal(k, kind="incident"), **members
        )

    return write, last, len(rows), (matched if after is None else None)


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

"""Bad and oversized inputs made from real data (``../shared/data``), for the hardening
tests and the bad-input corpus.  Every builder returns ``(file name, bytes)``."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from tests.conftest import SHARED_DATA

NANJING = SHARED_DATA / "china" / "districts_amap_wgs84.geojson"


def nanjing_streets() -> gpd.GeoDataFrame:
    """Nanjing's districts (Amap, WGS84) as a canonical street layer: id, name (Chinese)."""
    raw = gpd.read_file(NANJING)
    rows = raw[raw["city_name"] == "南京市"].reset_index(drop=True)
    return gpd.GeoDataFrame(
        {"id": rows["district_adcode"].astype(str), "name": rows["district_name"]},
        geometry=rows.geometry,
        crs=4326,
    )


def feature_collection(*geometries: dict[str, Any], props: dict[str, Any] | None = None) -> bytes:
    features = [
        {"type": "Feature", "properties": {"id": f"S{i}", **(props or {})}, "geometry": g}
        for i, g in enumerate(geometries, start=1)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def ring(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


SQUARE = ((118.70, 32.00), (118.71, 32.00), (118.71, 32.01), (118.70, 32.01), (118.70, 32.00))


def shapefile_zip(
    gdf: gpd.GeoDataFrame, *, encoding: str = "UTF-8", keep_cpg: bool = True
) -> bytes:
    """``gdf`` as a zipped shapefile written in ``encoding`` (the .cpg left out on request)."""
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "layer.shp"
        pyogrio.write_dataframe(gdf, shp, encoding=encoding)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                if part.suffix == ".cpg" and not keep_cpg:
                    continue
                zf.write(part, part.name)
    return buffer.getvalue()


def zip_bomb(*, member: str = "layer.dbf", megabytes: int = 1024) -> bytes:
    """A small zip whose one member inflates to ``megabytes`` of zeros (streamed, so building
    it needs no memory)."""
    buffer = io.BytesIO()
    block = bytes(2**20)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open(member, "w", force_zip64=True) as out,
    ):
        for _ in range(megabytes):
            out.write(block)
    return buffer.getvalue()


def many_members(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"m{i}.txt", b"")
    return buffer.getvalue()


def dense_polygon(vertices: int, *, centre: tuple[float, float] = (118.705, 32.005)) -> Any:
    """A circle of ``vertices`` vertices, 800 m across, in the test district."""
    angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = np.c_[centre[0] + 0.004 * np.cos(angle), centre[1] + 0.004 * np.sin(angle)]
    return shapely.Polygon(ring)

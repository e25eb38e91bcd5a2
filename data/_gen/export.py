"""Write the demo district: CGCS2000 files with canonical columns, and a GCJ-02 copy
with Chinese column names (one layer as a GBK-encoded shapefile).

Writing is deterministic: fixed column order, rows sorted by id, coordinates rounded to
1e-8° (about 1 mm), fixed float format in CSVs, no timestamps in any file.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from data._gen.frame import GEO_CRS, to_geo, to_geo_xy
from gis.crs import convert_geometries, wgs84_to_gcj02
from gis.io.write import TableEncoding, write_table

LAYER_FILES = {
    "street": "streets.geojson",
    "community": "communities.geojson",
    "grid": "grids.geojson",
    "joint_point": "joint_points.geojson",
    "station": "stations.geojson",
    "beat": "beats.geojson",
    "aux_beat": "aux_beats.geojson",
    "building": "buildings.geojson",
    "address": "addresses.geojson",
}
POINT_TABLES = {"incident": "incidents.csv", "track": "tracks.csv"}
TABLES = {
    "assignment": "assignments.csv",
    "incident_address": "incident_addresses.csv",
    "gazetteer": "gazetteer.csv",
    "visit": "visits.csv",
}
GBK_LAYER = "grid"

#: canonical → Chinese column names for the GCJ-02 copy, per file kind
ZH_COLUMNS: dict[str, dict[str, str]] = {
    "street": {"id": "街道编码", "name": "街道名称", "code": "街道代码"},
    "community": {
        "id": "社区编码",
        "name": "社区名称",
        "code": "社区代码",
        "parent_id": "所属街道",
        "urban": "城市社区",
    },
    "grid": {
        "id": "网格编码",
        "name": "网格名称",
        "code": "网格代码",
        "parent_id": "所属社区",
        "households": "户数",
        "population": "人口",
    },
    "joint_point": {
        "id": "联防点编码",
        "name": "联防点名称",
        "code": "联防点代码",
        "parent_id": "所属网格",
        "kind": "类型",
    },
    "station": {"id": "派出所编码", "name": "派出所名称", "code": "派出所代码"},
    "beat": {
        "id": "责任区编码",
        "name": "责任区名称",
        "code": "责任区代码",
        "parent_id": "所属派出所",
    },
    "aux_beat": {
        "id": "警格编码",
        "name": "警格名称",
        "code": "警格代码",
        "parent_id": "所属责任区",
        "grid_id": "对应网格",
    },
    "building": {
        "id": "建筑编码",
        "name": "建筑名称",
        "households": "户数",
        "population": "人口",
        "address": "地址",
        "floors": "层数",
        "units": "单元数",
        "kind": "建筑类型",
        "grid_id": "所属网格",
    },
    "address": {
        "id": "地址编码",
        "address": "标准地址",
        "building_id": "建筑编码",
        "level": "管理类别",
    },
    "incident": {
        "id": "警情编号",
        "time": "发生时间",
        "category_zh": "警情类别",
        "address": "发生地址",
        "lon": "经度",
        "lat": "纬度",
        "status_zh": "办理状态",
        "source": "来源",
    },
    "track": {
        "track_id": "轨迹编号",
        "officer_id": "警员编号",
        "time": "定位时间",
        "lon": "经度",
        "lat": "纬度",
    },
    "assignment": {
        "officer_id": "警号",
        "name": "姓名",
        "role_zh": "岗位",
        "area_kind": "责任区类型",
        "area_id": "责任区编码",
    },
    "incident_address": {
        "id": "事件编号",
        "time": "发生时间",
        "category_zh": "事件类别",
        "address": "地址",
        "true_address_id": "真实地址编码",
        "true_lon": "真实经度",
        "true_lat": "真实纬度",
    },
    "gazetteer": {
        "address": "地址",
        "lon": "经度",
        "lat": "纬度",
        "building_id": "建筑编码",
        "address_id": "地址编码",
    },
    "visit": {"address_id": "地址编码", "time": "走访时间", "visitor_role_zh": "走访人员"},
}
_LEVEL_ZH = {"key": "重点类", "attention": "关注类", "ordinary": "一般类"}
_ROLE_ZH = {"police": "民警", "grid_worker": "网格员", "joint": "警网联合"}


def with_lonlat(df: pd.DataFrame) -> pd.DataFrame:
    """Replace metric ``x``/``y`` columns by CGCS2000 ``lon``/``lat``."""
    lon, lat = to_geo_xy(df.x.to_numpy(), df.y.to_numpy())
    return df.drop(columns=["x", "y"]).assign(lon=lon, lat=lat)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    with warnings.catch_warnings():  # the GCJ-02 copy has no CRS on purpose
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        _write(gdf, path)


def _write(gdf: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(
        gdf, path, driver="GeoJSON", layer=path.stem, layer_options={"COORDINATE_PRECISION": 8}
    )


def _write_csv(df: pd.DataFrame, path: Path, *, encoding: TableEncoding = "utf-8") -> None:
    write_table(df, path, encoding=encoding, float_format="%.8f", date_format="%Y-%m-%d %H:%M:%S")


def write_main(
    out: Path, layers: dict[str, gpd.GeoDataFrame], tables: dict[str, pd.DataFrame]
) -> tuple[dict[str, Any], dict[str, gpd.GeoDataFrame]]:
    """CGCS2000 files with canonical columns; the manifest's layers/tables and the layers."""
    geo_layers = {}
    for kind, gdf in layers.items():
        geo = gpd.GeoDataFrame(
            gdf.drop(columns="geometry"), geometry=to_geo(gdf.geometry.to_numpy()), crs=GEO_CRS
        )
        geo_layers[kind] = geo
        _write_geojson(geo, out / LAYER_FILES[kind])
    for kind, df in tables.items():
        _write_csv(df, out / {**POINT_TABLES, **TABLES}[kind])
    manifest_layers: dict[str, Any] = {k: {"path": LAYER_FILES[k]} for k in layers}
    for kind, name in POINT_TABLES.items():
        manifest_layers[kind] = {"path": name, "x": "lon", "y": "lat", "crs": GEO_CRS}
    tabs = {k: {"path": v} for k, v in TABLES.items()}
    return {"layers": manifest_layers, "tables": tabs}, geo_layers


def _gcj(geoms: np.ndarray) -> np.ndarray:
    shifted = convert_geometries(geoms, src="wgs84", dst="gcj02")
    return np.asarray(shapely.transform(shifted, lambda xy: np.round(xy, 8)))


def _zh_values(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    """GCJ-02 coordinates, Chinese values and Chinese column names for one table."""
    if kind == "address":
        df = df.assign(level=df.level.map(_LEVEL_ZH))
    if kind == "visit":
        df = df.assign(visitor_role_zh=df.visitor_role.map(_ROLE_ZH))
    for lon, lat in (("lon", "lat"), ("true_lon", "true_lat")):
        if lon in df:
            glon, glat = wgs84_to_gcj02(df[lon].to_numpy(), df[lat].to_numpy())
            df = df.assign(**{lon: np.round(glon, 8), lat: np.round(glat, 8)})
    cols = ZH_COLUMNS[kind]
    return df[[c for c in cols if c in df]].rename(columns=cols)


def write_gcj02(
    out: Path, layers: dict[str, gpd.GeoDataFrame], tables: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """GCJ-02 copy with Chinese column names; the grid layer as a GBK shapefile."""
    out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    for kind, gdf in layers.items():
        attrs = _zh_values(kind, pd.DataFrame(gdf.drop(columns="geometry")))
        # no CRS in the files: like Amap/Tencent exports, the user must say "gcj02"
        geo = gpd.GeoDataFrame(attrs, geometry=_gcj(gdf.geometry.to_numpy()))
        if kind == GBK_LAYER:
            name = LAYER_FILES[kind].replace(".geojson", ".shp")
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
                pyogrio.write_dataframe(geo, out / name, driver="ESRI Shapefile", encoding="GBK")
            entries[kind] = {"path": name, "encoding": "GBK"}
        else:
            _write_geojson(geo, out / LAYER_FILES[kind])
            entries[kind] = {"path": LAYER_FILES[kind]}
    tabs: dict[str, Any] = {}
    for kind, df in tables.items():
        name = {**POINT_TABLES, **TABLES}[kind]
        _write_csv(_zh_values(kind, df), out / name)
        if kind in POINT_TABLES:
            entries[kind] = {"path": name, "x": "经度", "y": "纬度", "crs": "gcj02"}
        else:
            tabs[kind] = {"path": name}
    return {"layers": entries, "tables": tabs}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty, sorted-key-free (insertion order is deterministic) UTF-8 JSON."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

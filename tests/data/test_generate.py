"""The demo district: deterministic, complete, and wrong exactly where truth.json says.

The checks here are deliberately plain geometry (shapely coverage functions, areas,
IoU) rather than ``gis.checks``, so the generator is tested independently of the engine
that will be tested against it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data.generate import generate_demo, main
from gis.crs import gcj02_to_wgs84
from gis.errors import ConfigError
from gis.layers import spec

METRIC = "EPSG:4549"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def manifest(demo_dir: Path) -> dict[str, Any]:
    return json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truth(demo_dir: Path) -> dict[str, Any]:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layers(demo_dir: Path, manifest: dict[str, Any]) -> dict[str, gpd.GeoDataFrame]:
    """Every GeoJSON layer of the demo, in metres."""
    return {
        kind: gpd.read_file(demo_dir / entry["path"]).to_crs(METRIC)
        for kind, entry in manifest["layers"].items()
        if entry["path"].endswith(".geojson")
    }


@pytest.fixture(scope="module")
def incidents(demo_dir: Path) -> gpd.GeoDataFrame:
    df = pd.read_csv(demo_dir / "incidents.csv", parse_dates=["time"], dtype={"id": str})
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4490"
    ).to_crs(METRIC)


def _findings(truth: dict[str, Any], rule: str, layer: str) -> list[dict[str, Any]]:
    return [f for f in truth["expected_findings"] if f["rule"] == rule and f["layer"] == layer]


def _ids(truth: dict[str, Any], rule: str, layer: str) -> set[frozenset[str]]:
    return {frozenset(f["ids"]) for f in _findings(truth, rule, layer)}


# --- determinism and inputs -------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(demo_dir: Path, tmp_path: Path) -> None:
    main([str(tmp_path / "again"), "--seed", "20161013"])  # also exercises the command line
    assert _hashes(tmp_path / "again") == _hashes(demo_dir)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1"])
def test_bad_seed_is_refused(tmp_path: Path, seed: object) -> None:
    with pytest.raises(ConfigError, match="seed"):
        generate_demo(tmp_path, seed=seed)  # type: ignore[arg-type]


def test_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(ConfigError, match="taken"):
        generate_demo(target)


# --- completeness -----------------------------------------------------------------------


def test_manifest_names_existing_files(demo_dir: Path, manifest: dict[str, Any]) -> None:
    assert manifest["crs"] == "EPSG:4490" and manifest["metric_crs"] == "EPSG:4549"
    entries = [*manifest["layers"].values(), *manifest["tables"].values()]
    entries += list(manifest["extras"].values())
    assert all((demo_dir / e["path"]).is_file() for e in entries)
    gcj = json.loads((demo_dir / manifest["gcj02"]).read_text(encoding="utf-8"))
    assert all((demo_dir / "gcj02" / e["path"]).is_file() for e in gcj["layers"].values())
    # the generated roads are an orientation layer of the main manifest only
    assert set(gcj["layers"]) == set(manifest["layers"]) - {"road"}


def test_layers_have_canonical_fields_and_crs(
    demo_dir: Path, manifest: dict[str, Any], layers: dict[str, gpd.GeoDataFrame]
) -> None:
    for kind, gdf in layers.items():
        assert set(spec(kind).required) <= set(gdf.columns), kind
        assert gdf.id.is_unique, kind
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any(), kind
    raw = gpd.read_file(demo_dir / "grids.geojson")
    assert raw.crs.to_epsg() == 4490
    for kind in ("incident", "track"):
        head = pd.read_csv(demo_dir / manifest["layers"][kind]["path"], nrows=2)
        assert set(spec(kind).required) | {"lon", "lat"} <= set(head.columns)
    assign = pd.read_csv(demo_dir / "assignments.csv")
    assert set(spec("assignment").required) <= set(assign.columns)


def test_counts_are_in_the_expected_ranges(
    layers: dict[str, gpd.GeoDataFrame], incidents: gpd.GeoDataFrame, demo_dir: Path
) -> None:
    assert len(layers["community"]) == 10
    assert 110 <= len(layers["grid"]) <= 140
    assert 9 <= len(layers["beat"]) <= 11
    assert len(layers["aux_beat"]) == len(layers["grid"])
    assert layers["community"].urban.sum() == 8
    assert 20_000 <= len(incidents) <= 40_000
    assert incidents.time.dt.year.eq(2025).all()
    assert len(pd.read_csv(demo_dir / "incident_addresses.csv")) == 2000
    assert len(pd.read_csv(demo_dir / "tracks.csv")) > 10_000
    area_km2 = layers["street"].area.sum() / 1e6
    assert 8 < area_km2 < 13
    lon, lat = gpd.read_file(demo_dir / "streets.geojson").geometry.iloc[0].centroid.coords[0]
    assert 118.72 < lon < 118.76 and 31.99 < lat < 32.02


# --- the hierarchy tiles, except exactly the planted defects --------------------------


def _tiles(parts: gpd.GeoDataFrame, whole: gpd.GeoDataFrame) -> None:
    geoms = parts.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    assert shapely.symmetric_difference(union, whole.union_all()).area < 1e-3


def test_communities_tile_the_street_and_beats_the_station(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    _tiles(layers["community"], layers["street"])
    _tiles(layers["beat"], layers["station"])
    _tiles(layers["aux_beat"], layers["station"])
    assert shapely.equals(layers["street"].geometry.iloc[0], layers["station"].geometry.iloc[0])


def test_grid_overlaps_are_exactly_the_planted_ones(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    g = layers["grid"]
    a, b = g.sindex.query(g.geometry, predicate="intersects")
    keep = a < b
    area = shapely.area(
        shapely.intersection(g.geometry.values[a[keep]], g.geometry.values[b[keep]])
    )
    found = {
        frozenset((g.id.iloc[i], g.id.iloc[j]))
        for i, j, s in zip(a[keep], b[keep], area, strict=True)
        if s > 1e-3
    }
    assert found == _ids(truth, "overlap", "grid")


def test_grid_gaps_are_exactly_the_planted_ones(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    holes = shapely.get_parts(
        shapely.difference(layers["street"].geometry.iloc[0], layers["grid"].union_all())
    )
    holes = holes[shapely.area(holes) > 1e-3]
    planted = _findings(truth, "gap", "grid")
    assert len(holes) == len(planted)
    g = layers["grid"]
    for hole in holes:
        touching = frozenset(g.id[g.distance(hole) < 1e-3])
        match = [f for f in planted if frozenset(f["ids"]) == touching]
        assert len(match) == 1
        assert hole.area == pytest.approx(match[0]["area_m2"], rel=0.01)
        width = 2 * hole.area / hole.length
        assert (width < 2.0) == (match[0]["severity"] == "noise")
        # an interior gap: it does not reach the community's outline
        comm = layers["community"].set_index("id").geometry
        assert comm[g.set_index("id").parent_id[next(iter(touching))]].contains(hole)


def test_only_the_planted_grid_crosses_its_community(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    comm = layers["community"].set_index("id").geometry
    g = layers["grid"]
    outside = shapely.area(shapely.difference(g.geometry.values, comm[g.parent_id].values))
    crossing = set(g.id[outside > 1e-3])
    planted = _findings(truth, "crosses_parent", "grid")
    assert {frozenset([c]) for c in crossing} == _ids(truth, "crosses_parent", "grid")
    assert outside.max() == pytest.approx(planted[0]["area_m2"], rel=0.01)


def _share(parts: gpd.GeoDataFrame, wholes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area of each part inside each whole (pairs with more than 1 m²)."""
    i, j = wholes.sindex.query(parts.geometry, predicate="intersects")
    area = shapely.area(shapely.intersection(parts.geometry.values[i], wholes.geometry.values[j]))
    df = pd.DataFrame({"part": parts.id.values[i], "whole": wholes.id.values[j], "area": area})
    return df[df.area > 1.0]


def test_beats_cut_only_the_planted_grids(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    share = _share(layers["grid"], layers["beat"])
    split = share.groupby("part").whole.nunique()
    assert {frozenset([g]) for g in split[split > 1].index} == _ids(
        truth, "grid_split_by_beat", "grid"
    )
    for finding in _findings(truth, "grid_split_by_beat", "grid"):
        mine = share[share.part == finding["ids"][0]]
        assert set(mine.whole) == set(finding["other_ids"])
        assert (mine.area.min() < 0.8 * 80) == (finding["severity"] == "noise")


def test_off_grid_beat_boundary_is_a_line_of_the_listed_length(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    """The two beats' shared edge inside the split grid, beyond 2 m of the grid's outline."""
    (finding,) = _findings(truth, "beat_boundary_off_grid", "beat")
    beats = layers["beat"].set_index("id").geometry[finding["ids"]].to_numpy()
    shared = shapely.intersection(shapely.boundary(beats[0]), shapely.boundary(beats[1]))
    (grid,) = layers["grid"].set_index("id").geometry[finding["other_ids"]].to_numpy()
    deep = shapely.intersection(shared, shapely.buffer(grid, -2.0))
    assert finding["area_m2"] == 0.0
    assert shapely.length(deep) == pytest.approx(finding["length_m"], rel=0.01)
    assert shapely.length(deep) > 100.0  # deep inside the grid, far beyond the tolerance


def test_aux_beats_match_their_grid_except_the_planted_ones(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    """Aux beats were drawn on the planned grids: they differ where a grid defect moved a
    grid edge (listed as side effects) and grossly (IoU < 0.9) only at the aux defect."""
    aux = layers["aux_beat"].set_index("grid_id")
    grids = layers["grid"].set_index("id").geometry
    a, g = aux.geometry.values, grids[aux.index].values
    iou = shapely.area(shapely.intersection(a, g)) / shapely.area(shapely.union(a, g))
    differ = shapely.area(shapely.symmetric_difference(a, g)) > 1e-3
    listed = _findings(truth, "aux_beat_mismatch", "aux_beat")
    assert {frozenset([b]) for b in aux.id[differ]} == {frozenset(f["ids"]) for f in listed}
    (gross,) = [d for d in truth["defects"] if d["id"] == "aux_mismatch"]
    assert set(aux.id[iou < 0.9]) == {f["ids"][0] for f in gross["findings"]}
    assert iou[iou >= 0.9].min() > 0.95  # the side effects stay far from the threshold
    assert iou.min() < 0.7


def test_aux_beats_nest_in_their_beat_except_in_the_cut_grid(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    share = _share(layers["aux_beat"], layers["beat"])
    parent = layers["aux_beat"].set_index("id").parent_id
    crossing = set(share[share.whole != parent[share.part].values].part)
    assert {frozenset([c]) for c in crossing} == _ids(truth, "crosses_parent", "aux_beat")


def test_joint_points_lie_in_their_grid_except_the_planted_one(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    jp, grids = layers["joint_point"], layers["grid"].set_index("id").geometry
    inside = shapely.within(jp.geometry.values, grids[jp.parent_id].values)
    (finding,) = _findings(truth, "joint_point_outside_grid", "joint_point")
    assert set(jp.id[~inside]) == set(finding["ids"])
    per_grid = jp[inside].parent_id.value_counts()
    assert set(per_grid.index) == set(grids.index)  # every grid keeps a point of its own
    assert jp.parent_id.value_counts().max() <= 3


def test_every_grid_is_staffed_except_the_planted_one(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any], demo_dir: Path
) -> None:
    assign = pd.read_csv(demo_dir / "assignments.csv")
    aux = layers["aux_beat"].set_index("id").grid_id
    staffed = set(aux[assign[assign.area_kind == "aux_beat"].area_id]) | set(
        assign[assign.area_kind == "grid"].area_id
    )
    unstaffed = set(layers["grid"].id) - staffed
    assert {frozenset([u]) for u in unstaffed} == _ids(truth, "grid_unstaffed", "grid")
    assert set(assign[assign.role == "officer"].area_id) == set(layers["beat"].id)
    assert assign[assign.role == "auxiliary"].area_id.is_unique


def test_households_per_grid_and_the_band_outliers(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    grids, b = layers["grid"], layers["building"]
    i, j = grids.sindex.query(b.geometry, predicate="within")
    assert np.array_equal(np.sort(i), np.arange(len(b)))  # each building in exactly one grid
    hh = pd.Series(b.households.values[i]).groupby(grids.id.values[j]).sum()
    hh = hh.reindex(grids.id, fill_value=0)
    assert (hh == grids.set_index("id").households).all()
    assert hh.between(100, 1500).all()
    band = truth["population_band"]
    lo, hi = band["min_households"], band["max_households"]
    assert {r["grid_id"] for r in band["below"]} == set(hh.index[hh < lo])
    assert {r["grid_id"] for r in band["above"]} == set(hh.index[hh > hi])
    assert len(band["below"]) == 2 and len(band["above"]) == 2  # exactly the planted ones
    assert 0.85 < (hh.between(lo, hi)).mean() < 1


def test_every_id_in_truth_exists(
    layers: dict[str, gpd.GeoDataFrame], truth: dict[str, Any]
) -> None:
    for f in truth["expected_findings"]:
        assert set(f["ids"]) <= set(layers[f["layer"]].id), f
        if f["other_layer"]:
            assert set(f["other_ids"]) <= set(layers[f["other_layer"]].id), f
    rules = {f["rule"] for f in truth["expected_findings"]}
    assert rules == {
        "grid_split_by_beat",
        "beat_boundary_off_grid",
        "crosses_parent",
        "gap",
        "overlap",
        "grid_unstaffed",
        "joint_point_outside_grid",
        "aux_beat_mismatch",
    }
    assert set(truth["unvisited_key_addresses"]) <= set(layers["address"].id)


# --- incidents, hotspots, cold areas ---------------------------------------------------

_ACTIVE_MONTHS = {
    "intensifying": (10, 12),
    "persistent": (1, 12),
    "new": (9, 12),
    "diminishing": (1, 3),
}


def _centre(h: dict[str, Any]) -> shapely.Point:
    pt = gpd.GeoSeries([shapely.Point(h["lon"], h["lat"])], crs="EPSG:4490").to_crs(METRIC)
    return pt.iloc[0]


@pytest.mark.parametrize("trend", sorted(_ACTIVE_MONTHS))
def test_planted_hotspots_are_denser_than_their_surroundings(
    truth: dict[str, Any], incidents: gpd.GeoDataFrame, trend: str
) -> None:
    (h,) = [h for h in truth["hotspots"] if h["trend"] == trend]
    m0, m1 = _ACTIVE_MONTHS[trend]
    cat = incidents[(incidents.category == h["category"]) & incidents.time.dt.month.between(m0, m1)]
    d = cat.distance(_centre(h))
    r = h["radius_m"]
    inner = (d <= r).sum() / (np.pi * r**2)
    ring = ((d > r) & (d <= 4 * r)).sum() / (np.pi * (16 - 1) * r**2)
    assert inner > 4 * ring


def test_hotspot_trends_show_in_monthly_counts(
    truth: dict[str, Any], incidents: gpd.GeoDataFrame
) -> None:
    for h in truth["hotspots"]:
        near = incidents[
            (incidents.category == h["category"])
            & (incidents.distance(_centre(h)) <= h["radius_m"])
        ]
        monthly = near.time.dt.month.value_counts().reindex(range(1, 13), fill_value=0)
        early, late = monthly.loc[1:3].sum(), monthly.loc[10:12].sum()
        expected = {
            "intensifying": late > 2 * early,
            "diminishing": early > 2 * late,
            "new": late > 10 * monthly.loc[1:8].mean() * 3,
            "persistent": 0.6 < late / early < 1.6,
        }
        assert expected[h["trend"]], (h["id"], monthly.tolist())


def test_cold_areas_have_no_buildings_and_no_incidents(
    truth: dict[str, Any], layers: dict[str, gpd.GeoDataFrame], incidents: gpd.GeoDataFrame
) -> None:
    for area in truth["cold_areas"]:
        geom = gpd.GeoSeries.from_wkt([area["wkt"]], crs="EPSG:4490").to_crs(METRIC).iloc[0]
        assert geom.area > 50_000
        assert not layers["building"].intersects(geom).any()
        assert not incidents.within(geom).any()
        assert incidents.distance(geom).min() < 200  # cold, but in the middle of things


# --- GCJ-02 copy -------------------------------------------------------------------------


def test_gcj02_copy_is_offset_by_hundreds_of_metres_and_converts_back(demo_dir: Path) -> None:
    gcj = gpd.read_file(demo_dir / "gcj02" / "grids.shp")  # GBK, declared by grids.cpg
    assert {"网格编码", "网格名称", "所属社区", "户数"} <= set(gcj.columns)
    assert gcj["网格名称"].str.contains("网格").all()
    cgcs = gpd.read_file(demo_dir / "grids.geojson").set_index("id").loc[gcj["网格编码"]]
    xy_gcj = shapely.get_coordinates(gcj.geometry.values)
    xy = shapely.get_coordinates(cgcs.geometry.values)
    metric = gpd.GeoSeries(gpd.points_from_xy(*xy.T), crs="EPSG:4490").to_crs(METRIC)
    shifted = gpd.GeoSeries(gpd.points_from_xy(*xy_gcj.T), crs="EPSG:4490").to_crs(METRIC)
    offset = metric.distance(shifted)
    assert offset.min() > 100 and offset.max() < 700
    back = gpd.GeoSeries(gpd.points_from_xy(*gcj02_to_wgs84(*xy_gcj.T)), crs="EPSG:4490")
    assert metric.distance(back.to_crs(METRIC)).max() < 0.05
    raw = (demo_dir / "gcj02" / "grids.dbf").read_bytes()
    assert "网格".encode("gbk") in raw and "网格".encode() not in raw


def test_gcj02_tables_have_chinese_headers(demo_dir: Path) -> None:
    inc = pd.read_csv(demo_dir / "gcj02" / "incidents.csv", nrows=5)
    assert {"警情编号", "发生时间", "警情类别", "经度", "纬度"} <= set(inc.columns)
    main_inc = pd.read_csv(demo_dir / "incidents.csv", nrows=5)
    assert (inc["经度"] - main_inc.lon).abs().between(0.003, 0.008).all()


# --- addresses, tracks, visits --------------------------------------------------------


def test_messy_addresses_keep_their_true_location(
    demo_dir: Path, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    messy = pd.read_csv(demo_dir / "incident_addresses.csv", dtype=str)
    assert (messy.address != messy.true_address).mean() > 0.6
    for variant in ("幢", "-", "号楼", "建业", "三十", " ", "室"):
        assert messy.address.str.contains(variant, regex=False).any(), variant
    assert (~messy.address.str.contains("室")).mean() > 0.1
    addr = layers["address"].set_index("id")
    truth_pts = gpd.GeoSeries(
        gpd.points_from_xy(messy.true_lon.astype(float), messy.true_lat.astype(float)),
        crs="EPSG:4490",
    ).to_crs(METRIC)
    assert (
        truth_pts.distance(addr.geometry[messy.true_address_id].reset_index(drop=True)).max() < 0.01
    )
    assert (addr.address[messy.true_address_id].to_numpy() == messy.true_address.to_numpy()).all()


def test_tracks_have_realistic_sampling_jumps_gaps_and_dwells(
    demo_dir: Path, truth: dict[str, Any], layers: dict[str, gpd.GeoDataFrame]
) -> None:
    tr = pd.read_csv(demo_dir / "tracks.csv", parse_dates=["time"])
    step = tr.groupby("track_id").time.diff().dt.total_seconds().dropna()
    assert step.median() == pytest.approx(20, abs=3) and step.min() >= 9
    assert (step > 300).sum() >= 10  # gaps
    pts = gpd.GeoSeries(gpd.points_from_xy(tr.lon, tr.lat), crs="EPSG:4490").to_crs(METRIC)
    jump = pts.distance(pts.shift()).where(tr.track_id == tr.track_id.shift())
    assert (jump > 150).sum() >= 20  # a few outliers per track on average
    dwells = pd.DataFrame(truth["patrol_dwells"])
    assert set(dwells.joint_point_id) <= set(layers["joint_point"].id)
    assert dwells.minutes.between(5, 15).all()
    assert tr.officer_id.nunique() >= 5


def test_visits_skip_exactly_the_listed_key_addresses(
    demo_dir: Path, truth: dict[str, Any], layers: dict[str, gpd.GeoDataFrame]
) -> None:
    visits = pd.read_csv(demo_dir / "visits.csv")
    level = layers["address"].set_index("id").level
    key = set(level.index[level == "key"])
    assert set(truth["unvisited_key_addresses"]) == key - set(visits.address_id)
    assert set(visits.visitor_role) == {"police", "grid_worker", "joint"}
    assert (visits[visits.address_id.isin(key)].visitor_role != "grid_worker").all()


def test_incidents_follow_hour_and_weekday_profiles(incidents: gpd.GeoDataFrame) -> None:
    hour = incidents.time.dt.hour
    by_cat = pd.crosstab(incidents.category, hour, normalize="index")
    assert by_cat.loc["noise", [22, 23, 0]].sum() > 3 * by_cat.loc["noise", [9, 10, 11]].sum()
    assert by_cat.loc["traffic", [7, 8, 17, 18]].sum() > 0.3
    weekend = incidents.time.dt.day_of_week >= 5
    per_day = incidents[incidents.category == "noise"].groupby(weekend).size() / [261, 104]
    assert per_day[True] > 1.3 * per_day[False]
    assert {"盗窃", "诈骗", "纠纷", "交通", "噪音"} == set(incidents.category_zh)


@pytest.mark.slow
def test_another_seed_plants_the_same_kinds_of_defects(tmp_path: Path) -> None:
    generate_demo(tmp_path, seed=7)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    grids = gpd.read_file(tmp_path / "grids.geojson").to_crs(METRIC)
    assert {d["id"] for d in truth["defects"]} >= {"split", "gap", "overlap", "crossing"}
    a, b = grids.sindex.query(grids.geometry, predicate="intersects")
    keep = a < b
    inter = shapely.intersection(grids.geometry.values[a[keep]], grids.geometry.values[b[keep]])
    found = {
        frozenset((grids.id.iloc[i], grids.id.iloc[j]))
        for i, j, s in zip(a[keep], b[keep], shapely.area(inter), strict=True)
        if s > 1e-3
    }
    assert found == _ids(truth, "overlap", "grid")

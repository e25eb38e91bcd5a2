"""Generate the demo district: a synthetic street office in Nanjing, Jianye (建邺区).

``generate_demo(out_dir, seed=...)`` writes every layer and table in CGCS2000
(EPSG:4490) with canonical column names, a GCJ-02 copy with Chinese column names in
``gcj02/``, ``truth.json`` (planted defects and the findings they imply, hotspots, cold
areas, population-band outliers, unvisited key addresses, patrol dwells) and
``manifest.json``.  Same seed → byte-identical files.  See docs/demo.md.

Run as ``python -m data.generate OUT_DIR [--seed N]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data._gen.areas import plan_areas
from data._gen.assemble import Areas, assemble
from data._gen.defects import plan_defects
from data._gen.events import EventPlan, build_events
from data._gen.export import with_lonlat, write_gcj02, write_json, write_main
from data._gen.frame import GEO_CRS, METRIC_CRS, Frame, build_frame, to_geo, to_geo_xy
from data._gen.incidents import CATEGORIES, Hotspot, build_incidents
from data._gen.joint import joint_points
from data._gen.messy import build_messy
from data._gen.names import STREET_NAME
from data._gen.population import BAND, Population, build_population
from data._gen.staffing import build_assignments, build_visits
from data._gen.tracks import build_tracks
from data._gen.truth import TOLERANCE_M, band_truth, defect_truth, flat_findings
from gis.errors import ConfigError
from gis.io import write_table

DEFAULT_SEED = 20161013
__all__ = ["DEFAULT_SEED", "generate_demo"]


@dataclass(frozen=True)
class _Demo:
    frame: Frame
    areas: Areas
    pop: Population
    layers: dict[str, gpd.GeoDataFrame]  # metric
    tables: dict[str, pd.DataFrame]  # with lon/lat
    truth: dict[str, Any]
    events: EventPlan


def generate_demo(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo district into ``out_dir`` and return the path of ``manifest.json``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing; existing files are overwritten).
    seed
        Seed of the one ``numpy.random.Generator`` every draw comes from.

    Raises
    ------
    ConfigError
        The seed is not a non-negative integer, or ``out_dir`` is an existing file.

    Examples
    --------
    >>> manifest = generate_demo("data/demo")  # doctest: +SKIP
    """
    out = _check_inputs(out_dir, seed)
    demo = _build(seed)
    extras = _write_extras(out, demo.frame)
    main, geo_layers = write_main(out, demo.layers, demo.tables)
    gcj = write_gcj02(out / "gcj02", geo_layers, demo.tables)
    name = f"{STREET_NAME}（虚构示例 / synthetic demo）"
    write_json(
        out / "gcj02" / "manifest.json",
        {"name": name, "crs": "gcj02", "field_language": "zh", **gcj},
    )
    write_json(out / "truth.json", demo.truth)
    main["tables"].update(_write_events(out, demo.events))
    main["layers"]["road"] = extras["roads"]  # also a map layer (orientation), not just context
    manifest = {
        "name": name,
        "crs": GEO_CRS,
        "metric_crs": METRIC_CRS,
        "seed": seed,
        **main,
        "extras": extras,
        "truth": "truth.json",
        "gcj02": "gcj02/manifest.json",
    }
    write_json(out / "manifest.json", manifest)
    return out / "manifest.json"


def _check_inputs(out_dir: str | Path, seed: object) -> Path:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, not {seed!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder; give a folder to write into")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _build(seed: int) -> _Demo:
    """Every part in a fixed order from one generator (the order fixes the output)."""
    rng = np.random.default_rng(seed)
    frame = build_frame(rng)
    plan = plan_areas(frame, rng)
    defects = plan_defects(plan, rng)
    areas = assemble(frame, plan, defects)
    pop = build_population(frame, plan, areas, defects, rng)
    joints, outside = joint_points(frame, areas, defects, rng)
    incidents, hotspots = build_incidents(frame, pop, rng)
    messy = build_messy(pop, rng)
    assignments = build_assignments(areas, defects, rng)
    visits, never = build_visits(pop, rng)
    tracks, dwells = build_tracks(areas, joints, assignments, rng)
    layers = _layers(areas, pop, joints)
    tables = {
        "incident": with_lonlat(incidents.drop(columns="hotspot")),
        "track": with_lonlat(tracks),
        "assignment": assignments,
        "incident_address": with_lonlat(messy).rename(
            columns={"lon": "true_lon", "lat": "true_lat"}
        ),
        "gazetteer": _gazetteer(pop),
        "visit": visits,
    }
    defect_list = defect_truth(areas, defects, outside)
    hh = layers["grid"].set_index("id").households
    truth = {
        "name": STREET_NAME,
        "seed": seed,
        "crs": GEO_CRS,
        "metric_crs": METRIC_CRS,
        "tolerance_m": TOLERANCE_M,
        "defects": defect_list,
        "expected_findings": flat_findings(defect_list),
        "hotspots": _hotspot_truth(hotspots, incidents),
        "cold_areas": _cold_truth(frame),
        "population_band": band_truth(hh.to_numpy(), hh.index.to_numpy(), BAND),
        "unstaffed_grids": [str(areas.grid_id[defects.unstaffed])],
        "unvisited_key_addresses": never,
        "patrol_dwells": dwells.assign(
            start=dwells.start.astype(str), minutes=dwells.minutes.round(2)
        ).to_dict("records"),
        "counts": {k: len(v) for k, v in {**layers, **tables}.items()},
    }
    events = build_events(areas, pop, assignments, seed=seed)  # its own stream: nothing moves
    truth["events"] = events.truth
    return _Demo(frame, areas, pop, layers, tables, truth, events)


def _write_events(out: Path, plan: EventPlan) -> dict[str, Any]:
    """The events, their transitions and the grid staff as CSV; their manifest entries."""
    files = {"event": "events.csv", "event_transition": "event_transitions.csv"}
    files["grid_staff"] = "grid_staff.csv"
    for frame, name in zip(
        (plan.events, plan.transitions, plan.staff), files.values(), strict=True
    ):
        write_table(frame, out / name, encoding="utf-8")
    return {k: {"path": v} for k, v in files.items()}


def _layers(areas: Areas, pop: Population, joints: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    b = pop.buildings
    hh = b.groupby("grid_id")[["households", "population"]].sum().astype(int)
    grids = areas.grids.join(hh, on="id").fillna({"households": 0, "population": 0})
    buildings = gpd.GeoDataFrame(
        {
            "id": b.id,
            "name": b.name,
            "households": b.households.astype(int),
            "population": b.population.astype(int),
            "address": b.address,
            "floors": b.floors,
            "units": b.units,
            "kind": b.kind,
            "grid_id": b.grid_id,
        },
        geometry=pop.footprints,
        crs=METRIC_CRS,
    )
    a = pop.addresses
    addresses = gpd.GeoDataFrame(
        a[["id", "address", "building_id", "level", "unit", "floor", "room"]],
        geometry=shapely.points(a.x, a.y),
        crs=METRIC_CRS,
    )
    layers = {
        "street": areas.street,
        "community": areas.communities,
        "grid": grids,
        "joint_point": joints,
        "station": areas.station,
        "beat": areas.beats,
        "aux_beat": areas.aux_beats,
        "building": buildings,
        "address": addresses,
    }
    return {k: v.sort_values("id").reset_index(drop=True) for k, v in layers.items()}


def _gazetteer(pop: Population) -> pd.DataFrame:
    """Room-level standard addresses, then building-level addresses (building centres)."""
    a, b = pop.addresses, pop.buildings
    rooms = pd.DataFrame(
        {"address": a.address, "x": a.x, "y": a.y, "building_id": a.building_id, "address_id": a.id}
    )
    blds = pd.DataFrame(
        {"address": b.address, "x": b.x, "y": b.y, "building_id": b.id, "address_id": ""}
    )
    return with_lonlat(pd.concat([rooms, blds], ignore_index=True))[
        ["address", "lon", "lat", "building_id", "address_id"]
    ]


def _hotspot_truth(hotspots: list[Hotspot], incidents: pd.DataFrame) -> list[dict[str, Any]]:
    kept = incidents.hotspot.value_counts()
    out = []
    for h in hotspots:
        lon, lat = to_geo_xy(np.array([h.x]), np.array([h.y]))
        out.append(
            {
                "id": h.id,
                "category": h.category,
                "category_zh": CATEGORIES[h.category],
                "trend": h.trend,
                "lon": float(lon[0]),
                "lat": float(lat[0]),
                "radius_m": h.radius_m,
                "monthly_planted": list(h.monthly),
                "planted_total": int(kept.get(h.id, 0)),
            }
        )
    return out


def _cold_truth(frame: Frame) -> list[dict[str, Any]]:
    geoms = to_geo(np.array([frame.park, frame.lake]))
    return [
        {"id": "park", "name": "滨洲公园", "kind": "park", "wkt": shapely.to_wkt(geoms[0], 8)},
        {"id": "lake", "name": "芦湾湖", "kind": "lake", "wkt": shapely.to_wkt(geoms[1], 8)},
    ]


def _write_extras(out: Path, frame: Frame) -> dict[str, Any]:
    """Roads and cold areas: context layers (roads are also the district's road layer).

    The roads are invented like everything here: straight lines along the main axes of the
    demo's planned town, marked as generated in their ``source`` field.
    """
    names = list(frame.road_names)
    roads = gpd.GeoDataFrame(
        {
            "id": [f"R{i + 1:02d}" for i in range(len(names))],
            "name": names,
            "source": "演示生成数据（非真实道路） / generated demo data, not a real road",
        },
        geometry=to_geo(frame.roads),
        crs=GEO_CRS,
    )
    cold = gpd.GeoDataFrame(
        {"id": ["park", "lake"], "name": ["滨洲公园", "芦湾湖"]},
        geometry=to_geo(np.array([frame.park, frame.lake])),
        crs=GEO_CRS,
    )
    from data._gen.export import _write_geojson

    _write_geojson(roads, out / "roads.geojson")
    _write_geojson(cold, out / "cold_areas.geojson")
    return {"roads": {"path": "roads.geojson"}, "cold_areas": {"path": "cold_areas.geojson"}}


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m data.generate OUT_DIR [--seed N]``."""
    parser = argparse.ArgumentParser(description="Generate the beatgrid demo district.")
    parser.add_argument("out_dir", nargs="?", default="data/demo")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    manifest = generate_demo(args.out_dir, seed=args.seed)
    print(manifest)


if __name__ == "__main__":
    main()

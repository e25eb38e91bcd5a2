"""A city with 1,000,000 incidents and 5,000 grids: page size and time to load in chromium.

Ours: ``maps.hotspot_map`` of the counts per grid (aggregated on the server), Gi* classes
and a heat layer from the kernel-density raster; geometry simplified, rounded and sent
once.  Naive: the plain folium way for the same data — ``folium.GeoJson`` of the grids as
they are plus ``folium.plugins.HeatMap`` of the million raw points (folium's CDN links
swapped for the same local files, so only the data differs).

Time to load = navigation start until every grid is drawn on the map (Playwright, the
system chromium, headless).  Run: ``.venv/bin/python benchmarks/bench_maps.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from maps.base import MapOptions, render_html  # noqa: E402
from maps.hotspots import hotspot_map  # noqa: E402
from maps.labels import TITLES  # noqa: E402
from maps.pages import MapPage  # noqa: E402
from maps.web import maps_router  # noqa: E402

CRS = 4549  # CGCS2000 GK zone CM 120E: Nanjing
X0, Y0 = 370_000.0, 3_530_000.0
SIDE = 25_000.0  # a 25 km x 25 km city
ORIGIN = np.array([X0, Y0])


def city(n_grids: int, n_incidents: int, seed: int = 7) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Voronoi grids with digitized-looking edges (a vertex every 4 m, wiggled the same way
    on both sides of a shared edge) and clustered incidents."""
    rng = np.random.default_rng(seed)
    seeds = shapely.points(rng.uniform(0, SIDE, (n_grids, 2)) + ORIGIN)
    frame = shapely.box(X0, Y0, X0 + SIDE, Y0 + SIDE)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds))), frame
    )
    dense = shapely.segmentize(cells, 4.0)

    def wiggle(xy: np.ndarray) -> np.ndarray:
        dx = 0.6 * np.sin(xy[:, 0] * 0.731 + xy[:, 1] * 0.419)
        dy = 0.6 * np.cos(xy[:, 0] * 0.293 - xy[:, 1] * 0.877)
        return xy + np.column_stack([dx, dy])

    grids = gpd.GeoDataFrame(
        {"id": [f"G{i:05d}" for i in range(len(dense))]},
        geometry=shapely.transform(dense, wiggle),
        crs=CRS,
    )
    centres = rng.uniform(0, SIDE, (40, 2)) + ORIGIN
    pick = rng.integers(0, len(centres), n_incidents)
    xy = centres[pick] + rng.normal(0, 900, (n_incidents, 2))
    background = rng.uniform(0, SIDE, (n_incidents // 4, 2)) + ORIGIN
    xy[: len(background)] = background
    return grids, xy


def aggregate(grids: gpd.GeoDataFrame, xy: np.ndarray) -> tuple[gpd.GeoDataFrame, object]:
    """What gis.hotspots hands the map: counts per grid, classes, a density raster."""
    from gis.hotspots.kde import kernel_density

    tree = shapely.STRtree(grids.geometry.array)
    _, cells = tree.query(shapely.points(xy), predicate="within")
    count = np.bincount(cells, minlength=len(grids))
    out = grids.copy()
    out["count"] = count
    out["rate_km2"] = count / (grids.area / 1e6)
    z = (count - count.mean()) / count.std()
    out["gi_z"], out["gi_p_fdr"] = z, np.exp(-np.abs(z))
    out["hotspot_class"] = np.select([z > 2.58, z > 1.96, z > 1.65, z < -1.65], [3, 2, 1, -1], 0)
    surface = kernel_density(gpd.GeoSeries(shapely.points(xy), crs=CRS))
    return out, surface


def naive_html(grids: gpd.GeoDataFrame, xy: np.ndarray, counts: gpd.GeoDataFrame) -> str:
    """The plain folium way: grids as they are, a heat layer of every incident."""
    m = folium.Map(tiles=None, prefer_canvas=True)
    m.fit_bounds([[31.85, 118.6], [32.1, 118.9]])
    tooltip = folium.GeoJsonTooltip(["id", "count"])
    folium.GeoJson(counts.to_crs(4326), name="grids", tooltip=tooltip).add_to(m)
    lonlat = gpd.GeoSeries(shapely.points(xy), crs=CRS).to_crs(4326)
    folium.plugins.HeatMap(np.column_stack([lonlat.y, lonlat.x]).tolist()).add_to(m)
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
    # folium's CDN links -> the same local files ours uses (only the data differs)
    local = {
        "leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
        "leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
        "folium@main/folium/templates/leaflet_heat.min.js": "leaflet.heat/leaflet-heat.js",
    }
    for cdn, ours in local.items():
        html = re.sub(r"https://[^\"]+/" + re.escape(cdn), "/maps/static/vendor/" + ours, html)
    return _drop_other_cdn(html)


def _drop_other_cdn(html: str) -> str:
    return re.sub(r"<(script|link)[^>]+https://[^>]+>(</script>)?", "", html)


def serve(pages: dict[str, str], router_pages: list[MapPage]) -> tuple[str, uvicorn.Server]:
    app = FastAPI()
    app.include_router(maps_router(router_pages))
    for name, html in pages.items():
        app.add_api_route(f"/naive/{name}", lambda html=html: HTMLResponse(html))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def time_to_load(browser: Any, url: str, n_features: int) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    start = time.perf_counter()
    page.goto(url, wait_until="load", timeout=300_000)
    page.wait_for_function(
        """(n) => { const m = Object.values(window).find((v) => window.L && v instanceof L.Map);
        if (!m) return false; let k = 0; m.eachLayer((l) => { if (l.feature) k += 1; });
        return k >= n; }""",
        arg=n_features,
        timeout=300_000,
        polling=50,
    )
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
    elapsed = time.perf_counter() - start
    page.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=5000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    grids, xy = city(args.grids, args.incidents)
    counts, surface = aggregate(grids, xy)
    print(f"city: {len(grids)} grids, {len(xy):,} incidents ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    opts = MapOptions(lang="zh")
    ours = render_html(hotspot_map(counts, kde=surface, options=opts), options=opts)
    build_ours = time.perf_counter() - t
    t = time.perf_counter()
    naive = naive_html(grids, xy, counts[["id", "count", "geometry"]])
    build_naive = time.perf_counter() - t

    def build(o: MapOptions, s: str | None) -> folium.Map:
        return hotspot_map(counts, kde=surface, options=o, lang_switch=s)

    base, server = serve({"hotspots": naive}, [MapPage("hotspots", TITLES["hotspots"], build)])
    n = len(grids)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        time_to_load(browser, f"{base}/maps/hotspots", n)  # warm the page cache
        ours_s = [time_to_load(browser, f"{base}/maps/hotspots", n) for _ in range(args.runs)]
        naive_s = [time_to_load(browser, f"{base}/naive/hotspots", n) for _ in range(args.runs)]
        browser.close()
    server.should_exit = True
    print(f"{'':8}{'page MB':>9}{'build s':>9}{'load s (median of ' + str(args.runs) + ')':>26}")
    for name, html, built, loads in (
        ("ours", ours, build_ours, ours_s),
        ("naive", naive, build_naive, naive_s),
    ):
        size = len(html.encode()) / 1e6
        print(f"{name:8}{size:9.2f}{built:9.2f}{statistics.median(loads):26.2f}")
        print(f"{'':8}all loads: {', '.join(f'{s:.2f}' for s in loads)}")


if __name__ == "__main__":
    main()

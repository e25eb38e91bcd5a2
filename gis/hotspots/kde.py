"""Kernel density surfaces, fast for millions of points: bin, then one FFT convolution.

Points are counted on a raster (``numpy.bincount``), the kernel is sampled on the same
raster and normalised to sum to one, and :func:`scipy.signal.fftconvolve` spreads the
counts: O(cells · log cells) whatever the number of points, and the total mass is kept
exactly (the surface integrates to the number of points that fell inside it).

Kernels: ``quartic`` (ArcGIS Kernel Density: 3/(πh²)·(1 − d²/h²)² within h) and
``gaussian`` (σ = h, cut at 4h).  The default raster extends the points' extent by the
kernel's reach, so no mass is lost at the edges.  Bandwidth rule (``bandwidth_m=None``), ArcGIS's
default search radius, in metres of the metric CRS::

    h = 0.9 · min(SD, sqrt(1 / ln 2) · Dm) · n^(-0.2)

with SD the standard distance of the points and Dm their median distance to the mean
centre (a spatial Silverman rule robust to outliers).  Output cell size
(``cell_m=None``): the shorter extent side / 250 (ArcGIS), at most h / 3.

Outputs: :func:`write_geotiff` writes the surface as a single-band float32 GeoTIFF
(``rasterio``; the metric CRS and the north-up transform, incidents per km²), and
:func:`density_contours` turns it into nested polygons, one per density level (the
superlevel sets "density ≥ level", traced with ``contourpy``), each with the share of the
incidents it holds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from scipy.signal import fftconvolve

from gis.crs import to_metric
from gis.errors import ConfigError
from gis.i18n import Text

Kernel = Literal["quartic", "gaussian"]
_MAX_CELLS = 16_000_000


@dataclass(frozen=True)
class DensitySurface:
    """A density raster, north-up: row 0 is the northern edge.

    Attributes
    ----------
    density : ndarray (ny, nx)
        Incidents per km².
    x0, y0 : float
        West and north edges of the raster, metres in ``crs``.
    cell_m, bandwidth_m : float
    kernel : {"quartic", "gaussian"}
    rule : str
        How the bandwidth was chosen.
    n_points : int
    """

    density: np.ndarray
    x0: float
    y0: float
    cell_m: float
    bandwidth_m: float
    kernel: Kernel
    rule: str
    n_points: int
    crs: pyproj.CRS

    def sample(self, xy: np.ndarray) -> np.ndarray:
        """Density at metric points ``xy`` (n, 2); NaN outside the raster."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        col = np.floor((xy[:, 0] - self.x0) / self.cell_m).astype(int)
        row = np.floor((self.y0 - xy[:, 1]) / self.cell_m).astype(int)
        ny, nx = self.density.shape
        inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        out = np.full(len(xy), np.nan)
        out[inside] = self.density[row[inside], col[inside]]
        return out

    def to_cells(self, *, min_density: float = 0.0) -> gpd.GeoDataFrame:
        """The raster as square polygons with ``density`` above ``min_density``."""
        rows, cols = np.nonzero(self.density > min_density)
        x = self.x0 + cols * self.cell_m
        y = self.y0 - (rows + 1) * self.cell_m
        boxes = shapely.box(x, y, x + self.cell_m, y + self.cell_m)
        return gpd.GeoDataFrame({"density": self.density[rows, cols]}, geometry=boxes, crs=self.crs)

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """The affine transform (a, b, c, d, e, f) of the raster: x = a·col + c, y = e·row + f."""
        return (self.cell_m, 0.0, self.x0, 0.0, -self.cell_m, self.y0)

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Metric x (nx,) and y (ny,) of the cell centres (y decreasing, north first)."""
        ny, nx = self.density.shape
        x = self.x0 + (np.arange(nx) + 0.5) * self.cell_m
        y = self.y0 - (np.arange(ny) + 0.5) * self.cell_m
        return x, y

    def mass(self) -> np.ndarray:
        """Incidents per cell (density × cell area): sums to the points in the raster."""
        return self.density * (self.cell_m**2) / 1e6


def write_geotiff(surface: DensitySurface, path: str | Path) -> Path:
    """Write ``surface`` as a GeoTIFF: one float32 band of incidents per km², the metric
    CRS, the north-up transform, no nodata (0 is a density), DEFLATE compression; tags
    carry the kernel, the bandwidth and its rule, the cell size and the number of points.
    """
    import rasterio
    from rasterio.transform import Affine

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ny, nx = surface.density.shape
    profile = {
        "driver": "GTiff",
        "width": nx,
        "height": ny,
        "count": 1,
        "dtype": "float32",
        "crs": surface.crs.to_wkt(),
        "transform": Affine(*surface.transform),
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(surface.density.astype(np.float32), 1)
        dst.set_band_description(1, "incidents per km2 (警情密度，起/平方公里)")
        dst.update_tags(
            units="incidents per km2",
            kernel=surface.kernel,
            bandwidth_m=f"{surface.bandwidth_m:.3f}",
            bandwidth_rule=surface.rule,
            cell_m=f"{surface.cell_m:.3f}",
            n_points=str(surface.n_points),
        )
    return path


DEFAULT_SHARES = (0.9, 0.75, 0.5, 0.25)
"""Default contour levels: the densest areas holding 90 %, 75 %, 50 % and 25 % of the
incidents (percent-volume contours, as home-range and hot-spot maps draw them)."""


def density_contours(
    surface: DensitySurface,
    *,
    levels: Sequence[float] | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
) -> gpd.GeoDataFrame:
    """Nested contour polygons of a density surface, lowest level first.

    Each row is the region where the density is at least ``level`` (incidents per km²), a
    (Multi)Polygon with holes, so a higher level lies inside every lower one.  Columns:
    ``level``, ``share`` (share of the surface's incidents inside the region, from the
    cells at or above the level), ``area_km2``, ``label_zh``/``label_en``; CRS ``surface.crs``.

    Parameters
    ----------
    levels : densities to trace; default from ``shares``.
    shares : with ``levels=None``, trace the level whose region holds each share of the
        incidents (the densest 90 %, 75 % … of them).
    """
    import contourpy

    values = np.asarray(surface.density, dtype=float)
    if levels is None:
        levels = _share_levels(values, shares)
    wanted = sorted({float(v) for v in levels if np.isfinite(v) and v > 0})
    x, y = surface.cell_centres()
    gen = contourpy.contour_generator(
        x, y, values, fill_type=contourpy.FillType.OuterOffset, name="serial"
    )
    top = float(values.max()) * 2.0 + 1.0
    mass = surface.mass()
    total = float(mass.sum())
    rows = []
    for level in wanted:
        if level >= float(values.max()):
            continue
        filled = gen.filled(level, top)
        points, offsets = filled[0], filled[1]
        parts = [_polygon(p, o) for p, o in zip(points, offsets, strict=True)]
        geom = shapely.make_valid(shapely.union_all([g for g in parts if g is not None]))
        inside = float(mass[values >= level].sum())
        rows.append(
            {
                "level": round(level, 3),
                "share": round(inside / total, 4) if total > 0 else 0.0,
                "area_km2": round(geom.area / 1e6, 4),
                "label_zh": f"密度 ≥ {level:.1f} 起/平方公里",
                "label_en": f"density ≥ {level:.1f} per km²",
                "geometry": geom,
            }
        )
    columns = ["level", "share", "area_km2", "label_zh", "label_en", "geometry"]
    if not rows:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=surface.crs)
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=surface.crs)


def _share_levels(values: np.ndarray, shares: Sequence[float]) -> list[float]:
    """The density at which the cells above it hold each share of the total mass."""
    flat = np.sort(values.ravel())[::-1]
    cumulative = np.cumsum(flat)
    if not len(flat) or cumulative[-1] <= 0:
        return []
    out = []
    for share in shares:
        if not 0 < share < 1:
            raise ConfigError(
                str(Text("等值线份额须在 0 与 1 之间", f"share {share} not in (0, 1)"))
            )
        k = int(np.searchsorted(cumulative, share * cumulative[-1]))
        out.append(float(flat[min(k, len(flat) - 1)]))
    return out


def _polygon(points: np.ndarray | None, offsets: np.ndarray | None) -> shapely.Polygon | None:
    """One outer ring and its holes (contourpy's OuterOffset) as a polygon."""
    if points is None or offsets is None:
        return None
    rings = [points[a:b] for a, b in itertools.pairwise(offsets)]
    rings = [r for r in rings if len(r) >= 4]
    if not rings:
        return None
    return shapely.Polygon(rings[0], holes=rings[1:])


def bandwidth_rule(xy: np.ndarray) -> float:
    """ArcGIS default search radius in metres (see module docstring)."""
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    if n < 2:
        raise ConfigError(
            str(Text("点太少，无法确定带宽", "need at least two points for a bandwidth"))
        )
    d = np.hypot(*(xy - xy.mean(axis=0)).T)
    sd = float(np.sqrt((d**2).mean()))
    dm = float(np.median(d))
    h = 0.9 * min(sd, np.sqrt(1.0 / np.log(2.0)) * dm) * n ** (-0.2)
    if not h > 0:
        raise ConfigError(
            str(Text("所有点重合，请指定带宽", "all points coincide; give bandwidth_m"))
        )
    return h


def kernel_density(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    kernel: Kernel = "quartic",
    bandwidth_m: float | None = None,
    cell_m: float | None = None,
    weights: np.ndarray | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> DensitySurface:
    """Kernel density of ``points`` in incidents per km² (see module docstring).

    Parameters
    ----------
    points : GeoDataFrame or GeoSeries
        Incident points (any CRS; projected to metres).
    bandwidth_m, cell_m : float, optional
        Search radius and output cell size in metres; None applies the stated rules.
    weights : ndarray, optional
        A weight per point (e.g. a severity); default 1.
    bounds : tuple, optional
        Metric (minx, miny, maxx, maxy) of the raster; default the points' extent plus h.
    """
    frame = points if isinstance(points, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=points)
    metric, crs = to_metric(frame)
    geoms = metric.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[ok])
    # a point a quarter of the globe from the zone's meridian projects to infinity: it
    # lies in no surface of the rest (one stray incident on the wrong continent)
    finite = np.isfinite(xy).all(axis=1)
    ok[ok] = finite
    xy = xy[finite]
    wts = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)[ok]
    rule = "given"
    if bandwidth_m is None:
        bandwidth_m, rule = bandwidth_rule(xy), "ArcGIS default: 0.9·min(SD, √(1/ln2)·Dm)·n^-0.2"
    if not bandwidth_m > 0:
        raise ConfigError(
            str(Text("带宽须为正数", f"bandwidth must be positive, got {bandwidth_m}"))
        )
    h = float(bandwidth_m)
    pad = h if kernel == "quartic" else 4.0 * h  # the kernel's reach: no mass falls off
    minx, miny, maxx, maxy = bounds or (*(xy.min(0) - pad), *(xy.max(0) + pad))
    if cell_m is None:
        cell_m = min(min(maxx - minx, maxy - miny) / 250.0, h / 3.0)
    nx, ny = int(np.ceil((maxx - minx) / cell_m)), int(np.ceil((maxy - miny) / cell_m))
    if nx * ny > _MAX_CELLS:
        raise ConfigError(
            str(Text("栅格过大", f"raster of {nx}x{ny} cells is too large; raise cell_m"))
        )
    counts = _bin(xy, wts, minx, maxy, cell_m, nx, ny)
    mass = fftconvolve(counts, _kernel(kernel, h, cell_m), mode="same")
    density = np.clip(mass, 0.0, None) / (cell_m**2) * 1e6
    return DensitySurface(density, minx, maxy, float(cell_m), h, kernel, rule, len(xy), crs)


def _bin(
    xy: np.ndarray, w: np.ndarray, x0: float, y0: float, cell: float, nx: int, ny: int
) -> np.ndarray:
    col = np.floor((xy[:, 0] - x0) / cell).astype(np.int64)
    row = np.floor((y0 - xy[:, 1]) / cell).astype(np.int64)
    inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    flat = row[inside] * nx + col[inside]
    return np.bincount(flat, weights=w[inside], minlength=nx * ny).reshape(ny, nx)


def _kernel(kind: Kernel, h: float, cell: float) -> np.ndarray:
    """The kernel sampled at cell-centre offsets, normalised to sum 1 (mass-preserving)."""
    reach = h if kind == "quartic" else 4.0 * h
    r = int(np.ceil(reach / cell))
    off = np.arange(-r, r + 1) * cell
    d2 = off[None, :] ** 2 + off[:, None] ** 2
    if kind == "quartic":
        k = np.where(d2 < h * h, (1.0 - d2 / (h * h)) ** 2, 0.0)
    else:
        k = np.where(d2 <= reach * reach, np.exp(-d2 / (2.0 * h * h)), 0.0)
    total = k.sum()
    if total == 0:  # bandwidth below half a cell: the kernel is the cell itself
        k[r, r], total = 1.0, 1.0
    return k / total

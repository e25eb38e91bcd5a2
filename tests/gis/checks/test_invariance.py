"""Results do not change under reprojection, vertex reordering or row order."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.gis.checks.conftest import GRID_BOXES, frame, sq
from tests.gis.checks.helpers import run


def _defective(district) -> dict[str, object]:
    """Overlap G1/G2 (10 m), a 6 m gap G3/G4, G6 split between beats, a 1 m noise strip."""
    notch = sq(85, 40, 115, 46)
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms["G2"] = sq(90, 100, 200, 200)
    geoms["G3"] = geoms["G3"].difference(notch)
    geoms["G4"] = geoms["G4"].difference(notch)
    geoms["G8"] = sq(300, 0, 399, 100)
    beats = frame(
        ["B1", "B2"], [sq(0, 0, 200, 200), sq(200, 0, 350, 200).union(sq(350, 0, 400, 100))]
    )
    return district(grid=frame(list(geoms), list(geoms.values())), beat=beats)


def _key(report) -> pd.DataFrame:
    f = pd.DataFrame(report.findings.drop(columns="geometry"))
    return f.sort_values(["rule", "layer", "ids", "other_ids"]).reset_index(drop=True)


def _rotate(geom: shapely.Geometry) -> shapely.Geometry:
    """Start each polygon's exterior ring at another vertex (same shape)."""
    if geom.geom_type != "Polygon":
        return geom
    ring = np.asarray(geom.exterior.coords)[:-1]
    ring = np.roll(ring, 2, axis=0)
    return shapely.Polygon(ring, [h.coords for h in geom.interiors])


def _transform(layers: dict[str, object], how: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for kind, layer in layers.items():
        if not isinstance(layer, gpd.GeoDataFrame):
            out[kind] = layer
        elif how == "reverse":
            out[kind] = layer.set_geometry(shapely.reverse(layer.geometry.array))
        elif how == "rotate":
            out[kind] = layer.set_geometry([_rotate(g) for g in layer.geometry])
        elif how == "shuffle":
            out[kind] = layer.sample(frac=1.0, random_state=7)
        else:
            out[kind] = layer.to_crs(how)
    return out


@pytest.fixture(scope="module")
def baseline():
    from tests.gis.checks.conftest import make_district

    layers = _defective(make_district)
    report = run(dict(layers))
    assert not report.ok and len(report.noise) > 0
    return layers, _key(report)


@pytest.mark.parametrize(
    "how", ["reverse", "rotate", "shuffle", "EPSG:4490", "EPSG:32650", "EPSG:4527"]
)
def test_findings_do_not_change(baseline, how) -> None:
    layers, expected = baseline
    got = _key(run(_transform(dict(layers), how)))
    cols = ["rule", "severity", "layer", "ids", "other_layer", "other_ids", "accepted"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])
    # metres agree to a few parts in 10⁴ (projection scale differences), widths to 5 cm
    np.testing.assert_allclose(got["area_m2"], expected["area_m2"], rtol=2e-3, atol=0.05)
    np.testing.assert_allclose(got["width_m"], expected["width_m"], atol=0.05)

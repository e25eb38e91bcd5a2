"""dask over partitioned GeoParquet gives exactly the single-machine answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gis.errors import FileFormatError
from gis.geocoding.assign import build_area_index
from gis.geocoding.distributed import geocode_parquet
from gis.geocoding.pipeline import GeocodeOptions, geocode_frame
from tests.gis.geocoding.geocoding_sketch import beats, grids, lonlat


def _records(n: int = 300, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    e, nn = rng.uniform(-0.2, 2.2, n), rng.uniform(-0.2, 2.2, n)
    e[:4], nn[:4] = [1.0, 1.0, 0.5, 2.0], [0.5, 1.0, 1.0, 2.0]  # on shared boundaries
    lon, lat = zip(*(lonlat(a, b) for a, b in zip(e, nn, strict=True)), strict=True)
    frame = pd.DataFrame({"id": [f"i{i}" for i in range(n)], "lon": lon, "lat": lat})
    frame.loc[10, "lon"] = np.nan  # a record without coordinates
    if n > 150:
        frame.loc[150, "id"] = "i3"  # a duplicate in another partition
    return frame


@pytest.fixture(scope="module")
def areas():
    return build_area_index({"grid": grids(), "beat": beats()}, tolerance_m=1.0)


def _write_partitions(frame: pd.DataFrame, folder, parts: int = 3) -> None:
    folder.mkdir()
    gdf = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=4490,
    )
    for i, piece in enumerate(np.array_split(np.arange(len(gdf)), parts)):
        gdf.iloc[piece].to_parquet(folder / f"part.{i}.parquet")


def test_local_cluster_identical_to_single_machine(tmp_path, areas):
    frame = _records()
    _write_partitions(frame, tmp_path / "in")
    options = GeocodeOptions(id_column="id", source_crs="cgcs2000")
    result = geocode_parquet(
        tmp_path / "in",
        tmp_path / "out",
        areas,
        options=options,
        n_workers=1,
        threads_per_worker=2,
        processes=False,
    )
    assert result.partitions == 3
    assert result.summary.rows == len(frame)
    got = pd.read_parquet(tmp_path / "out").sort_values("source_row").reset_index(drop=True)
    points = gpd.GeoDataFrame(
        frame[["id"]], geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4490
    )
    want = geocode_frame(points, areas, options=options)
    columns = [c for c in want.columns if c in got.columns]
    assert set(want.columns) - set(got.columns) == set()
    pd.testing.assert_frame_equal(
        got[columns].astype(str), want[columns].reset_index(drop=True).astype(str)
    )
    assert got.loc[150, "status"] == "duplicate_id"
    assert got.loc[10, "status"] == "missing_coordinates"
    # the summary counts the rows with another area within the 1 m tolerance (issue 17.11)
    near = want.filter(like="_alt_ids").fillna("").ne("").any(axis=1).sum()
    assert near > 0 and result.summary.near_other_area == near


def test_missing_input_is_a_domain_error(tmp_path, areas):
    with pytest.raises(FileFormatError):
        geocode_parquet(tmp_path / "nope", tmp_path / "out", areas, processes=False, n_workers=1)


def test_running_scheduler_by_address(tmp_path, areas):
    from dask.distributed import LocalCluster

    frame = _records(40)
    _write_partitions(frame, tmp_path / "in", parts=2)
    options = GeocodeOptions(source_crs="cgcs2000")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = geocode_parquet(
            tmp_path / "in",
            tmp_path / "out",
            areas,
            options=options,
            scheduler_address=cluster.scheduler_address,
        )
    got = pd.read_parquet(tmp_path / "out").sort_values("source_row")
    assert result.summary.rows == 40
    assert got["source_row"].tolist() == list(range(1, 41))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4490)
    want = geocode_frame(points, areas, options=options)
    assert got["grid_id"].fillna("-").tolist() == want["grid_id"].fillna("-").tolist()

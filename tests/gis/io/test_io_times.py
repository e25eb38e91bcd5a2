"""Times with a zone are kept as local wall-clock time: days are counted in local time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gis.errors import ConfigError
from gis.io import read_layer


def _incidents(tmp_path: Path, lon: float, lat: float) -> Path:
    path = tmp_path / "incidents.csv"
    pd.DataFrame(
        {
            "id": ["1", "2"],
            "time": ["2024-03-01T16:30:00Z", "2024-03-01T23:30:00+08:00"],
            "category": "盗窃",
            "lon": lon,
            "lat": lat,
        }
    ).to_csv(path, index=False)
    return path


def test_times_in_china_become_shanghai_local_time(tmp_path: Path) -> None:
    layer = read_layer(_incidents(tmp_path, 118.73, 32.01), kind="incident")
    times = layer.gdf["time"]
    assert times.dt.tz is None
    assert list(times) == [pd.Timestamp("2024-03-02 00:30"), pd.Timestamp("2024-03-01 23:30")]
    assert list(times.dt.date.astype(str)) == ["2024-03-02", "2024-03-01"]  # local days
    assert any("Asia/Shanghai" in w for w in layer.warnings)


def test_tz_option_and_foreign_default(tmp_path: Path) -> None:
    chicago = read_layer(_incidents(tmp_path, -87.63, 41.88), kind="incident").gdf
    assert chicago["time"].iloc[0] == pd.Timestamp("2024-03-01 16:30")  # UTC by default
    local = read_layer(
        _incidents(tmp_path, -87.63, 41.88), kind="incident", tz="America/Chicago"
    ).gdf
    assert local["time"].iloc[0] == pd.Timestamp("2024-03-01 10:30")
    with pytest.raises(ConfigError, match="time zone"):
        read_layer(_incidents(tmp_path, 118.73, 32.01), kind="incident", tz="Mars/Base")

"""Tiny hand-drawn layers for the gis.io tests.

Four grids of about 100 m × 100 m in Nanjing (CGCS2000, EPSG:4490), in two communities::

    32.002 +------+------+
           | G003 | G004 |      community SQ02
    32.001 +------+------+
           | G001 | G002 |      community SQ01
    32.000 +------+------+
        118.700 118.701 118.702
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

X0, Y0, STEP = 118.700, 32.000, 0.001


@pytest.fixture
def grids() -> gpd.GeoDataFrame:
    cells = [
        box(X0 + i * STEP, Y0 + j * STEP, X0 + (i + 1) * STEP, Y0 + (j + 1) * STEP)
        for j in range(2)
        for i in range(2)
    ]
    return gpd.GeoDataFrame(
        {
            "网格编码": ["G001", "G002", "G003", "G004"],
            "网格名称": ["南苑一格", "南苑二格", "北苑一格", "北苑二格"],
            "所属社区": ["SQ01", "SQ01", "SQ02", "SQ02"],
            "户数": [310, 280, 295, 330],
        },
        geometry=cells,
        crs="EPSG:4490",
    )


@pytest.fixture
def incidents_frame() -> pd.DataFrame:
    """Five incidents inside the four grids, as a user's spreadsheet would hold them."""
    return pd.DataFrame(
        {
            "警情编号": ["J1", "J2", "J3", "J4", "J5"],
            "报警时间": [
                "2024-03-01 08:15:00",
                "2024-03-01 22:40:00",
                "2024-03-02 01:05:00",
                "2024-03-03 13:30:00",
                "2024-03-05 19:00:00",
            ],
            "警情类别": ["盗窃", "纠纷", "盗窃", "诈骗", "纠纷"],
            "发生地址": ["南苑路1号", "南苑路8号", "北苑路3号", "北苑路9号", "南苑路5号"],
            "经度": [118.7005, 118.7015, 118.7004, 118.7016, 118.7008],
            "纬度": [32.0005, 32.0004, 32.0015, 32.0016, 32.0002],
        }
    )

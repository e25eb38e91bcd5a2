"""Partitioned (Geo)Parquet for dask: the files of :mod:`gis.geocoding.distributed`.

A dataset too large for one machine is a folder of Parquet files, one partition each,
read and written lazily by dask.  It lives here, beside the other readers and writers,
so that every file the library touches goes through :mod:`gis.io`; dask is imported
only by this module, never by ``import gis.io``.
"""

from __future__ import annotations

from pathlib import Path

import dask.dataframe as dd

from gis.errors import FileFormatError
from gis.i18n import Text


def read_partitions(source: str | Path) -> dd.DataFrame:
    """A (Geo)Parquet file or folder of files as a dask (geo)dataframe.

    Raises
    ------
    FileFormatError
        Nothing is at ``source``.
    """
    path = Path(source)
    if not path.exists():
        raise FileFormatError.single(
            str(path), str(Text("文件或目录不存在", "no such file or folder"))
        )
    try:
        import dask_geopandas

        return dask_geopandas.read_parquet(str(path))
    except (ValueError, KeyError, TypeError):  # plain Parquet without "geo" metadata
        return dd.read_parquet(str(path))


def write_partitions(frame: dd.DataFrame, output: str | Path) -> Path:
    """Compute ``frame`` into the folder ``output``, one Parquet file per partition
    (replacing what was there)."""
    out = Path(output)
    frame.to_parquet(str(out), write_index=False, overwrite=True)
    return out


def read_partition_column(output: str | Path, column: str) -> dd.Series:
    """One column of a written folder (lazy): summaries without reading the rest."""
    series: dd.Series = dd.read_parquet(str(output), columns=[column])[column]
    return series


__all__ = ["read_partition_column", "read_partitions", "write_partitions"]

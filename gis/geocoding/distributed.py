"""The same geocoding beyond one machine: partitioned GeoParquet on a dask cluster.

Each partition goes through :func:`gis.geocoding.pipeline.geocode_frame` with the
area index shipped once to every worker, so a partition's rows get exactly the
answers the single-machine path gives them.  Two things need the whole dataset and
are done as dask operations rather than inside partitions: row numbers (from the
partition lengths) and duplicate incident ids (a group-by on the id column).

By default a :class:`dask.distributed.LocalCluster` is started on this machine; give
``scheduler_address`` (``tcp://host:8786``) to use a running cluster.  The result is
a folder of Parquet files, one per partition, with the geocoded columns and the WGS84
point as ``geocode_lon`` / ``geocode_lat``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from gis.geocoding.assign import AreaIndex
from gis.geocoding.batch import BatchSummary, near_other_area
from gis.geocoding.pipeline import GeocodeOptions, duplicate_details, geocode_frame
from gis.geocoding.status import Status, reasons, summary_counts
from gis.io.partitioned import read_partition_column, read_partitions, write_partitions


@dataclass(frozen=True)
class DistributedResult:
    """Where the result went, how many partitions it had, and the row counts."""

    output: Path
    partitions: int
    summary: BatchSummary


def geocode_parquet(
    source: str | Path,
    output: str | Path,
    areas: AreaIndex,
    *,
    options: GeocodeOptions | None = None,
    scheduler_address: str | None = None,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    processes: bool = True,
) -> DistributedResult:
    """Geocode partitioned (Geo)Parquet on a dask cluster into a folder of Parquet files.

    Parameters
    ----------
    source : a Parquet file or a folder of them (one partition per file / row group).
    output : the folder to write.
    areas : the area index, sent once to every worker.
    options : as for :func:`gis.geocoding.pipeline.geocode_frame`.
    scheduler_address : a running dask scheduler; None starts a local cluster with
        ``n_workers`` × ``threads_per_worker`` (``processes=False``: threads only).
    """
    from dask.distributed import Client, LocalCluster

    if scheduler_address is None:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=processes,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        cluster, client = None, Client(scheduler_address)
    try:
        with dask.config.set(scheduler=client.get):
            return _run(source, Path(output), areas, options or GeocodeOptions())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run(
    source: str | Path, output: Path, areas: AreaIndex, options: GeocodeOptions
) -> DistributedResult:
    frames = read_partitions(source)
    lengths = frames.map_partitions(len).compute()
    first_rows = np.concatenate([[1], 1 + np.cumsum(lengths.to_numpy())[:-1]]).tolist()
    id_column = options.id_column
    per_partition = dataclasses.replace(options, id_column=None)
    shipped = dask.delayed(areas, pure=True)
    meta = geocode_frame(frames._meta, areas, options=per_partition)
    out = frames.map_partitions(
        _geocode_partition,
        shipped,
        per_partition,
        first_rows,
        meta=meta,
        enforce_metadata=False,
        align_dataframes=False,
    )
    if id_column is not None and id_column in frames.columns:
        out = _flag_duplicates(out, id_column)
    write_partitions(out, output)
    statuses = read_partition_column(output, "status")
    counts = statuses.value_counts().compute().to_dict()
    summary = summary_counts(counts)
    alt = [c for c in out.columns if str(c).endswith("_alt_ids")]
    near = 0
    if alt:  # rows with another area within the tolerance, as the single-machine summary
        parts = dd.read_parquet(str(output), columns=alt)
        per = parts.map_partitions(lambda f: pd.Series([near_other_area(f)]), meta=(None, "i8"))
        near = int(per.sum().compute())
    return DistributedResult(
        output=output,
        partitions=frames.npartitions,
        summary=BatchSummary(
            rows=summary["rows"],
            matched=summary["matched"],
            low_confidence=summary["low_confidence"],
            outside=summary["outside"],
            unmatched=summary["unmatched"],
            by_status=summary["by_status"],
            output=output,
            seconds=0.0,
            chunks=frames.npartitions,
            near_other_area=near,
        ),
    )


def _geocode_partition(
    frame: pd.DataFrame,
    areas: AreaIndex,
    options: GeocodeOptions,
    first_rows: list[int],
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    frame = frame.reset_index(drop=True)
    return geocode_frame(frame, areas, options=options, first_row=int(first_rows[number]))


def _flag_duplicates(out: dd.DataFrame, id_column: str) -> dd.DataFrame:
    """Mark every row whose id occurred in an earlier row (a dask group-by, no collect)."""
    ids = out[id_column].astype("string").str.strip()
    keyed = out.assign(_id_key=ids)
    first = keyed[keyed["_id_key"] != ""].groupby("_id_key")["source_row"].min()
    first = first.rename("_first_row").to_frame()
    merged = keyed.merge(first, left_on="_id_key", right_index=True, how="left")
    return merged.map_partitions(_mark_duplicates, meta=out._meta)


def _mark_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply the pipeline's duplicate rule to rows whose first occurrence is known."""
    first = frame["_first_row"].to_numpy(dtype=float, na_value=np.nan)
    rows = frame["source_row"].to_numpy()
    dup = np.isfinite(first) & (first < rows)
    out = frame.drop(columns=["_id_key", "_first_row"])
    if dup.any():
        zh, en = duplicate_details(first[dup].astype(np.int64), out.loc[dup, "status"])
        out.loc[dup, "status"] = Status.DUPLICATE_ID.value
        texts = reasons(out.loc[dup, "status"].astype("string"), zh, en)
        out.loc[dup, "reason_zh"] = texts["reason_zh"]
        out.loc[dup, "reason_en"] = texts["reason_en"]
    return out.sort_values("source_row")


__all__ = ["DistributedResult", "geocode_parquet", "read_partitions"]

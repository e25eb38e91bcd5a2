"""Addresses → points against a standard-address gazetteer (标准地址库).

Three passes, each only over what the previous one left:

1. **exact**: the address text equals a gazetteer address (score 100);
2. **normalized**: the :func:`~gis.geocoding.normalize.normalize_address` forms are
   equal (score 100);
3. **fuzzy**: within the same block (road name, see
   :func:`~gis.geocoding.normalize.block_key`; the whole gazetteer when the road is
   unknown) the candidates are scored with ``rapidfuzz`` (``fuzz.ratio`` on the
   normalized forms, in bulk with ``process.cdist``).  House numbers are a gate, not a
   similarity: a candidate whose numbers differ from the query's scores 0 (``108号``
   is never ``180号``); one that only lacks the query's trailing numbers (the
   gazetteer lists the building, the record the flat) keeps its score.  Road names
   are a gate too: a candidate on a road spelled unlike the record's (``fuzz.ratio``
   below :data:`ROAD_SIMILARITY`) scores 0, so the same house number on another road
   is never taken for a typo.

A fuzzy match is accepted when its score reaches ``threshold`` *and* beats every
candidate at another location by ``margin`` points.  Otherwise, a record whose best
score is at least ``review_floor`` goes to **review** with its best candidate shown,
and below that it is **unmatched**.  Nothing below the bar is ever placed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from gis.errors import FieldError, FileFormatError, Problem
from gis.geocoding.normalize import block_key, house_numbers, normalize_many
from gis.i18n import Text
from gis.io import read_plain

Method = Literal["exact", "normalized", "fuzzy", "review", "unmatched", "empty"]
MATCH_COLUMNS = (
    "match_method",
    "match_score",
    "matched_address",
    "match_lon",
    "match_lat",
    "match_building_id",
    "match_address_id",
    "review_candidate",
)


_T = TypeVar("_T")


@dataclass(frozen=True)
class Gazetteer:
    """A standard-address table with its lookup keys.

    Attributes
    ----------
    table : columns ``address``, ``lon``, ``lat``, ``building_id``, ``address_id`` plus the derived
        ``key`` (normalized), ``block``, ``numbers`` and ``loc`` (a location key).
    """

    table: pd.DataFrame
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: str, build: Callable[[], _T]) -> _T:
        """``build()`` once per gazetteer (lookups every chunk and request reuses)."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(_T, self._memo[key])

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        address: str = "address",
        lon: str = "lon",
        lat: str = "lat",
        building_id: str | None = "building_id",
        address_id: str | None = "address_id",
        source: str = "gazetteer",
    ) -> Gazetteer:
        """Build from a DataFrame; rows without address or coordinates are dropped."""
        missing = [c for c in (address, lon, lat) if c not in frame.columns]
        if missing:
            raise FieldError(
                [Problem(f"missing column {c!r}", source=source, field=c) for c in missing]
            )

        def optional(column: str | None) -> pd.Series:
            if column and column in frame.columns:
                return frame[column].astype("string")
            return pd.Series(pd.NA, index=frame.index, dtype="string")

        table = pd.DataFrame(
            {
                "address": frame[address].astype("string").str.strip(),
                "lon": pd.to_numeric(frame[lon], errors="coerce"),
                "lat": pd.to_numeric(frame[lat], errors="coerce"),
                "building_id": optional(building_id),
                "address_id": optional(address_id),
            }
        )
        table = table.dropna(subset=["address", "lon", "lat"])
        table = table[table["address"] != ""].reset_index(drop=True)
        keys = normalize_many(table["address"])
        table["key"] = keys
        table["block"] = [block_key(k) for k in keys]
        table["numbers"] = [house_numbers(k) for k in keys]
        # one string per location: rows at the same point are not rivals of each other
        table["loc"] = table["lon"].round(7).astype(str) + "," + table["lat"].round(7).astype(str)
        return cls(table)

    def __len__(self) -> int:
        return len(self.table)


def load_gazetteer(path: str | Path, **columns: str) -> Gazetteer:
    """Read a gazetteer CSV (``address, lon, lat[, building_id, address_id]``; UTF-8 or GBK)."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError.single(
            str(path), str(Text("标准地址库文件不存在", "gazetteer file not found"))
        )
    return Gazetteer.from_frame(read_plain(path), source=str(path), **columns)


def match_addresses(
    addresses: pd.Series,
    gazetteer: Gazetteer,
    *,
    threshold: float = 85.0,
    review_floor: float = 60.0,
    margin: float = 5.0,
) -> pd.DataFrame:
    """Match every address; a frame with :data:`MATCH_COLUMNS`, aligned with ``addresses``.

    Parameters
    ----------
    addresses : address texts (None / blank give ``match_method == "empty"``).
    gazetteer : the standard addresses.
    threshold : minimum fuzzy score (0–100) to place a record.
    review_floor : minimum score to offer a candidate for review.
    margin : points by which the best candidate must beat any candidate elsewhere.
    """
    raw = addresses.astype("string").str.strip()
    keys = np.array(normalize_many(raw.fillna("")), dtype=object)
    n = len(raw)
    best = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    method = np.full(n, "unmatched", dtype=object)
    method[keys == ""] = "empty"
    _exact(raw, gazetteer, best, score, method)
    _normalized(keys, gazetteer, best, score, method)
    todo = np.flatnonzero(method == "unmatched")
    if len(todo):
        fb, fs, fm = _fuzzy(keys[todo], gazetteer, threshold, review_floor, margin)
        best[todo], score[todo], method[todo] = fb, fs, fm
    return _frame(raw.index, gazetteer, best, score, method)


def _exact(
    raw: pd.Series,
    gaz: Gazetteer,
    best: NDArray[np.int64],
    score: NDArray[np.float64],
    method: NDArray[np.object_],
) -> None:
    lookup = gaz.memo("unique:address", lambda: _unique_location(gaz.table, "address"))
    hit = raw.map(lookup).to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(hit) & (method == "unmatched")
    best[ok], score[ok], method[ok] = hit[ok].astype(np.int64), 100.0, "exact"


def _normalized(
    keys: NDArray[np.object_],
    gaz: Gazetteer,
    best: NDArray[np.int64],
    score: NDArray[np.float64],
    method: NDArray[np.object_],
) -> None:
    lookup = gaz.memo("unique:key", lambda: _unique_location(gaz.table, "key"))
    hit = pd.Series(keys).map(lookup).to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(hit) & (method == "unmatched")
    best[ok], score[ok], method[ok] = hit[ok].astype(np.int64), 100.0, "normalized"


def _unique_location(table: pd.DataFrame, column: str) -> pd.Series:
    """Value → gazetteer row, for values naming one location only (ambiguous keys
    fall through to the fuzzy pass, where the margin rule sends them to review)."""
    places = table.groupby(column)["loc"].nunique()
    single = places[places == 1].index
    first = table.reset_index().drop_duplicates(column).set_index(column)["index"]
    return first[first.index.isin(single)]


def _fuzzy(
    keys: NDArray[np.object_],
    gaz: Gazetteer,
    threshold: float,
    review_floor: float,
    margin: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.object_]]:
    """Block by road, score in bulk, gate on house numbers, decide."""
    n = len(keys)
    best = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    method = np.where(keys == "", "empty", "unmatched").astype(object)
    blocks = pd.Series([block_key(k) for k in keys], dtype=object)
    known = gaz.memo("blocks", lambda: set(gaz.table["block"]))
    blocks = blocks.where(blocks.isin(known), _ALL)
    live = pd.Series(np.arange(n))[keys != ""]
    for block, members in live.groupby(blocks[keys != ""].to_numpy()):
        cand = _candidates(gaz, str(block))
        idx = members.to_numpy()
        for start in range(0, len(idx), _QUERY_BATCH):  # bounds the score matrix
            part = idx[start : start + _QUERY_BATCH]
            best[part], score[part], method[part] = _decide(
                keys[part], cand, gaz, threshold, review_floor, margin
            )
    return best, score, method


_ALL = "\0all"
ROAD_SIMILARITY = 60.0
"""Minimum ``fuzz.ratio`` between the road names of a record and a fuzzy candidate."""
_QUERY_BATCH = 256


def _columns(gaz: Gazetteer) -> dict[str, NDArray[np.object_]]:
    """The gazetteer's match columns as object arrays, converted once (not per block)."""
    return gaz.memo(
        "columns",
        lambda: {
            c: gaz.table[c].to_numpy(dtype=object) for c in ("key", "numbers", "block", "loc")
        },
    )


def _candidates(gaz: Gazetteer, block: str) -> NDArray[np.int64]:
    if block == _ALL:
        return np.arange(len(gaz.table))
    return np.flatnonzero(_columns(gaz)["block"] == block)


def _decide(
    queries: NDArray[np.object_],
    cand: NDArray[np.int64],
    gaz: Gazetteer,
    threshold: float,
    review_floor: float,
    margin: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.object_]]:
    """Best candidate per query, accepted / review / unmatched."""
    columns = _columns(gaz)
    scores = process.cdist(
        list(queries), columns["key"][cand].tolist(), scorer=fuzz.ratio, workers=1
    ).astype(float)
    scores *= _number_gate(queries, columns["numbers"][cand])
    scores *= _road_gate(queries, columns["block"][cand])
    top = np.argmax(scores, axis=1)
    top_score = scores[np.arange(len(queries)), top]
    loc = columns["loc"]
    elsewhere = loc[cand][None, :] != loc[cand][top][:, None]
    rival = np.where(elsewhere, scores, 0.0).max(axis=1, initial=0.0)
    accepted = (top_score >= threshold) & (top_score - rival >= margin)
    method = np.where(accepted, "fuzzy", np.where(top_score >= review_floor, "review", "unmatched"))
    return cand[top], top_score, method.astype(object)


def _road_gate(queries: NDArray[np.object_], blocks: NDArray[np.object_]) -> NDArray[np.float64]:
    """1 where the candidate's road (block) is spelled like the query's: a typo
    (清西路 for 清溪路) passes, another road with the same house number (锦岸路) does not."""
    names, where = np.unique(blocks.astype(str), return_inverse=True)
    query_blocks = [block_key(k) for k in queries]
    similar = process.cdist(query_blocks, list(names), scorer=fuzz.ratio, workers=1)
    return (similar[:, where] >= ROAD_SIMILARITY).astype(float)


def _number_gate(queries: NDArray[np.object_], numbers: NDArray[np.object_]) -> NDArray[np.float64]:
    """1 where the candidate's house numbers equal the query's or are a leading part of
    them (the gazetteer lists the building, the record the flat); 0 otherwise."""
    q = np.array([house_numbers(k) for k in queries], dtype=object)
    qn = q[:, None]
    cn = numbers[None, :]
    equal = qn == cn
    prefix = np.char.startswith(
        np.asarray(np.broadcast_to(qn, equal.shape), dtype=str),
        np.asarray(np.broadcast_to(cn, equal.shape), dtype=str) + "|",
    )
    return (equal | (prefix & (cn != ""))).astype(float)


def _frame(
    index: pd.Index,
    gaz: Gazetteer,
    best: NDArray[np.int64],
    score: NDArray[np.float64],
    method: NDArray[np.object_],
) -> pd.DataFrame:
    table = gaz.table
    found = best >= 0
    placed = found & np.isin(method, ("exact", "normalized", "fuzzy"))
    rows = np.maximum(best, 0)

    def pick(column: str, mask: NDArray[np.bool_]) -> pd.Series:
        values = np.full(len(best), None, dtype=object)
        if len(table):
            values[mask] = table[column].to_numpy()[rows[mask]]
        return pd.Series(values, index=index)

    return pd.DataFrame(
        {
            "match_method": pd.Series(method, index=index, dtype="string"),
            "match_score": pd.Series(np.where(found, score, np.nan), index=index).round(1),
            "matched_address": pick("address", placed).astype("string"),
            "match_lon": pick("lon", placed).astype(float),
            "match_lat": pick("lat", placed).astype(float),
            "match_building_id": pick("building_id", placed).astype("string"),
            "match_address_id": pick("address_id", placed).astype("string"),
            "review_candidate": pick("address", found & (method == "review")).astype("string"),
        },
        index=index,
    )

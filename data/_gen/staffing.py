"""Officer assignments (警力配置) and visits (走访) to standard addresses.

Each officer beat has one community officer (民警); each auxiliary beat has one
auxiliary (辅警) — except the aux beat of the grid planted as unstaffed.  Visits follow
Yuanling 2025: key addresses monthly and jointly, attention addresses quarterly, ordinary
addresses once a year by grid workers; a few key addresses are deliberately never visited.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data._gen.assemble import Areas
from data._gen.defects import DefectPlan
from data._gen.names import person_names
from data._gen.population import Population

N_UNVISITED_KEY = 12
_MONTHS = np.arange("2025-01", "2026-01", dtype="datetime64[M]").astype("datetime64[D]")


def build_assignments(areas: Areas, defects: DefectPlan, rng: np.random.Generator) -> pd.DataFrame:
    """One officer per beat, one auxiliary per aux beat except the unstaffed grid's."""
    beats = areas.beats.id.to_numpy()
    aux = areas.aux_beats[areas.aux_beats.grid_id != areas.grid_id[defects.unstaffed]]
    aux = aux.sort_values("id")
    n_b, n_a = len(beats), len(aux)
    return pd.DataFrame(
        {
            "officer_id": [f"JY{k + 1:04d}" for k in range(n_b)]
            + [f"FJ{k + 1:04d}" for k in range(n_a)],
            "name": person_names(rng, n_b + n_a),
            "role": ["officer"] * n_b + ["auxiliary"] * n_a,
            "role_zh": ["社区民警"] * n_b + ["辅警"] * n_a,
            "area_kind": ["beat"] * n_b + ["aux_beat"] * n_a,
            "area_id": np.concatenate([beats, aux.id.to_numpy()]),
        }
    )


def build_visits(pop: Population, rng: np.random.Generator) -> tuple[pd.DataFrame, list[str]]:
    """Visit records and the ids of the key addresses never visited."""
    addr = pop.addresses
    key = np.flatnonzero(addr.level.to_numpy() == "key")
    never = np.sort(rng.choice(key, N_UNVISITED_KEY, replace=False))
    key = np.setdiff1d(key, never)
    attention = np.flatnonzero(addr.level.to_numpy() == "attention")
    ordinary = np.flatnonzero(addr.level.to_numpy() == "ordinary")
    ordinary = ordinary[rng.random(len(ordinary)) < 0.8]
    parts = []
    for who, months, joint_share in (
        (key, np.arange(12), 0.85),
        (attention, np.array([1, 4, 7, 10]), 0.5),
    ):
        a = np.repeat(who, len(months))
        m = np.tile(months, len(who))
        parts.append((a, m, np.where(rng.random(len(a)) < joint_share, "joint", "police")))
    m_ord = rng.integers(0, 12, len(ordinary))
    parts.append((ordinary, m_ord, np.full(len(ordinary), "grid_worker")))
    a, m, roles = (np.concatenate(v) for v in zip(*parts, strict=True))
    day = _MONTHS[m] + rng.integers(0, 28, len(a)).astype("timedelta64[D]")
    seconds = rng.integers(9 * 3600, 17 * 3600, len(a)).astype("timedelta64[s]")
    visits = pd.DataFrame(
        {
            "address_id": addr.id.to_numpy()[a],
            "time": day.astype("datetime64[s]") + seconds,
            "visitor_role": roles,
        }
    ).sort_values(["time", "address_id"], kind="stable")
    return visits.reset_index(drop=True), addr.id.to_numpy()[never].tolist()

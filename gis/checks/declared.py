"""The ``parent_id`` a child declares against the parent it lies in, and against the parents.

Two findings come from a declared parent id:

- ``parent_not_found``: the declared id matches no feature of the parent layer
  (after the configured :class:`~gis.checks.ids.IdNormalization`).  One finding per
  declared value, listing the children that declare it.  Such children are not also
  reported as lying in the "wrong" parent: the id is the problem, not the geometry.
- the rule of the pair (``crosses_parent``, ``joint_point_outside_grid``): the declared
  parent exists but the child lies (mostly) in another one.

::

    beats.parent_id   01   01   4     districts.id   1   4
                      └─ parent_not_found ("01")     (with --parent-ids zeros: found)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, join_ids, polygonal
from gis.checks.ids import IdNormalization, is_missing, suggest
from gis.i18n import Text


@dataclass(frozen=True)
class Declared:
    """Draft findings of the declared parent ids and a normalisation that would match them."""

    findings: pd.DataFrame
    suggestion: IdNormalization | None


def check_declared(
    ids: np.ndarray,
    geoms: np.ndarray,
    declared: np.ndarray,
    home_ids: np.ndarray,
    parent_ids: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
    rule: str,
    already: set[str],
    how: IdNormalization,
) -> Declared:
    """Children whose declared parent does not exist, or is not the parent they lie in.

    Children in ``already`` (reported under ``rule`` by the geometric check) are not
    reported twice under ``rule``.
    """
    declared = np.asarray(declared, dtype=object).astype(str)
    given = ~np.array([is_missing(d) for d in declared], dtype=bool)
    norm = np.array(how.apply(declared), dtype=object)
    # hash membership: np.isin on object arrays compares every pair (0.4 s at 5,000)
    exists = pd.Series(norm, dtype=object).isin(set(how.apply(parent_ids))).to_numpy()
    missing = given & ~exists
    hint = suggest(declared[missing], parent_ids) if missing.any() and how.identity else None
    norm_home = np.array(how.apply(home_ids), dtype=object)
    skip = pd.Series(ids).isin(already).to_numpy()
    wrong = given & exists & (home_ids != "") & (norm != norm_home) & ~skip
    found = concat(
        [
            _not_found(
                ids, geoms, declared, missing, kind=kind, parent_kind=parent_kind, hint=hint
            ),
            draft(
                rule,
                kind,
                ids[wrong],
                geoms[wrong],
                other_layer=parent_kind,
                other_ids=[join_ids(p) for p in zip(declared[wrong], home_ids[wrong], strict=True)],
                detail=[
                    f"{d} → {h}" for d, h in zip(declared[wrong], home_ids[wrong], strict=True)
                ],
            ),
        ]
    )
    return Declared(found, hint)


def _not_found(
    ids: np.ndarray,
    geoms: np.ndarray,
    declared: np.ndarray,
    missing: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
    hint: IdNormalization | None,
) -> pd.DataFrame:
    """One ``parent_not_found`` draft per declared value that matches no parent."""
    rows = np.flatnonzero(missing)
    values = sorted(set(declared[rows]))
    children, shapes = [], []
    for value in values:  # one per distinct unknown id: usually a handful
        mine = rows[declared[rows] == value]
        children.append(join_ids(ids[mine]))
        shapes.append(_collect(geoms[mine]))
    detail = Text("", "")
    if hint is not None:
        detail = Text(
            f"（{hint.describe().zh}后可匹配：--parent-ids {hint.option}）",
            f" (they match once {hint.describe().en}: --parent-ids {hint.option})",
        )
    return draft(
        "parent_not_found",
        kind,
        children,
        np.array(shapes, dtype=object),
        other_layer=parent_kind,
        other_ids=values,
        detail=[detail] * len(values),
    )


def _collect(geoms: np.ndarray) -> object:
    """The children of one finding as one geometry (a MultiPolygon for polygons)."""
    if len(geoms) == 1:
        return geoms[0]
    collection = shapely.geometrycollections(list(geoms))
    areas = polygonal(np.array([collection], dtype=object))[0]
    return collection if areas is None else areas

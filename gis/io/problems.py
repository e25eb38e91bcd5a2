"""Collecting located problems from many checks before raising one error."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gis.errors import CRSError, FieldError, FileFormatError, GeometryError, LayerError, Problem

PER_CHECK = 50
"""At most this many rows are listed per check; a closing line counts the rest."""

_ORDER: tuple[type[LayerError], ...] = (FileFormatError, CRSError, FieldError, GeometryError)


class Problems:
    """Problems found in one layer, each tied to a 1-based row and the feature id."""

    def __init__(
        self, source: str, rows: np.ndarray, ids: Sequence[object] | np.ndarray | None
    ) -> None:
        self.source = source
        self.rows = rows
        self.ids = ids
        self.found: list[tuple[type[LayerError], Problem]] = []

    def add(self, kind: type[LayerError], message: str, *, field: str | None = None) -> None:
        """A problem of the whole layer (no row)."""
        self.found.append((kind, Problem(message, self.source, field=field)))

    def at(
        self,
        kind: type[LayerError],
        positions: np.ndarray,
        messages: Sequence[str] | str,
        *,
        field: str | None,
    ) -> None:
        """One problem per position (0-based in the frame), capped at :data:`PER_CHECK`."""
        positions = np.asarray(positions, dtype=int)
        for n, pos in enumerate(positions[:PER_CHECK]):
            message = messages if isinstance(messages, str) else messages[n]
            self.found.append(
                (kind, Problem(message, self.source, int(self.rows[pos]), self._id(pos), field))
            )
        if positions.size > PER_CHECK:
            rest = positions.size - PER_CHECK
            first = messages if isinstance(messages, str) else messages[0]
            self.add(kind, f"… and {rest} more rows like: {first}", field=field)

    def _id(self, pos: int) -> str | None:
        if self.ids is None:
            return None
        value = self.ids[pos]
        return None if value is None or value != value else str(value)

    def __bool__(self) -> bool:
        return bool(self.found)

    def error(self) -> LayerError:
        """One error holding every problem; its class is the most basic kind found."""
        kinds = {k for k, _ in self.found}
        cls = next(k for k in _ORDER if k in kinds)
        return cls([p for _, p in self.found])

    def raise_if_any(self) -> None:
        if self.found:
            raise self.error()

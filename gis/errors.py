"""Domain errors and typed warnings.

Every error that concerns an input names where the problem is: the file, the
row (1-based, as a spreadsheet user counts, header excluded) or feature id, and
the field.  The service maps these classes to HTTP status codes in one place
(``api.errors``); the CLI prints ``str(error)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: file, row or feature id, field, message."""

    message: str
    source: str | None = None
    row: int | None = None
    feature_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [p for p in (self.source, _row_text(self.row, self.feature_id)) if p]
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{' '.join(where)}: {self.message}" if where else self.message


def _row_text(row: int | None, feature_id: str | None) -> str | None:
    if row is not None and feature_id is not None:
        return f"row {row} (id {feature_id})"
    if row is not None:
        return f"row {row}"
    if feature_id is not None:
        return f"id {feature_id}"
    return None


class BeatgridError(Exception):
    """Base class of every error beatgrid raises on purpose."""


@dataclass
class LayerError(BeatgridError):
    """An input layer is unusable.  Carries every problem found, not only the first.

    Examples
    --------
    >>> raise LayerError.single("grids.gpkg", "geometry is a LineString; grids must be polygons",
    ...                         row=17, field="geometry")
    Traceback (most recent call last):
    ...
    gis.errors.LayerError: grids.gpkg row 17 field 'geometry': geometry is a LineString; ...
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def single(
        cls,
        source: str | None,
        message: str,
        *,
        row: int | None = None,
        feature_id: str | None = None,
        field: str | None = None,
    ) -> LayerError:
        return cls([Problem(message, source, row, feature_id, field)])

    def __str__(self) -> str:
        if not self.problems:
            return "invalid layer"
        head = str(self.problems[0])
        more = len(self.problems) - 1
        return head if more == 0 else f"{head} (and {more} more problem{'s' * (more > 1)})"


class FileFormatError(LayerError):
    """The file cannot be read at all: missing, empty, unknown format, bad encoding."""


class FieldError(LayerError):
    """Required fields are missing or hold values of the wrong type."""


class GeometryError(LayerError):
    """Geometries are missing, of the wrong type, or invalid."""


class CRSError(LayerError):
    """The coordinate system is unknown, undeclared, mixed, or contradicts the coordinates."""


class LimitError(LayerError):
    """An input is larger than a configured limit (archive size, member count, vertices)."""


class ConfigError(BeatgridError, ValueError):
    """An option or mapping file given by the user is malformed."""


class NotFoundError(BeatgridError, LookupError):
    """A layer, version, feature or job that was asked for does not exist."""


class ConflictError(BeatgridError):
    """A write lost a race: someone saved a newer version first."""


class PermissionDenied(BeatgridError):
    """The user may not see or change this."""


class DataQualityWarning(UserWarning):
    """Something in the data is suspicious but not an error (e.g. a repaired geometry)."""


class CRSWarning(UserWarning):
    """A coordinate system was assumed or converted; the message says which."""

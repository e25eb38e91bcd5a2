"""The users' wall-clock time, and how the service reads a moment given with a zone.

Incident and patrol times are stored tz-naive, as local wall-clock time (the layer
convention, docs/layers.md). A moment that arrives with a zone (``…Z``, ``+08:00``) is
converted to the local zone and the zone dropped, as :mod:`gis` reads zoned times in
files; one without a zone is taken as local already.

>>> from datetime import UTC, datetime
>>> local_naive(datetime(2025, 6, 1, 18, 0, tzinfo=UTC))
datetime.datetime(2025, 6, 2, 2, 0)
>>> local_naive(datetime(2025, 6, 1, 18, 0))
datetime.datetime(2025, 6, 1, 18, 0)
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar, overload
from zoneinfo import ZoneInfo

import pandas as pd

LOCAL_TZ = "Asia/Shanghai"
"""The zone incident times, briefings and reviews count days in (as
:func:`gis.briefing.make_brief`)."""

_ZONE = ZoneInfo(LOCAL_TZ)
Moment = TypeVar("Moment", bound=datetime)  # a datetime or a pandas Timestamp


def local_naive(value: Moment) -> Moment:
    """``value`` as naive local wall-clock time (unchanged when it has no zone)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(_ZONE).replace(tzinfo=None)


@overload
def local_stamp(value: datetime) -> pd.Timestamp: ...
@overload
def local_stamp(value: None) -> None: ...
def local_stamp(value: datetime | None) -> pd.Timestamp | None:
    """A requested moment (a route's ``at``, ``start``, ``end``; None: not given) as the
    pandas time the analyses compare with stored naive local times."""
    return None if value is None else pd.Timestamp(local_naive(value))

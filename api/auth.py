"""Users, roles, passwords, bearer tokens and the access rules.

Roles (``Role``):

- ``station`` (派出所): reads features intersecting its jurisdiction; edits beats.
- ``street_office`` (街道办): reads its jurisdiction; edits only grids (and streets,
  communities, joint-defense points) lying inside it.
- ``commander`` (指挥中心): reads the whole of its jurisdiction (the district); edits no layer.
- ``admin``: reads and edits everything, manages users.
- ``grid_worker`` (网格员) and ``grid_head`` (网格长): their grids are their jurisdiction
  (``area_ids`` the grid ids); they report and handle events there and edit no layer.

Passwords are hashed with argon2 (pwdlib).  Tokens are random and stored only as their
SHA-256 hash, so a leaked database yields no usable token and a token can be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

import geopandas as gpd
import shapely
from pwdlib import PasswordHash
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary, Select, bindparam, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from api.db import first_row
from api.models import ApiToken, User
from api.store import audit
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError, ConflictError, NotFoundError, PermissionDenied
from gis.layers import LayerKind

Role = Literal["station", "street_office", "commander", "admin", "grid_worker", "grid_head"]
ROLES: tuple[str, ...] = get_args(Role)
EDIT_TOLERANCE_M = 1.0
"""Edits may stick out of the jurisdiction by digitizing noise, no more."""

EDITABLE: dict[str, frozenset[str]] = {
    "admin": frozenset(k.value for k in LayerKind),
    "street_office": frozenset({"street", "community", "grid", "joint_point"}),
    "station": frozenset({"beat", "aux_beat"}),
    "commander": frozenset(),
    "grid_worker": frozenset(),
    "grid_head": frozenset(),
}
_hasher = PasswordHash.recommended()


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the access rules see it."""

    username: str
    role: Role
    jurisdiction: BaseGeometry | None = None
    area_ids: tuple[str, ...] = field(default=())

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def read_area(self) -> BaseGeometry | None:
        """Where this user may read (None: everywhere). No jurisdiction means nothing."""
        if self.is_admin:
            return None
        return self.jurisdiction if self.jurisdiction is not None else shapely.Polygon()

    def require_edit(self, kind: str) -> None:
        if kind not in EDITABLE[self.role]:
            raise PermissionDenied(f"a {self.role} user may not edit {kind} layers")

    def edit_guard(self, kind: str) -> EditGuard:
        self.require_edit(kind)
        return EditGuard(None if self.is_admin else self.read_area())


@dataclass(frozen=True)
class EditGuard:
    """Refuses edits touching any geometry outside ``area`` (buffered by 1 m, in metres)."""

    area: BaseGeometry | None

    def __call__(self, geoms: Sequence[BaseGeometry]) -> None:
        if self.area is None or not geoms:
            return
        if self.area.is_empty:
            raise PermissionDenied("you have no jurisdiction, so you may not edit")
        series = gpd.GeoSeries(list(geoms), crs=4326)
        crs = series.estimate_utm_crs()
        area = gpd.GeoSeries([self.area], crs=4326).to_crs(crs).buffer(EDIT_TOLERANCE_M).iloc[0]
        outside = ~shapely.covers(area, series.to_crs(crs).to_numpy())
        if outside.any():
            raise PermissionDenied(
                f"{int(outside.sum())} of the {len(geoms)} features this edit touches lie "
                "outside your jurisdiction"
            )


def principal(user: User) -> Principal:
    return Principal(user.username, user.role, user.jurisdiction, tuple(user.area_ids or ()))  # type: ignore[arg-type]


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ConfigError("a password needs at least 8 characters")
    return _hasher.hash(password)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    jurisdiction: BaseGeometry | None = None,
    area_ids: Sequence[str] = (),
    actor: str = "system",
) -> User:
    """Add a user; ``jurisdiction`` is a (multi)polygon in EPSG:4326."""
    if role not in ROLES:
        raise ConfigError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    if jurisdiction is not None and (
        jurisdiction.is_empty or jurisdiction.geom_type not in ("Polygon", "MultiPolygon")
    ):
        raise ConfigError("a jurisdiction must be a non-empty polygon or multipolygon")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        jurisdiction=jurisdiction,
        area_ids=list(area_ids),
    )
    session.add(user)
    audit.record(session, username=actor, action="user.add", target=username, role=role)
    session.flush()
    return user


def jurisdiction_from_areas(session: Session, layer_id: str, ids: Sequence[str]) -> BaseGeometry:
    """The union of the named features of a layer's newest version (e.g. a station's beats)."""
    page = read_features(session, layer_id, FeatureQuery(fids=tuple(ids)))
    missing = sorted(set(ids) - set(page.frame["id"]))
    if missing:
        raise NotFoundError(f"layer {layer_id!r} has no features {missing[:10]}")
    return shapely.union_all(page.frame.geometry.to_numpy())


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def remove_user(session: Session, username: str, *, actor: str = "system") -> None:
    session.delete(get_user(session, username))
    audit.record(session, username=actor, action="user.remove", target=username)


def set_password(session: Session, username: str, password: str, *, actor: str = "system") -> None:
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(session, username=actor, action="user.passwd", target=username)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches (time-constant on unknown users too), else None."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    return user if _hasher.verify(password, user.password_hash) else None


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def issue_token(session: Session, user: User, *, minutes: int) -> str:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=expires))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.get(ApiToken, _digest(token))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires < datetime.now(UTC):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def _token_query(area: Any) -> Select[Any]:
    return (
        select(ApiToken.expires_at, User.username, User.role, User.area_ids, area)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("digest"), User.active.is_(True))
    )


_TOKEN = {  # by "is PostGIS": the jurisdiction as WKB either way
    False: _token_query(type_coerce(User.jurisdiction, LargeBinary)),
    True: _token_query(func.ST_AsBinary(User.jurisdiction)),
}


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The user of a valid token as a :class:`Principal`, in one indexed query.

    One primary-key lookup of the token joined to its user by primary key; nothing is
    cached between requests except the parsed jurisdiction (keyed by the user's stored
    row as read now), so a revoked token, a deactivated user or a changed jurisdiction
    count at once, in every worker.
    """
    postgis = session.get_bind().dialect.name == "postgresql"
    row = first_row(session, _TOKEN[postgis], {"digest": _digest(token)})
    if row is None:
        return None
    expires, username, role, area_ids, wkb = row
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    if expires < datetime.now(UTC):
        return None
    key = (username, role, tuple(area_ids or ()), None if wkb is None else bytes(wkb))
    with _PRINCIPALS_LOCK:
        found = _PRINCIPALS.get(key)
        if found is not None:
            _PRINCIPALS.move_to_end(key)
            return found
    made = Principal(username, role, None if wkb is None else shapely.from_wkb(key[3]), key[2])
    with _PRINCIPALS_LOCK:
        _PRINCIPALS[key] = made
        while len(_PRINCIPALS) > _PRINCIPALS_SIZE:
            _PRINCIPALS.popitem(last=False)
    return made


_PRINCIPALS: OrderedDict[tuple[str, str, tuple[str, ...], bytes | None], Principal] = OrderedDict()
"""Principals by everything they are made of: the same user row gives the same object (its
jurisdiction parsed once, so the policy's prepared core is found by identity)."""
_PRINCIPALS_LOCK = threading.Lock()
_PRINCIPALS_SIZE = 256


def revoke_token(session: Session, token: str) -> bool:
    """Forget a token for good (logout): stored revocation, so every worker refuses it."""
    row = session.get(ApiToken, _digest(token))
    if row is None:
        return False
    session.delete(row)
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

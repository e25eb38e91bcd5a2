"""Service settings, read from ``BEATGRID_*`` environment variables (and ``DATABASE_URL``)."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.throttle import Throttle
from gis.io.limits import InputLimits


class Settings(BaseSettings):
    """Everything the service needs to start; validated once, passed to ``create_app``.

    Examples
    --------
    >>> Settings(database_url="sqlite:///beatgrid.db").database_url
    'sqlite:///beatgrid.db'
    """

    model_config = SettingsConfigDict(env_prefix="BEATGRID_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///beatgrid.db",
        validation_alias=AliasChoices("BEATGRID_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL: sqlite:///file.db (default) or postgresql+psycopg://…",
    )
    db_schema: str | None = Field(
        default=None, description="PostgreSQL schema to use (tests use one per worker)."
    )
    token_minutes: int = Field(default=8 * 60, ge=1)
    auto_migrate: bool = Field(default=True, description="Run alembic upgrade head at start.")
    max_upload_mb: float = Field(default=50.0, gt=0)
    max_body_mb: float = Field(default=60.0, gt=0)
    rate_limit_per_minute: int = Field(default=6000, ge=1, description="Per client address.")
    max_batch_points: int = Field(default=200_000, ge=1)
    sqlite_busy_timeout_s: float = Field(
        default=30.0, ge=0, le=600, description="SQLite: how long a writer waits for the lock."
    )
    recover_jobs: bool = Field(
        default=True,
        description="At start, fail the jobs a previous run left running (one process only).",
    )
    job_workers: int = Field(default=2, ge=1, le=32)
    threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="Threads serving synchronous routes (anyio's limiter); the database "
        "connection pool holds as many connections plus one per job worker.",
    )
    check_assets: bool = Field(
        default=True, description="Verify the vendored map/docs assets against the lock at start."
    )
    public_url: str | None = Field(default=None, description="Base URL used in OGC links.")
    event_rules: str | None = Field(
        default=None, description="TOML of event categories and deadlines (default: bundled)."
    )
    photo_max_mb: float = Field(default=8.0, gt=0, le=50, description="Largest event photo.")
    checkin_max_m: float = Field(
        default=150.0,
        gt=0,
        le=5000,
        description="Farthest check-in from a joint-defense point (m).",
    )
    local_timezone: str = Field(
        default="Asia/Shanghai",
        description="IANA time zone of the users' days (the days of 零报告).",
    )
    warm_every_s: float = Field(
        default=30.0,
        ge=0,
        le=86_400,
        description="Look every so many seconds whether the grids or incidents changed and "
        "recompute the commanders' opening reviews if so (the first open after a change is "
        "then served from the cache); 0: only once at start.",
    )
    escalate_every_s: float = Field(
        default=0.0,
        ge=0,
        le=86_400,
        description="Run the overdue-event escalation every so many seconds in the service "
        "(one process of several takes it in turn); 0: off (then run `beatgrid events "
        "escalate` from cron).",
    )
    letterhead: Path | None = Field(
        default=None,
        description="TOML letterhead of the documents (issuer, number, recipient); none: plain",
    )

    @field_validator("local_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (未知时区)") from exc
        return value

    @property
    def zone(self) -> tzinfo:
        """The users' time zone (:attr:`local_timezone`)."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.local_timezone)

    @field_validator("event_rules")
    @classmethod
    def _readable_rules(cls, value: str | None) -> str | None:
        if value is not None:
            from gis.errors import ConfigError
            from gis.events import load_rules

            try:
                load_rules(value)  # at start-up, not at the first report
            except ConfigError as exc:
                raise ValueError(str(exc)) from exc
        return value

    max_archive_mb: float = Field(
        default=512.0, gt=0, description="Uploaded archives: total uncompressed size."
    )
    max_archive_members: int = Field(default=1000, ge=1, description="Members of an archive.")
    max_feature_vertices: int = Field(default=200_000, ge=4, description="Per feature.")
    max_layer_vertices: int = Field(default=5_000_000, ge=4, description="Per layer (or edit).")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins of one account before it is locked out."
    )
    login_max_failures_per_address: int = Field(
        default=30, ge=1, description="Failed logins from one client address before lockout."
    )
    login_window_minutes: float = Field(
        default=15.0, gt=0, description="Failures older than this are forgotten; lockout span."
    )
    behind_https: bool = Field(
        default=False,
        description="Served over HTTPS (a TLS proxy): the login cookie gets the Secure flag.",
    )
    trusted_origins: tuple[str, ...] = Field(
        default=(),
        description="Origins (scheme://host[:port]) allowed to send cookie-authenticated "
        "writes besides the service's own.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(f"DATABASE_URL {value!r}: only sqlite and postgresql are supported")
        return value

    @property
    def input_limits(self) -> InputLimits:
        """The upload limits as :mod:`gis.io` takes them."""
        return InputLimits(
            archive_bytes=int(self.max_archive_mb * 2**20),
            archive_members=self.max_archive_members,
            feature_vertices=self.max_feature_vertices,
            layer_vertices=self.max_layer_vertices,
        )

    @property
    def login_throttle(self) -> Throttle:
        return Throttle(
            max_failures=self.login_max_failures,
            max_per_address=self.login_max_failures_per_address,
            window=timedelta(minutes=self.login_window_minutes),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

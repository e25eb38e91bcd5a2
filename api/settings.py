"""Service settings, read from ``BEATGRID_*`` environment variables (and ``DATABASE_URL``)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    public_url: str | None = Field(default=None, description="Base URL used in OGC links.")

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(f"DATABASE_URL {value!r}: only sqlite and postgresql are supported")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

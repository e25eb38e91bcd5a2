"""The consistency-check job: stored layers → a District → ``gis.checks.check_district``.

The whole district is checked (a station's finding can depend on its neighbour's grid),
then the findings are limited to the reader's jurisdiction: the same findings the CLI
finds for the same layers, seen through :class:`api.policy.Jurisdiction`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
from sqlalchemy.orm import Session

from api.jobs import JobRunner, Progress, Work
from api.policy import Jurisdiction
from api.services.district import Layers, check_kinds, district_from_store
from gis.checks import CheckConfig, CheckReport, check_district


@dataclass(frozen=True)
class CheckOutcome:
    """A check as one reader sees it: the engine's report and the findings inside."""

    report: CheckReport
    findings: gpd.GeoDataFrame

    @property
    def ok(self) -> bool:
        return bool(self.report.ok)


def run_check(
    session: Session,
    *,
    layers: Layers,
    config: CheckConfig,
    policy: Jurisdiction,
    progress: Progress | None = None,
) -> CheckOutcome:
    """Check the newest versions of ``layers`` (kind → layer id); findings inside ``policy``."""
    district = district_from_store(session, layers=layers, policy=Jurisdiction.everywhere())
    if progress is not None:
        progress(0.4)
    report = check_district(district, config=config)
    findings = policy.clip(report.findings.to_crs(4326)).reset_index(drop=True)
    findings["id"] = findings.index.astype(str)
    return CheckOutcome(report, findings)


def start_check(
    session: Session,
    jobs: JobRunner,
    *,
    owner: str,
    layers: Layers,
    config: CheckConfig,
    policy: Jurisdiction,
) -> str:
    """Validate ``layers`` (404 / 422 now, not in the job) and start the job; its id."""
    checked = {k.value: v for k, v in check_kinds(session, layers).items()}
    return jobs.submit(
        kind="check",
        owner=owner,
        params={"layers": checked},
        work=check_job(checked, config, policy),
    )


def check_job(layers: Mapping[str, str], config: CheckConfig, policy: Jurisdiction) -> Work:
    """A job body; its result is ``{"ok", "layers", "findings"}`` (GeoJSON, WGS84)."""

    def work(session: Session, progress: Progress) -> dict[str, Any]:
        outcome = run_check(session, layers=layers, config=config, policy=policy, progress=progress)
        return {
            "ok": outcome.ok,
            "layers": dict(layers),
            "findings": json.loads(outcome.findings.to_json(na="null", drop_id=True)),
        }

    return work

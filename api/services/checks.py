"""The consistency-check job: stored layers → a District → ``gis.checks.check_district``.

The whole district is checked (a station's finding can depend on its neighbour's grid),
then the findings are limited to the reader's jurisdiction: the same findings the CLI
finds for the same layers, seen through :class:`api.policy.Jurisdiction`.  The live
waivers of the database are the check's accepted exceptions: a waived finding is still
listed, with ``accepted`` true, and counted apart from the open ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
from sqlalchemy.orm import Session

from api.jobs import JobRunner, Progress, Work
from api.policy import Jurisdiction
from api.schemas import CheckCounts, CheckResult, FeatureCollection
from api.services.district import Layers, check_kinds, district_from_store
from api.store.waivers import register
from gis.checks import CheckConfig, CheckReport, check_district


@dataclass(frozen=True)
class CheckOutcome:
    """A check as one reader sees it: the engine's report and the findings inside."""

    report: CheckReport
    findings: gpd.GeoDataFrame

    @property
    def ok(self) -> bool:
        """No violation among the findings this reader sees: a violation elsewhere is not
        theirs to see, and "not ok" alone would tell them one exists."""
        f = self.findings
        if f.empty:
            return True
        return not bool(((f["severity"] != "noise") & ~f["accepted"].astype(bool)).any())


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
    report = check_district(district, config=config, exceptions=register(session))
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
    """A job body; its result is a :class:`api.schemas.CheckResult` (GeoJSON, WGS84)."""

    def work(session: Session, progress: Progress) -> CheckResult:
        outcome = run_check(session, layers=layers, config=config, policy=policy, progress=progress)
        return check_result(outcome, layers)

    return work


def check_result(outcome: CheckOutcome, layers: Mapping[str, str]) -> CheckResult:
    """The verdict, the open and accepted counts and the findings of one reader."""
    accepted = outcome.findings["accepted"].astype(bool).to_numpy()
    return CheckResult(
        ok=outcome.ok,
        counts=CheckCounts(
            findings=len(accepted), accepted=int(accepted.sum()), open=int((~accepted).sum())
        ),
        layers=dict(layers),
        findings=FeatureCollection.model_validate_json(
            outcome.findings.to_json(na="null", drop_id=True)
        ),
    )

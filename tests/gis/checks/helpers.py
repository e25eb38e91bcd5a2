"""Shared assertions for the consistency-engine tests."""

from __future__ import annotations

import pandas as pd

from gis.checks import CheckConfig, CheckReport, check_layers


def run(layers: dict[str, object], **config: object) -> CheckReport:
    assignments = layers.pop("assignments", None)
    return check_layers(
        layers,  # type: ignore[arg-type]
        assignments=assignments,  # type: ignore[arg-type]
        config=CheckConfig(**config),  # type: ignore[arg-type]
    )


def found(report: CheckReport, *, noise: bool = False) -> set[tuple[str, str, str]]:
    """(rule, ids, other_ids) of the violations (or of the noise findings)."""
    f = report.noise if noise else report.violations
    return set(zip(f["rule"], f["ids"], f["other_ids"], strict=True))


def rules(report: CheckReport) -> pd.Series:
    return report.violations["rule"].value_counts()

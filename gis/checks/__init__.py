"""Boundary-consistency engine: do beats follow grids, do layers tile and nest?

>>> from gis.checks import check_district, CheckConfig
>>> report = check_district(district, config=CheckConfig(tolerance_m=2.0))  # doctest: +SKIP
>>> report.ok, report.figures["share_grids_aligned"]  # doctest: +SKIP
"""

from gis.checks.config import RULES, SEVERITY_LABELS, CheckConfig, RuleSpec
from gis.checks.exceptions import (
    AcceptedException,
    ExceptionRegister,
    load_exceptions,
    save_exceptions,
    sidecar_path,
)
from gis.checks.findings import FINDING_COLUMNS
from gis.checks.report import CheckReport
from gis.checks.run import check_district, check_layers

__all__ = [
    "FINDING_COLUMNS",
    "RULES",
    "SEVERITY_LABELS",
    "AcceptedException",
    "CheckConfig",
    "CheckReport",
    "ExceptionRegister",
    "RuleSpec",
    "check_district",
    "check_layers",
    "load_exceptions",
    "save_exceptions",
    "sidecar_path",
]

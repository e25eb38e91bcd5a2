"""The consistency-check job: stored layers → a district folder → ``gis.checks``."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
from sqlalchemy.orm import Session

from api.jobs import Progress, Work
from api.policy import Jurisdiction
from api.store.query import FeatureQuery, read_features
from gis.checks import CheckConfig, check_district
from gis.district import load_district
from gis.errors import ConfigError


def check_config(options: dict[str, Any]) -> CheckConfig:
    """The engine's options from JSON; unknown or bad options are a ConfigError (422)."""
    if isinstance(options.get("rules"), list):
        options = {**options, "rules": frozenset(options["rules"])}
    try:
        return CheckConfig(**options)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"check options {sorted(options)}: {exc}") from None


def check_job(layers: dict[str, str], config: CheckConfig, policy: Jurisdiction) -> Work:
    """A job body checking the newest versions of ``layers`` (kind → layer id)."""

    def work(session: Session, progress: Progress) -> dict[str, Any]:

        with tempfile.TemporaryDirectory(prefix="beatgrid-check-") as tmp:
            manifest = _write_district(session, layers, Path(tmp), progress)
            district = load_district(manifest)
            progress(0.5)
            report = check_district(district, config=config)
        findings: gpd.GeoDataFrame = policy.clip(report.findings.to_crs(4326))
        findings = findings.reset_index(drop=True)
        findings["id"] = findings.index.astype(str)
        return {
            "ok": bool(report.ok),
            "layers": layers,
            "findings": json.loads(findings.to_json(na="null", drop_id=True)),
        }

    return work


def _write_district(
    session: Session, layers: dict[str, str], out: Path, progress: Progress
) -> Path:
    entries: dict[str, dict[str, str]] = {}
    for i, (kind, layer_id) in enumerate(sorted(layers.items())):
        frame = read_features(session, layer_id, FeatureQuery()).frame
        path = out / f"{kind}.geojson"
        frame.to_file(path, driver="GeoJSON")
        entries[kind] = {"path": path.name}
        progress(0.4 * (i + 1) / len(layers))
    manifest = out / "manifest.json"
    manifest.write_text(
        json.dumps({"name": "service", "crs": "EPSG:4326", "layers": entries}), encoding="utf-8"
    )
    return manifest

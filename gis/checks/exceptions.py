"""Accepted exceptions: findings a user has reviewed and accepted, with a reason.

An exception is keyed by the rule, the layer and the ids involved (order does not
matter), so it survives re-running the check, reprojecting or re-ordering the
layer.  It is kept beside the layer file as a JSON sidecar
(``grids.geojson`` → ``grids.exceptions.json``).  A later check still lists an
accepted finding, with ``accepted=True``, but does not count it as a violation.

Examples
--------
>>> register = ExceptionRegister().accept(
...     rule="gap", layer="grid", ids="G1,G2", reason="河道，非网格 / river, not a grid")
>>> register.matches("gap", "grid", "G2,G1", "")
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gis.errors import ConfigError, FileFormatError


@dataclass(frozen=True)
class AcceptedException:
    """One accepted finding: rule, layer, ids, other ids, why, who, when."""

    rule: str
    layer: str
    ids: str
    other_ids: str = ""
    reason: str = ""
    accepted_by: str = ""
    accepted_at: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return _key(self.rule, self.layer, self.ids, self.other_ids)


def _norm(ids: str) -> str:
    return ",".join(sorted({part.strip() for part in str(ids).split(",") if part.strip()}))


def _key(rule: str, layer: str, ids: str, other_ids: str) -> tuple[str, str, str, str]:
    return (str(rule), str(layer), _norm(ids), _norm(other_ids))


@dataclass(frozen=True)
class ExceptionRegister:
    """An immutable set of accepted exceptions."""

    items: tuple[AcceptedException, ...] = field(default_factory=tuple)

    def accept(
        self,
        *,
        rule: str,
        layer: str,
        ids: str,
        reason: str,
        other_ids: str = "",
        accepted_by: str = "",
    ) -> ExceptionRegister:
        """A new register with one more exception (a reason is required)."""
        if not reason.strip():
            raise ConfigError("an accepted exception needs a reason")
        item = AcceptedException(
            rule, layer, _norm(ids), _norm(other_ids), reason, accepted_by, _now()
        )
        kept = tuple(i for i in self.items if i.key != item.key)
        return replace(self, items=(*kept, item))

    def accept_findings(
        self, findings: pd.DataFrame, *, reason: str, accepted_by: str = ""
    ) -> ExceptionRegister:
        """Accept every finding in ``findings`` (rows of a report's findings) with one reason."""
        register = self
        rows = findings[["rule", "layer", "ids", "other_ids"]].astype(str).to_numpy().tolist()
        for rule, layer, ids, other_ids in rows:
            register = register.accept(
                rule=rule,
                layer=layer,
                ids=ids,
                other_ids=other_ids,
                reason=reason,
                accepted_by=accepted_by,
            )
        return register

    def matches(self, rule: str, layer: str, ids: str, other_ids: str) -> bool:
        """Whether a finding with these keys is accepted."""
        return _key(rule, layer, ids, other_ids) in {i.key for i in self.items}

    def mark(self, findings: pd.DataFrame) -> np.ndarray:
        """Boolean ``accepted`` column for a findings frame."""
        keys = {i.key for i in self.items}
        if not keys or findings.empty:
            return np.zeros(len(findings), dtype=bool)
        cols = findings[["rule", "layer", "ids", "other_ids"]].astype(str).to_numpy()
        return np.array([_key(*row) in keys for row in cols], dtype=bool)

    def __len__(self) -> int:
        return len(self.items)


def sidecar_path(layer_path: str | Path) -> Path:
    """Where the exceptions of a layer file live: ``<stem>.exceptions.json`` beside it."""
    path = Path(layer_path)
    return path.with_name(f"{path.name.split('.')[0]}.exceptions.json")


def load_exceptions(path: str | Path) -> ExceptionRegister:
    """Read a register; a missing file is an empty register."""
    path = Path(path)
    if not path.exists():
        return ExceptionRegister()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = tuple(AcceptedException(**item) for item in data["exceptions"])
    except (ValueError, KeyError, TypeError) as exc:
        raise FileFormatError.single(
            str(path), f"not an exceptions file ({exc}); expected {{'exceptions': [...]}}"
        ) from None
    return ExceptionRegister(items)


def save_exceptions(register: ExceptionRegister, path: str | Path) -> Path:
    """Write a register as JSON (UTF-8, Chinese kept readable)."""
    path = Path(path)
    payload = {"exceptions": [asdict(i) for i in register.items]}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def layer_paths(district: Any) -> dict[str, Path]:
    """Layer kind → source file of a ``gis.district.District`` loaded from a manifest."""
    base = Path(getattr(district, "source", None) or ".")
    base = base.parent if base.suffix else base
    out: dict[str, Path] = {}
    for kind, layer in (getattr(district, "layers", None) or {}).items():
        source = str(getattr(layer, "source", "") or "").split("|")[0].split("::")[0]
        if source:
            path = Path(source)
            out[str(kind)] = path if path.is_absolute() else base / path
    return out


def load_sidecars(paths: Mapping[str, Path]) -> ExceptionRegister:
    """All exceptions kept beside the given layer files, merged."""
    items: list[AcceptedException] = []
    for path in paths.values():
        items.extend(load_exceptions(sidecar_path(path)).items)
    return ExceptionRegister(tuple(items))


def save_sidecars(register: ExceptionRegister, paths: Mapping[str, Path]) -> list[Path]:
    """Write each exception beside the file of its layer (``item.layer`` → path)."""
    unknown = sorted({i.layer for i in register.items} - set(paths))
    if unknown:
        raise ConfigError(f"no layer file known for exceptions of layer(s) {unknown}")
    written = []
    for kind, path in paths.items():
        own = tuple(i for i in register.items if i.layer == kind)
        if own or sidecar_path(path).exists():
            written.append(save_exceptions(ExceptionRegister(own), sidecar_path(path)))
    return written


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

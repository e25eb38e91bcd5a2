"""The letterhead of the user's documents, from a small TOML file::

    issuer = "禾洲街道警网融合工作领导小组办公室"   # 落款
    number = "禾警网〔2025〕12号"                   # 文号 (optional)
    recipient = "各社区、各警务室"                   # 主送 (optional)
    basis = "《某某实施方案》（文号）"                # a document to cite (optional)
    phones = false                                  # print personal phone numbers

Nothing here has a default that names a real body or document.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from gis.errors import ConfigError


@dataclass(frozen=True)
class Letterhead:
    issuer: str = ""
    number: str = ""
    recipient: str = ""
    basis: str = ""
    phones: bool = False


def read_letterhead(path: Path | None) -> Letterhead:
    """The letterhead in ``path`` (an empty one when None)."""
    if path is None:
        return Letterhead()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: unreadable letterhead ({exc}) / 文头配置无法读取") from None
    known = {f.name: f.type for f in fields(Letterhead)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{path}: unknown keys {unknown} / 未知配置项 (known: {sorted(known)})")
    for key, value in data.items():
        want = bool if key == "phones" else str
        if not isinstance(value, want):
            raise ConfigError(f"{path}: {key} must be {want.__name__} / {key} 类型错误")
    return Letterhead(**data)

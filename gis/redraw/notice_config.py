"""What a change notice says about itself: its own 文号, sender, recipient, and a basis.

A notice cites **no** document unless the user configures one: citing a policy the
office never adopted (a Tonghua document in a Nanjing street office) is worse than
citing none.  The configuration is a small TOML file::

    # notice.toml
    number = "建邺街发〔2026〕5号"      # this notice's own 文号
    sender = "××街道办事处"
    recipient = "××派出所"
    [basis]                             # optional: the document the notice rests on
    title = "《××区警网融合工作实施方案》"
    number = "建政办发〔2025〕12号"
    clause = "二（三）2"                # optional
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from gis.errors import ConfigError
from gis.i18n import Text


@dataclass(frozen=True)
class Basis:
    """A document the notice cites: title (with 《》), 文号 and optionally a clause."""

    title: str
    number: str = ""
    clause: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ConfigError(
                str(Text("依据文件须有标题", "notice basis: a cited document needs a title"))
            )


@dataclass(frozen=True)
class NoticeConfig:
    """The notice's own particulars; everything empty by default (nothing invented)."""

    number: str = ""
    sender: str = ""
    recipient: str = ""
    basis: Basis | None = None


def load_notice_config(path: str | Path) -> NoticeConfig:
    """Read a notice TOML file (see the module docstring); errors name the file and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: not a readable TOML notice configuration: {exc}") from exc
    known = {"number", "sender", "recipient", "basis"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path.name}: unknown keys {unknown}; known: {sorted(known)}")
    for key in ("number", "sender", "recipient"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{path.name}: {key} must be text")
    basis = data.get("basis")
    if basis is not None:
        if not isinstance(basis, dict) or set(basis) - {"title", "number", "clause"}:
            raise ConfigError(f"{path.name}: [basis] takes title, number, clause")
        basis = Basis(
            str(basis.get("title", "")), str(basis.get("number", "")), str(basis.get("clause", ""))
        )
    return NoticeConfig(
        str(data.get("number", "")),
        str(data.get("sender", "")),
        str(data.get("recipient", "")),
        basis,
    )

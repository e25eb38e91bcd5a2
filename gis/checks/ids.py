"""Comparing the ``parent_id`` a child declares with the ids of the parent layer.

Real layers rarely spell ids the same way: Chicago's beats record their district
as ``01`` … ``09``, the districts themselves are ``1`` … ``9``; one office writes
``g01``, the next ``G01``.  Ids are compared literally unless the user asks for an
:class:`IdNormalization` (``--parent-ids zeros``), and the report says which one was
used.  When declared ids match no parent literally but do after a normalisation,
:func:`suggest` finds it, so that ``check`` can name the option instead of reporting
every child as being in the wrong parent.

>>> IdNormalization.parse("zeros,upper").apply(["007", "g1", "0"])
['7', 'G1', '0']
>>> suggest(["01", "02", "10"], ["1", "2", "10"])
IdNormalization(strip_zeros=True, width=None, case='keep')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from gis.errors import ConfigError
from gis.i18n import Text

Case = Literal["keep", "upper", "lower"]
_DIGITS = re.compile(r"^\d+$")
_MISSING = frozenset({"", "nan", "None", "none", "NaN", "<NA>"})


@dataclass(frozen=True)
class IdNormalization:
    """How ids are normalised before a child's ``parent_id`` is compared with its parent's id.

    Parameters
    ----------
    strip_zeros : bool
        Drop leading zeros of all-digit ids (``"01"`` → ``"1"``; ``"0"`` stays ``"0"``).
    width : int, optional
        Left-pad all-digit ids with zeros to this width (``"1"`` → ``"01"`` for 2).
    case : {"keep", "upper", "lower"}
        Letter case of ids.
    """

    strip_zeros: bool = False
    width: int | None = None
    case: Case = "keep"

    def __post_init__(self) -> None:
        if self.width is not None and not 1 <= self.width <= 64:
            raise ConfigError(f"id width must be 1..64, got {self.width!r}")
        if self.strip_zeros and self.width is not None:
            raise ConfigError("strip leading zeros or pad to a width, not both")
        if self.case not in ("keep", "upper", "lower"):
            raise ConfigError(f"id case must be keep/upper/lower, got {self.case!r}")

    @property
    def identity(self) -> bool:
        """True when ids are compared literally."""
        return not self.strip_zeros and self.width is None and self.case == "keep"

    def one(self, value: str) -> str:
        """One id normalised (whitespace around it is always dropped)."""
        text = value.strip()
        if _DIGITS.match(text):
            if self.strip_zeros:
                text = text.lstrip("0") or "0"
            elif self.width is not None:
                text = text.zfill(self.width)
        if self.case == "upper":
            return text.upper()
        return text.lower() if self.case == "lower" else text

    def apply(self, values: Iterable[object]) -> list[str]:
        """Ids normalised, in order."""
        if self.identity:  # only the whitespace goes (the regex is most of the cost)
            return [str(v).strip() for v in values]
        return [self.one(str(v)) for v in values]

    @property
    def option(self) -> str:
        """The value of the CLI option ``--parent-ids`` that gives this normalisation."""
        parts = ["zeros"] if self.strip_zeros else []
        if self.width is not None:
            parts.append(f"width={self.width}")
        if self.case != "keep":
            parts.append(self.case)
        return ",".join(parts) or "exact"

    def describe(self) -> Text:
        """What the normalisation does, in both languages."""
        zh, en = [], []
        if self.strip_zeros:
            zh.append("去掉数字编码的前导零")
            en.append("leading zeros of numeric ids dropped")
        if self.width is not None:
            zh.append(f"数字编码补零至 {self.width} 位")
            en.append(f"numeric ids zero-padded to {self.width} digits")
        if self.case != "keep":
            zh.append("字母统一为大写" if self.case == "upper" else "字母统一为小写")
            en.append(f"letters in {self.case} case")
        if not zh:
            return Text("编码按原样比较", "ids compared exactly")
        return Text("；".join(zh), "; ".join(en))

    @classmethod
    def parse(cls, text: str | None) -> IdNormalization:
        """From the option text: ``exact``, or a comma list of ``zeros``, ``width=N``,
        ``upper``, ``lower``."""
        strip, width, case = False, None, "keep"
        for raw in (text or "exact").split(","):
            part = raw.strip().lower()
            if part in ("", "exact", "none"):
                continue
            if part in ("zeros", "strip-zeros", "strip_zeros"):
                strip = True
            elif part.startswith("width="):
                digits = part.removeprefix("width=")
                if not digits.isdigit():
                    raise ConfigError(f"--parent-ids: width must be a number, got {raw!r}")
                width = int(digits)
            elif part in ("upper", "lower"):
                case = part
            else:
                raise ConfigError(
                    str(
                        Text(
                            "未知编码规范化方式",
                            f"--parent-ids: unknown normalisation {raw!r}; "
                            "use exact, zeros, width=N, upper, lower",
                        )
                    )
                )
        return cls(strip_zeros=strip, width=width, case=case)  # type: ignore[arg-type]


EXACT = IdNormalization()


def is_missing(value: object) -> bool:
    """Whether a declared id is empty (no parent declared)."""
    return str(value).strip() in _MISSING


def unmatched(
    declared: Iterable[object], parent_ids: Iterable[object], how: IdNormalization
) -> set[str]:
    """The declared ids (as written) that match no parent id under ``how``."""
    known = set(how.apply(parent_ids))
    return {str(d) for d in declared if not is_missing(d) and how.one(str(d)) not in known}


def suggest(declared: Iterable[object], parent_ids: Iterable[object]) -> IdNormalization | None:
    """A normalisation under which every declared id matches a parent, when literal ids do not.

    Candidates, simplest first: case, leading zeros, zero-padding to the parents' width,
    and their combinations with case.  ``None`` when literal ids already match or no
    candidate makes all of them match.
    """
    declared, parent_ids = list(declared), list(parent_ids)
    if not unmatched(declared, parent_ids, EXACT):
        return None
    widths = {len(str(p).strip()) for p in parent_ids if _DIGITS.match(str(p).strip())}
    candidates = [IdNormalization(case="upper"), IdNormalization(strip_zeros=True)]
    candidates += [IdNormalization(width=w) for w in sorted(widths)]
    candidates += [IdNormalization(strip_zeros=True, case="upper")]
    candidates += [IdNormalization(width=w, case="upper") for w in sorted(widths)]
    for how in candidates:
        if not unmatched(declared, parent_ids, how):
            return how
    return None

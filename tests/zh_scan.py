"""Scan a Chinese document for English words: every ASCII word must be a code or an id.

A word counts as a code or an id when it holds a digit (``G1``, ``320105900001``,
``ZRQ01``) or is one of the few codes Chinese documents use as they are (EPSG).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

ALLOWED = frozenset({"EPSG"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def english_words(text: str) -> set[str]:
    """ASCII words of ``text`` that are not codes or ids."""
    return {w for w in _WORD.findall(text) if not any(c.isdigit() for c in w) and w not in ALLOWED}


def html_text(page: str) -> str:
    """What a reader sees of an HTML page: no styles, scripts, SVG drawings or tags."""
    for block in ("style", "script", "svg"):
        page = re.sub(rf"<{block}\b.*?</{block}>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"&[a-z]+;", " ", page)


def xlsx_text(path: Path) -> str:
    """Every sheet name and cell of a workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def assert_chinese(path: Path) -> None:
    """The document at ``path`` (HTML or XLSX) has no English word that is not a code/id."""
    if path.suffix == ".xlsx":
        text = xlsx_text(path)
    else:
        text = html_text(path.read_text(encoding="utf-8"))
    found = english_words(text)
    assert not found, f"{path.name}: English words in a Chinese document: {sorted(found)}"

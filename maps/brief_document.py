"""Write a briefing to a file: DOCX, HTML or PDF by the file's suffix, with its maps.

The content (title, sections, tables) is :mod:`gis.briefing.document`'s; this module adds
the map images (:mod:`maps.brief_figures`) and the output format, and writes the file
whole or not at all (a partial file never replaces a good one).
"""

from __future__ import annotations

from pathlib import Path

from gis.briefing import Brief
from gis.briefing.document import brief_blocks, brief_date, brief_title
from gis.documents import Letterhead, render_html, write_docx
from gis.errors import ConfigError
from maps.brief_figures import brief_images
from maps.pdf import html_to_pdf

FORMATS = (".docx", ".html", ".pdf")


def write_brief(
    brief: Brief, path: Path, *, letterhead: Letterhead, chromium: str | None = None
) -> Path:
    """Write ``brief`` to ``path`` (``.docx``, ``.html`` or ``.pdf``)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(
            f"{path.name}: write .docx, .html or .pdf / 简报只能输出为 .docx、.html 或 .pdf"
        )
    if not path.parent.is_dir():
        raise ConfigError(f"{path.parent}: no such folder / 输出目录不存在")
    images = brief_images(brief) if brief.kind != "day" and not brief.zero_report else {}
    content = {
        "title": brief_title(brief),
        "blocks": brief_blocks(brief, images),
        "letterhead": letterhead,
        "date": brief_date(brief),
        "compact": brief.kind == "day",
    }
    part = path.with_name(f".{path.name}.part")
    try:
        if suffix == ".docx":
            write_docx(part, **content)  # type: ignore[arg-type]
        elif suffix == ".html":
            part.write_text(render_html(**content, lang=brief.lang), encoding="utf-8")  # type: ignore[arg-type]
        else:
            html = render_html(**content, lang=brief.lang)  # type: ignore[arg-type]
            html_to_pdf(html, part, chromium=chromium)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return path

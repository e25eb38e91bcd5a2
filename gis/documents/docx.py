"""Write blocks as a DOCX in Chinese official style (GB/T 9704 page, 仿宋 body, 黑体
headings, 小标宋 title), which WPS and Word open as offices expect."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from gis.documents.blocks import Block, Heading, Image, Paragraph, Table
from gis.documents.letterhead import Letterhead

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def write_docx(
    path: Path,
    *,
    title: str,
    blocks: Sequence[Block],
    letterhead: Letterhead,
    date: str,
    closing: str = "",
    compact: bool = False,
) -> Path:
    """Write the document to ``path`` (its folder must exist); returns ``path``.

    ``compact``: narrower margins and 四号 (14 pt) body type, for a one-page daily sheet.
    """
    doc = docx.Document()
    _page(doc, compact=compact)
    body = 14 if compact else 16
    if letterhead.number:
        _para(doc, letterhead.number, font=BODY_FONT, size=body, align="center")
    _para(doc, title, font=TITLE_FONT, size=18 if compact else 22, align="center", bold=True)
    if letterhead.recipient:
        _para(doc, f"{letterhead.recipient}：", font=BODY_FONT, size=body)
    for block in blocks:
        _block(doc, block, size=body)
    if closing:
        _para(doc, closing, font=BODY_FONT, size=body, indent=True)
    if letterhead.issuer:
        _para(doc, letterhead.issuer, font=BODY_FONT, size=body, align="right")
    _para(doc, date, font=BODY_FONT, size=body, align="right")
    doc.save(str(path))
    return path


def _page(doc: docx.document.Document, *, compact: bool) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        if compact:
            section.top_margin = section.bottom_margin = Cm(2.0)
            section.left_margin = section.right_margin = Cm(2.0)
            continue
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _block(doc: docx.document.Document, block: Block, *, size: float) -> None:
    if isinstance(block, Heading):
        font = HEADING_FONT if block.level == 1 else "楷体_GB2312"
        _para(doc, block.text, font=font, size=size, bold=block.level > 1)
    elif isinstance(block, Paragraph):
        _para(doc, block.text, font=BODY_FONT, size=size, indent=True, bold=block.emphasis)
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, Image):
        doc.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(doc, block.caption, font=TABLE_FONT, size=10.5, align="center")


def _para(
    doc: docx.document.Document,
    text: str,
    *,
    font: str,
    size: float,
    align: str = "left",
    bold: bool = False,
    indent: bool = False,
) -> None:
    p = doc.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(size * 1.75) if size >= 14 else None
    _font(p.add_run(text), font, size, bold)


def _font(run: Run, font: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _table(doc: docx.document.Document, block: Table) -> None:
    if block.caption:
        _para(doc, block.caption, font=HEADING_FONT, size=12, align="center")
    table = doc.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        _cell(cell, text, bold=True)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell(cell, text)


def _cell(cell: docx.table._Cell, text: str, *, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(str(text)), TABLE_FONT, 10.5, bold)

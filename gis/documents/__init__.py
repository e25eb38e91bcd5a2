"""Official documents (公文): a letterhead read from the user's configuration, content as
neutral blocks, and writers for DOCX and HTML.

Chinese official documents carry 标题, 文号, 主送, 正文, 落款 and a date (GB/T 9704).  No
number, recipient or citation is ever invented: what the user has not configured is left
out.
"""

from gis.documents.blocks import Block, Heading, Image, Paragraph, Table
from gis.documents.docx import write_docx
from gis.documents.html import render_html
from gis.documents.letterhead import Letterhead, read_letterhead

__all__ = [
    "Block",
    "Heading",
    "Image",
    "Letterhead",
    "Paragraph",
    "Table",
    "read_letterhead",
    "render_html",
    "write_docx",
]

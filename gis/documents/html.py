"""Render blocks as one self-contained, printable HTML page (images inline, A4 print CSS,
no request to any other host)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import jinja2

from gis.documents.blocks import Block, Heading, Image, Paragraph, Table
from gis.documents.letterhead import Letterhead

_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋", "仿宋_GB2312", "WenQuanYi Micro Hei", serif;
       font-size: 16pt; line-height: 28pt; max-width: 160mm; margin: 2em auto; color: #000; }
h1 { font-family: "SimSun", "宋体", "WenQuanYi Micro Hei", serif; font-size: 22pt;
     text-align: center; line-height: 1.4; margin: 0.5em 0 1em; }
h2 { font-family: "SimHei", "黑体", "WenQuanYi Micro Hei", sans-serif; font-size: 16pt;
     margin: 0.6em 0 0; font-weight: normal; }
h3 { font-family: "KaiTi", "楷体", "WenQuanYi Micro Hei", serif; font-size: 16pt; margin: 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.strong { font-weight: bold; }
.center { text-align: center; text-indent: 0; }
.right { text-align: right; text-indent: 0; }
table { border-collapse: collapse; margin: 0.5em auto; font-size: 10.5pt; line-height: 1.4;
        font-family: "SimSun", "宋体", "WenQuanYi Micro Hei", serif; }
th, td { border: 1px solid #000; padding: 2px 6px; text-align: center; }
caption { font-family: "SimHei", "黑体", "WenQuanYi Micro Hei", sans-serif; font-size: 12pt; }
figure { text-align: center; margin: 0.5em 0; page-break-inside: avoid; }
figure img { max-width: 100%; }
figcaption { font-size: 10.5pt; line-height: 1.4; }
{% if compact %}
@page { margin: 20mm 20mm 18mm 20mm; }
body { font-size: 13pt; line-height: 20pt; }
h1 { font-size: 18pt; margin: 0 0 0.4em; }
h2, h3 { font-size: 13pt; margin-top: 0.3em; }
{% endif %}
</style></head><body>
{% if head.number %}<p class="center">{{ head.number }}</p>{% endif %}
<h1>{{ title }}</h1>
{% if head.recipient %}<p style="text-indent:0">{{ head.recipient }}：</p>{% endif %}
{% for b in blocks %}
{% if b.kind == "heading" %}<h{{ b.level + 1 }}>{{ b.text }}</h{{ b.level + 1 }}>
{% elif b.kind == "paragraph" %}<p{% if b.emphasis %} class="strong"{% endif %}>{{ b.text }}</p>
{% elif b.kind == "table" %}<table>{% if b.caption %}<caption>{{ b.caption }}</caption>{% endif %}
<tr>{% for h in b.headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for r in b.rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{% elif b.kind == "image" %}<figure>
<img alt="{{ b.caption }}" src="data:image/png;base64,{{ b.data }}">
<figcaption>{{ b.caption }}</figcaption></figure>{% endif %}
{% endfor %}
{% if closing %}<p>{{ closing }}</p>{% endif %}
{% if head.issuer %}<p class="right">{{ head.issuer }}</p>{% endif %}
<p class="right">{{ date }}</p>
</body></html>
"""
)


def render_html(
    *,
    title: str,
    blocks: Sequence[Block],
    letterhead: Letterhead,
    date: str,
    closing: str = "",
    lang: str = "zh",
    compact: bool = False,
) -> str:
    """The document as one HTML string (``compact``: smaller type and margins, for a
    one-page daily sheet)."""
    return _TEMPLATE.render(
        title=title,
        blocks=[_view(b) for b in blocks],
        head=letterhead,
        date=date,
        closing=closing,
        lang="zh-CN" if lang == "zh" else "en",
        compact=compact,
    )


def _view(block: Block) -> dict[str, object]:
    if isinstance(block, Heading):
        return {"kind": "heading", "text": block.text, "level": block.level}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "emphasis": block.emphasis}
    if isinstance(block, Table):
        return {"kind": "table", "headers": block.headers, "rows": block.rows,
                "caption": block.caption}  # fmt: skip
    assert isinstance(block, Image)
    data = base64.b64encode(block.png).decode("ascii")
    return {"kind": "image", "caption": block.caption, "data": data}

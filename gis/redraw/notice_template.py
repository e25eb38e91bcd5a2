# ruff: noqa: E501  (an HTML template: its lines are markup, not code)
"""The HTML template of the grid-change notice (jinja2, autoescaped; one language).

The official form (DOMAIN.md): 标题, 文号, 主送, 正文, 特此告知, 落款 and date.
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ w.title }}</title>
<style>
body { font-family: "FangSong", "Noto Serif CJK SC", "SimSun", serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.6em; text-align: center; } .number { text-align: center; }
h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } .num { text-align: right; }
.signature { text-align: right; margin-top: 2em; line-height: 2; }
.legend span { display: inline-block; margin-right: 1.5em; }
@media print { h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
</style></head><body>
<h1>{{ w.title }}</h1>
{% if number %}<p class="number">{{ number }}</p>{% endif %}
<p class="recipient">{{ recipient }}{{ w.recipient_colon }}</p>
<p class="body">{{ opening }}</p>
<h2>{{ w.summary }}</h2>
<table>{% for row in summary %}
<tr><th>{{ row.label }}</th><td class="num">{{ row.value }}</td></tr>
{% endfor %}<tr><th>{{ w.crs }}</th><td>{{ metric_crs }}</td></tr></table>
<h2>{{ w.changed_heading }}</h2>
<p class="legend"><span style="color:#d73027">- - - {{ w.before }}</span>
<span style="color:#1b7837">■ {{ w.after }}</span></p>
<table><tr>{% for h in grid_headers %}<th>{{ h }}</th>{% endfor %}<th>{{ w.map }}</th></tr>
{% for row in grids %}<tr>{% for cell in row.cells %}<td{% if cell.num %} class="num"{% endif %}>{{ cell.value }}</td>{% endfor %}<td>{{ row.svg | safe }}</td></tr>
{% endfor %}</table>
{% for section in sections %}
<h2>{{ section.title }}</h2>
{% if section.svg %}<p>{{ section.svg | safe }}<br>{{ w.beats_legend }}</p>{% endif %}
{% if section.rows %}<table><tr>{% for h in section.headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in section.rows %}<tr>{% for cell in row %}<td{% if cell.num %} class="num"{% endif %}>{{ cell.value }}</td>{% endfor %}</tr>
{% endfor %}</table>{% else %}<p>{{ w.none }}</p>{% endif %}
{% endfor %}
<p>{{ w.request }}</p>
<p>{{ w.closing }}</p>
<p class="signature">{{ sender }}<br>{{ date }}</p>
</body></html>
"""

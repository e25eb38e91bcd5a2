# ruff: noqa: E501  (an HTML template: its lines are markup, not code)
"""The HTML template of the grid-change notice (jinja2, autoescaped; bilingual)."""

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ title.zh }} / {{ title.en }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } .en { color: #555; font-size: .9em; } .num { text-align: right; }
.legend span { display: inline-block; margin-right: 1.5em; }
@media print { h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
</style></head><body>
<h1>{{ title.zh }}<br><span class="en">{{ title.en }}</span></h1>
<p>{{ basis.zh }}<br><span class="en">{{ basis.en }}</span></p>
<table>
<tr><th>发文单位 <span class="en">From</span></th><td>{{ sender }}</td></tr>
<tr><th>收文单位 <span class="en">To</span></th><td>{{ recipient }}</td></tr>
<tr><th>日期 <span class="en">Date</span></th><td>{{ date }}</td></tr>
<tr><th>面积计算坐标系 <span class="en">Areas measured in</span></th><td>{{ metric_crs }}</td></tr>
</table>
<h2>概况 <span class="en">Summary</span></h2>
<table>{% for row in summary %}
<tr><th>{{ row.zh }} <span class="en">{{ row.en }}</span></th><td class="num">{{ row.value }}</td></tr>
{% endfor %}</table>
<h2>变更网格 <span class="en">Changed grids</span></h2>
<p class="legend"><span style="color:#d73027">- - - 调整前 / before</span>
<span style="color:#1b7837">■ 调整后 / after</span></p>
<table><tr>{% for h in grid_headers %}<th>{{ h.zh }}<br><span class="en">{{ h.en }}</span></th>{% endfor %}<th>示意图<br><span class="en">Map</span></th></tr>
{% for row in grids %}<tr>{% for cell in row.cells %}<td{% if cell.num %} class="num"{% endif %}>{{ cell.value }}</td>{% endfor %}<td>{{ row.svg | safe }}</td></tr>
{% endfor %}</table>
{% for section in sections %}
<h2>{{ section.title.zh }} <span class="en">{{ section.title.en }}</span></h2>
{% if section.svg %}<p>{{ section.svg | safe }}<br><span class="en">蓝线：建议的民警责任区；绿色：变更网格 / blue: proposed officer beats; green: changed grids</span></p>{% endif %}
{% if section.rows %}<table><tr>{% for h in section.headers %}<th>{{ h.zh }}<br><span class="en">{{ h.en }}</span></th>{% endfor %}</tr>
{% for row in section.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>{% else %}<p>无 <span class="en">none</span></p>{% endif %}
{% endfor %}
<p>{{ request.zh }}<br><span class="en">{{ request.en }}</span></p>
</body></html>
"""

"""A legend drawn as a Leaflet control: swatches and words, no external asset."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from branca.element import MacroElement
from jinja2 import Template

Swatch = Literal["fill", "line", "point", "heat"]


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a swatch of ``kind`` in ``colour`` and its label."""

    colour: str
    text: str
    kind: Swatch = "fill"


@dataclass(frozen=True)
class LegendSection:
    """A titled group of rows (one per layer)."""

    title: str
    entries: tuple[LegendEntry, ...]


_TEMPLATE = Template(
    """
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "bg-legend");
    div.innerHTML = {{ this.markup }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
)


def _swatch(entry: LegendEntry) -> str:
    colour = html.escape(entry.colour, quote=True)
    return f'<i class="bg-sw bg-sw-{entry.kind}" style="--c:{colour}"></i>'


class Legend(MacroElement):
    """The map's legend: a title and one section per layer."""

    def __init__(self, title: str, sections: Sequence[LegendSection]) -> None:
        super().__init__()
        self._name = "Legend"
        self._template = _TEMPLATE
        parts = [f"<b>{html.escape(title)}</b>"]
        for section in sections:
            if not section.entries:
                continue
            parts.append(f'<div class="bg-lg-h">{html.escape(section.title)}</div>')
            parts += [
                f'<div class="bg-lg-r">{_swatch(e)}{html.escape(e.text)}</div>'
                for e in section.entries
            ]
        self.markup = json.dumps("".join(parts), ensure_ascii=False).replace("</", "<\\/")

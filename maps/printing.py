"""Static maps for printed documents (matplotlib, offline, with a CJK font): the frame,
scale bar, north arrow and legend every printed map carries.

The font must cover Chinese: :func:`cjk_font` finds one installed (WenQuanYi, Noto CJK,
Source Han, SimSun…) and refuses with a bilingual message when there is none, so that no
document is printed with tofu boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # no screen: documents are rendered on servers

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from gis.errors import ConfigError

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "SimSun",
    "Microsoft YaHei",
)
PROBE = "网格热点巡逻覆盖图例比例尺北"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The family name of an installed font that draws every glyph of :data:`PROBE`."""
    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(family, fallback_to_default=False)
        except ValueError:
            continue
        face = matplotlib.ft2font.FT2Font(path)
        if all(face.get_char_index(ord(ch)) for ch in PROBE):
            return family
    raise ConfigError(
        "no Chinese font is installed (e.g. Debian fonts-wqy-microhei); maps would print "
        "boxes / 未安装中文字体（如 fonts-wqy-microhei），地图无法正确显示中文"
    )


def figure(*, width_cm: float, height_cm: float) -> tuple[Figure, Axes]:
    """A figure with one map axes, the CJK font set, no ticks."""
    plt.rcParams["font.family"] = [cjk_font()]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=150)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def scale_bar(ax: Axes, *, unit: str = "米") -> None:
    """A scale bar of a round length, about a fifth of the map width (metric axes)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _round_length((x1 - x0) / 5)
    left, base = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([left, left + length], [base, base], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} 千米" if length >= 1000 and unit == "米" else f"{length:g} {unit}"
    ax.text(left + length / 2, base + (y1 - y0) * 0.015, label, ha="center", fontsize=8)


def north_arrow(ax: Axes) -> None:
    """An arrow and 北 (N) in the top-right corner (the axes are grid north, metric)."""
    ax.annotate(
        "北",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        fontsize=10,
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 9},
    )


def legend(ax: Axes, entries: Sequence[tuple[str, str]], *, title: str) -> None:
    """A legend of filled boxes (label, colour)."""
    handles = [Patch(facecolor=c, edgecolor="#555555", label=label) for label, c in entries]
    ax.legend(handles=handles, title=title, loc="lower right", fontsize=7, title_fontsize=8)


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def to_pdf(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def _round_length(target: float) -> float:
    """1, 2 or 5 × a power of ten, not above ``target``."""
    import math

    power = 10 ** math.floor(math.log10(max(target, 1e-9)))
    return max(m * power for m in (1, 2, 5) if m * power <= target)

"""Invented Chinese names: street, communities, roads, compounds, people.

All names are synthetic.  They follow the patterns of real names in Nanjing
(``…路``, ``…大街``, ``…花园``, ``…社区``, ``…村``) without copying a real place.
"""

from __future__ import annotations

import numpy as np

CITY = "南京市"
DISTRICT = "建邺区"
PROVINCE = "江苏省"
STREET_NAME = "禾洲街道"
STATION_NAME = "禾洲派出所"

URBAN_COMMUNITIES = ("清溪", "汇锦", "云河", "柳岸", "望江", "金沙", "嘉园", "澄湖")
RURAL_VILLAGES = ("芦湾", "新圩")

ROADS_EW = ("汇禾路", "清溪路", "澄湖路", "锦岸路", "望洲路")
ROADS_NS = ("江澜路", "芦湾大街", "柳汀路", "嘉沙路", "云禾大街", "新圩路")

_COMPOUND_HEAD = tuple("清锦云柳望金嘉澄汇禾芦新翠兰桂梧枫竹荷泉")
_COMPOUND_MID = tuple("苑园庭湾洲源溪岸景湖")
_COMPOUND_TAIL = ("花园", "小区", "新村", "家园", "公寓", "雅苑", "名邸", "佳园")

_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
_GIVEN = tuple("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文斌浩宇晨辉鹏")


def compound_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct compound names such as ``清溪花园`` (head + mid + tail)."""
    combos = np.array(
        [h + m + t for h in _COMPOUND_HEAD for m in _COMPOUND_MID for t in _COMPOUND_TAIL]
    )
    return combos[rng.permutation(len(combos))[:n]]


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` Chinese personal names of two or three characters (duplicates possible)."""
    sur = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    g1 = np.array(_GIVEN)[rng.integers(0, len(_GIVEN), n)]
    g2 = np.array(_GIVEN)[rng.integers(0, len(_GIVEN), n)]
    three = rng.random(n) < 0.6
    return np.where(three, np.char.add(np.char.add(sur, g1), g2), np.char.add(sur, g1))


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Write 0 ≤ n < 10000 the way a clerk writes a house number: 32 → 三十二, 105 → 一百零五."""
    if n < 10:
        return _DIGITS[n]
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // value) % 10
        if d == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(("" if (value == 10 and n < 20) else _DIGITS[d]) + unit)
    return "".join(parts)

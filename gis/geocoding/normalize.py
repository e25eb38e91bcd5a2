"""Chinese address normalization: one canonical spelling for the same place.

Steps, in order (each is a small function; :func:`normalize_address` chains them):

1. Unicode NFKC: full-width letters, digits and punctuation become half-width.
2. Traditional / variant characters and common misspellings → one form
   (``號→号``, ``樓→楼``, ``棟→栋``, ``衖→弄`` ...; :data:`VARIANTS`).
3. Whitespace and punctuation removed (``-`` and ``#`` kept for step 5).
4. Chinese numerals before an address unit → digits (``三栋→3栋``,
   ``五零一室→501室``, ``十二号→12号``).  Numerals in names (``三山街``) stay.
5. Unit variants → one form: ``幢/座/#/号楼/栋楼 → 栋``, ``单/门 → 单元``,
   ``房/户/号房 → 室``, a bare room number after ``单元`` gains ``室``, and the
   data-entry shorthand ``5-2-301`` becomes ``5栋2单元301室``.
6. Administrative prefixes stripped: province, city, district/county, street office
   (``江苏省南京市建邺区南苑街道…``), never a name that only ends like one
   (``…小区``, ``…社区``, ``…园区``).

>>> normalize_address("江苏省南京市建邺区 江东中路１０８号 三幢二单元五零一")
'江东中路108号3栋2单元501室'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

VARIANTS: dict[str, str] = {
    "號": "号",
    "樓": "楼",
    "棟": "栋",
    "單": "单",
    "門": "门",
    "區": "区",
    "縣": "县",
    "鎮": "镇",
    "鄉": "乡",
    "衖": "弄",
    "層": "层",
    "戶": "户",
    "莊": "庄",
    "園": "园",
    "廣": "广",
    "場": "场",
    "東": "东",
    "華": "华",
    "灣": "湾",
    "裏": "里",
    "裡": "里",
    "蘇": "苏",
    "寧": "宁",
    "鄴": "邺",
    "陽": "阳",
    "橋": "桥",
    "苑": "苑",
    "巿": "市",  # U+5DFF, a look-alike typed for 市
    "坊": "坊",
}
"""Traditional and look-alike characters → the simplified form used by gazetteers."""

_PUNCT = re.compile(r"[\s,，。.、·;；:：'\"“”‘’()（）\[\]【】<>《》/\\_~～]+")
_NUMERAL = "零〇一二两三四五六七八九十百千"
_UNIT = "号弄栋幢座楼单元门室房户层巷排组期"
_CN_NUMBER = re.compile(rf"([{_NUMERAL}]+)(?=[{_UNIT}])|(?<=[\d{_UNIT}])([{_NUMERAL}]+)$")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_SCALE = {"十": 10, "百": 100, "千": 1000}

_STRUCTURE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^(.*?)(\d+)-(\d+)-(\d+)$", r"\1\2栋\3单元\4室"),
        (r"(\d+|[a-z])(?:号楼|栋楼|幢|座|#楼|#|楼)", r"\1栋"),
        (r"(\d+)(?:单元|单|门)", r"\1单元"),
        (r"(\d+)(?:号房|室|房|户)$", r"\1室"),
        (r"单元(\d+)$", r"单元\1室"),
        (r"-", ""),
        (r"#", ""),
    )
)

_ADMIN_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?"
    r"(?P<city>[\u4e00-\u9fff]{2,6}?市)?"
    r"(?P<district>[\u4e00-\u9fff]{1,6}?(?:新区|区|县))?"
    r"(?P<street>[\u4e00-\u9fff]{2,6}?街道)?"
)
_NOT_CITY = ("超市", "菜市", "集市", "夜市", "门市", "街市", "商市")
"""Shops and markets that end like a city (华润苏果超市附近 is no city)."""
_NOT_DISTRICT = ("小区", "社区", "园区", "校区", "厂区", "景区", "片区", "营区", "城区", "街区")

_TRANSLATE = str.maketrans(VARIANTS)


def normalize_address(text: object) -> str:
    """The canonical form of one address ("" for None, NaN or blank)."""
    if not isinstance(text, str):
        return ""
    s = unicodedata.normalize("NFKC", text).lower().translate(_TRANSLATE)
    s = _PUNCT.sub("", s)
    s = _CN_NUMBER.sub(_numeral_to_digits, s)
    s = strip_admin_prefix(s)
    for pattern, repl in _STRUCTURE:
        s = pattern.sub(repl, s)
    return s


def normalize_many(texts: Iterable[object]) -> list[str]:
    """:func:`normalize_address` of many addresses, each distinct text computed once."""
    cache: dict[object, str] = {}
    out = []
    for text in texts:
        key = text if isinstance(text, str) else None
        if key not in cache:
            cache[key] = normalize_address(text)
        out.append(cache[key])
    return out


def strip_admin_prefix(s: str) -> str:
    """Remove leading province / city / district / street-office names."""
    m = _ADMIN_PREFIX.match(s)
    if not m or not m.group(0):
        return s
    end = m.end()
    city = m.group("city")
    if city and (city.endswith(_NOT_CITY) or s.startswith("场", m.end("city"))):
        return s[m.start("city") :]  # a province before it is still stripped
    district = m.group("district")
    if district and district.endswith(_NOT_DISTRICT):
        end = m.start("district")  # a residential name, not a district: keep it and after
    return s[end:] if end < len(s) else s


def _numeral_to_digits(match: re.Match[str]) -> str:
    word = match.group(1) or match.group(2)
    return str(chinese_number(word))


def chinese_number(word: str) -> int:
    """Value of a Chinese numeral: positional (``三百零五`` = 305, ``十二`` = 12) or
    digit by digit (``五零一`` = 501)."""
    if not any(c in _SCALE for c in word):
        return int("".join(str(_DIGITS[c]) for c in word))
    total, digit = 0, 0
    for c in word:
        if c in _SCALE:
            total += (digit or 1) * _SCALE[c]
            digit = 0
        else:
            digit = _DIGITS[c]
    return total + digit


_ROAD = re.compile(r"^\D*?(?:大道|大街|路|街|巷|弄|胡同|道)")
_NUMBERS = re.compile(r"\d+[a-z]?")


def block_key(normalized: str) -> str:
    """Blocking key for fuzzy matching: the road name, else the text before the first digit."""
    m = _ROAD.match(normalized)
    if m:
        return m.group(0)
    return re.split(r"\d", normalized, maxsplit=1)[0]


def house_numbers(normalized: str) -> str:
    """The numbers of an address, in order, ``|``-joined (``108|3|2|501``)."""
    return "|".join(_NUMBERS.findall(normalized))

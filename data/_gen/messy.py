"""Incidents known only by a messy address text, with the true address to measure geocoding.

The text is the standard address put through what clerks and callers do to it:
missing or extra province/city/district prefixes, full-width digits, house numbers in
Chinese numerals, 栋/幢/号楼, 单元 written as a dash, 号 as 弄, the room suffix dropped,
homophone typos (建邺→建业 is the classic) and stray spaces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data._gen.incidents import CATEGORIES, YEAR_START, _times
from data._gen.names import CITY, DISTRICT, PROVINCE, chinese_number
from data._gen.population import Population

N_MESSY = 2000
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_TYPOS = {"建邺": "建业", "溪": "西", "湾": "弯", "锦": "金", "澄": "城", "汀": "厅", "洲": "州"}


def messy_text(clean: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Spoil each address with a random subset of realistic variations."""
    n = len(clean)
    u = rng.random((n, 10))
    t = clean.reset_index(drop=True)
    prefix = CITY + DISTRICT
    t = t.where(~(u[:, 0] < 0.25), t.str.removeprefix(CITY))
    t = t.where(~((u[:, 0] >= 0.25) & (u[:, 0] < 0.45)), t.str.removeprefix(prefix))
    t = t.where(~((u[:, 0] >= 0.45) & (u[:, 0] < 0.6)), PROVINCE + t)
    t = t.where(
        ~(u[:, 1] < 0.2),
        t.str.replace(r"(\d+)号", lambda m: chinese_number(int(m[1])) + "号", regex=True, n=1),
    )
    t = t.where(~(u[:, 2] < 0.2), t.str.replace("栋", "幢", regex=False))
    t = t.where(~((u[:, 2] >= 0.2) & (u[:, 2] < 0.3)), t.str.replace("栋", "号楼", regex=False))
    t = t.where(
        ~(u[:, 3] < 0.15),
        t.str.replace(r"(\d+)(?:栋|幢|号楼)(\d+)单元(\d+)室", r"\1-\2-\3", regex=True),
    )
    t = t.where(~(u[:, 4] < 0.2), t.str.replace(r"(\d+)室$", r"\1", regex=True))
    t = t.where(~(u[:, 5] < 0.05), t.str.replace(r"(\d+)号", r"\1弄", regex=True, n=1))
    typo = rng.choice(list(_TYPOS), n)
    for wrong, typed in _TYPOS.items():
        t = t.where(~((u[:, 6] < 0.15) & (typo == wrong)), t.str.replace(wrong, typed, n=1))
    t = t.where(~(u[:, 7] < 0.25), t.str.translate(_FULL_WIDTH))
    t = t.where(~(u[:, 8] < 0.2), t.str.replace(r"(区|路|街|号|弄)", r"\1 ", regex=True, n=2))
    return t.where(~(u[:, 9] < 0.1), " " + t + "  ")


def build_messy(pop: Population, rng: np.random.Generator) -> pd.DataFrame:
    """``N_MESSY`` incidents reported by address text only (12345 hotline style)."""
    addr = pop.addresses
    pick = np.sort(rng.choice(len(addr), N_MESSY, replace=False))
    cat = rng.choice(5, N_MESSY, p=[0.2, 0.2, 0.35, 0.05, 0.2])
    seconds = _times(cat, rng)
    order = np.argsort(seconds, kind="stable")
    pick, cat, seconds = pick[order], cat[order], seconds[order]
    cats = np.array(list(CATEGORIES))
    return pd.DataFrame(
        {
            "id": [f"RX2025{k + 1:05d}" for k in range(N_MESSY)],
            "time": YEAR_START + seconds.astype("timedelta64[s]"),
            "category": cats[cat],
            "category_zh": [CATEGORIES[c] for c in cats[cat]],
            "address": messy_text(addr.address.iloc[pick], rng).to_numpy(),
            "true_address_id": addr.id.to_numpy()[pick],
            "true_address": addr.address.to_numpy()[pick],
            "x": addr.x.to_numpy()[pick],
            "y": addr.y.to_numpy()[pick],
        }
    )

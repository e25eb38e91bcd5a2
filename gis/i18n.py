"""Bilingual text (Chinese and English) for messages, labels and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Text:
    """A piece of user-facing text in both languages.

    >>> Text("网格", "grid").get("en")
    'grid'
    """

    zh: str
    en: str

    def get(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        return Text(self.zh.format(**values), self.en.format(**values))

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"

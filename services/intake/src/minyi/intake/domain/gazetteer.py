"""Recognise the district (区县) a citizen's free text is about, from the place names
in the reference data: division names, their aliases, and their townships (乡镇街道).

Built from data only, so a deployment with its own divisions file needs no code change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Township suffixes stripped to make the short forms people actually type ("泉口").
_TOWNSHIP_SUFFIX = re.compile(r"(?:回族乡|民族乡|街道办事处|办事处|街道|管理区|工业园区|镇|乡)$")
# Short forms that are also everyday words: matching them would put "长寿" (longevity)
# or "冷水" (cold water) on the map. Full names ("长寿镇") still match.
COMMON_WORDS = frozenset(
    {
        "长寿", "丰乐", "冷水", "文集", "客店", "牌楼", "双喜", "绿林", "磷矿",
        "新市", "永兴", "东桥", "高阳", "马良", "三阳", "九里",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    code: str
    name: str
    term: str  # the words found in the text
    township: str | None = None  # the township's full name when a township matched


@dataclass(frozen=True, slots=True)
class _Place:
    code: str
    name: str
    township: str | None


class Gazetteer:
    def __init__(self, places: Mapping[str, _Place]) -> None:
        self._places = dict(places)
        self._terms = sorted(self._places, key=len, reverse=True)

    @classmethod
    def from_divisions(
        cls,
        divisions: Iterable[Mapping[str, Any]],
        *,
        common_words: frozenset[str] = COMMON_WORDS,
    ) -> Gazetteer:
        """From the ``divisions`` list of the reference file (code, name, aliases,
        townships). Two divisions claiming the same name is a data error; a derived
        short form claimed twice, or in ``common_words``, is silently left out."""
        explicit: dict[str, _Place] = {}
        derived: dict[str, set[_Place]] = {}

        def claim(term: str, place: _Place) -> None:
            owner = explicit.setdefault(term, place)
            if owner.code != place.code:
                raise ValueError(f"地名“{term}”同时属于 {owner.code} 和 {place.code}")

        for division in divisions:
            code, name = str(division["code"]), str(division["name"])
            district = _Place(code, name, None)
            for term in (name, *division.get("aliases", ())):
                claim(_normalise(term), district)
            for township in division.get("townships", ()):
                full = _normalise(township)
                place = _Place(code, name, full)
                claim(full, place)
                short = _TOWNSHIP_SUFFIX.sub("", full)
                if short != full and len(short) >= 2 and short not in common_words:
                    derived.setdefault(short, set()).add(place)

        places = dict(explicit)
        for term, owners in derived.items():
            if term not in places and len({owner.code for owner in owners}) == 1:
                places[term] = next(iter(owners))
        return cls(places)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self._places)

    def find_district(self, text: str) -> DistrictMatch | None:
        """The district named in ``text``: the longest place name found wins, the
        earliest one on a tie (so "东宝区泉口街道" yields 泉口街道 → 420802)."""
        haystack = _normalise(text)
        best: tuple[int, int, str] | None = None  # (-length, position, term)
        for term in self._terms:
            if best is not None and len(term) < -best[0]:
                break  # terms are sorted longest first
            position = haystack.find(term)
            if position >= 0 and (best is None or (-len(term), position) < best[:2]):
                best = (-len(term), position, term)
        if best is None:
            return None
        place = self._places[best[2]]
        return DistrictMatch(place.code, place.name, best[2], place.township)


def _normalise(text: str) -> str:
    # NFKC folds full-width forms; spaces inside a name ("东宝 区") are ignored.
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))

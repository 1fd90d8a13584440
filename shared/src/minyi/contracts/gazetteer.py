"""Recognise the place a citizen's free text or address is about — the division (区县), the
township (乡镇街道) and the community or village (社区/村) — from the place names in the
reference data: division names and aliases, their townships, and the communities a
deployment lists under each township.

One implementation for every service (intake routes a filing to its district, liaison
finds a citizen's deputies). Built from data only, so a deployment with its own divisions
file needs no code change. Pure: the caller reads the reference files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

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

Level = Literal["division", "township", "community"]
_RANK: dict[Level, int] = {"division": 0, "township": 1, "community": 2}
# Communities as a deployment lists them: division code → township → community names.
Communities = Mapping[str, Mapping[str, Iterable[str]]]


@dataclass(frozen=True, slots=True)
class Place:
    """A place on the map, as precise as known: a division, a township in it, or a
    community in a township."""

    division_code: str
    division_name: str
    township: str | None = None
    community: str | None = None

    @property
    def level(self) -> Level:
        if self.community is not None:
            return "community"
        return "township" if self.township is not None else "division"

    @property
    def label(self) -> str:
        """The place as people write it: 东宝区泉口街道白云社区."""
        return "".join(x for x in (self.division_name, self.township, self.community) if x)

    def view(self) -> dict[str, str | None]:
        """The place as the public APIs show it (intake's and liaison's lookups)."""
        return {
            "level": self.level,
            "division_code": self.division_code,
            "division_name": self.division_name,
            "township": self.township,
            "community": self.community,
            "label": self.label,
        }

    def within(self, other: Place) -> bool:
        """True when ``self`` is ``other`` or lies inside it."""
        return (
            self.division_code == other.division_code
            and other.township in (None, self.township)
            and other.community in (None, self.community)
        )


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    place: Place
    term: str  # the words found in the text for the most precise place


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    code: str
    name: str
    term: str  # the words found in the text
    township: str | None = None  # the township's full name when a township (or below) matched


@dataclass(frozen=True, slots=True)
class _Found:
    place: Place
    term: str
    position: int


class Gazetteer:
    def __init__(self, places: Mapping[str, tuple[Place, ...]]) -> None:
        self._places = {term: tuple(owners) for term, owners in places.items()}
        self._terms = sorted(self._places, key=len, reverse=True)
        self._divisions = {
            p.division_code: p
            for owners in self._places.values()
            for p in owners
            if p.level == "division"
        }

    @classmethod
    def from_divisions(
        cls,
        divisions: Iterable[Mapping[str, Any]],
        *,
        communities: Communities | None = None,
        common_words: frozenset[str] = COMMON_WORDS,
    ) -> Gazetteer:
        """From the ``divisions`` list of the reference file (code, name, aliases,
        townships: names, or objects with ``name`` and ``communities``), plus
        ``communities`` by division and township. Two divisions or townships claiming the
        same name is a data error; a derived short form claimed twice, or in
        ``common_words``, is silently left out. A community name may recur (new villages
        are named alike): the division or township named beside it tells them apart."""
        explicit: dict[str, Place] = {}
        derived: dict[str, set[Place]] = {}
        named_communities: dict[str, set[Place]] = {}

        def claim(term: str, place: Place) -> None:
            owner = explicit.setdefault(term, place)
            if owner.division_code != place.division_code:
                raise ValueError(
                    f"地名“{term}”同时属于 {owner.division_code} 和 {place.division_code}"
                )

        for division in divisions:
            code, name = str(division["code"]), str(division["name"])
            district = Place(code, name)
            for term in (name, *division.get("aliases", ())):
                claim(_normalise(term), district)
            for township in division.get("townships", ()):
                raw = township if isinstance(township, str) else str(township["name"])
                full = _normalise(raw)
                place = Place(code, name, full)
                claim(full, place)
                short = _TOWNSHIP_SUFFIX.sub("", full)
                if short != full and len(short) >= 2 and short not in common_words:
                    derived.setdefault(short, set()).add(place)
                listed = () if isinstance(township, str) else township.get("communities", ())
                extra = (communities or {}).get(code, {}).get(raw, ())
                for community in (*listed, *extra):
                    term = _normalise(str(community))
                    named_communities.setdefault(term, set()).add(Place(code, name, full, term))

        places: dict[str, tuple[Place, ...]] = {t: (p,) for t, p in explicit.items()}
        for term, owners in derived.items():
            if term not in places and len({owner.division_code for owner in owners}) == 1:
                places[term] = tuple(owners)
        for term, owners in named_communities.items():
            if term not in places:  # a township's name wins over a community's
                places[term] = tuple(sorted(owners, key=_sort_key))
        return cls(places)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self._places)

    def find_place(self, text: str) -> PlaceMatch | None:
        """The most precise place named in ``text`` (an address or a complaint).

        Names found inside a longer name found ("东宝" in "东宝区") are dropped. Each
        remaining candidate scores by how many other names found agree with it (lie on
        its path), then by precision, then by length, then by position: "东宝区泉口街道"
        gives 泉口街道 in 420802, "掇刀区新华社区" picks the 新华社区 in 掇刀区. When the
        best candidates disagree (one name, two villages, nothing else said), their common
        ancestor is answered, or the next candidates are tried."""
        haystack = _normalise(text)
        spans: list[tuple[int, int, str]] = []
        for term in self._terms:  # longest first
            position = haystack.find(term)
            if position < 0:
                continue
            end = position + len(term)
            if any(s <= position and end <= e for s, e, _ in spans):
                continue  # a part of a longer name already found
            spans.append((position, end, term))
        found = [_Found(p, term, s) for s, _e, term in spans for p in self._places[term]]
        while found:
            best = max(found, key=lambda f: self._score(f, found))
            top = [f for f in found if self._score(f, found) == self._score(best, found)]
            common = _common_ancestor([f.place for f in top], self._divisions)
            if common is not None:
                term = best.term if common == best.place else _term_for(common, found)
                return PlaceMatch(common, term)
            found = [f for f in found if f not in top]
        return None

    def find_district(self, text: str) -> DistrictMatch | None:
        """The district named in ``text`` (see ``find_place``)."""
        match = self.find_place(text)
        if match is None:
            return None
        place = match.place
        return DistrictMatch(place.division_code, place.division_name, match.term, place.township)

    def resolve(
        self,
        *,
        division: str | None = None,
        township: str | None = None,
        community: str | None = None,
    ) -> Place | None:
        """The place named by structured fields (a division's code, name or alias; a
        township's full or short name; a community's name), or None when a name is
        unknown or the names do not nest (a township of another division)."""
        wanted: list[tuple[Level, Place]] = []
        if division:
            known = self._divisions.get(division.strip())
            if known is None:
                owners = self._places.get(_normalise(division), ())
                known = next((p for p in owners if p.level == "division"), None)
            if known is None:
                return None
            wanted.append(("division", known))
        candidates: list[Place] = [p for _, p in wanted]
        for level, name in (("township", township), ("community", community)):
            if not name:
                continue
            owners = tuple(p for p in self._places.get(_normalise(name), ()) if p.level == level)
            agreeing = [p for p in owners if all(c.within(p) or p.within(c) for c in candidates)]
            if not agreeing:
                return None
            if len(agreeing) > 1:
                common = _common_ancestor(agreeing, self._divisions)
                if common is None:
                    return None
                agreeing = [common]
            candidates.append(agreeing[0])
        if not candidates:
            return None
        return max(candidates, key=lambda p: _RANK[p.level])

    def division(self, code: str) -> Place | None:
        return self._divisions.get(code)

    def _score(self, candidate: _Found, found: list[_Found]) -> tuple[int, int, int, int]:
        here = candidate.place
        agreeing = {
            f.term
            for f in found
            if f.term != candidate.term and (here.within(f.place) or f.place.within(here))
        }
        return (len(agreeing), _RANK[here.level], len(candidate.term), -candidate.position)


def _common_ancestor(places: list[Place], divisions: Mapping[str, Place]) -> Place | None:
    first = places[0]
    if all(p == first for p in places):
        return first
    if len({p.division_code for p in places}) != 1:
        return None
    if first.township is not None and all(p.township == first.township for p in places):
        return Place(first.division_code, first.division_name, first.township)
    return divisions.get(first.division_code) or Place(first.division_code, first.division_name)


def _term_for(place: Place, found: list[_Found]) -> str:
    """The words found that name ``place`` itself or something inside it."""
    inside = [f for f in found if f.place.within(place)]
    exact = [f for f in inside if f.place == place]
    return (exact or inside)[0].term


def _sort_key(place: Place) -> tuple[str, str, str]:
    return (place.division_code, place.township or "", place.community or "")


def _normalise(text: str) -> str:
    # NFKC folds full-width forms; spaces inside a name ("东宝 区") are ignored.
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))

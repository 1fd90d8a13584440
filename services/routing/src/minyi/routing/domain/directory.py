"""Taxonomy and unit directory: who handles which category where (reference data)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENERAL_FOCUS_AREA = "民生保障"


@dataclass(frozen=True)
class Category:
    name: str
    focus_area: str
    subcategories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: str  # "city" | "district"
    jurisdiction: frozenset[str]  # district codes, or {"*"} for the whole city
    categories: frozenset[str]


class DirectoryError(ValueError):
    """The reference data cannot route every category in every district."""


class UnitDirectory:
    def __init__(
        self,
        categories: Iterable[Category],
        units: Iterable[Unit],
        districts: Iterable[str],
        city_reserved: Iterable[str] = (),
        triage_rules: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.categories = {c.name: c for c in categories}
        self.units = {u.id: u for u in units}
        self._candidates: dict[tuple[str, str], tuple[Unit, ...]] = {}
        self.districts = list(districts)
        self.city_reserved = frozenset(city_reserved)
        # (category, district) pairs deliberately left to people ("*" matches any).
        self.triage_rules = frozenset(triage_rules)
        self._validate()

    @classmethod
    def from_reference(
        cls, taxonomy: Mapping[str, Any], units: Mapping[str, Any], districts: Iterable[str]
    ) -> UnitDirectory:
        cats = [
            Category(c["name"], c["focus_area"], tuple(c.get("subcategories", ())))
            for c in taxonomy["categories"]
        ]
        unit_list = [
            Unit(
                u["id"],
                u["name"],
                u["level"],
                frozenset(u["jurisdiction"]),
                frozenset(u["categories"]),
            )
            for u in units["units"]
        ]
        triage = [(r["category"], r["district"]) for r in units.get("triage_rules", ())]
        return cls(cats, unit_list, districts, units.get("city_reserved_categories", ()), triage)

    def _validate(self) -> None:
        problems: list[str] = []
        for unit in self.units.values():
            unknown = unit.categories - self.categories.keys()
            if unknown:
                problems.append(f"unit {unit.id} handles unknown categories {sorted(unknown)}")
        for cat in self.categories:
            for district in self.districts:
                if self.candidates(cat, district) or self._left_to_triage(cat, district):
                    continue
                problems.append(f"no unit handles {cat} in {district} and no triage rule covers it")
        if problems:
            raise DirectoryError("unit directory is incomplete:\n  " + "\n  ".join(problems))

    def _left_to_triage(self, category: str, district: str) -> bool:
        return bool({(category, district), (category, "*"), ("*", district)} & self.triage_rules)

    def candidates(self, category: str, district: str) -> tuple[Unit, ...]:
        """Units able to handle ``category`` in ``district``, best first: the district's own
        unit, then the city-level one (or only the city's when the category is reserved).
        Kept per pair: a directory does not change once built, and each filing asks for
        its three likeliest categories (a scan of every unit each time)."""
        found = self._candidates.get((category, district))
        if found is None:
            found = self._candidates[(category, district)] = self._find(category, district)
        return found

    def _find(self, category: str, district: str) -> tuple[Unit, ...]:
        own = [
            u
            for u in self.units.values()
            if category in u.categories and district in u.jurisdiction
        ]
        city = [
            u for u in self.units.values() if category in u.categories and "*" in u.jurisdiction
        ]
        return tuple(city + own if category in self.city_reserved else own + city)

    def unknown_categories(self, categories: Iterable[str]) -> list[str]:
        """Those of ``categories`` the taxonomy lacks (keyword rules or a model naming one
        cannot be served)."""
        return sorted(set(categories) - self.categories.keys())

    def focus_area(self, category: str) -> str:
        cat = self.categories.get(category)
        return cat.focus_area if cat else GENERAL_FOCUS_AREA

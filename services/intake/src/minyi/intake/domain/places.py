"""The places a citizen can pick or type on the 找代表 tab: the shared gazetteer over the
divisions file (minyi.contracts.gazetteer), with the communities (社区/村) liaison's
registry names — deputies elected there, stations serving them — as intake's replica
knows them. No communities file in intake: the replica is where they come from."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from minyi.contracts.gazetteer import Gazetteer


class Community(NamedTuple):
    division_code: str
    township: str
    name: str


class Places:
    """``base`` (divisions and townships) finds a filing's district; ``with_communities``
    adds the communities the replica names, rebuilt only when they change (a gazetteer of
    the whole city builds in about a millisecond; the replica changes rarely)."""

    def __init__(self, divisions: Iterable[Mapping[str, Any]]) -> None:
        self._divisions = [dict(d) for d in divisions]
        # Communities a deployment lists in its divisions file (townships as objects).
        self._listed = frozenset(
            Community(str(d["code"]), str(t["name"]), str(c))
            for d in self._divisions
            for t in d.get("townships", ())
            if not isinstance(t, str)
            for c in t.get("communities", ())
        )
        self.base = Gazetteer.from_divisions(self._divisions)
        self._known: frozenset[Community] = frozenset()
        self._current = self.base

    def with_communities(self, known: Collection[Community]) -> Gazetteer:
        wanted = frozenset(known)
        if wanted != self._known:
            self._current = Gazetteer.from_divisions(self._divisions, communities=_nested(wanted))
            self._known = wanted
        return self._current

    def tree(self, known: Collection[Community]) -> list[dict[str, Any]]:
        """The pick-lists: divisions, their townships, the communities known in each."""
        nested = _nested(self._listed | frozenset(known))
        return [
            {
                "code": str(d["code"]),
                "name": str(d["name"]),
                "townships": [
                    {"name": t, "communities": sorted(nested.get(str(d["code"]), {}).get(t, ()))}
                    for t in _township_names(d)
                ],
            }
            for d in self._divisions
        ]


def _township_names(division: Mapping[str, Any]) -> list[str]:
    return [t if isinstance(t, str) else str(t["name"]) for t in division.get("townships", ())]


def _nested(known: Collection[Community]) -> dict[str, dict[str, list[str]]]:
    nested: dict[str, dict[str, list[str]]] = {}
    for c in sorted(known):
        nested.setdefault(c.division_code, {}).setdefault(c.township, []).append(c.name)
    return nested

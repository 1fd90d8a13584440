"""Keyword rules that pin a category when a tell-tale word appears (demo rule table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from minyi.routing.domain.decision import Classification

FALLBACK_CATEGORY = "党务政务"


class KeywordTable:
    def __init__(
        self, rules: Mapping[str, Sequence[str]], fallback: str = FALLBACK_CATEGORY
    ) -> None:
        # Longer keywords first, so that "噪声扰民" wins over "噪声".
        self._rules = sorted(
            ((kw, cat) for cat, kws in rules.items() for kw in kws), key=lambda r: -len(r[0])
        )
        self._fallback = fallback

    def __call__(self, text: str) -> Classification:
        for keyword, category in self._rules:
            if keyword in text:
                return Classification(category, 1.0, "rule", rule=keyword, top_features=[keyword])
        return Classification(self._fallback, 0.0, "rule", rule="默认", top_features=[])

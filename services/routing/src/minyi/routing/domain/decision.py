"""The routing decision: category → unit, with the explanation people will read."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from minyi.routing.domain.directory import Unit, UnitDirectory


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float
    reason: str  # "rule" | "model" | "manual"
    rule: str | None = None
    model_version: str | None = None
    top_features: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    classification: Classification
    unit: Unit | None
    focus_area: str
    summary: str

    @property
    def needs_triage(self) -> bool:
        return self.unit is None


Classifier = Callable[[str], Classification]


def decide(
    text: str,
    district_code: str,
    directory: UnitDirectory,
    classify: Classifier,
    *,
    exclude_units: Collection[str] = (),
    threshold: float = 0.0,
) -> Decision:
    """Classify, then pick the best unit not excluded (units that already returned it)."""
    c = classify(text)
    focus = directory.focus_area(c.category)
    if c.confidence < threshold:
        return Decision(
            c, None, focus, f"置信度 {c.confidence:.2f} 低于阈值 {threshold:.2f}，转人工分办"
        )
    units = [
        u for u in directory.candidates(c.category, district_code) if u.id not in exclude_units
    ]
    if not units:
        return Decision(c, None, focus, f"{c.category}在该地区无可用承办单位，转人工分办")
    unit = units[0]
    why = f"关键词规则“{c.rule}”" if c.reason == "rule" else f"模型 {c.model_version}"
    return Decision(
        c,
        unit,
        focus,
        f"依据{why}归类为“{c.category}”（置信度 {c.confidence:.2f}），由{unit.name}承办",
    )

"""The routing decision: category → unit, with the explanation people will read.

Pure functions over the directory: the first decision for a new suggestion (``decide``), the
next unit after a unit sent it back (``decide_after_return``), merged handling of a recurring
appeal (``decide_for_cluster``) and a person's choice in the triage queue (``decide_manually``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from minyi.platform.errors import Invalid
from minyi.routing.domain.classifier import Prediction
from minyi.routing.domain.directory import Unit, UnitDirectory

# Triage reasons (TriageRequired.reason).
LOW_CONFIDENCE = "low_confidence"
RETURNED = "returned"
NO_UNIT = "no_unit"


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float
    reason: str  # "rule" | "model" | "manual" | "return" | "cluster"
    rule: str | None = None
    model_version: str | None = None
    top_features: list[str] = field(default_factory=list)
    ranking: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_prediction(cls, p: Prediction) -> Classification:
        return cls(
            category=p.category,
            confidence=p.confidence,
            reason="rule" if p.rule is not None else "model",
            rule=p.rule,
            model_version=p.model_version,
            top_features=list(p.top_features),
            ranking=p.ranking or ((p.category, p.confidence),),
        )

    def evidence(self) -> str:
        """How the category was found, as a clause of a Chinese sentence."""
        if self.reason == "rule":
            return f"关键词规则“{self.rule}”"
        words = "、".join(self.top_features) or "无"
        return f"模型 {self.model_version}（主要依据：{words}）"


class Classifier(Protocol):
    def predict(self, text: str) -> Prediction: ...


@dataclass(frozen=True)
class Candidate:
    category: str
    confidence: float
    unit: Unit | None


@dataclass(frozen=True)
class Decision:
    classification: Classification
    unit: Unit | None
    focus_area: str
    summary: str
    triage_reason: str | None = None
    candidates: tuple[Candidate, ...] = ()
    cluster_id: str | None = None  # merged handling (并案)

    @property
    def needs_triage(self) -> bool:
        return self.unit is None


def classify(text: str, model: Classifier) -> Classification:
    return Classification.from_prediction(model.predict(text))


def candidates_for(
    c: Classification, district: str, directory: UnitDirectory, exclude: Collection[str] = ()
) -> tuple[Candidate, ...]:
    """The ranked categories, each with the unit it would go to (what triage shows)."""
    out: list[Candidate] = []
    for category, confidence in c.ranking or ((c.category, c.confidence),):
        units = [u for u in directory.candidates(category, district) if u.id not in exclude]
        out.append(Candidate(category, confidence, units[0] if units else None))
    return tuple(out)


def decide(
    c: Classification,
    district_code: str,
    directory: UnitDirectory,
    *,
    exclude_units: Collection[str] = (),
    threshold: float = 0.0,
) -> Decision:
    """Pick the best unit for a classified suggestion, or leave it to people."""
    focus = directory.focus_area(c.category)
    candidates = candidates_for(c, district_code, directory, exclude_units)
    if c.confidence < threshold:
        return Decision(
            c,
            None,
            focus,
            f"依据{c.evidence()}初步归类为“{c.category}”，但置信度 {c.confidence:.2f} "
            f"低于阈值 {threshold:.2f}，转人工分办",
            LOW_CONFIDENCE,
            candidates,
        )
    units = [
        u for u in directory.candidates(c.category, district_code) if u.id not in exclude_units
    ]
    if not units:
        return Decision(
            c,
            None,
            focus,
            f"“{c.category}”在该地区没有可用的承办单位，转人工分办",
            NO_UNIT,
            candidates,
        )
    unit = units[0]
    return Decision(
        c,
        unit,
        focus,
        f"依据{c.evidence()}归类为“{c.category}”（置信度 {c.confidence:.2f}），由{unit.name}承办",
        candidates=candidates,
    )


def decide_after_return(
    previous: Classification,
    district_code: str,
    directory: UnitDirectory,
    *,
    returned_by: Collection[str],
    returning_unit: str,
    return_reason: str,
    suggested_unit: str | None,
    max_returns: int = 2,
) -> Decision:
    """The next best unit after a return: the unit the returning one suggests when it can
    handle the category here, else the next candidate; never a unit that already returned
    it. After ``max_returns`` returns a person decides."""
    focus = directory.focus_area(previous.category)
    returning = directory.units.get(returning_unit)
    who = returning.name if returning else returning_unit
    c = Classification(
        previous.category,
        previous.confidence,
        "return",
        previous.rule,
        previous.model_version,
        previous.top_features,
        previous.ranking,
    )
    candidates = candidates_for(c, district_code, directory, returned_by)
    if len(returned_by) >= max_returns:
        return Decision(
            c,
            None,
            focus,
            f"{who}退回（{return_reason}），已被退回 {len(returned_by)} 次，转人工分办",
            RETURNED,
            candidates,
        )
    able = [
        u for u in directory.candidates(previous.category, district_code) if u.id not in returned_by
    ]
    suggested = next((u for u in able if u.id == suggested_unit), None)
    unit = suggested or (able[0] if able else None)
    if unit is None:
        return Decision(
            c,
            None,
            focus,
            f"{who}退回（{return_reason}），“{previous.category}”在该地区已无其他承办单位，"
            "转人工分办",
            NO_UNIT,
            candidates,
        )
    how = "按退回单位的建议" if suggested else "按候选顺序"
    return Decision(
        c,
        unit,
        focus,
        f"{who}退回（{return_reason}），{how}改由{unit.name}承办（类别“{previous.category}”）",
        candidates=candidates,
    )


def decide_for_cluster(
    c: Classification,
    directory: UnitDirectory,
    *,
    unit_id: str,
    category: str,
    cluster_id: str,
    cluster_size: int,
    representative_title: str,
) -> Decision | None:
    """Merged handling (并案): a recurring appeal goes to the unit already handling the
    cluster's open case, under that case's category. None if that unit is gone."""
    unit = directory.units.get(unit_id)
    if unit is None:
        return None
    merged = Classification(
        category,
        c.confidence,
        "cluster",
        c.rule,
        c.model_version,
        c.top_features,
        c.ranking,
    )
    return Decision(
        merged,
        unit,
        directory.focus_area(category),
        f"与“{representative_title}”等 {cluster_size - 1} 件诉求高度相似，并案办理，"
        f"由正在办理的{unit.name}承办（类别“{category}”）",
        cluster_id=cluster_id,
    )


class ManualDecisionError(Invalid):
    """A person's triage choice the directory cannot honour."""


def decide_manually(
    directory: UnitDirectory, *, unit_id: str, category: str, district_code: str, by: str = ""
) -> Decision:
    if category not in directory.categories:
        raise ManualDecisionError("unknown_category", f"未知类别“{category}”", field="category")
    unit = directory.units.get(unit_id)
    if unit is None:
        raise ManualDecisionError("unknown_unit", f"未知承办单位 {unit_id}", field="unit_id")
    if category not in unit.categories:
        raise ManualDecisionError(
            "category_not_handled", f"{unit.name}不承办“{category}”类事项", field="unit_id"
        )
    if "*" not in unit.jurisdiction and district_code not in unit.jurisdiction:
        raise ManualDecisionError(
            "outside_jurisdiction", f"{unit.name}不管辖该地区（{district_code}）", field="unit_id"
        )
    c = Classification(category, 1.0, "manual")
    who = f"（{by}）" if by else ""
    return Decision(
        c,
        unit,
        directory.focus_area(category),
        f"人工分办{who}：归类为“{category}”，由{unit.name}承办",
    )

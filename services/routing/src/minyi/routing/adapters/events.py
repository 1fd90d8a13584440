"""Routing's decisions → wire contracts (the events it publishes, and the explanation and
candidates its rows and HTTP answers carry)."""

from __future__ import annotations

from datetime import datetime

from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import (
    AssignedToUnit,
    AssignmentExplanation,
    SuggestionClustered,
    TriageCandidate,
    TriageRequired,
)
from minyi.routing.domain.assignment import Suggestion
from minyi.routing.domain.clustering import ClusterAssignment
from minyi.routing.domain.decision import Decision


def explanation_of(decision: Decision) -> AssignmentExplanation:
    c = decision.classification
    return AssignmentExplanation(
        reason=c.reason,
        rule=c.rule,
        model_version=c.model_version,
        confidence=round(c.confidence, 4),
        top_features=c.top_features,
        summary=decision.summary,
        cluster_id=decision.cluster_id,
    )


def candidates_of(decision: Decision) -> list[TriageCandidate]:
    return [
        TriageCandidate(
            category=k.category,
            confidence=k.confidence,
            unit_id=k.unit.id if k.unit else None,
            unit_name=k.unit.name if k.unit else None,
        )
        for k in decision.candidates
    ]


def decision_event(
    decision: Decision, suggestion: Suggestion, *, attempt: int, now: datetime
) -> AssignedToUnit | TriageRequired:
    """The unit's assignment, or the triage queue's request when no unit was chosen."""
    explanation = explanation_of(decision)
    if decision.unit is None:
        return TriageRequired(
            suggestion_id=suggestion.suggestion_id,
            reason=decision.triage_reason or "no_unit",
            candidates=candidates_of(decision),
            explanation=explanation,
            district_code=suggestion.district_code,
            attempt=attempt,
            required_at=now,
        )
    return AssignedToUnit(
        suggestion_id=suggestion.suggestion_id,
        unit_id=decision.unit.id,
        unit_name=decision.unit.name,
        category=decision.classification.category,
        focus_area=decision.focus_area,
        district_code=suggestion.district_code,
        kind=suggestion.kind,
        urgent=suggestion.urgent,
        attempt=attempt,
        explanation=explanation,
        assigned_at=now,
    )


def clustered_event(suggestion: Suggestion, cluster: ClusterAssignment) -> SuggestionClustered:
    return SuggestionClustered(
        suggestion_id=suggestion.suggestion_id,
        cluster_id=cluster.cluster_id,
        size=cluster.size,
        representative_title=cluster.representative_title,
        district_code=suggestion.district_code,
    )


def suggestion_of(filed: SuggestionFiled) -> Suggestion:
    return Suggestion(
        filed.suggestion_id,
        filed.title,
        filed.content,
        filed.district_code,
        filed.kind,
        filed.urgent,
    )

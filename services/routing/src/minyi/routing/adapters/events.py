"""Routing's decisions → wire contracts (the events it publishes, and the explanation and
candidates its rows and HTTP answers carry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from minyi.contracts.formal import CoUnit
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import (
    AssignedToUnit,
    AssignmentExplanation,
    SuggestionClustered,
    TriageCandidate,
    TriageRequired,
)
from minyi.routing.domain.assignment import REPRESENTATIVE_SUGGESTION, FormalRecord, Suggestion
from minyi.routing.domain.clustering import ClusterAssignment
from minyi.routing.domain.decision import Decision
from minyi.routing.domain.directory import Unit
from minyi.routing.domain.formal import Proposal


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


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    """A formal suggestion's proposal as the 交办 queue stores and shows it."""
    c = proposal.classification
    return {
        "unit_id": proposal.lead.id if proposal.lead else None,
        "unit_name": proposal.lead.name if proposal.lead else None,
        "category": c.category,
        "co_units": [
            {
                "unit_id": k.unit.id,
                "unit_name": k.unit.name,
                "category": k.category,
                "evidence": k.evidence,
            }
            for k in proposal.co_units
        ],
        "summary": proposal.summary,
        "lead_reason": proposal.lead_reason,
        # The classifier's ranking, for the category of a lead the office picks instead.
        "ranking": [[cat, round(p, 4)] for cat, p in c.ranking],
        "explanation": AssignmentExplanation(
            reason=c.reason,
            rule=c.rule,
            model_version=c.model_version,
            confidence=round(c.confidence, 4),
            top_features=c.top_features,
            summary=proposal.summary,
        ).model_dump(mode="json"),
    }


def formal_assigned_event(
    decision: Decision,
    co_units: tuple[Unit, ...],
    suggestion: Suggestion,
    record: FormalRecord,
    *,
    now: datetime,
) -> AssignedToUnit:
    """The office's confirmed 交办: the lead as the unit, the co-units, the formal details."""
    assert decision.unit is not None
    return AssignedToUnit(
        suggestion_id=suggestion.suggestion_id,
        unit_id=decision.unit.id,
        unit_name=decision.unit.name,
        category=decision.classification.category,
        focus_area=decision.focus_area,
        district_code=suggestion.district_code,
        kind=REPRESENTATIVE_SUGGESTION,
        urgent=suggestion.urgent,
        attempt=record.attempt,
        explanation=explanation_of(decision),
        assigned_at=now,
        co_units=[CoUnit(unit_id=u.id, unit_name=u.name) for u in co_units],
        number=record.number,
        signer_ids=record.signer_ids,
        title=suggestion.title,
        content=suggestion.content,
    )

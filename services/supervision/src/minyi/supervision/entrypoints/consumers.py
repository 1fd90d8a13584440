"""Supervision's durable consumers: an assignment opens a case, the citizen's feedback
closes or reopens it; a commitment made at an official's visit, or a question left there
for a written answer, opens a case too; a signer's rating of a formal suggestion settles
its round; clusters and endorsements make candidates for key topics; the public's
ratings of a finished project and citizens' support (附议) are counted. Subjects and types
come from the contracts."""

from __future__ import annotations

from collections.abc import Sequence

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent
from minyi.contracts.formal import SignerRated
from minyi.contracts.intake import FeedbackReceived, SuggestionEndorsed
from minyi.contracts.projects import ProjectRated, SupportAdded
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired
from minyi.platform.runtime import Consumer
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.service_layer.handlers import (
    when_assigned_open_case,
    when_clustered_or_endorsed_count_candidate,
    when_commitment_made_open_case,
    when_feedback_received_close_or_reopen,
    when_signer_rated_record_it,
    when_written_answer_required_open_case,
)
from minyi.supervision.service_layer.projects import (
    when_public_rated_record_it,
    when_support_added_count_it,
)

# Only these two reach the candidates' durable (the server filters the rest).
CANDIDATE_EVENTS = (SuggestionClustered, SuggestionEndorsed)


def consumers(runtime: SupervisionRuntime) -> Sequence[Consumer[SupervisionUnitOfWork]]:
    rules = runtime.deps.rules

    async def on_assigned(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_assigned_open_case(event, uow, rules)

    async def on_feedback(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_feedback_received_close_or_reopen(event, uow, rules)

    async def on_commitment(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_commitment_made_open_case(event, uow, rules)

    async def on_written_answer(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_written_answer_required_open_case(event, uow, rules)

    async def on_rated(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_signer_rated_record_it(event, uow, rules)

    async def on_project_rated(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
        await when_public_rated_record_it(event, uow, rules)

    return [
        Consumer(
            AssignedToUnit.subject_name,
            subjects.durable_name("supervision", "suggestion_assigned"),
            on_assigned,
            frozenset({AssignedToUnit.event_type}),
        ),
        Consumer(
            FeedbackReceived.subject_name,
            subjects.durable_name("supervision", "feedback_received"),
            on_feedback,
            frozenset({FeedbackReceived.event_type}),
        ),
        Consumer(
            CommitmentMade.subject_name,
            subjects.durable_name("supervision", "commitment_made"),
            on_commitment,
            frozenset({CommitmentMade.event_type}),
        ),
        Consumer(
            WrittenAnswerRequired.subject_name,
            subjects.durable_name("supervision", "written_answer_required"),
            on_written_answer,
            frozenset({WrittenAnswerRequired.event_type}),
        ),
        Consumer(
            SignerRated.subject_name,
            subjects.durable_name("supervision", "signer_rated"),
            on_rated,
            frozenset({SignerRated.event_type}),
        ),
        Consumer(
            subjects.SUGGESTION_EVENTS,
            subjects.durable_name("supervision", "topic_candidates"),
            when_clustered_or_endorsed_count_candidate,
            frozenset(m.event_type for m in CANDIDATE_EVENTS),
            tuple(m.subject_name for m in CANDIDATE_EVENTS),
        ),
        # The public's acceptance ratings of a project (intake publishes them; the
        # deputies' own ratings, published here, are skipped by the handler).
        Consumer(
            ProjectRated.subject_name,
            subjects.durable_name("supervision", "project_rated"),
            on_project_rated,
            frozenset({ProjectRated.event_type}),
        ),
        Consumer(
            SupportAdded.subject_name,
            subjects.durable_name("supervision", "support_added"),
            when_support_added_count_it,
            frozenset({SupportAdded.event_type}),
        ),
    ]

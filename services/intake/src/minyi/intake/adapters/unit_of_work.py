"""Intake's unit of work: one transaction, with intake's repositories on it."""

from __future__ import annotations

from functools import cached_property

from minyi.intake.adapters.repositories import (
    ChatMessages,
    Conversations,
    Endorsements,
    FeedbackRepository,
    FormalSuggestions,
    IdempotencyKeys,
    NewSuggestions,
    Notifications,
    PublicRatings,
    Registry,
    SuggestionRepository,
    SupportCodes,
    SupporterSessions,
    Supports,
    SupportTargets,
)
from minyi.platform.runtime import UnitOfWork


class IntakeUnitOfWork(UnitOfWork):
    # Built on first use: a group commit of filings touches two of them, so the others
    # cost nothing on the hot path.
    @cached_property
    def suggestions(self) -> SuggestionRepository:
        return SuggestionRepository(self.session, self.batch(NewSuggestions))

    @cached_property
    def idempotency(self) -> IdempotencyKeys:
        return IdempotencyKeys(self.session)

    @cached_property
    def feedback(self) -> FeedbackRepository:
        return FeedbackRepository(self.session)

    @cached_property
    def endorsements(self) -> Endorsements:
        return Endorsements(self.session)

    @cached_property
    def notifications(self) -> Notifications:
        return Notifications(self.session)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.session)

    @cached_property
    def chat_messages(self) -> ChatMessages:
        return ChatMessages(self.session)

    @cached_property
    def registry(self) -> Registry:
        return Registry(self.session)

    @cached_property
    def formal(self) -> FormalSuggestions:
        return FormalSuggestions(self.session)

    @cached_property
    def support_targets(self) -> SupportTargets:
        return SupportTargets(self.session)

    @cached_property
    def support_codes(self) -> SupportCodes:
        return SupportCodes(self.session)

    @cached_property
    def supporter_sessions(self) -> SupporterSessions:
        return SupporterSessions(self.session)

    @cached_property
    def supports(self) -> Supports:
        return Supports(self.session)

    @cached_property
    def public_ratings(self) -> PublicRatings:
        return PublicRatings(self.session)

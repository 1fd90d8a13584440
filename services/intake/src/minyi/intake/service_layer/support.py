"""Citizens' support (附议, +1) for a public recurring appeal or project, and the public's
acceptance rating of a finished project: a phone checked by a one-time code sent through
the notifications queue, a short supporter session, once per person and target.

``now`` is the wall clock (see ``domain.support``); the events carry the service clock's
time (``uow.now()``), as every other event does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from minyi.contracts.envelope import RawEvent
from minyi.contracts.formal import Rating
from minyi.contracts.projects import (
    ProjectAccepted,
    ProjectCompleted,
    ProjectRated,
    ProjectRegistered,
    ProjectState,
    ProjectUpdated,
    RecurringAppealPublished,
    SupportAdded,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain import support
from minyi.intake.domain.support import CodeRefused, SessionRequired, TargetKind
from minyi.platform.pii_vault import PiiVault

TARGET_EVENTS = (
    RecurringAppealPublished,
    ProjectRegistered,
    ProjectUpdated,
    ProjectCompleted,
    ProjectAccepted,
)
TARGET_TYPES = frozenset(m.event_type for m in TARGET_EVENTS)
# Their subjects: the server delivers only these to intake's support-targets consumer.
TARGET_SUBJECTS = tuple(m.subject_name for m in TARGET_EVENTS)
_PROJECT_STATES = frozenset({ProjectRegistered.event_type, ProjectUpdated.event_type})


async def when_target_changed_update_replica(event: RawEvent, uow: IntakeUnitOfWork) -> None:
    """Keep what may be supported or rated: published appeals (a withdrawn one is no longer
    public), registered projects, and whether a project is completed and accepted."""
    targets = uow.support_targets
    if event.type == RecurringAppealPublished.event_type:
        appeal = event.data_as(RecurringAppealPublished)
        await targets.put(
            "appeal",
            appeal.cluster_id,
            title=appeal.title,
            public=appeal.public,
            acceptance_by=None,
            version=appeal.version,
            changed_at=appeal.published_at,
        )
    elif event.type in _PROJECT_STATES:
        project = event.data_as(ProjectState)
        await targets.put(
            "project",
            project.project_id,
            title=project.name,
            public=True,
            acceptance_by=project.acceptance_by,
            version=project.version,
            changed_at=project.changed_at,
        )
    elif event.type == ProjectCompleted.event_type:
        done = event.data_as(ProjectCompleted)
        await targets.mark(
            "project",
            done.project_id,
            done.completed_at,
            completed=True,
            acceptance_by=done.acceptance_by,
        )
    elif event.type == ProjectAccepted.event_type:
        accepted = event.data_as(ProjectAccepted)
        await targets.mark("project", accepted.project_id, accepted.accepted_at, accepted=True)


def _code_digest(vault: PiiVault, citizen_ref: str, code: str) -> str:
    """Keyed (the index key): a stolen table cannot be matched against the million codes."""
    return vault.blind_index(f"support-code:{citizen_ref}:{code}")


@dataclass(frozen=True)
class CodeSent:
    notification_id: int
    expires_in: int  # seconds


async def send_code(phone: str, uow: IntakeUnitOfWork, vault: PiiVault, now: datetime) -> CodeSent:
    """Queue a one-time code by SMS to ``phone`` (canonical); refused with ``TooSoon``
    when this phone was sent one less than a minute ago, or five in the last hour."""
    citizen_ref = vault.blind_index(phone)
    await uow.support_codes.serialize(citizen_ref)
    hour_ago = now - timedelta(hours=1)
    await uow.support_codes.purge(hour_ago - support.CODE_TTL)
    issued = await uow.support_codes.issued_since(citizen_ref, hour_ago)
    wait = support.code_wait(issued, now)
    if wait > 0:
        raise support.too_soon(wait)
    code = support.new_code()
    digest = _code_digest(vault, citizen_ref, code)
    await uow.support_codes.add(citizen_ref, digest, now, now + support.CODE_TTL)
    message = support.CODE_MESSAGE.format(code=code)
    notification = await uow.notifications.add_to_phone(
        vault.encrypt(phone), support.NOTIFICATION_KIND, message, uow.now()
    )
    return CodeSent(notification, int(support.CODE_TTL.total_seconds()))


@dataclass(frozen=True)
class Verified:
    token: str
    expires_in: int  # seconds


async def verify_code(
    phone: str, code: str, uow: IntakeUnitOfWork, vault: PiiVault, now: datetime
) -> Verified | CodeRefused:
    """A supporter session for a phone whose newest code matches. A refusal is returned,
    not raised: the wrong try it counts must be committed."""
    citizen_ref = vault.blind_index(phone)
    issued = await uow.support_codes.latest_for_update(citizen_ref)
    result = support.check_code(issued, _code_digest(vault, citizen_ref, code), now)
    if result != "ok" or issued is None:
        tries = issued.tries + 1 if issued is not None and result == "wrong" else 0
        if issued is not None and result == "wrong":
            await uow.support_codes.tried(issued.id, tries)
        return support.refused(result, tries)
    await uow.support_codes.use(issued.id)
    await uow.supporter_sessions.purge(now)
    token = support.new_token()
    await uow.supporter_sessions.add(
        support.token_digest(token), citizen_ref, now, now + support.SESSION_TTL
    )
    return Verified(token, int(support.SESSION_TTL.total_seconds()))


async def supporter(uow: IntakeUnitOfWork, token: str | None, now: datetime) -> str:
    """The blind index behind a live supporter session."""
    if not token:
        raise SessionRequired()
    citizen_ref = await uow.supporter_sessions.citizen(support.token_digest(token), now)
    if citizen_ref is None:
        raise SessionRequired()
    return citizen_ref


async def add_support(
    kind: TargetKind, target_id: str, token: str | None, uow: IntakeUnitOfWork, now: datetime
) -> SupportAdded:
    """+1 for a public appeal or project, once per person; ``SupportAdded`` names neither."""
    citizen_ref = await supporter(uow, token, now)
    target = await uow.support_targets.get(kind, target_id)
    if target is None or not target.supportable:
        raise support.unknown_target(kind, target_id)
    support_id = str(uuid.uuid4())
    if not await uow.supports.add(support_id, citizen_ref, kind, target_id, uow.now()):
        raise support.already_supported()
    added = SupportAdded(
        support_id=support_id, target_kind=kind, target_id=target_id, supported_at=uow.now()
    )
    uow.emit(added, subject=target_id)
    return added


async def rate_project(
    project_id: str, rating: Rating, token: str | None, uow: IntakeUnitOfWork, now: datetime
) -> ProjectRated:
    """A member of the public rates a finished project put to a public vote, once."""
    citizen_ref = await supporter(uow, token, now)
    target = await uow.support_targets.get("project", project_id)
    if target is None or not target.supportable:
        raise support.unknown_target("project", project_id)
    if not target.ratable:
        raise support.not_ratable(project_id)
    if not await uow.public_ratings.add(project_id, citizen_ref, rating, uow.now()):
        raise support.already_rated()
    rated = ProjectRated(
        project_id=project_id,
        rater_kind="public",
        rater_id=None,
        rating=rating,
        rated_at=uow.now(),
    )
    uow.emit(rated, subject=project_id)
    return rated


async def target_view(kind: TargetKind, target_id: str, uow: IntakeUnitOfWork) -> dict[str, object]:
    """What the /support page shows of a target: its public title, whether it takes support
    and public ratings, and its support count."""
    target = await uow.support_targets.get(kind, target_id)
    if target is None or not target.supportable:
        raise support.unknown_target(kind, target_id)
    return {**target.view(), "supports": await uow.supports.count(kind, target_id)}

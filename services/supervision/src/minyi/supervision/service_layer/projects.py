"""Improvement projects (改善项目): the office registers them, the responsible units report
progress and deliver milestones, deputies and supervision groups inspect, the unit reports
done and the inspectors (or the public) rate; published recurring appeals and citizens'
support. Every change is saved with its events (``minyi.contracts.projects``) in one
transaction; each milestone is followed as a ``milestone`` case."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter

from minyi.contracts import projects as wire
from minyi.contracts.envelope import RawEvent
from minyi.contracts.reference import load_divisions, load_unit_names
from minyi.contracts.visits import CommitmentMade
from minyi.platform import errors
from minyi.supervision.adapters.events import to_contract
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, CaseEvent, IllegalTransition, InvalidInput, Kind, Rules
from minyi.supervision.domain.project import (
    STATUS_LABELS,
    AcceptanceBy,
    Evidence,
    Finding,
    Inspection,
    InspectorKind,
    Links,
    MilestoneInput,
    MilestoneState,
    Project,
    Rating,
    TimelineEntry,
    late_working_days,
    validate_registration,
)
from minyi.supervision.service_layer.commands import Actor, Forbidden
from minyi.supervision.service_layer.handlers import _aware, open_follow_up

log = logging.getLogger(__name__)
_LINKS = TypeAdapter(Links)
_ANY = TypeAdapter(Any)


class ProjectNotFound(errors.NotFound):
    """No such project, or one the calling unit is not responsible for."""

    def __init__(self, project_id: str) -> None:
        super().__init__("project_not_found", f"没有找到项目 {project_id}")


def milestone_item_id(project_id: str, milestone_id: str) -> str:
    return f"{project_id}~{milestone_id}"


def known_units() -> dict[str, str]:
    return {u.id: u.name for u in load_unit_names().values()}


def known_divisions(rules: Rules) -> set[str]:
    return set(load_divisions()) | set(rules.policy.districts)


# -- commands -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterProject:
    name: str
    focus_area: str
    division_codes: list[str]
    unit_ids: list[str]
    starts_on: date
    ends_on: date
    milestones: list[MilestoneInput]
    budget_yuan: int | None = None
    summary: str = ""
    acceptance_by: AcceptanceBy = "inspectors"
    links: Links = field(default_factory=Links)


@dataclass(frozen=True)
class MilestoneEdit:
    title: str
    due_on: date
    deliverable: str = ""
    milestone_id: str | None = None  # None: a new milestone


@dataclass(frozen=True)
class UpdateProject:
    """Only the fields given change; ``links`` replaces the links."""

    name: str | None = None
    focus_area: str | None = None
    division_codes: list[str] | None = None
    unit_ids: list[str] | None = None
    budget_yuan: int | None = None
    budget_given: bool = False  # budget_yuan may be set back to None
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str | None = None
    acceptance_by: AcceptanceBy | None = None
    milestones: list[MilestoneEdit] | None = None
    links: Links | None = None


@dataclass(frozen=True)
class FindingInput:
    text: str
    unit_id: str | None = None  # with due_on: the finding becomes a commitment
    due_on: date | None = None


@dataclass(frozen=True)
class RecordInspection:
    held_on: date
    inspector_kind: InspectorKind
    findings: list[FindingInput]
    deputy_ids: list[str] = field(default_factory=list)
    group_id: str | None = None


@dataclass(frozen=True)
class PublishAppeal:
    cluster_id: str
    title: str
    summary: str = ""
    division_codes: list[str] | None = None
    focus_area: str | None = None
    public: bool = True


# -- what a caller sees -------------------------------------------------------------------
def project_view(p: Project, rules: Rules, now: datetime, supports: int = 0) -> dict[str, Any]:
    """The project as the API spec shows it."""
    cal = rules.calendar
    today = cal.local_date(now)
    names = known_units()
    milestones = []
    for m in p.milestones:
        late = None if m.delivered_at is not None else late_working_days(m.due_on, today, cal)
        state = "delivered" if m.delivered_at else ("overdue" if late is not None else "pending")
        milestones.append(
            {
                "milestone_id": m.milestone_id,
                "title": m.title,
                "due_on": m.due_on.isoformat(),
                "deliverable": m.deliverable,
                "state": state,
                "delivered_at": _ANY.dump_python(m.delivered_at, mode="json"),
                "delivery_note": m.delivery_note,
                "on_time": m.on_time,
                "late_working_days": m.late_working_days if m.delivered_at else late,
                "case_id": milestone_item_id(p.project_id, m.milestone_id),
            }
        )
    s, b, u = p.counts()
    body: dict[str, Any] = {
        "project_id": p.project_id,
        "name": p.name,
        "focus_area": p.focus_area,
        "division_codes": list(p.division_codes),
        "unit_ids": list(p.unit_ids),
        "unit_names": [names.get(uid, uid) for uid in p.unit_ids],
        "budget_yuan": p.budget_yuan,
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "summary": p.summary,
        "acceptance_by": p.acceptance_by,
        "links": _LINKS.dump_python(p.links, mode="json"),
        "status": p.status,
        "status_label": STATUS_LABELS[p.status],
        "status_reason": p.status_reason,
        "percent": p.percent,
        "version": p.version,
        "milestones": milestones,
        "progress": _ANY.dump_python(p.progress, mode="json"),
        "inspections": _ANY.dump_python(p.inspections, mode="json"),
        "ratings": {
            "satisfied": s,
            "basically_satisfied": b,
            "unsatisfied": u,
            "raters": [r.rater_id for r in p.ratings if r.rater_id is not None],
        },
        "rater_ids": list(p.rater_ids),
        "acceptance": _ANY.dump_python(p.acceptance, mode="json"),
        "completed_at": _ANY.dump_python(p.completed_at, mode="json"),
        "rating_closes_at": _ANY.dump_python(p.rating_closes_at, mode="json"),
        "timeline": _ANY.dump_python(p.timeline, mode="json"),
        "supports": supports,
    }
    return body


def _state(p: Project) -> dict[str, Any]:
    """The whole record for ProjectRegistered / ProjectUpdated."""
    return {
        "project_id": p.project_id,
        "name": p.name,
        "focus_area": p.focus_area,
        "division_codes": list(p.division_codes),
        "unit_ids": list(p.unit_ids),
        "budget_yuan": p.budget_yuan,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "milestones": [
            wire.Milestone(
                milestone_id=m.milestone_id,
                title=m.title,
                due_on=m.due_on,
                deliverable=m.deliverable,
            )
            for m in p.milestones
        ],
        "links": wire.ProjectLinks(**_LINKS.dump_python(p.links)),
        "acceptance_by": p.acceptance_by,
        "summary": p.summary,
        "version": p.version,
        "changed_at": p.changed_at,
    }


def _status_event(p: Project, entry: TimelineEntry) -> wire.ProjectStatusChanged:
    return wire.ProjectStatusChanged(
        project_id=p.project_id,
        status=entry.status,
        previous=entry.previous,
        reason=entry.reason,
        milestone_id=entry.milestone_id,
        late_working_days=entry.late_working_days,
        changed_at=entry.at,
    )


async def _save(
    uow: SupervisionUnitOfWork, p: Project, rules: Rules, now: datetime, *, new: bool = False
) -> None:
    """Recompute the colour (publishing a change), then store the project with the next
    instant the sweep should look at it."""
    prules = rules.policy.project_rules()
    entry = p.refresh_status(now, prules, rules.calendar)
    check = p.next_check_at(now, prules, rules.calendar)
    if new:
        await uow.projects.add(p, check)
    else:
        await uow.projects.save(p, check)
    if entry is not None:
        uow.emit(_status_event(p, entry), subject=p.project_id)


async def _load(uow: SupervisionUnitOfWork, project_id: str, actor: Actor) -> Project:
    p = await uow.projects.get(project_id)
    if p is None or not _may_see(p, actor):
        raise ProjectNotFound(project_id)
    return p


def _may_see(p: Project, actor: Actor) -> bool:
    if actor.unit_id is not None:
        return actor.unit_id in p.unit_ids
    return actor.supervisor or actor.deputy_id is not None


async def _supports(uow: SupervisionUnitOfWork, project_id: str) -> int:
    return (await uow.projects.support_counts("project")).get(project_id, 0)


async def _view(uow: SupervisionUnitOfWork, p: Project, rules: Rules) -> dict[str, Any]:
    return project_view(p, rules, uow.now(), await _supports(uow, p.project_id))


def _check_links(links: Links) -> Links:
    def clean(ids: list[str], name: str) -> list[str]:
        out = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
        if any(len(i) > 80 for i in out):
            raise InvalidInput("link_too_long", "关联编号不超过 80 个字符", field=f"links.{name}")
        return out

    return Links(
        suggestion_ids=clean(links.suggestion_ids, "suggestion_ids"),
        cluster_ids=clean(links.cluster_ids, "cluster_ids"),
        commitment_ids=clean(links.commitment_ids, "commitment_ids"),
    )


async def _open_milestone_case(
    uow: SupervisionUnitOfWork, rules: Rules, p: Project, milestone_id: str, now: datetime
) -> None:
    m = p.milestone(milestone_id)
    assert m is not None
    await open_follow_up(
        uow,
        rules,
        milestone_item_id(p.project_id, m.milestone_id),
        Kind.MILESTONE,
        unit_id=p.lead_unit,
        district=p.division_codes[0],
        assigned_at=now,
        title=f"{p.name}：{m.title}",
        promised=rules.calendar.end_of_day(m.due_on),
        content=m.deliverable or None,
    )


# -- use cases ----------------------------------------------------------------------------
async def register_project(
    cmd: RegisterProject, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """The office registers a project → ProjectRegistered, ProjectStatusChanged; each
    milestone opens its ``milestone`` case at the lead unit."""
    actor.require_admin()
    milestones = validate_registration(
        name=cmd.name,
        focus_area=cmd.focus_area,
        focus_areas=wire.FOCUS_AREAS,
        division_codes=cmd.division_codes,
        known_divisions=known_divisions(rules),
        unit_ids=cmd.unit_ids,
        known_units=known_units(),
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        milestones=cmd.milestones,
        budget_yuan=cmd.budget_yuan,
    )
    now = uow.now()
    p = Project(
        project_id=f"P-{secrets.token_hex(5)}",
        name=cmd.name.strip(),
        focus_area=cmd.focus_area,
        division_codes=list(dict.fromkeys(cmd.division_codes)),
        unit_ids=list(cmd.unit_ids),
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        milestones=milestones,
        registered_at=now,
        changed_at=now,
        budget_yuan=cmd.budget_yuan,
        summary=cmd.summary.strip(),
        acceptance_by=cmd.acceptance_by,
        links=_check_links(cmd.links),
    )
    for m in p.milestones:
        await _open_milestone_case(uow, rules, p, m.milestone_id, now)
    uow.emit(wire.ProjectRegistered(**_state(p)), subject=p.project_id)
    await _save(uow, p, rules, now, new=True)
    return await _view(uow, p, rules)


async def update_project(
    project_id: str, cmd: UpdateProject, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """The office edits a project → ProjectUpdated (the whole record). A milestone's new
    day moves its item's deadline; a new milestone opens its item."""
    actor.require_admin()
    p = await _load(uow, project_id, actor)
    if p.status == "accepted":
        raise IllegalTransition("project_accepted", "项目已验收，不能再修改")
    if cmd.acceptance_by is not None and cmd.acceptance_by != p.acceptance_by:
        if p.status == "completed":
            raise IllegalTransition("rating_open", "项目已进入验收评价，不能更改验收方式")
    if cmd.unit_ids is not None and cmd.unit_ids and cmd.unit_ids[0] != p.lead_unit:
        raise IllegalTransition(
            "lead_unit_fixed", "牵头单位登记后不能更改（里程碑已交其跟踪）；可调整其他责任单位"
        )
    starts_on = cmd.starts_on or p.starts_on
    ends_on = cmd.ends_on or p.ends_on
    edits = cmd.milestones
    inputs = [MilestoneInput(m.title, m.due_on, m.deliverable) for m in p.milestones]
    if edits is not None:
        by_id = {m.milestone_id: i for i, m in enumerate(p.milestones)}
        for e in edits:
            if e.milestone_id is not None and e.milestone_id not in by_id:
                raise InvalidInput(
                    "unknown_milestone", f"项目没有里程碑 {e.milestone_id}", field="milestones"
                )
            if e.milestone_id is not None:
                inputs[by_id[e.milestone_id]] = MilestoneInput(e.title, e.due_on, e.deliverable)
            else:
                inputs.append(MilestoneInput(e.title, e.due_on, e.deliverable))
    validate_registration(
        name=cmd.name if cmd.name is not None else p.name,
        focus_area=cmd.focus_area or p.focus_area,
        focus_areas=wire.FOCUS_AREAS,
        division_codes=cmd.division_codes if cmd.division_codes is not None else p.division_codes,
        known_divisions=known_divisions(rules),
        unit_ids=cmd.unit_ids if cmd.unit_ids is not None else p.unit_ids,
        known_units=known_units(),
        starts_on=starts_on,
        ends_on=ends_on,
        milestones=inputs,
        budget_yuan=cmd.budget_yuan if cmd.budget_given else p.budget_yuan,
    )
    now = uow.now()
    moved: list[str] = []
    added: list[str] = []
    if edits is not None:
        for e in edits:
            if e.milestone_id is None:
                mid = f"m{len(p.milestones) + 1}"
                p.milestones.append(
                    MilestoneState(mid, e.title.strip(), e.due_on, e.deliverable.strip())
                )
                added.append(mid)
                continue
            m = p.milestone(e.milestone_id)
            assert m is not None
            m.title, m.deliverable = e.title.strip(), e.deliverable.strip()
            if e.due_on != m.due_on:
                if m.delivered_at is not None:
                    raise IllegalTransition(
                        "already_delivered", f"里程碑「{m.title}」已交付，不能调整完成日期"
                    )
                m.due_on = e.due_on
                moved.append(m.milestone_id)
    if cmd.name is not None:
        p.name = cmd.name.strip()
    if cmd.focus_area is not None:
        p.focus_area = cmd.focus_area
    if cmd.division_codes is not None:
        p.division_codes = list(dict.fromkeys(cmd.division_codes))
    if cmd.unit_ids is not None:
        p.unit_ids = list(cmd.unit_ids)
    if cmd.budget_given:
        p.budget_yuan = cmd.budget_yuan
    p.starts_on, p.ends_on = starts_on, ends_on
    if cmd.summary is not None:
        p.summary = cmd.summary.strip()
    if cmd.acceptance_by is not None:
        p.acceptance_by = cmd.acceptance_by
    if cmd.links is not None:
        p.links = _check_links(cmd.links)
    p.version += 1
    p.changed_at = now
    for mid in added:
        await _open_milestone_case(uow, rules, p, mid, now)
    for mid in moved:
        m = p.milestone(mid)
        assert m is not None
        await _move_item(uow, rules, milestone_item_id(p.project_id, mid), m.due_on)
    uow.emit(wire.ProjectUpdated(**_state(p)), subject=p.project_id)
    await _save(uow, p, rules, now)
    return await _view(uow, p, rules)


async def _move_item(uow: SupervisionUnitOfWork, rules: Rules, item_id: str, due_on: date) -> None:
    due = rules.calendar.end_of_day(due_on)
    await _change_item(uow, item_id, lambda c, at: c.repromise(due, at, rules))


async def _change_item(uow: SupervisionUnitOfWork, item_id: str, transition: Any) -> Case | None:
    case = await uow.cases.current_for_suggestion(item_id)
    if case is None:
        return None
    events: list[CaseEvent] = transition(case, uow.now())
    await uow.cases.save(case)
    for event in events:
        uow.emit(to_contract(event, case), subject=case.suggestion_id)
    return case


async def list_projects(
    actor: Actor,
    uow: SupervisionUnitOfWork,
    rules: Rules,
    *,
    unit_id: str | None = None,
    status: str | None = None,
    division_code: str | None = None,
    focus_area: str | None = None,
) -> list[dict[str, Any]]:
    """Office, supervisors and deputies: all; a unit: the projects it is responsible for."""
    if actor.unit_id is not None:
        if unit_id not in (None, actor.unit_id):
            raise Forbidden("other_unit", "不能查看其他单位的项目")
        unit_id = actor.unit_id
    elif not (actor.supervisor or actor.deputy_id is not None):
        raise Forbidden("no_identity", "缺少调用者身份")
    counts = await uow.projects.support_counts("project")
    now = uow.now()
    out = []
    for p in await uow.projects.all():
        if unit_id is not None and unit_id not in p.unit_ids:
            continue
        if status is not None and p.status != status:
            continue
        if division_code is not None and division_code not in p.division_codes:
            continue
        if focus_area is not None and p.focus_area != focus_area:
            continue
        out.append(project_view(p, rules, now, counts.get(p.project_id, 0)))
    return out


async def get_project(
    project_id: str, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    p = await uow.projects.get(project_id, lock=False)
    if p is None or not _may_see(p, actor):
        raise ProjectNotFound(project_id)
    return await _view(uow, p, rules)


@dataclass(frozen=True)
class StoredEvidence:
    file_id: str
    name: str
    media_type: str
    size_bytes: int


async def report_progress(
    project_id: str,
    percent: int,
    note: str,
    evidence: Sequence[StoredEvidence],
    actor: Actor,
    uow: SupervisionUnitOfWork,
    rules: Rules,
) -> dict[str, Any]:
    """A responsible unit reports progress (files already checked and stored by the
    caller) → ProjectProgressReported."""
    unit_id = actor.require_unit()
    p = await _load(uow, project_id, actor)
    now = uow.now()
    files = [Evidence(e.file_id, e.name, e.media_type, e.size_bytes) for e in evidence]
    entry = p.report_progress(unit_id, percent, note, files, now)
    for e in evidence:
        await uow.projects.add_evidence(
            p.project_id,
            {
                "file_id": e.file_id,
                "name": e.name,
                "media_type": e.media_type,
                "size_bytes": e.size_bytes,
                "stored_at": now,
            },
        )
    uow.emit(
        wire.ProjectProgressReported(
            project_id=p.project_id,
            unit_id=unit_id,
            percent=entry.percent,
            note=entry.note,
            evidence=[wire.EvidenceFile(**_ANY.dump_python(f)) for f in files],
            reported_at=now,
        ),
        subject=p.project_id,
    )
    await _save(uow, p, rules, now)
    return {
        "percent": entry.percent,
        "note": entry.note,
        "unit_id": entry.unit_id,
        "reported_at": now.isoformat(),
        "evidence": [_ANY.dump_python(f, mode="json") for f in files],
    }


async def evidence_file(
    project_id: str, file_id: str, actor: Actor, uow: SupervisionUnitOfWork
) -> dict[str, Any]:
    p = await uow.projects.get(project_id, lock=False)
    if p is None or not _may_see(p, actor):
        raise ProjectNotFound(project_id)
    row = await uow.projects.evidence(project_id, file_id)
    if row is None:
        raise errors.NotFound("file_not_found", f"没有找到附件 {file_id}")
    return row


async def deliver_milestone(
    project_id: str,
    milestone_id: str,
    note: str,
    actor: Actor,
    uow: SupervisionUnitOfWork,
    rules: Rules,
) -> dict[str, Any]:
    """A responsible unit delivers a milestone → MilestoneDelivered, and its item's case
    is answered A (Resolved)."""
    unit_id = actor.require_unit()
    p = await _load(uow, project_id, actor)
    now = uow.now()
    m = p.deliver(milestone_id, unit_id, note, now, rules.calendar)
    reply = f"项目「{p.name}」的里程碑「{m.title}」已由承办单位报告交付。{m.delivery_note}"

    def resolve(case: Case, at: datetime) -> list[CaseEvent]:
        if case.status.value in ("replied", "closed"):
            return []
        events = case.accept(at)
        return events + case.reply("A", reply, m.deliverable or None, None, at, rules)

    await _change_item(uow, milestone_item_id(p.project_id, m.milestone_id), resolve)
    uow.emit(
        wire.MilestoneDelivered(
            project_id=p.project_id,
            milestone_id=m.milestone_id,
            unit_id=unit_id,
            note=m.delivery_note,
            on_time=bool(m.on_time),
            delivered_at=now,
        ),
        subject=p.project_id,
    )
    await _save(uow, p, rules, now)
    return await _view(uow, p, rules)


async def complete_project(
    project_id: str, note: str, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """The lead unit reports the project done → ProjectCompleted; rating opens."""
    unit_id = actor.require_unit()
    p = await _load(uow, project_id, actor)
    now = uow.now()
    previous = len(p.timeline)
    p.complete(unit_id, note, now, rules.policy.project_rules(), rules.calendar)
    uow.emit(
        wire.ProjectCompleted(
            project_id=p.project_id,
            unit_id=unit_id,
            note=p.completion_note,
            acceptance_by=p.acceptance_by,
            rater_ids=list(p.rater_ids),
            completed_at=now,
        ),
        subject=p.project_id,
    )
    for entry in p.timeline[previous:]:
        uow.emit(_status_event(p, entry), subject=p.project_id)
    await _save(uow, p, rules, now)
    return await _view(uow, p, rules)


async def record_inspection(
    project_id: str,
    cmd: RecordInspection,
    actor: Actor,
    uow: SupervisionUnitOfWork,
    rules: Rules,
) -> dict[str, Any]:
    """Deputies or a supervision group inspected (视察) → ProjectInspected; a finding with
    a unit and a day becomes a commitment: a ``commitment`` case and CommitmentMade."""
    if not (actor.supervisor or actor.deputy_id is not None):
        raise Forbidden("inspector_only", "只有人大代表、督导组或人大常委会办公室可以登记视察")
    p = await _load(uow, project_id, actor)
    now = uow.now()
    today = rules.calendar.local_date(now)
    if cmd.held_on > today:
        raise InvalidInput("held_on_future", "视察日期不能晚于今天", field="held_on")
    deputy_ids = [d.strip() for d in cmd.deputy_ids if d.strip()]
    if actor.deputy_id is not None:
        deputy_ids.append(actor.deputy_id)
    deputy_ids = list(dict.fromkeys(deputy_ids))
    group_id = cmd.group_id or actor.group_id
    if group_id is not None and group_id not in rules.policy.supervision_groups:
        raise InvalidInput("unknown_group", f"未知的督导组：{group_id}", field="group_id")
    units = known_units()
    inspection_id = f"I-{secrets.token_hex(5)}"
    findings: list[Finding] = []
    for i, f in enumerate(cmd.findings, start=1):
        if (f.unit_id is None) != (f.due_on is None):
            raise InvalidInput(
                "commitment_incomplete",
                "转为承诺事项须同时填写责任单位和完成日期",
                field="findings",
            )
        if f.unit_id is not None and f.unit_id not in units:
            raise InvalidInput("unknown_unit", f"未知的责任单位：{f.unit_id}", field="findings")
        if f.due_on is not None and f.due_on < cmd.held_on:
            raise InvalidInput(
                "due_before_inspection", "承诺完成日期不能早于视察日期", field="findings"
            )
        commitment_id = None if f.unit_id is None else f"{inspection_id}-c{i}"
        findings.append(Finding(f.text.strip(), commitment_id, f.unit_id, f.due_on))
    inspection = Inspection(
        inspection_id=inspection_id,
        inspector_kind=cmd.inspector_kind,
        held_on=cmd.held_on,
        recorded_at=now,
        deputy_ids=deputy_ids,
        group_id=group_id,
        findings=findings,
    )
    p.inspect(inspection)
    for made in findings:
        if made.commitment_id is None or made.unit_id is None or made.due_on is None:
            continue
        due_at = rules.calendar.end_of_day(made.due_on)
        # The case first, in this transaction: supervision's own CommitmentMade consumer
        # then finds it (by its id) and opens no second one.
        await open_follow_up(
            uow,
            rules,
            made.commitment_id,
            Kind.COMMITMENT,
            unit_id=made.unit_id,
            district=p.division_codes[0],
            assigned_at=now,
            title=made.text,
            promised=due_at,
        )
        uow.emit(
            CommitmentMade(
                commitment_id=made.commitment_id,
                visit_id=inspection_id,
                station_id="",
                district_code=p.division_codes[0],
                unit_id=made.unit_id,
                unit_name=units[made.unit_id],
                text=made.text,
                due_on=made.due_on,
                due_at=due_at,
                deputy_ids=deputy_ids,
                made_at=now,
                project_id=p.project_id,
            ),
            subject=made.commitment_id,
        )
        p.links.commitment_ids.append(made.commitment_id)
    uow.emit(
        wire.ProjectInspected(
            project_id=p.project_id,
            inspection_id=inspection_id,
            inspector_kind=cmd.inspector_kind,
            deputy_ids=deputy_ids,
            group_id=group_id,
            held_on=cmd.held_on,
            findings=[wire.InspectionFinding(**_ANY.dump_python(f)) for f in findings],
            recorded_at=now,
        ),
        subject=p.project_id,
    )
    await _save(uow, p, rules, now)
    return _ANY.dump_python(inspection, mode="json")  # type: ignore[no-any-return]


def _accepted_event(p: Project) -> wire.ProjectAccepted:
    a = p.acceptance
    assert a is not None
    return wire.ProjectAccepted(
        project_id=p.project_id,
        result=a.result,
        satisfied=a.satisfied,
        basically_satisfied=a.basically_satisfied,
        unsatisfied=a.unsatisfied,
        rule=a.rule,
        accepted_at=a.accepted_at,
    )


async def rate_project(
    project_id: str, rating: Rating, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """An inspecting deputy rates the finished project → ProjectRated; the last rater's
    rating decides (ProjectAccepted)."""
    if actor.deputy_id is None:
        raise Forbidden("deputy_only", "只有视察过该项目的人大代表可以评价")
    p = await _load(uow, project_id, actor)
    now = uow.now()
    p.rate_by_deputy(actor.deputy_id, rating, now)
    uow.emit(
        wire.ProjectRated(
            project_id=p.project_id,
            rater_kind="deputy",
            rater_id=actor.deputy_id,
            rating=rating,
            rated_at=now,
        ),
        subject=p.project_id,
    )
    if p.decide(now, rules.policy.project_rules()) is not None:
        uow.emit(_accepted_event(p), subject=p.project_id)
    await _save(uow, p, rules, now)
    return await _view(uow, p, rules)


async def when_public_rated_record_it(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """A member of the public's rating (published by intake); deputies' ratings are
    supervision's own and already counted. One that cannot apply is logged and dropped."""
    data = event.data
    if data.get("rater_kind") != "public":
        return
    p = await uow.projects.get(str(data.get("project_id", "")))
    rating = data.get("rating")
    if p is None or rating not in ("satisfied", "basically_satisfied", "unsatisfied"):
        log.warning("public rating %s: no such project or rating; ignored", event.id)
        return
    try:
        p.rate_by_public(rating, _aware(data.get("rated_at")) or event.time)
    except errors.DomainError as exc:
        # Not open for the public (inspectors rate it, or the vote closed): retrying
        # cannot help, so it is acknowledged.
        log.warning("public rating %s for %s ignored: %s", event.id, p.project_id, exc)
        return
    await _save(uow, p, rules, uow.now())


async def when_support_added_count_it(event: RawEvent, uow: SupervisionUnitOfWork) -> None:
    """A citizen's support (+1): counted once per support id; on a published appeal it
    also weighs on the cluster's rank among the topic candidates."""
    s = event.data_as(wire.SupportAdded)
    row = {
        "support_id": s.support_id,
        "target_kind": s.target_kind,
        "target_id": s.target_id,
        "supported_at": s.supported_at,
    }
    if await uow.projects.add_support(row) and s.target_kind == "appeal":
        await uow.topics.count_support(s.target_id)


async def check_due_projects(uow: SupervisionUnitOfWork, batch: int, rules: Rules) -> int:
    """The sweep's part for projects: a milestone's day passed, a late one turned very
    late, a rating window closed. Returns the projects looked at."""
    now = uow.now()
    due = await uow.projects.due(now, batch)
    for p in due:
        if p.decide(now, rules.policy.project_rules()) is not None:
            uow.emit(_accepted_event(p), subject=p.project_id)
        await _save(uow, p, rules, now)
    return len(due)


# -- published recurring appeals ---------------------------------------------------------
def _appeal_view(row: Mapping[str, Any], supports: int = 0) -> dict[str, Any]:
    return {
        "cluster_id": row["cluster_id"],
        "title": row["title"],
        "summary": row["summary"],
        "division_codes": list(row["division_codes"]),
        "focus_area": row["focus_area"],
        "public": bool(row["public"]),
        "version": int(row["version"]),
        "published_at": _ANY.dump_python(row["published_at"], mode="json"),
        "supports": supports,
    }


async def publish_appeal(
    cmd: PublishAppeal, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """The office publishes (or edits, or withdraws) a recurring appeal under its own
    title → RecurringAppealPublished with the next version."""
    actor.require_admin()
    cluster_id = cmd.cluster_id.strip()
    if not await uow.topics.cluster_exists(cluster_id):
        raise InvalidInput(
            "unknown_cluster",
            f"没有找到诉求聚类 {cluster_id}（请从候选列表中选择）",
            field="cluster_id",
        )
    title = cmd.title.strip()
    if not title:
        raise InvalidInput("title_required", "公开标题不能为空", field="title")
    if cmd.focus_area is not None and cmd.focus_area not in wire.FOCUS_AREAS:
        raise InvalidInput(
            "unknown_focus_area",
            f"重点领域须为以下之一：{'、'.join(wire.FOCUS_AREAS)}",
            field="focus_area",
        )
    codes = list(dict.fromkeys(cmd.division_codes or []))
    unknown = [c for c in codes if c not in known_divisions(rules)]
    if unknown:
        raise InvalidInput(
            "unknown_division", f"未知的行政区划代码：{'、'.join(unknown)}", field="division_codes"
        )
    before = await uow.projects.appeal(cluster_id)
    row = {
        "cluster_id": cluster_id,
        "title": title,
        "summary": cmd.summary.strip(),
        "division_codes": codes,
        "focus_area": cmd.focus_area,
        "public": cmd.public,
        "version": 1 if before is None else int(before["version"]) + 1,
        "published_at": uow.now(),
    }
    await uow.projects.put_appeal(row)
    uow.emit(wire.RecurringAppealPublished(**row), subject=cluster_id)
    counts = await uow.projects.support_counts("appeal")
    return _appeal_view(row, counts.get(cluster_id, 0))


async def list_appeals(actor: Actor, uow: SupervisionUnitOfWork) -> list[dict[str, Any]]:
    actor.require_supervisor()
    counts = await uow.projects.support_counts("appeal")
    return [_appeal_view(r, counts.get(r["cluster_id"], 0)) for r in await uow.projects.appeals()]

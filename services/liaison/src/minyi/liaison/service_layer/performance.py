"""The performance file (履职档案) and its evaluation (履职评价): building the file from
events, scoring a deputy's year whenever it changes (``DeputyScored``), disputes and the
office's decisions, and the quarterly snapshots (``PerformancePublished``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from minyi.contracts.envelope import RawEvent
from minyi.contracts.performance import DeputyScored, PerformancePublished, ScoreLine
from minyi.liaison.domain import dispute as dispute_rules
from minyi.liaison.domain import performance as file_rules
from minyi.liaison.domain.evaluation import EvaluationPolicy, Score, evaluate
from minyi.liaison.domain.performance import ENTRY_KINDS, STATE_LABELS, Entry
from minyi.liaison.service_layer.ports import Uow
from minyi.platform.errors import Forbidden, NotFound

# What the file consumer takes from the stream (filter subjects and event types).
FILE_TYPES = frozenset(e.event_type for e in file_rules.FILE_EVENTS)
FILE_SUBJECTS = tuple(dict.fromkeys(e.subject_name for e in file_rules.FILE_EVENTS))


@dataclass(frozen=True)
class Caller:
    """Who asks: a deputy (their own ``deputy_id``), station staff (their station) or the
    office (admin)."""

    subject: str
    role: Literal["representative", "station_staff", "admin"]
    deputy_id: str | None = None
    station: str | None = None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def check_own(self, deputy_id: str) -> None:
        """Only the deputy themself (or the office) sees a file and disputes its entries."""
        if self.admin or (self.role == "representative" and self.deputy_id == deputy_id):
            return
        raise Forbidden("not_your_file", "只能查看本人的履职档案", field="deputy_id")


# Building the file ------------------------------------------------------------------------


async def rescore(
    uow: Uow, policy: EvaluationPolicy, deputy_id: str, year: int
) -> DeputyScored | None:
    """Recompute a deputy's year; emit ``DeputyScored`` only when the score, the band or a
    line changed."""
    score = evaluate(await uow.performance.of_deputy(deputy_id, year), policy)
    stored = await uow.performance.score(deputy_id, year)
    lines = _lines(score)
    if stored is not None and (stored.score, stored.band, stored.lines) == (
        score.score,
        score.band,
        lines,
    ):
        return None
    version = 1 if stored is None else stored.version + 1
    now = uow.now()
    await uow.performance.put_score(
        deputy_id,
        year,
        {
            "score": score.score,
            "band": score.band,
            "lines": lines,
            "policy_version": policy.version,
            "scored_at": now,
        },
        version,
    )
    scored = DeputyScored(
        deputy_id=deputy_id,
        year=year,
        score=score.score,
        band=score.band,
        band_label=score.band_label,
        lines=[ScoreLine(**line) for line in lines],
        policy_version=policy.version,
        version=version,
        scored_at=now,
    )
    uow.emit(scored, subject=deputy_id)
    return scored


def _lines(score: Score) -> list[dict[str, Any]]:
    return [
        {"kind": x.kind, "entries": x.entries, "raw": x.raw, "points": x.points}
        for x in score.lines
    ]


async def _rescore_all(uow: Uow, policy: EvaluationPolicy, entries: Iterable[Entry]) -> None:
    for deputy_id, year in sorted({(e.deputy_id, e.year) for e in entries}):
        await rescore(uow, policy, deputy_id, year)


async def add_to_files(uow: Uow, policy: EvaluationPolicy, entries: list[Entry]) -> list[Entry]:
    """Adds the entries not yet in the files and rescores the deputies they touch."""
    added = await uow.performance.add_entries(entries)
    await _rescore_all(uow, policy, added)
    return added


async def when_event_update_file(event: RawEvent, uow: Uow, policy: EvaluationPolicy) -> None:
    """The file consumer: an event adds entries (one per deputy it names), or a unit's
    answer or a signer's rating updates the entries that follow that suggestion or
    commitment. Anything else — a citizen's appeal and its answer — finds nothing."""
    if event.type in (file_rules.RESOLVED, file_rules.FEEDBACK_RECEIVED):
        ref = event.data.get("suggestion_id")
        if not ref:
            return
        changed = []
        for entry in await uow.performance.by_ref(str(ref)):  # one indexed look-up
            if event.type == file_rules.RESOLVED:
                new = file_rules.with_outcome(entry, event.data)
            else:
                new = file_rules.with_rating(entry, event.data)
            if new is not None:
                await uow.performance.update_entry(new)
                changed.append(new)
        await _rescore_all(uow, policy, changed)
        return
    await add_to_files(uow, policy, file_rules.entries_from(event.type, event.id, event.data))


# Reading the file and the score -------------------------------------------------------------


def _year(uow: Uow, year: int | None) -> int:
    return year if year is not None else file_rules.beijing_day(uow.now()).year


def entry_view(entry: Entry, disputes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "kind_label": ENTRY_KINDS.get(entry.kind, entry.kind),
        "on": entry.on.isoformat(),
        "title": entry.title,
        "state": entry.state,
        "state_label": STATE_LABELS.get(entry.state, entry.state),
        "hours": entry.hours,
        "event_id": entry.event_id,
        "event_type": entry.event_type,
        "ref": entry.ref,
        "details": dict(entry.details),
        "struck": entry.struck,
        "disputes": [dispute_view(d) for d in disputes or ()],
    }


def dispute_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "entry_id": row["entry_id"],
        "deputy_id": row["deputy_id"],
        "reason": row["reason"],
        "status": row["status"],
        "status_label": {"open": "待处理", "accepted": "已采纳", "rejected": "未采纳"}[
            row["status"]
        ],
        "opened_at": row["opened_at"].isoformat(),
        "decided_at": row["decided_at"].isoformat() if row["decided_at"] else None,
        "decision_reason": row["decision_reason"],
    }


async def _deputy_name(uow: Uow, deputy_id: str) -> str:
    found = await uow.registry.deputies([deputy_id])
    if deputy_id not in found:
        raise NotFound("deputy_not_found", "没有该代表", field="deputy_id")
    return str(found[deputy_id].record.name)


async def file_of(uow: Uow, caller: Caller, deputy_id: str, year: int | None) -> dict[str, Any]:
    """A deputy's file for a year: the entries by kind, each with the event it came from
    and its disputes."""
    caller.check_own(deputy_id)
    name = await _deputy_name(uow, deputy_id)
    year = _year(uow, year)
    entries = await uow.performance.of_deputy(deputy_id, year)
    by_entry: dict[str, list[dict[str, Any]]] = {}
    for row in await uow.performance.disputes(deputy_id=deputy_id, limit=10_000):
        by_entry.setdefault(row["entry_id"], []).append(row)
    counted = [e for e in entries if not e.struck]
    kinds = [
        {
            "kind": kind,
            "label": label,
            "entries": sum(e.kind == kind for e in counted),
        }
        for kind, label in ENTRY_KINDS.items()
    ]
    return {
        "deputy_id": deputy_id,
        "name": name,
        "year": year,
        "training_hours": round(sum(e.hours or 0 for e in counted if e.kind == "training"), 1),
        "kinds": [k for k in kinds if k["entries"]],
        "entries": [entry_view(e, by_entry.get(e.id)) for e in entries],
    }


def score_view(score: Score, policy: EvaluationPolicy) -> dict[str, Any]:
    return {
        "score": score.score,
        "band": score.band,
        "band_label": score.band_label,
        "bands": [{"id": b.id, "label": b.label, "min": b.min.value} for b in policy.bands],
        "lines": [
            {
                "kind": x.kind,
                "label": x.label,
                "entries": x.entries,
                "raw": x.raw,
                "points": x.points,
                "cap": x.cap,
            }
            for x in score.lines
        ],
        "rates": [
            {
                "id": r.id,
                "label": r.label,
                "cases": r.cases,
                "hits": r.hits,
                "rate": r.value,
                "note": r.note,
            }
            for r in score.rates
        ],
        "policy_version": policy.version,
    }


async def score_of(
    uow: Uow, caller: Caller, deputy_id: str, year: int | None, policy: EvaluationPolicy
) -> dict[str, Any]:
    caller.check_own(deputy_id)
    name = await _deputy_name(uow, deputy_id)
    year = _year(uow, year)
    score = evaluate(await uow.performance.of_deputy(deputy_id, year), policy)
    stored = await uow.performance.score(deputy_id, year)
    return {
        "deputy_id": deputy_id,
        "name": name,
        "year": year,
        "version": stored.version if stored else 0,
        **score_view(score, policy),
    }


# Disputes ----------------------------------------------------------------------------------


async def dispute_entry(
    uow: Uow, caller: Caller, deputy_id: str, entry_id: str, reason: str
) -> dict[str, Any]:
    """提出异议: the deputy disputes one of their entries (one open dispute per entry)."""
    if not (caller.role == "representative" and caller.deputy_id == deputy_id):
        raise Forbidden("not_your_file", "只能对本人的履职档案提出异议", field="deputy_id")
    entry = await uow.performance.entry(entry_id)
    has_open = await uow.performance.open_dispute_of(entry_id) is not None
    cleaned = dispute_rules.check_dispute(entry, deputy_id, has_open, reason)
    row = {
        "id": str(uuid.uuid4()),
        "entry_id": entry_id,
        "deputy_id": deputy_id,
        "reason": cleaned,
        "status": "open",
        "opened_at": uow.now(),
        "decided_at": None,
        "decided_by": None,
        "decision_reason": None,
    }
    await uow.performance.add_dispute(row)
    return dispute_view(row)


async def disputes(uow: Uow, status: str | None) -> list[dict[str, Any]]:
    """The disputes for the office, oldest first, each with its entry."""
    rows = await uow.performance.disputes(status=status)
    names = await uow.registry.deputies({r["deputy_id"] for r in rows})
    found = []
    for row in rows:
        entry = await uow.performance.entry(row["entry_id"])
        deputy = names.get(row["deputy_id"])
        found.append(
            {
                **dispute_view(row),
                "deputy_name": deputy.record.name if deputy else None,
                "entry": entry_view(entry) if entry else None,
            }
        )
    return found


async def decide_dispute(
    uow: Uow,
    caller: Caller,
    dispute_id: str,
    accepted: bool,
    reason: str,
    policy: EvaluationPolicy,
) -> dict[str, Any]:
    """The office accepts (the entry is struck and the score recomputed) or rejects a
    dispute, with a reason; either way the dispute stays on the record."""
    row = await uow.performance.dispute(dispute_id)
    if row is None:
        raise NotFound("dispute_not_found", "没有该异议", field="dispute_id")
    cleaned = dispute_rules.check_decision(row["status"], reason)
    values = {
        "status": "accepted" if accepted else "rejected",
        "decided_at": uow.now(),
        "decided_by": caller.subject,
        "decision_reason": cleaned,
    }
    await uow.performance.decide(dispute_id, values)
    if accepted:
        entry = await uow.performance.entry(row["entry_id"])
        if entry is not None and not entry.struck:
            struck = file_rules.struck(entry)
            await uow.performance.update_entry(struck)
            await rescore(uow, policy, struck.deputy_id, struck.year)
    return dispute_view({**row, **values})


# Quarterly snapshots -----------------------------------------------------------------------


def last_ended_quarter(today: date) -> tuple[str, int, date]:
    """The newest quarter that has ended by ``today``: its name, year and last day."""
    quarter = (today.month - 1) // 3  # 0..3; the one before the current
    year = today.year if quarter else today.year - 1
    number = quarter or 4
    end_month = number * 3
    last = date(year + 1, 1, 1) if end_month == 12 else date(year, end_month + 1, 1)
    return f"{year}-Q{number}", year, date.fromordinal(last.toordinal() - 1)


async def publish_snapshots(uow: Uow, policy: EvaluationPolicy, batch: int) -> bool:
    """Publishes the last ended quarter's snapshot of every deputy with entries that year
    (year to date as of the quarter's end) not yet published; True while more remain.
    A snapshot is inserted once and never updated."""
    now = uow.now()
    quarter, year, until = last_ended_quarter(file_rules.beijing_day(now))
    deputies = await uow.performance.unpublished(year, until, quarter, batch)
    for deputy_id in deputies:
        entries = [e for e in await uow.performance.of_deputy(deputy_id, year) if e.on <= until]
        score = evaluate(entries, policy)
        lines = _lines(score)
        await uow.performance.add_snapshot(
            {
                "deputy_id": deputy_id,
                "quarter": quarter,
                "score": score.score,
                "band": score.band,
                "band_label": score.band_label,
                "lines": lines,
                "policy_version": policy.version,
                "published_at": now,
            }
        )
        uow.emit(
            PerformancePublished(
                deputy_id=deputy_id,
                quarter=quarter,
                score=score.score,
                band=score.band,
                band_label=score.band_label,
                lines=[ScoreLine(**line) for line in lines],
                policy_version=policy.version,
                published_at=now,
            ),
            subject=deputy_id,
        )
    return len(deputies) == batch


def snapshot_view(row: dict[str, Any]) -> dict[str, Any]:
    published: datetime = row["published_at"]
    return {
        "deputy_id": row["deputy_id"],
        "quarter": row["quarter"],
        "score": row["score"],
        "band": row["band"],
        "band_label": row["band_label"],
        "lines": [
            {**line, "label": ENTRY_KINDS.get(line["kind"], line["kind"])} for line in row["lines"]
        ],
        "policy_version": row["policy_version"],
        "published_at": published.isoformat(),
    }


async def snapshots_of(uow: Uow, deputy_id: str | None) -> list[dict[str, Any]]:
    if deputy_id is not None:
        await _deputy_name(uow, deputy_id)
    return [snapshot_view(r) for r in await uow.performance.snapshots(deputy_id)]

"""交办 of deputies' formal suggestions (代表建议): routing only proposes, the congress
office decides.

- ``propose`` — the lead unit (主办) is the usual decision's unit; co-units (协办) come from
  the other categories the text itself shows: sentences of the content, reasons and
  measures that a keyword rule or, confidently, the model places in another category, and
  the whole text's runner-up categories. A category needs enough of that evidence (see
  ``EVIDENCE_NEEDED``); each co-unit names its evidence, so the office sees why, and a
  proposal with nothing to show proposes no co-unit.
- ``propose_after_return`` — after a unit returned it (退回): the unit it suggests, else the
  next able unit, never one that returned it; the co-units confirmed before stay.
- ``choose_units`` / ``lead_category`` / ``confirmation_summary`` — the office's choice,
  checked against the directory, and the words the assignment carries.

Pure functions over the directory and a classifier (no I/O).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from minyi.platform.errors import Invalid
from minyi.routing.domain.decision import Classification, Classifier, classify, decide
from minyi.routing.domain.directory import Unit, UnitDirectory

MAX_CO_UNITS = 3
# The classifier was trained on appeals' titles, so one sentence read by the model alone is
# weak evidence: a category needs a score of 1 — a keyword rule's sentence counts 1, a
# model-read sentence its probability (from SENTENCE_CONFIDENCE on), the whole text's
# runner-up probability (from RUNNER_UP_CONFIDENCE on) adds to them. So one rule sentence,
# two confident sentences, or a confident sentence the whole text also ranks, qualify.
EVIDENCE_NEEDED = 1.0
SENTENCE_CONFIDENCE = 0.6
RUNNER_UP_CONFIDENCE = 0.15
MIN_SENTENCE_CHARS = 8
MAX_SENTENCES = 60
QUOTE_CHARS = 30

_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")


@dataclass(frozen=True)
class CoUnitProposal:
    unit: Unit
    category: str
    evidence: str  # in Chinese, e.g. 2 句归为“交通运输”（含关键词“公交站点”），如“……”


@dataclass(frozen=True)
class Proposal:
    classification: Classification
    lead: Unit | None
    co_units: tuple[CoUnitProposal, ...]
    focus_area: str
    summary: str
    lead_reason: str = ""  # the summary's first clause: why this lead


@dataclass
class _Evidence:
    sentences: list[tuple[str, float, str | None]] = field(default_factory=list)
    runner_up: float = 0.0

    def score(self) -> float:
        return sum(1.0 if rule else p for _, p, rule in self.sentences) + self.runner_up

    def words(self, category: str) -> str:
        parts: list[str] = []
        if self.sentences:
            rules = sorted({r for _, _, r in self.sentences if r})
            text = f"{len(self.sentences)} 句归为“{category}”"
            if rules:
                text += "（含关键词“" + "”“".join(rules) + "”）"
            best = max(self.sentences, key=lambda s: (s[2] is not None, s[1]))
            parts.append(text + f"，如“{_quote(best[0])}”")
        if self.runner_up:
            parts.append(f"全文次选类别“{category}”（概率 {self.runner_up:.2f}）")
        return "；".join(parts)


def sentences_of(*texts: str) -> list[str]:
    """The sentences worth classifying alone (long enough to mean something)."""
    out: list[str] = []
    for text in texts:
        out += [
            s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= MIN_SENTENCE_CHARS
        ]
    return out[:MAX_SENTENCES]


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def propose(
    title: str,
    content: str,
    district_code: str,
    directory: UnitDirectory,
    model: Classifier,
    *,
    extra_text: Sequence[str] = (),
    confidence_floor: float = 0.5,
) -> Proposal:
    """The proposal the office sees. ``extra_text``: the reasons and measures as filed;
    ``confidence_floor``: below it the lead is marked as worth a closer look."""
    c = classify(f"{title}\n{content}", model)
    lead = decide(c, district_code, directory).unit
    evidence: dict[str, _Evidence] = {}
    for category, p in c.ranking[1:]:
        if p >= RUNNER_UP_CONFIDENCE and category != c.category:
            evidence.setdefault(category, _Evidence()).runner_up = p
    for sentence in sentences_of(content, *extra_text):
        s = classify(sentence, model)
        if s.category != c.category and (s.rule or s.confidence >= SENTENCE_CONFIDENCE):
            found = (sentence, s.confidence, s.rule)
            evidence.setdefault(s.category, _Evidence()).sentences.append(found)
    co: list[CoUnitProposal] = []
    taken = {lead.id} if lead else set()
    for category, ev in sorted(evidence.items(), key=lambda kv: kv[1].score(), reverse=True):
        if ev.score() < EVIDENCE_NEEDED:
            break
        unit = next((u for u in directory.candidates(category, district_code)), None)
        if unit is None or unit.id in taken:
            continue
        taken.add(unit.id)
        co.append(CoUnitProposal(unit, category, ev.words(category)))
        if len(co) == MAX_CO_UNITS:
            break
    head = _lead_reason(c, lead, confidence_floor)
    focus = directory.focus_area(c.category)
    return Proposal(c, lead, tuple(co), focus, _summary(head, co), head)


def _lead_reason(c: Classification, lead: Unit | None, floor: float) -> str:
    if lead is None:
        head = f"依据{c.evidence()}归类为“{c.category}”，但该地区没有承办该类事项的单位，请指定主办单位"
    else:
        head = f"依据{c.evidence()}归类为“{c.category}”（置信度 {c.confidence:.2f}），建议由{lead.name}主办"
        if c.confidence < floor:
            head += "（置信度较低，请重点核对）"
    return head


def _summary(head: str, co: Sequence[CoUnitProposal]) -> str:
    if not co:
        return head + "；正文未见明显属于其他部门职责的内容，未建议协办单位"
    return head + "；建议协办：" + "；".join(f"{k.unit.name}（{k.evidence}）" for k in co)


def propose_after_return(
    previous: Classification,
    district_code: str,
    directory: UnitDirectory,
    *,
    returned_by: Collection[str],
    returning_unit: str,
    reason: str,
    suggested_unit: str | None,
    co_unit_ids: Sequence[str],
) -> Proposal:
    """The proposal after a return: the suggested unit when the directory knows it (the
    office may choose any unit, so the category does not limit it), else the next able
    unit of the category; co-units confirmed before stay, minus the new lead and every
    unit that returned it."""
    returning = directory.units.get(returning_unit)
    who = returning.name if returning else returning_unit
    suggested = directory.units.get(suggested_unit or "")
    if suggested is not None and suggested.id in returned_by:
        suggested = None
    able = [
        u for u in directory.candidates(previous.category, district_code) if u.id not in returned_by
    ]
    lead = suggested or (able[0] if able else None)
    co = [
        CoUnitProposal(u, "", "上次交办确认的协办单位")
        for u in (directory.units.get(i) for i in co_unit_ids)
        if u is not None and u.id not in returned_by and (lead is None or u.id != lead.id)
    ]
    if lead is None:
        head = f"{who}退回（{reason}），“{previous.category}”已无其他可承办单位，请指定主办单位"
    else:
        how = "按退回单位的建议" if suggested else "按候选顺序"
        head = f"{who}退回（{reason}），{how}拟改由{lead.name}主办"
    tail = "；协办沿用：" + "、".join(k.unit.name for k in co) if co else ""
    c = replace(previous, reason="return")
    focus = directory.focus_area(previous.category)
    return Proposal(c, lead, tuple(co), focus, head + tail, head)


class FormalChoiceError(Invalid):
    """The office's choice of units the directory cannot honour."""


def choose_units(
    directory: UnitDirectory, unit_id: str, co_unit_ids: Sequence[str]
) -> tuple[Unit, tuple[Unit, ...]]:
    """The lead and co-units the office chose, from the directory: the lead not among the
    co-units, no co-unit twice, at most three."""
    lead = directory.units.get(unit_id)
    if lead is None:
        raise FormalChoiceError("unknown_unit", f"未知承办单位 {unit_id}", field="unit_id")
    if len(co_unit_ids) > MAX_CO_UNITS:
        raise FormalChoiceError(
            "too_many_co_units", f"协办单位最多 {MAX_CO_UNITS} 个", field="co_unit_ids"
        )
    co: list[Unit] = []
    for i in co_unit_ids:
        unit = directory.units.get(i)
        if unit is None:
            raise FormalChoiceError("unknown_unit", f"未知协办单位 {i}", field="co_unit_ids")
        if unit.id == lead.id:
            raise FormalChoiceError(
                "lead_among_co_units", f"{lead.name}已是主办单位，不能同时协办", field="co_unit_ids"
            )
        if unit in co:
            raise FormalChoiceError(
                "duplicate_co_unit", f"协办单位{unit.name}重复", field="co_unit_ids"
            )
        co.append(unit)
    return lead, tuple(co)


def lead_category(category: str, ranking: Sequence[Sequence[Any]], lead: Unit) -> str:
    """The category the assignment carries: the classified one when the lead handles it,
    else the lead's category the classifier ranked highest, else its first by name."""
    if category in lead.categories:
        return category
    ranked = [str(r[0]) for r in ranking if r and r[0] in lead.categories]
    return ranked[0] if ranked else sorted(lead.categories)[0]


def confirmation_summary(
    lead: Unit,
    co: Sequence[Unit],
    *,
    by: str,
    proposed_lead: Unit | None,
    proposed_co: Sequence[str],
    note: str = "",
) -> str:
    """Who confirmed, and whether the office kept or changed routing's proposal."""
    text = f"人大代表工作机构（{by}）确认交办：{lead.name}主办"
    if co:
        text += "，" + "、".join(u.name for u in co) + "协办"
    lead_kept = proposed_lead is not None and proposed_lead.id == lead.id
    if lead_kept and sorted(proposed_co) == sorted(u.id for u in co):
        text += "；与系统建议一致"
    elif lead_kept or proposed_lead is None:
        text += "；调整了系统建议的协办单位"
    else:
        text += f"；调整了系统建议（原建议{proposed_lead.name}主办）"
    if note:
        text += f"；说明：{note}"
    return text

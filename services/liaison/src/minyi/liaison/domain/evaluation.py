"""Evaluation (履职评价) by a published policy: the policy file's model and the pure score.

Score = min(100, Σ_kind min(cap_kind, Σ points of the kind's entries)), where an entry's
points are the kind's points (per hour for training) times the weight of the entry's
state (an A-solved suggestion weighs more than one merely filed). Struck entries count
nothing. Rates are given only from ``min_cases_for_rates`` cases up; below that the rate
is None with the note 样本不足 — never 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from minyi.liaison.domain.performance import ENTRY_KINDS, STATE_LABELS, Entry

MAX_SCORE = 100.0
TOO_FEW = "样本不足"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Number(_Strict):
    """A policy number and where it comes from (a rule, a practice, or this system's
    demo choice)."""

    value: float = Field(ge=0)
    source: str = Field(min_length=1)


class KindRule(_Strict):
    points: Number  # per entry; per hour when ``per_hour``
    per_hour: bool = False
    cap: Number
    # By entry state (see performance.STATE_LABELS); a state not listed weighs 1.
    weights: dict[str, Number] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_states(self) -> KindRule:
        unknown = set(self.weights) - set(STATE_LABELS)
        if unknown:
            raise ValueError(f"unknown states in weights: {sorted(unknown)}")
        return self


class Band(_Strict):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    min: Number  # the lowest score in the band, out of 100


class EvaluationPolicy(_Strict):
    version: str = Field(min_length=1)
    note: str = ""
    kinds: dict[str, KindRule]
    bands: list[Band] = Field(min_length=1)
    min_cases_for_rates: Number

    @model_validator(mode="after")
    def _complete(self) -> EvaluationPolicy:
        missing, unknown = set(ENTRY_KINDS) - set(self.kinds), set(self.kinds) - set(ENTRY_KINDS)
        if missing or unknown:
            raise ValueError(f"kinds must be exactly {sorted(ENTRY_KINDS)}")
        floors = [b.min.value for b in self.bands]
        if floors != sorted(floors, reverse=True) or floors[-1] != 0:
            raise ValueError("bands go from the highest floor down to a band from 0")
        if floors[0] > MAX_SCORE:
            raise ValueError("band floors are out of 100")
        return self


@dataclass(frozen=True)
class Line:
    """One kind's part of a score: entries counted, points before and after the cap."""

    kind: str
    label: str
    entries: int
    raw: float
    points: float
    cap: float


@dataclass(frozen=True)
class Rate:
    id: str
    label: str
    cases: int
    hits: int
    value: float | None  # None below the policy's minimum of cases
    note: str | None


@dataclass(frozen=True)
class Score:
    score: float
    band: str
    band_label: str
    lines: tuple[Line, ...]
    rates: tuple[Rate, ...]

    def key(self) -> tuple[float, str, tuple[tuple[str, int, float, float], ...]]:
        """What a change of score means: the score, the band or a line."""
        return (
            self.score,
            self.band,
            tuple((x.kind, x.entries, x.raw, x.points) for x in self.lines),
        )


def entry_points(entry: Entry, rule: KindRule) -> float:
    base = rule.points.value * ((entry.hours or 0.0) if rule.per_hour else 1.0)
    weight = rule.weights.get(entry.state)
    return base * (weight.value if weight is not None else 1.0)


def band_of(score: float, policy: EvaluationPolicy) -> Band:
    return next(b for b in policy.bands if score >= b.min.value)


def _rate(rate_id: str, label: str, cases: int, hits: int, minimum: float) -> Rate:
    if cases < minimum:
        return Rate(rate_id, label, cases, hits, None, TOO_FEW)
    return Rate(rate_id, label, cases, hits, round(hits / cases, 4), None)


def rates(entries: Iterable[Entry], policy: EvaluationPolicy) -> tuple[Rate, ...]:
    counted = [e for e in entries if not e.struck]
    referred = [e for e in counted if e.kind == "matter_referred"]
    answered = [e for e in counted if e.kind == "suggestion" and e.state in ("A", "B", "C", "D")]
    commitments = [e for e in counted if e.kind == "commitment"]
    minimum = policy.min_cases_for_rates.value
    return (
        _rate(
            "referred_answered",
            "转办事项已答复的比例",
            len(referred),
            sum(e.state == "answered" for e in referred),
            minimum,
        ),
        _rate(
            "suggestions_solved",
            "代表建议办结为A类或B类的比例",
            len(answered),
            sum(e.state in ("A", "B") for e in answered),
            minimum,
        ),
        _rate(
            "commitments_on_time",
            "跟踪的承诺事项按期兑现的比例",
            len(commitments),
            sum(e.state == "on_time" for e in commitments),
            minimum,
        ),
    )


def evaluate(entries: Iterable[Entry], policy: EvaluationPolicy) -> Score:
    """The score of a set of entries (one deputy's year, or part of it)."""
    given = list(entries)
    by_kind: dict[str, list[Entry]] = {}
    for entry in given:
        if not entry.struck:
            by_kind.setdefault(entry.kind, []).append(entry)
    lines = []
    for kind, rule in policy.kinds.items():
        found = by_kind.get(kind)
        if not found:
            continue
        raw = round(sum(entry_points(e, rule) for e in found), 2)
        lines.append(
            Line(
                kind,
                ENTRY_KINDS[kind],
                len(found),
                raw,
                round(min(rule.cap.value, raw), 2),
                rule.cap.value,
            )
        )
    score = round(min(MAX_SCORE, sum(x.points for x in lines)), 1)
    band = band_of(score, policy)
    return Score(score, band.id, band.label, tuple(lines), rates(given, policy))

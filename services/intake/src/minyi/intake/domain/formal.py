"""A deputy's formal suggestion (代表建议) before and after it is filed: the draft its lead
deputy writes, the co-signers (联名) who confirm or decline it, the yearly number it gets
when submitted, and the signers' ratings of each answer round (征询意见表). Pure rules: the
use cases (``service_layer.formal``) load and store it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from minyi.contracts.formal import FormalDetails, Rating, Session
from minyi.platform.errors import Conflict, Forbidden, Invalid

DRAFT, SUBMITTED = "draft", "submitted"
LEAD, CO = "lead", "co"
SignerState = Literal["pending", "confirmed", "declined"]
PENDING: Final = "pending"
CONFIRMED: Final = "confirmed"
DECLINED: Final = "declined"
# The office numbers suggestions by the congress year, which is Beijing's calendar year.
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_CO_SIGNERS = 30

SESSION_LABELS = {"in_session": "大会期间", "between_sessions": "闭会期间"}
SIGNER_LABELS = {PENDING: "待确认", CONFIRMED: "已确认", DECLINED: "已谢绝"}
RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
OUTCOME_LABELS = {
    "A": "A类（已解决或基本解决）",
    "B": "B类（正在解决或列入计划解决）",
    "C": "C类（因条件限制暂时难以解决）",
    "D": "D类（留作参考）",
}


def number(year: int, seq: int) -> str:
    """The yearly number the office gives, e.g. 2026-0123 (wider past 9999)."""
    return f"{year}-{seq:04d}"


def year_of(at: datetime) -> int:
    return at.astimezone(BEIJING).year


@dataclass(frozen=True)
class Signer:
    deputy_id: str
    role: str  # lead / co
    state: str  # pending / confirmed / declined
    answered_at: datetime | None = None


@dataclass(frozen=True)
class FormalText:
    """What the lead deputy writes."""

    title: str
    content: str
    reasons: str = ""
    measures: str = ""
    session: Session = "between_sessions"
    publishable: bool = False


@dataclass(frozen=True)
class FormalDraft:
    """A formal suggestion from its draft on; ``id`` is also the suggestion's id once filed."""

    id: str
    lead_deputy_id: str
    title: str
    content: str
    reasons: str
    measures: str
    session: Session
    publishable: bool
    district_code: str
    created_at: datetime
    signers: tuple[Signer, ...] = ()
    converted_from: str | None = None
    state: str = DRAFT
    number: str | None = None
    submitted_at: datetime | None = None

    @classmethod
    def start(
        cls,
        id: str,
        lead_deputy_id: str,
        co_signer_ids: list[str],
        text: FormalText,
        *,
        district_code: str,
        converted_from: str | None,
        now: datetime,
    ) -> FormalDraft:
        """A new draft: the lead confirmed by writing it, each co-signer still to confirm.
        Co-signers are distinct and never the lead."""
        if lead_deputy_id in co_signer_ids:
            raise Invalid(
                "lead_among_co_signers",
                "领衔代表不能同时作为联名代表（co_signer_ids must not contain the lead）",
                field="co_signer_ids",
            )
        if len(set(co_signer_ids)) != len(co_signer_ids):
            raise Invalid(
                "duplicate_co_signer",
                "联名代表重复（co_signer_ids must be distinct）",
                field="co_signer_ids",
            )
        signers = (
            Signer(lead_deputy_id, LEAD, CONFIRMED, now),
            *(Signer(d, CO, PENDING) for d in co_signer_ids),
        )
        return cls(
            id,
            lead_deputy_id,
            text.title,
            text.content,
            text.reasons,
            text.measures,
            text.session,
            text.publishable,
            district_code,
            now,
            signers,
            converted_from,
        )

    @property
    def co_signers(self) -> tuple[Signer, ...]:
        return tuple(s for s in self.signers if s.role == CO)

    def signer(self, deputy_id: str) -> Signer | None:
        return next((s for s in self.signers if s.deputy_id == deputy_id), None)

    def is_signer(self, deputy_id: str) -> bool:
        """Lead or co-signer, whatever the answer (who may see it)."""
        return self.signer(deputy_id) is not None

    def _draft_only(self) -> None:
        if self.state != DRAFT:
            raise Conflict("already_submitted", "该代表建议已提交，不能再修改（already submitted）")

    def _lead_only(self, deputy_id: str, what: str) -> None:
        if deputy_id != self.lead_deputy_id:
            raise Forbidden("not_the_lead", f"只有领衔代表可以{what}（only the lead deputy may）")

    def answer(self, deputy_id: str, state: SignerState, now: datetime) -> FormalDraft:
        """A co-signer confirms (or declines) joining; the same answer twice is harmless."""
        self._draft_only()
        found = self.signer(deputy_id)
        if found is None or found.role != CO:
            raise Forbidden("not_a_co_signer", "您不是该建议的联名代表（not a co-signer of it）")
        if found.state == state:
            return self
        if found.state != PENDING:
            raise Conflict(
                "already_answered",
                f"您已{SIGNER_LABELS[found.state]}联名，不能更改（already answered）",
            )
        signers = tuple(
            replace(s, state=state, answered_at=now) if s.deputy_id == deputy_id else s
            for s in self.signers
        )
        return replace(self, signers=signers)

    def remove(self, by: str, deputy_id: str) -> FormalDraft:
        """The lead takes a co-signer off the draft (one who declined, or does not answer)."""
        self._draft_only()
        self._lead_only(by, "移除联名代表")
        found = self.signer(deputy_id)
        if found is None or found.role != CO:
            raise Invalid(
                "not_a_co_signer",
                f"{deputy_id} 不是该建议的联名代表（not a co-signer）",
                field="deputy_id",
            )
        return replace(self, signers=tuple(s for s in self.signers if s.deputy_id != deputy_id))

    def submit(self, by: str, seq: int, now: datetime) -> FormalDraft:
        """Submitted by the lead once every co-signer confirmed; numbered ``seq`` of the
        year (the caller draws it from the counter in the same transaction)."""
        self.check_submittable(by)
        return replace(self, state=SUBMITTED, number=number(year_of(now), seq), submitted_at=now)

    def check_submittable(self, by: str) -> None:
        self._draft_only()
        self._lead_only(by, "提交")
        waiting = [s.deputy_id for s in self.co_signers if s.state != CONFIRMED]
        if waiting:
            raise Conflict(
                "co_signers_not_confirmed",
                "还有联名代表未确认或已谢绝："
                + "、".join(waiting)
                + "。请等待确认，或将其移除后再提交（every co-signer must confirm first）",
            )

    def details(self) -> FormalDetails:
        """What ``SuggestionFiled.formal`` carries."""
        assert self.number is not None, "only a submitted suggestion has details"
        return FormalDetails(
            number=self.number,
            lead_deputy_id=self.lead_deputy_id,
            co_signer_ids=[s.deputy_id for s in self.co_signers],
            session=self.session,
            publishable=self.publishable,
            reasons=self.reasons,
            measures=self.measures,
            converted_from=self.converted_from,
        )


@dataclass(frozen=True)
class RatingState:
    """What a rating is checked against: the signers, the rounds answered, the end."""

    signer_ids: frozenset[str]
    answered_rounds: frozenset[int]
    closed: bool
    rated: frozenset[tuple[str, int]] = field(default_factory=frozenset)  # (deputy, round)


@dataclass(frozen=True)
class RatingInput:
    contact: Rating
    attitude: Rating
    result: Rating
    comment: str | None = None


def rating_round(state: RatingState, deputy_id: str, round_: int | None) -> int:
    """The answer round ``deputy_id`` may rate now (the latest when none is named): a
    signer, after that round's answer, before the suggestion closed, once per round."""
    if deputy_id not in state.signer_ids:
        raise Forbidden("not_a_signer", "只有领衔和联名代表可以评价（only a signer may rate）")
    if state.closed:
        raise Conflict("closed", "该建议已办结，不再接受评价（the suggestion is closed）")
    if not state.answered_rounds:
        raise Conflict(
            "not_answered", "承办单位尚未答复，答复后才能评价（rated only after an answer）"
        )
    chosen = max(state.answered_rounds) if round_ is None else round_
    if chosen not in state.answered_rounds:
        raise Invalid(
            "round_not_answered", f"第{chosen}轮尚未答复（no answer in that round）", field="round"
        )
    if (deputy_id, chosen) in state.rated:
        raise Conflict(
            "already_rated", "您已评价过这一轮答复，不能重复评价（rated this round already）"
        )
    return chosen

"""Events about deputies' formal suggestions (代表建议) beyond the lifecycle every suggestion
shares (version 1). See the package docstring for the rules.

How a formal suggestion travels
-------------------------------
- **intake** files it once its co-signers (联名) have confirmed: ``SuggestionFiled`` with
  ``kind="representative_suggestion"``, ``representative_id`` the lead deputy and
  ``formal`` (:class:`FormalDetails`: the yearly number, the signers, the session…).
- **routing** proposes a lead unit (主办) and up to three co-units (协办); the congress
  office confirms or changes them, and only then ``AssignedToUnit`` carries the lead as
  ``unit_id`` and the others in ``co_units``. A unit's return within the policy's window
  (``AssignmentReturned``) puts it back before the office, which assigns again.
- **supervision** keeps one case per assignment: the co-units' written views
  (:class:`CoUnitViewsSubmitted`), the lead's contact with the deputies before replying
  (:class:`DeputiesContacted`), an extension asked and decided by the office
  (:class:`ExtensionRequested`, then ``ExtensionGranted`` or :class:`ExtensionRefused`), the
  A/B/C/D answer (``Resolved``; a B carries ``delivery_by``), the C review by the
  supervision group (:class:`AnswerReviewed`), a B's delivery followed as its own item
  (:class:`DeliveryPromised`, then that item's usual ``minyi.suggestion.*`` events), and the
  key topics (:class:`TopicOpened`, :class:`TopicLinked`).
- **intake** takes every signer's rating (征询意见表, :class:`SignerRated`); supervision
  re-handles on any 不满意 (``CaseReopened``) and closes when every signer has rated or the
  window has passed (``CaseClosed``).

CloudEvents ``subject``: the suggestion id; for a topic, the topic id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from minyi.contracts.envelope import EventData

SUGGESTION_SIGNER_RATED = "minyi.suggestion.signer_rated"
SUGGESTION_CO_VIEWS_SUBMITTED = "minyi.suggestion.co_views_submitted"
SUGGESTION_DEPUTIES_CONTACTED = "minyi.suggestion.deputies_contacted"
SUGGESTION_EXTENSION_REQUESTED = "minyi.suggestion.extension_requested"
SUGGESTION_EXTENSION_REFUSED = "minyi.suggestion.extension_refused"
SUGGESTION_ANSWER_REVIEWED = "minyi.suggestion.answer_reviewed"
SUGGESTION_DELIVERY_PROMISED = "minyi.suggestion.delivery_promised"
TOPIC_OPENED = "minyi.topic.opened"
TOPIC_LINKED = "minyi.topic.linked"

# 大会期间 / 闭会期间
Session = Literal["in_session", "between_sessions"]
# 满意 / 基本满意 / 不满意
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]
# How the lead unit met the deputies before replying (办前沟通 / 办中沟通).
ContactMode = Literal["meeting", "visit", "phone", "video", "letter", "other"]
# The supervision group's review of a C answer: it stands, or the unit handles it again.
ReviewVerdict = Literal["upheld", "rehandle"]


class FormalDetails(BaseModel):
    """What a formal suggestion adds to ``SuggestionFiled`` (``formal``; None otherwise)."""

    number: str = Field(description="yearly number, e.g. 2026-0123")
    lead_deputy_id: str
    # Co-signers (联名) who confirmed before it was submitted; the lead is not repeated.
    co_signer_ids: list[str] = Field(default_factory=list)
    session: Session
    publishable: bool = False
    reasons: str = ""
    measures: str = ""
    # The citizen's suggestion it was made from (转为代表建议), if any.
    converted_from: str | None = None


class CoUnit(BaseModel):
    """A co-handling unit (协办单位) of an assignment."""

    unit_id: str
    unit_name: str


class SignerRated(EventData):
    """A signer rated the handling of a formal suggestion (代表征询意见表), once per round."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.signer_rated.v1"
    subject_name: ClassVar[str] = SUGGESTION_SIGNER_RATED

    suggestion_id: str
    deputy_id: str
    # The answer round rated (Resolved.round).
    round: int = 1
    contact: Rating
    attitude: Rating
    result: Rating
    comment: str | None = None
    rated_at: datetime


class CoUnitViewsSubmitted(EventData):
    """A co-unit sent its written views (协办意见) to the lead unit."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.co_views_submitted.v1"
    subject_name: ClassVar[str] = SUGGESTION_CO_VIEWS_SUBMITTED

    suggestion_id: str
    unit_id: str  # the co-unit
    lead_unit_id: str
    views: str
    views_by: datetime
    on_time: bool
    submitted_at: datetime
    case_id: str
    case_version: int


class DeputiesContacted(EventData):
    """The lead unit recorded its contact with the deputies (办理前沟通)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.deputies_contacted.v1"
    subject_name: ClassVar[str] = SUGGESTION_DEPUTIES_CONTACTED

    suggestion_id: str
    unit_id: str
    contacted_on: date
    mode: ContactMode
    note: str | None = None
    recorded_at: datetime
    case_id: str
    case_version: int


class ExtensionRequested(EventData):
    """The lead unit asked the office for the one extension (延期申请)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.extension_requested.v1"
    subject_name: ClassVar[str] = SUGGESTION_EXTENSION_REQUESTED

    suggestion_id: str
    unit_id: str
    reason: str
    reply_by: datetime  # the deadline now
    requested_reply_by: datetime
    requested_at: datetime
    case_id: str
    case_version: int


class ExtensionRefused(EventData):
    """The office refused the extension: the deadline stays."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.extension_refused.v1"
    subject_name: ClassVar[str] = SUGGESTION_EXTENSION_REFUSED

    suggestion_id: str
    unit_id: str
    note: str
    refused_at: datetime
    case_id: str
    case_version: int


class AnswerReviewed(EventData):
    """The supervision group reviewed a C answer (C类答复审核)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.answer_reviewed.v1"
    subject_name: ClassVar[str] = SUGGESTION_ANSWER_REVIEWED

    suggestion_id: str
    unit_id: str
    verdict: ReviewVerdict
    note: str
    reviewer: str
    reviewed_at: datetime
    case_id: str
    case_version: int


class DeliveryPromised(EventData):
    """A B answer's delivery (列入计划/正在解决 → 兑现) is now followed as its own item:
    supervision opened a case of kind ``delivery`` whose ``suggestion_id`` is
    ``delivery_id``; its ``Resolved`` is the delivery (on time or late), and its reminders,
    overdue marks and escalations are the usual events of that id."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.delivery_promised.v1"
    subject_name: ClassVar[str] = SUGGESTION_DELIVERY_PROMISED

    suggestion_id: str
    delivery_id: str
    unit_id: str
    district_code: str
    promised_by: date
    promised_at: datetime


class TopicOpened(EventData):
    """The office opened a key topic (重点督办专题), led by a supervision group or committee."""

    event_type: ClassVar[str] = "cn.minyi.topic.opened.v1"
    subject_name: ClassVar[str] = TOPIC_OPENED

    topic_id: str
    title: str
    year: int
    lead_id: str
    lead_name: str
    opened_at: datetime


class TopicLinked(EventData):
    """A formal suggestion was made key and linked to a topic (or unlinked)."""

    event_type: ClassVar[str] = "cn.minyi.topic.linked.v1"
    subject_name: ClassVar[str] = TOPIC_LINKED

    topic_id: str
    suggestion_id: str
    linked: bool = True
    at: datetime

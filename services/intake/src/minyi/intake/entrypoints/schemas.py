"""Request and response bodies of intake's REST API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from minyi.contracts.formal import Rating, Session
from minyi.contracts.intake import EndorsementMode
from minyi.contracts.reference import load_divisions
from minyi.intake.domain import contact, text

Kind = Literal["citizen_appeal", "representative_suggestion"]
Channel = Literal[
    "web",
    "chat",
    "hotline",
    "station",
    "online_station",
    "open311",
    "app",
    "mail",
    "representative",
]


def _known_district(code: str) -> str:
    if code not in load_divisions():
        known = ", ".join(f"{c} {d.name}" for c, d in load_divisions().items())
        raise ValueError(f"unknown district_code {code!r}; known divisions: {known}")
    return code


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


def _phone(value: str) -> str:
    return contact.PhoneNumber.parse(value).canonical


Clean = Annotated[str, AfterValidator(text.clean_text)]
CleanLine = Annotated[str, AfterValidator(text.clean_line)]
# Checked against intake's replica of liaison's registry by the use cases (they need the
# store): a 422 naming the field all the same.
StationId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_utf8)]
RepresentativeId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_utf8)]


class Location(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class CitizenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[CleanLine, Field(max_length=50)] | None = None
    phone: Annotated[str, Field(max_length=30), AfterValidator(_phone)] | None = None


class SuggestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[CleanLine, Field(min_length=1, max_length=100)]
    content: Annotated[Clean, Field(min_length=5, max_length=5000)]
    kind: Kind = "citizen_appeal"
    channel: Channel
    district_code: Annotated[str, AfterValidator(_known_district)]
    township: Annotated[CleanLine, Field(max_length=50)] | None = None
    address: Annotated[CleanLine, Field(max_length=200)] | None = None
    location: Location | None = None
    station_id: StationId | None = None
    representative_id: RepresentativeId | None = None
    citizen: CitizenIn | None = None
    urgent: bool = False
    publish_consent: bool = Field(
        default=False,
        description="the citizen agreed that the text may be shown in public "
        "(never name or phone); default no",
    )

    @model_validator(mode="after")
    def _required_together(self) -> SuggestionIn:
        if self.kind == "representative_suggestion" and not self.representative_id:
            raise ValueError("representative_id is required when kind is representative_suggestion")
        if self.channel == "station" and not self.station_id:
            raise ValueError("station_id is required when channel is station")
        return self


class FiledOut(BaseModel):
    id: str
    tracking_code: str = Field(description="给群众的查询码：凭此码查询办理进度、评价答复")
    status: str
    duplicate: bool = Field(
        default=False, description="true when the same citizen sent the same text within 10 minutes"
    )


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    satisfied: bool
    score: int | None = Field(default=None, ge=1, le=5)
    comment: Annotated[Clean, Field(max_length=500)] | None = None


class EndorsementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    representative_id: RepresentativeId
    mode: EndorsementMode = "endorse"
    note: Annotated[Clean, Field(max_length=1000)] | None = None


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_utf8)]
    user_id: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_utf8)]
    text: Annotated[Clean, Field(max_length=5000)]
    sent_at: dt.datetime | None = None


class FormalIn(BaseModel):
    """A formal suggestion's draft (代表建议). Converting a citizen's suggestion
    (``converted_from``), ``title``, ``content`` and ``district_code`` default to its own."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # The token's deputy when left out (an admin names one).
    lead_deputy_id: RepresentativeId | None = None
    co_signer_ids: list[RepresentativeId] = Field(default_factory=list, max_length=30)
    title: Annotated[CleanLine, Field(min_length=1, max_length=100)] | None = None
    content: Annotated[Clean, Field(min_length=5, max_length=5000)] | None = None
    reasons: Annotated[Clean, Field(max_length=5000)] = ""
    measures: Annotated[Clean, Field(max_length=5000)] = ""
    session: Session = "between_sessions"
    publishable: bool = False
    district_code: Annotated[str, AfterValidator(_known_district)] | None = None
    converted_from: (
        Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_utf8)] | None
    ) = None


class SignerRatingIn(BaseModel):
    """征询意见表: contact, attitude, result, each 满意 / 基本满意 / 不满意."""

    model_config = ConfigDict(extra="forbid")

    contact: Rating
    attitude: Rating
    result: Rating
    comment: Annotated[Clean, Field(max_length=1000)] | None = None
    # The answer round rated; the latest when left out.
    round: int | None = Field(default=None, ge=1, le=20)


class SupportCodeIn(BaseModel):
    """获取验证码: the phone a one-time code is sent to (never stored in the clear)."""

    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(max_length=30), AfterValidator(_phone)]


class SupportVerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(max_length=30), AfterValidator(_phone)]
    code: Annotated[str, Field(pattern=r"^\d{6}$", description="the 6-digit code sent by SMS")]


class SupportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_kind: Literal["appeal", "project"]
    target_id: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_utf8)]


class ProjectRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_utf8)]
    rating: Rating

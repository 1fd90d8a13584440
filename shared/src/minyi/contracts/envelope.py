"""The CloudEvents 1.0 envelope every Minyi event travels in (structured JSON mode)."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from minyi.contracts.ids import new_id

SPEC_VERSION = "1.0"


class EventData(BaseModel):
    """Base of every event payload. Subclasses name their CloudEvents type and subject."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    subject_name: ClassVar[str]


D = TypeVar("D", bound=EventData)


class CloudEvent(BaseModel, Generic[D]):
    """A CloudEvents 1.0 envelope; ``subject`` is the suggestion id."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: str = SPEC_VERSION
    id: str = Field(default_factory=new_id)
    source: str
    type: str
    subject: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    traceparent: str | None = None
    data: D


class RawEvent(BaseModel):
    """An envelope read tolerantly: ``data`` stays a dict until a handler picks its model."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: str
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    datacontenttype: str = "application/json"
    traceparent: str | None = None
    data: dict[str, Any]

    def data_as(self, model: builtins.type[D]) -> D:
        return model.model_validate(self.data)


def new_event(data: D, *, source: str, subject: str, time: datetime | None = None) -> CloudEvent[D]:
    """Wrap a payload in an envelope with a fresh id."""
    return CloudEvent[D](
        source=source,
        type=data.event_type,
        subject=subject,
        data=data,
        time=time or datetime.now(UTC),
    )

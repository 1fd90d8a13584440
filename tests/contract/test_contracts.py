"""The event contracts: envelope shape, versioned types, subjects inside the one stream."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from minyi.contracts import subjects
from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.events import CATALOGUE, SuggestionFiled

FILED = SuggestionFiled(
    suggestion_id="s-1",
    title="路灯",
    content="路灯坏了很久",
    channel="web",
    district_code="420802",
    filed_at=datetime(2025, 1, 1, tzinfo=UTC),
)


def test_an_event_is_a_cloudevents_1_0_structured_envelope() -> None:
    event = new_event(FILED, source="minyi/intake", subject="s-1")
    doc = json.loads(event.model_dump_json())
    for attribute in (
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
    ):
        assert attribute in doc
    assert doc["specversion"] == "1.0"
    assert doc["type"] == "cn.minyi.suggestion.filed.v1"
    assert doc["subject"] == "s-1"


@pytest.mark.parametrize("model", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_every_event_type_is_versioned_and_published_inside_the_stream(model: type) -> None:
    assert model.event_type.startswith("cn.minyi.") and model.event_type.rsplit(".", 1)[
        1
    ].startswith("v")
    assert model.subject_name.startswith("minyi.")
    assert subjects.STREAM_SUBJECTS == ["minyi.>"]


def test_consumers_read_tolerantly_and_ignore_fields_they_do_not_know() -> None:
    doc = json.loads(new_event(FILED, source="x", subject="s-1").model_dump_json())
    doc["data"]["added_in_a_later_minor_version"] = 42
    doc["extension_attribute"] = "ok"
    parsed = RawEvent.model_validate(doc).data_as(SuggestionFiled)
    assert parsed.title == "路灯"


def test_suggestion_filed_has_no_field_for_a_name_or_a_phone() -> None:
    fields = set(SuggestionFiled.model_fields)
    assert not fields & {"name", "phone", "citizen_name", "citizen_phone", "contact"}


def test_the_event_catalogue_in_the_docs_matches_the_contracts() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "events_doc.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr

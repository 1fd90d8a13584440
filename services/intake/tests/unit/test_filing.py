"""Filing on a unit of work without a database (fakes.py): what is stored and emitted for
a new suggestion, a resubmission, and a retried request with an Idempotency-Key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from minyi.contracts import tracking_code
from minyi.contracts.intake import SuggestionFiled
from minyi.intake.domain import text
from minyi.intake.domain.suggestion import Submission
from minyi.intake.service_layer.filing import Citizen, FileSuggestion, file_suggestion
from minyi.intake.service_layer.idempotency import FileOnce, file_once, request_hash
from minyi.platform.errors import Conflict
from minyi.platform.pii_vault import PiiVault

from .fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
VAULT = PiiVault([Fernet.generate_key()], b"i" * 32)
PHONE, NAME = "13812345678", "王小明"
LAMP = Submission(
    title="东宝区泉口街道路灯不亮",
    content="泉口街道金泉路一段的路灯已经坏了两周，晚上出行很不安全。",
    kind="citizen_appeal",
    channel="station",
    district_code="420802",
    township="泉口街道",
    lat=31.03,
    lon=112.2,
    station_id="ST-420802-04",
    urgent=True,
    category_hint="001",
)
FROM_CITIZEN = FileSuggestion(LAMP, Citizen(NAME, PHONE))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    unit = FakeUnitOfWork(NOW)
    unit.registry.open.add("ST-420802-04")  # LAMP's station, as liaison's events listed it
    return unit


async def test_a_new_suggestion_is_stored_with_sealed_contact_and_announced(
    uow: FakeUnitOfWork,
) -> None:
    filed = await file_suggestion(FROM_CITIZEN, uow, VAULT)
    stored = uow.suggestions.rows[filed.id]
    assert (filed.status, filed.duplicate) == ("filed", False)
    assert (
        tracking_code.is_valid(filed.tracking_code) and stored.tracking_code == filed.tracking_code
    )
    assert stored.submission == LAMP and stored.filed_at == NOW
    assert stored.history == [{"status": "filed", "at": NOW.isoformat()}]
    assert stored.citizen_ref == VAULT.blind_index(PHONE)
    assert stored.sealed_phone and PHONE not in stored.sealed_phone
    assert stored.sealed_name and VAULT.decrypt(stored.sealed_name) == NAME
    assert uow.events == [
        (
            filed.id,
            SuggestionFiled(
                suggestion_id=filed.id,
                title=LAMP.title,
                content=LAMP.content,
                kind="citizen_appeal",
                channel="station",
                district_code="420802",
                station_id="ST-420802-04",
                urgent=True,
                citizen_ref=VAULT.blind_index(PHONE),
                filed_at=NOW,
                category_hint="001",
                township=LAMP.township,
            ),
        )
    ]


async def test_a_double_tap_gives_the_first_suggestion_back_and_files_nothing(
    uow: FakeUnitOfWork,
) -> None:
    first = await file_suggestion(FROM_CITIZEN, uow, VAULT)
    uow.at = NOW + timedelta(seconds=2)
    # Other spacing and punctuation, the same words: the same suggestion.
    again = FileSuggestion(
        Submission(**{**vars(LAMP), "content": LAMP.content.replace("，", " ")}),
        Citizen(NAME, PHONE),
    )
    second = await file_suggestion(again, uow, VAULT)
    assert (second.id, second.tracking_code, second.duplicate) == (
        first.id,
        first.tracking_code,
        True,
    )
    assert len(uow.suggestions.rows) == 1 and len(uow.events) == 1
    # Both filings waited for each other's transaction before looking (PostgreSQL).
    ref, fingerprint = VAULT.blind_index(PHONE), LAMP.fingerprint()
    assert uow.suggestions.locks == [(ref, fingerprint), (ref, fingerprint)]


async def test_the_same_words_after_the_resubmission_window_are_a_new_suggestion(
    uow: FakeUnitOfWork,
) -> None:
    first = await file_suggestion(FROM_CITIZEN, uow, VAULT)
    uow.at = NOW + text.RESUBMISSION_WINDOW + timedelta(seconds=1)
    later = await file_suggestion(FROM_CITIZEN, uow, VAULT)
    assert later.id != first.id and not later.duplicate
    assert len(uow.suggestions.rows) == len(uow.events) == 2


async def test_another_citizen_with_the_same_words_files_a_suggestion_of_their_own(
    uow: FakeUnitOfWork,
) -> None:
    await file_suggestion(FROM_CITIZEN, uow, VAULT)
    other = await file_suggestion(FileSuggestion(LAMP, Citizen(None, "13912345678")), uow, VAULT)
    assert not other.duplicate and len(uow.suggestions.rows) == 2


async def test_an_anonymous_filing_is_never_taken_for_a_resubmission(uow: FakeUnitOfWork) -> None:
    one = await file_suggestion(FileSuggestion(LAMP), uow, VAULT)
    two = await file_suggestion(FileSuggestion(LAMP), uow, VAULT)
    assert one.id != two.id and uow.suggestions.locks == []
    assert uow.suggestions.rows[one.id].citizen_ref is None
    assert uow.suggestions.rows[one.id].sealed_phone is None


async def test_a_chat_user_without_a_phone_is_known_by_the_channels_reference(
    uow: FakeUnitOfWork,
) -> None:
    chat = FileSuggestion(LAMP, citizen_ref="chat-user-index")
    first = await file_suggestion(chat, uow, VAULT)
    again = await file_suggestion(chat, uow, VAULT)
    assert again.duplicate and again.id == first.id
    [(_, event)] = uow.events
    assert isinstance(event, SuggestionFiled) and event.citizen_ref == "chat-user-index"


def keyed(filing: FileSuggestion, key: str = "suggestions:k-1") -> FileOnce:
    return FileOnce(filing, key, request_hash({"title": filing.submission.title}))


async def test_a_retried_request_gets_the_first_answer_and_files_nothing_new(
    uow: FakeUnitOfWork,
) -> None:
    first = await file_once(keyed(FROM_CITIZEN), uow, VAULT)
    again = await file_once(keyed(FROM_CITIZEN), uow, VAULT)
    assert first.status_code == again.status_code == 201
    assert again.body == first.body and first.body["id"] in uow.suggestions.rows
    assert set(first.body) == {"id", "tracking_code", "status", "duplicate"}
    assert len(uow.events) == 1


async def test_a_resubmission_answers_200_and_its_key_remembers_that(uow: FakeUnitOfWork) -> None:
    await file_once(FileOnce(FROM_CITIZEN), uow, VAULT)
    stored = await file_once(keyed(FROM_CITIZEN), uow, VAULT)
    assert (stored.status_code, stored.body["duplicate"]) == (200, True)
    assert uow.idempotency.keys["suggestions:k-1"].status_code == 200


async def test_a_key_reused_with_another_body_is_refused_and_files_nothing(
    uow: FakeUnitOfWork,
) -> None:
    await file_once(keyed(FROM_CITIZEN), uow, VAULT)
    other = FileSuggestion(Submission(**{**vars(LAMP), "title": "掇刀区噪音扰民"}))
    with pytest.raises(Conflict) as refused:
        await file_once(keyed(other), uow, VAULT)
    assert (refused.value.code, refused.value.field) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert len(uow.suggestions.rows) == len(uow.events) == 1


async def test_without_a_key_nothing_is_remembered(uow: FakeUnitOfWork) -> None:
    answer = await file_once(FileOnce(FROM_CITIZEN), uow, VAULT)
    assert answer.status_code == 201 and uow.idempotency.keys == {}

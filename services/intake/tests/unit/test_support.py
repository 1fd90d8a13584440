"""Citizens' support (附议) rules and use cases on the in-memory unit of work: a code's
life and tries, the per-phone limits, once per person and target, public ratings only
while a project's public vote is open."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from minyi.contracts.projects import ProjectRated, SupportAdded
from minyi.intake.domain import support as rules
from minyi.intake.domain.support import (
    CodeRefused,
    IssuedCode,
    SessionRequired,
    Target,
    TooSoon,
)
from minyi.intake.service_layer import support
from minyi.platform.errors import Conflict, NotFound
from minyi.platform.pii_vault import PiiVault

from .fakes import FakeUnitOfWork

VAULT = PiiVault([Fernet.generate_key()], b"s" * 32)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PHONE, OTHER = "13812345678", "13987654321"
APPEAL = Target("appeal", "c1", "老旧小区路灯不亮", public=True)


def _uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork(NOW)
    uow.support_targets.rows[("appeal", "c1")] = APPEAL
    return uow


def _code_of(uow: FakeUnitOfWork) -> str:
    found = re.search(r"\d{6}", uow.notifications.sms[-1][2])
    assert found
    return found.group()


async def _session(uow: FakeUnitOfWork, phone: str = PHONE, at: datetime = NOW) -> str:
    await support.send_code(phone, uow, VAULT, at)
    verified = await support.verify_code(phone, _code_of(uow), uow, VAULT, at)
    assert isinstance(verified, support.Verified)
    return verified.token


def test_a_code_is_alive_for_ten_minutes_and_five_wrong_tries() -> None:
    code = IssuedCode(1, "d", NOW + rules.CODE_TTL, tries=0, used=False)
    assert rules.check_code(code, "d", NOW) == "ok"
    assert rules.check_code(code, "x", NOW) == "wrong"
    assert rules.check_code(code, "d", NOW + rules.CODE_TTL) == "dead"
    four_wrong = IssuedCode(1, "d", NOW + rules.CODE_TTL, tries=4, used=False)
    assert rules.check_code(four_wrong, "d", NOW) == "ok"
    worn = IssuedCode(1, "d", NOW + rules.CODE_TTL, tries=rules.MAX_TRIES, used=False)
    assert rules.check_code(worn, "d", NOW) == "dead"
    assert (
        rules.check_code(IssuedCode(1, "d", NOW + rules.CODE_TTL, 0, used=True), "d", NOW) == "dead"
    )
    assert rules.check_code(None, "d", NOW) == "dead"


def test_a_phone_gets_one_code_a_minute_and_five_an_hour() -> None:
    assert rules.code_wait([], NOW) == 0
    assert rules.code_wait([NOW - timedelta(seconds=20)], NOW) == 40
    five = [NOW - timedelta(minutes=m) for m in (50, 40, 30, 20, 10)]
    # The oldest of the five leaves the hour in ten minutes.
    assert rules.code_wait(five, NOW) == 600
    assert rules.code_wait(five[1:], NOW) == 0
    assert rules.code_wait([NOW - timedelta(hours=2)] * 9, NOW) == 0


def test_a_target_is_ratable_only_when_completed_public_and_not_accepted() -> None:
    project = Target("project", "p", "路灯改造", public=True, acceptance_by="public")
    assert project.supportable and not project.ratable
    assert Target(**{**vars(project), "completed": True}).ratable
    assert not Target(**{**vars(project), "completed": True, "accepted": True}).ratable
    assert not Target(**{**vars(project), "completed": True, "acceptance_by": "inspectors"}).ratable
    assert not Target("project", "p", "", public=False, completed=True).supportable


async def test_a_code_is_sent_sealed_and_stored_only_as_a_keyed_digest() -> None:
    uow = _uow()
    await support.send_code(PHONE, uow, VAULT, NOW)
    [(sealed, kind, message)] = uow.notifications.sms
    assert VAULT.decrypt(sealed) == PHONE and kind == "support_code"
    code = _code_of(uow)
    assert message == f"【民意】您的验证码是 {code}，10 分钟内有效。如非本人操作请忽略。"
    [row] = uow.support_codes.rows
    assert row["citizen_ref"] == VAULT.blind_index(PHONE)
    assert code not in row["digest"] and PHONE not in str(row)
    with pytest.raises(TooSoon) as too_soon:
        await support.send_code(PHONE, uow, VAULT, NOW + timedelta(seconds=30))
    assert too_soon.value.retry_after == 30 and too_soon.value.status == 429


async def test_wrong_tries_are_counted_and_the_fifth_kills_the_code() -> None:
    uow = _uow()
    await support.send_code(PHONE, uow, VAULT, NOW)
    code = _code_of(uow)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(rules.MAX_TRIES):
        refused = await support.verify_code(PHONE, wrong, uow, VAULT, NOW)
        assert isinstance(refused, CodeRefused)
    assert uow.support_codes.rows[0]["tries"] == rules.MAX_TRIES
    assert isinstance(await support.verify_code(PHONE, code, uow, VAULT, NOW), CodeRefused)


async def test_an_expired_or_used_code_gives_no_session() -> None:
    uow = _uow()
    await support.send_code(PHONE, uow, VAULT, NOW)
    code = _code_of(uow)
    late = NOW + rules.CODE_TTL + timedelta(seconds=1)
    assert isinstance(await support.verify_code(PHONE, code, uow, VAULT, late), CodeRefused)
    uow = _uow()
    await support.send_code(PHONE, uow, VAULT, NOW)
    code = _code_of(uow)
    assert isinstance(await support.verify_code(PHONE, code, uow, VAULT, NOW), support.Verified)
    assert isinstance(await support.verify_code(PHONE, code, uow, VAULT, NOW), CodeRefused)


async def test_one_person_supports_a_target_once_whatever_the_session() -> None:
    uow = _uow()
    first = await support.add_support("appeal", "c1", await _session(uow), uow, NOW)
    assert uow.events == [("c1", first)] and isinstance(first, SupportAdded)
    # A new code and a new session for the same phone is still the same person.
    later = NOW + timedelta(minutes=2)
    token = await _session(uow, at=later)
    with pytest.raises(Conflict) as again:
        await support.add_support("appeal", "c1", token, uow, later)
    assert again.value.code == "already_supported"
    await support.add_support("appeal", "c1", await _session(uow, OTHER), uow, NOW)
    assert await uow.supports.count("appeal", "c1") == 2 and len(uow.events) == 2


async def test_support_needs_a_live_session_and_a_public_target() -> None:
    uow = _uow()
    token = await _session(uow)
    with pytest.raises(SessionRequired):
        await support.add_support("appeal", "c1", None, uow, NOW)
    with pytest.raises(SessionRequired):
        await support.add_support("appeal", "c1", token, uow, NOW + rules.SESSION_TTL)
    with pytest.raises(NotFound):
        await support.add_support("project", "c1", token, uow, NOW)
    uow.support_targets.rows[("appeal", "c1")] = Target("appeal", "c1", "x", public=False)
    with pytest.raises(NotFound):
        await support.add_support("appeal", "c1", token, uow, NOW)
    assert uow.events == []


async def test_the_public_rates_an_open_project_once() -> None:
    uow = _uow()
    uow.support_targets.rows[("project", "p")] = Target(
        "project", "p", "路灯改造", public=True, acceptance_by="public", completed=True
    )
    token = await _session(uow)
    rated = await support.rate_project("p", "satisfied", token, uow, NOW)
    assert isinstance(rated, ProjectRated) and rated.rater_kind == "public"
    assert rated.rater_id is None
    with pytest.raises(Conflict) as again:
        await support.rate_project("p", "unsatisfied", token, uow, NOW)
    assert again.value.code == "already_rated"
    assert uow.events == [("p", rated)]

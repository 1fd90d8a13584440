"""Citizens' support (附议) and public acceptance ratings over HTTP on a real store: a
one-time code queued as an SMS (read back from intake's notifications, as the e2e does),
a supporter session, once per person and target, limits, and what is never kept."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import TestNatsBroker
from sqlalchemy import select, update

from minyi.contracts.envelope import EventData, new_event
from minyi.contracts.projects import (
    Milestone,
    ProjectAccepted,
    ProjectCompleted,
    ProjectRegistered,
    RecurringAppealPublished,
)
from minyi.contracts.subjects import STREAM_NAME
from minyi.intake.adapters.tables import notifications, suggestions, support_codes, supports
from minyi.intake.bootstrap import PACKAGE, SERVICE
from minyi.intake.service_layer.notifications import deliver_due
from minyi.platform import migrations
from minyi.platform.app.assembly import create_app
from minyi.platform.runtime import Runtime
from minyi.platform.settings import Settings
from services.intake.tests.integration.conftest import Api
from tests.support import infra

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
APPEAL, PROJECT = "cluster-路灯-1", "P-2026-001"
PHONE, OTHER = "13812345678", "13987654321"


def appeal(version: int = 1, public: bool = True) -> RecurringAppealPublished:
    return RecurringAppealPublished(
        cluster_id=APPEAL,
        title="老旧小区路灯不亮",
        division_codes=["420802"],
        public=public,
        version=version,
        published_at=AT,
    )


def project(acceptance_by: Any = "public") -> ProjectRegistered:
    return ProjectRegistered(
        project_id=PROJECT,
        name="城区路灯改造工程",
        focus_area="城市能级",
        division_codes=["420802"],
        unit_ids=["u-zjj"],
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 9, 30),
        milestones=[Milestone(milestone_id="m1", title="完成招标", due_on=date(2026, 4, 1))],
        acceptance_by=acceptance_by,
        version=1,
        changed_at=AT,
    )


def completed() -> ProjectCompleted:
    return ProjectCompleted(
        project_id=PROJECT, unit_id="u-zjj", acceptance_by="public", completed_at=AT
    )


async def deliver(api: Api, data: EventData, subject: str) -> None:
    await api.deliver(data, subject)


async def code_for(client: httpx.AsyncClient, runtime: Runtime, phone: str) -> str:
    """Ask for a code, and read it from the SMS queued in intake's store."""
    r = await client.post("/v1/support/code", json={"phone": phone})
    assert r.status_code == 202, r.text
    assert phone not in r.text
    async with runtime.sessions() as s:
        message = (
            await s.execute(
                select(notifications.c.message)
                .where(notifications.c.kind == "support_code")
                .order_by(notifications.c.id.desc())
                .limit(1)
            )
        ).scalar_one()
    assert message.startswith("【民意】您的验证码是 ") and "10 分钟内有效" in message
    found = re.search(r"\d{6}", message)
    assert found
    return found.group()


async def session_for(client: httpx.AsyncClient, runtime: Runtime, phone: str) -> dict[str, str]:
    code = await code_for(client, runtime, phone)
    r = await client.post("/v1/support/verify", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] == 1800 and phone not in r.text
    return {"X-Supporter-Token": r.json()["token"]}


async def support(
    client: httpx.AsyncClient, who: dict[str, str], kind: str = "appeal", target: str = APPEAL
) -> httpx.Response:
    return await client.post(
        "/v1/supports", json={"target_kind": kind, "target_id": target}, headers=who
    )


def events(outbox: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [e for e in outbox if e["type"] == type_]


async def test_a_citizen_supports_a_published_appeal_once(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    await deliver(api, appeal(), APPEAL)
    view = await api.client.get(f"/v1/support/targets/appeal/{APPEAL}")
    assert view.json() == {
        "kind": "appeal", "id": APPEAL, "title": "老旧小区路灯不亮",
        "supportable": True, "ratable": False, "supports": 0,
    }  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        me = await session_for(api.client, api.runtime, PHONE)
        first = await support(api.client, me)
    assert first.status_code == 201, first.text
    assert first.json()["message"] == "已附议，感谢您的支持" and first.json()["supports"] == 1
    again = await support(api.client, me)
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "already_supported"
    assert "您已附议过" in again.json()["detail"][0]["msg"]
    # The session also works as a bearer token (API clients).
    bearer = {"Authorization": f"Bearer {me['X-Supporter-Token']}"}
    assert (await support(api.client, bearer)).status_code == 409
    # Another person counts; the same person with a new session still does not.
    assert (
        await support(api.client, await session_for(api.client, api.runtime, OTHER))
    ).status_code == 201
    assert (await api.client.get(f"/v1/support/targets/appeal/{APPEAL}")).json()["supports"] == 2
    outbox = await api.outbox()
    [added, _] = events(outbox, "cn.minyi.support.added.v1")
    assert added["subject"] == APPEAL
    assert set(added["data"]) == {"support_id", "target_kind", "target_id", "supported_at"}
    assert added["data"]["support_id"] == first.json()["support_id"]
    # Neither the phone nor its index leaves intake; no log line names the phone.
    ref = api.runtime.deps.vault.blind_index(PHONE)
    assert all(PHONE not in e["raw"] and ref not in e["raw"] for e in outbox)
    assert PHONE not in caplog.text
    async with api.runtime.sessions() as s:
        stored = (await s.execute(select(supports))).all()
        codes = (await s.execute(select(support_codes))).all()
        queued = (await s.execute(select(notifications.c.phone_enc))).scalars().all()
    assert {r.citizen_ref for r in stored} == {ref, api.runtime.deps.vault.blind_index(OTHER)}
    assert all(PHONE not in str(tuple(r)) for r in [*stored, *codes])
    assert all(p and PHONE not in p for p in queued)


class Gateway:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, message: str) -> None:
        self.sent.append((phone, message))


async def test_the_queued_code_reaches_the_gateway_with_the_phone(api: Api) -> None:
    await code_for(api.client, api.runtime, PHONE)
    gateway = Gateway()
    units, vault = api.runtime.unit_of_work, api.runtime.deps.vault
    assert await deliver_due(units, vault, gateway, api.runtime.clock.now()) == 1
    [(phone, message)] = gateway.sent
    assert phone == PHONE and "验证码" in message


async def test_a_wrong_code_counts_and_five_wrong_tries_kill_the_code(api: Api) -> None:
    code = await code_for(api.client, api.runtime, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        r = await api.client.post("/v1/support/verify", json={"phone": PHONE, "code": wrong})
        assert r.status_code == 400 and f"还可再试 {left} 次" in r.json()["detail"][0]["msg"]
        assert r.json()["detail"][0]["loc"] == ["code"]
    r = await api.client.post("/v1/support/verify", json={"phone": PHONE, "code": wrong})
    assert r.status_code == 400 and "已失效" in r.json()["detail"][0]["msg"]
    late = await api.client.post("/v1/support/verify", json={"phone": PHONE, "code": code})
    assert late.status_code == 400 and "已失效" in late.json()["detail"][0]["msg"]


async def test_an_expired_code_is_refused(api: Api) -> None:
    code = await code_for(api.client, api.runtime, PHONE)
    async with api.runtime.sessions() as s, s.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        await s.execute(update(support_codes).values(expires_at=past))
    r = await api.client.post("/v1/support/verify", json={"phone": PHONE, "code": code})
    assert r.status_code == 400 and r.json()["detail"][0]["type"] == "code_invalid"


async def test_codes_are_limited_per_phone_and_per_client_address(api: Api) -> None:
    await code_for(api.client, api.runtime, PHONE)
    again = await api.client.post("/v1/support/code", json={"phone": PHONE})
    assert again.status_code == 429
    assert 55 <= int(again.headers["Retry-After"]) <= 60
    assert "获取验证码过于频繁" in again.json()["detail"][0]["msg"]
    # Other phones from the same address: the address's bucket (burst 5) runs out.
    statuses = [
        (await api.client.post("/v1/support/code", json={"phone": f"1390000000{i}"})).status_code
        for i in range(5)
    ]
    assert statuses[-1] == 429 and statuses.count(202) == 3
    r = await api.client.post("/v1/support/code", json={"phone": "13900000009"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "请求过于频繁" in r.json()["detail"][0]["msg"]


async def test_a_bad_phone_or_code_names_the_field(api: Api) -> None:
    r = await api.client.post("/v1/support/code", json={"phone": "12345"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "phone"
    r = await api.client.post("/v1/support/verify", json={"phone": PHONE, "code": "12ab56"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "code"


async def test_unknown_withdrawn_or_unsigned_support_is_refused(api: Api) -> None:
    await deliver(api, appeal(), APPEAL)
    anonymous = await support(api.client, {})
    assert anonymous.status_code == 401
    forged = await support(api.client, {"X-Supporter-Token": "not-a-session"})
    assert forged.status_code == 401
    me = await session_for(api.client, api.runtime, PHONE)
    unknown = await support(api.client, me, target="cluster-nobody")
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["loc"] == ["target_id"]
    await deliver(api, appeal(version=2, public=False), APPEAL)
    assert (await support(api.client, me)).status_code == 404
    assert (await api.client.get(f"/v1/support/targets/appeal/{APPEAL}")).status_code == 404
    # An older event arriving late does not publish it again.
    await deliver(api, appeal(version=1), APPEAL)
    assert (await support(api.client, me)).status_code == 404
    bad = await support(api.client, me, kind="cluster")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "target_kind"


async def test_a_project_is_rated_by_the_public_once_while_open(api: Api) -> None:
    await deliver(api, project(), PROJECT)
    me = await session_for(api.client, api.runtime, PHONE)
    assert (await support(api.client, me, "project", PROJECT)).status_code == 201
    body = {"project_id": PROJECT, "rating": "satisfied"}
    early = await api.client.post("/v1/project-ratings", json=body, headers=me)
    assert early.status_code == 409 and early.json()["detail"][0]["type"] == "not_ratable"
    await deliver(api, completed(), PROJECT)
    view = (await api.client.get(f"/v1/support/targets/project/{PROJECT}")).json()
    assert view["ratable"] is True and view["supports"] == 1
    rated = await api.client.post("/v1/project-ratings", json=body, headers=me)
    assert rated.status_code == 201, rated.text
    twice = await api.client.post(
        "/v1/project-ratings", json=body | {"rating": "unsatisfied"}, headers=me
    )
    assert twice.status_code == 409 and twice.json()["detail"][0]["type"] == "already_rated"
    [event] = events(await api.outbox(), "cn.minyi.project.rated.v1")
    assert event["data"]["rater_kind"] == "public" and event["data"]["rater_id"] is None
    assert event["data"]["rating"] == "satisfied"
    await deliver(
        api,
        ProjectAccepted(
            project_id=PROJECT, result="satisfied", satisfied=1, basically_satisfied=0,
            unsatisfied=0, rule="多数满意", accepted_at=AT,
        ),
        PROJECT,
    )  # fmt: skip
    other = await session_for(api.client, api.runtime, OTHER)
    closed = await api.client.post("/v1/project-ratings", json=body, headers=other)
    assert closed.status_code == 409 and closed.json()["detail"][0]["type"] == "not_ratable"


async def test_a_project_rated_by_its_inspectors_takes_no_public_rating(api: Api) -> None:
    await deliver(api, project(acceptance_by="inspectors"), PROJECT)
    await deliver(
        api,
        ProjectCompleted(
            project_id=PROJECT, unit_id="u-zjj", acceptance_by="inspectors", completed_at=AT
        ),
        PROJECT,
    )
    me = await session_for(api.client, api.runtime, PHONE)
    r = await api.client.post(
        "/v1/project-ratings", json={"project_id": PROJECT, "rating": "satisfied"}, headers=me
    )
    assert r.status_code == 409
    assert (await api.client.get(f"/v1/support/targets/project/{PROJECT}")).json()[
        "ratable"
    ] is False


async def test_completion_heard_before_the_registration_still_opens_the_vote(api: Api) -> None:
    await deliver(api, completed(), PROJECT)
    assert (await api.client.get(f"/v1/support/targets/project/{PROJECT}")).status_code == 404
    await deliver(api, project(), PROJECT)
    view = (await api.client.get(f"/v1/support/targets/project/{PROJECT}")).json()
    assert view["title"] == "城区路灯改造工程" and view["ratable"] is True


# The same flow on PostgreSQL (the upserts and the once-per-person constraint).


@pytest.fixture
def database_url(tmp_path: Path, store: str, request: pytest.FixtureRequest) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3"
        return
    with infra.postgres_databases(request.getfixturevalue("postgres_admin_url"), ["intake"]) as db:
        yield db["intake"]


@pytest.fixture
async def intake(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime, Any]]:
    settings = Settings(service="intake", data_dir=tmp_path, database_url=database_url)
    app = create_app(SERVICE, settings)
    runtime: Runtime = app.state.runtime
    await migrations.upgrade(runtime.engine, PACKAGE)
    try:
        async with TestNatsBroker(runtime.broker) as broker:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
                yield client, runtime, broker
    finally:
        await runtime.committer.stop()
        await runtime.engine.dispose()


async def test_support_and_rating_once_per_person_on_each_store(
    intake: tuple[httpx.AsyncClient, Runtime, Any],
) -> None:
    client, runtime, broker = intake
    for data, subject in ((appeal(), APPEAL), (project(), PROJECT), (completed(), PROJECT)):
        event = new_event(data, source="minyi/test", subject=subject)
        await broker.publish(
            event.model_dump_json().encode(), data.subject_name, stream=STREAM_NAME
        )
    me = await session_for(client, runtime, PHONE)
    assert (await support(client, me)).status_code == 201
    assert (await support(client, me)).status_code == 409
    assert (await support(client, me, "project", PROJECT)).status_code == 201
    body = {"project_id": PROJECT, "rating": "basically_satisfied"}
    assert (await client.post("/v1/project-ratings", json=body, headers=me)).status_code == 201
    assert (await client.post("/v1/project-ratings", json=body, headers=me)).status_code == 409
    view = (await client.get(f"/v1/support/targets/appeal/{APPEAL}")).json()
    assert view["supports"] == 1
    # The code's SMS (no suggestion behind it) is claimed and sent on this store too.
    gateway = Gateway()
    vault = runtime.deps.vault
    assert await deliver_due(runtime.unit_of_work, vault, gateway, runtime.clock.now()) == 1
    assert gateway.sent[0][0] == PHONE


async def test_the_support_page_is_static_with_a_strict_csp(api: Api) -> None:
    r = await api.client.get("/support")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert re.search(r"\s(?:on[a-z]+|style)=", r.text) is None
    assert "http://" not in r.text and "https://" not in r.text
    for name in ("support.js", "support.css"):
        asset = await api.client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert "innerHTML" not in asset.text.replace("never innerHTML", "")
        assert "http://" not in asset.text and "https://" not in asset.text


async def test_codes_past_every_window_are_purged_when_a_new_one_is_asked(api: Api) -> None:
    await code_for(api.client, api.runtime, PHONE)
    async with api.runtime.sessions() as s, s.begin():
        long_ago = datetime.now(UTC) - timedelta(hours=2)
        await s.execute(update(support_codes).values(created_at=long_ago))
    await code_for(api.client, api.runtime, OTHER)
    async with api.runtime.sessions() as s:
        refs = (await s.execute(select(support_codes.c.citizen_ref))).scalars().all()
    assert refs == [api.runtime.deps.vault.blind_index(OTHER)]


async def test_consent_is_stored_and_announced_on_each_store(
    intake: tuple[httpx.AsyncClient, Runtime, Any],
) -> None:
    client, runtime, _ = intake
    body = {
        "title": "泉口街道路灯不亮",
        "content": "泉口街道金泉路一段的路灯已经坏了两周。",
        "district_code": "420802",
        "channel": "web",
    }
    silent = (await client.post("/v1/suggestions", json=body)).json()["id"]
    agreed = (
        await client.post(
            "/v1/suggestions", json=body | {"title": "另一件", "publish_consent": True}
        )
    ).json()["id"]
    async with runtime.sessions() as s:
        stored = dict(
            (await s.execute(select(suggestions.c.id, suggestions.c.publish_consent))).all()
        )
        outbox = (await s.execute(select(runtime.outbox.c.payload))).scalars().all()
    assert stored == {silent: False, agreed: True}
    announced = {
        e["data"]["suggestion_id"]: (e["data"]["publish_consent"], e["data"]["township"])
        for e in map(json.loads, outbox)
        if e["type"] == "cn.minyi.suggestion.filed.v1"
    }
    assert announced == {silent: (False, "泉口街道"), agreed: (True, "泉口街道")}

"""交办 of a deputy's formal suggestion over a real nats-server: routing (its whole app, with
its lifespan: consumers, outbox relay) takes a SuggestionFiled with ``formal`` into the 交办
queue instead of assigning it; the office confirms the lead and co-units and
``AssignedToUnit`` reaches the stream with them; a unit's return puts it back in the queue
and the office's second confirmation is attempt 2."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext

from minyi.contracts.envelope import EventData, new_event
from minyi.contracts.formal import FormalDetails
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import AssignedToUnit
from minyi.contracts.subjects import STREAM_NAME
from minyi.contracts.supervision import AssignmentReturned
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.settings import Settings
from minyi.routing.bootstrap import SERVICE
from tests.support.infra import NatsServer

SID = "sug-formal-1"
DONGBAO = "420802"


def formal_filed() -> SuggestionFiled:
    return SuggestionFiled(
        suggestion_id=SID,
        title="关于加快城区老旧道路改造的建议",
        content="城区道路破损严重，雨天积水，群众出行不便。",
        channel="representative",
        district_code=DONGBAO,
        filed_at=datetime.now(UTC),
        kind="representative_suggestion",
        representative_id="REP-420802-009",
        formal=FormalDetails(
            number="2026-0123",
            lead_deputy_id="REP-420802-009",
            co_signer_ids=["REP-420802-010", "REP-420802-011"],
            session="in_session",
            reasons="道路改造关系群众出行安全。",
            measures="建议增设公交线路和公交站点，方便沿线居民出行。",
        ),
    )


async def publish(js: JetStreamContext, data: EventData) -> None:
    """As another service's relay would."""
    event = new_event(data, source="minyi/test", subject=SID)
    await js.publish(
        data.subject_name, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id}
    )


async def until(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 20) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
async def routing(nats_server: NatsServer, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = Settings(
        service="routing",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/routing.sqlite3",
        nats_url=nats_server.url,
    )
    app = create_app(SERVICE, settings)
    async with app.router.lifespan_context(app):
        yield app


def as_(app: FastAPI, role: Role) -> dict[str, str]:
    group = "g-dongbao" if role is Role.SUPERVISOR else None
    who = Principal(role, f"{role.value}:人大办", group=group, districts=frozenset({DONGBAO}))
    return bearer(app.state.runtime.keyring, who)


async def test_the_office_confirms_a_formal_suggestion_and_reassigns_it_after_a_return(
    routing: FastAPI, nats_server: NatsServer
) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    transport = httpx.ASGITransport(app=routing)
    office = httpx.AsyncClient(
        transport=transport, base_url="http://routing", headers=as_(routing, Role.ADMIN)
    )
    try:

        async def stream_ready() -> bool:
            try:
                await js.stream_info(STREAM_NAME)  # routing declared it when it connected
                return True
            except Exception:
                return False

        await until(stream_ready, "routing to declare the stream")
        assigned = await js.subscribe(AssignedToUnit.subject_name, ordered_consumer=True)
        await publish(js, formal_filed())

        async def queue() -> list[dict[str, Any]]:
            r = await office.get("/v1/formal-assignments")
            assert r.status_code == 200, r.text
            return list(r.json())

        [item] = await until(queue, "the formal suggestion in the 交办 queue")
        assert (item["number"], item["attempt"], item["history"]) == ("2026-0123", 1, [])
        assert item["signer_ids"] == ["REP-420802-009", "REP-420802-010", "REP-420802-011"]
        proposal = item["proposal"]
        assert proposal["unit_id"] and "建议由" in proposal["summary"]
        # Proposed, not assigned: nothing on the stream, and the decision shows no unit.
        with pytest.raises(nats.errors.TimeoutError):
            await assigned.next_msg(timeout=1)
        decision = (await office.get(f"/v1/assignments/{SID}")).json()
        assert (decision["status"], decision["unit_id"]) == ("proposed", None)

        # Supervisors may not; a bad choice is refused naming the field.
        supervisor = as_(routing, Role.SUPERVISOR)
        r = await office.post(
            f"/v1/formal-assignments/{SID}/confirm", json={"unit_id": "db-zjj"}, headers=supervisor
        )
        assert r.status_code == 403
        r = await office.post(
            f"/v1/formal-assignments/{SID}/confirm",
            json={"unit_id": "db-zjj", "co_unit_ids": ["db-jtysj", "db-zjj"]},
        )
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["co_unit_ids"], r.text
        r = await office.post(
            f"/v1/formal-assignments/{SID}/confirm",
            json={"unit_id": "db-zjj", "co_unit_ids": ["a", "b", "c", "d"]},
        )
        assert r.status_code == 422 and "co_unit_ids" in r.json()["detail"][0]["loc"], r.text

        r = await office.post(
            f"/v1/formal-assignments/{SID}/confirm",
            json={"unit_id": "db-zjj", "co_unit_ids": ["db-jtysj"], "by": "人大办张三"},
        )
        assert r.status_code == 200, r.text
        first = json.loads((await assigned.next_msg(timeout=20)).data)["data"]
        assert (first["unit_id"], first["attempt"], first["kind"]) == (
            "db-zjj",
            1,
            "representative_suggestion",
        )
        assert first["co_units"] == [{"unit_id": "db-jtysj", "unit_name": "东宝区交通运输局"}]
        assert first["number"] == "2026-0123"
        assert first["signer_ids"] == item["signer_ids"]
        assert first["title"] == "关于加快城区老旧道路改造的建议"
        assert first["content"] == formal_filed().content
        assert first["explanation"]["reason"] == "manual"
        assert "人大办张三" in first["explanation"]["summary"]
        assert await queue() == []
        again = await office.post(
            f"/v1/formal-assignments/{SID}/confirm", json={"unit_id": "db-zjj"}
        )
        assert again.status_code == 409, again.text

        # The lead returns it (交办有误): back in the queue, attempt 2, the reason shown.
        await publish(
            js,
            AssignmentReturned(
                suggestion_id=SID,
                unit_id="db-zjj",
                reason="属于市级事权",
                suggested_unit="jm-zjj",
                attempt=1,
                returned_at=datetime.now(UTC),
                case_id=f"{SID}:1",
                case_version=2,
            ),
        )
        [back] = await until(queue, "the returned suggestion back in the queue")
        assert back["attempt"] == 2
        assert back["proposal"]["unit_id"] == "jm-zjj"
        assert [k["unit_id"] for k in back["proposal"]["co_units"]] == ["db-jtysj"]
        [earlier] = back["history"]
        assert earlier["returned"]["reason"] == "属于市级事权"
        assert earlier["returned"]["suggested_unit_name"] == "荆门市住房和城乡建设局"

        r = await office.post(
            f"/v1/formal-assignments/{SID}/confirm",
            json={"unit_id": "jm-zjj", "co_unit_ids": ["db-jtysj", "jm-jtysj"]},
        )
        assert r.status_code == 200, r.text
        second = json.loads((await assigned.next_msg(timeout=20)).data)["data"]
        assert (second["unit_id"], second["attempt"]) == ("jm-zjj", 2)
        assert [c["unit_id"] for c in second["co_units"]] == ["db-jtysj", "jm-jtysj"]
    finally:
        await office.aclose()
        await nc.close()

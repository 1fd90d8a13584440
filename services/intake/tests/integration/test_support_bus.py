"""Citizens' support over the real bus: intake served with its lifespan on a real
nats-server. Supervision's RecurringAppealPublished on the stream makes the appeal
supportable; a citizen checked by a one-time code supports it, and SupportAdded reaches
the stream — naming neither the phone nor its index."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from minyi.contracts.projects import RecurringAppealPublished
from minyi.intake.bootstrap import SERVICE
from minyi.platform.app.assembly import create_app
from minyi.platform.settings import Settings
from services.intake.tests.integration.test_formal_bus import eventually, publish
from tests.support import bus
from tests.support.browser import served
from tests.support.infra import NatsServer

CLUSTER, PHONE = "cluster-bus-1", "13812345678"


@pytest.fixture
def intake(
    nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[httpx.Client, Path]]:
    monkeypatch.setenv("MINYI_INTAKE_API_KEYS", "test-api-key")
    monkeypatch.setenv("MINYI_INTAKE_CHAT_SECRET", "test-chat-secret")
    settings = Settings(
        service="intake",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3",
        nats_url=nats_server.url,
    )
    app = create_app(SERVICE, settings)
    with served(app, "intake", ready=True) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, tmp_path / "intake.sqlite3"


def _queued_code(store: Path) -> str:
    with closing(sqlite3.connect(store)) as db:
        row = db.execute(
            "SELECT message FROM notifications WHERE kind = 'support_code' ORDER BY id DESC"
        ).fetchone()
    found = re.search(r"\d{6}", row[0]) if row else None
    assert found
    return found.group()


def test_a_published_appeal_becomes_supportable_and_a_support_reaches_the_stream(
    intake: tuple[httpx.Client, Path], nats_server: NatsServer
) -> None:
    client, store = intake
    target = f"/v1/support/targets/appeal/{CLUSTER}"
    assert client.get(target).status_code == 404
    published = RecurringAppealPublished(
        cluster_id=CLUSTER,
        title="城区老旧小区路灯不亮",
        division_codes=["420802"],
        version=1,
        published_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )
    publish(nats_server.url, [(published, CLUSTER)])
    view: dict[str, Any] = eventually(
        lambda: client.get(target).json() if client.get(target).status_code == 200 else None,
        "the appeal in intake's support targets",
    )
    assert view["supportable"] is True and view["title"] == "城区老旧小区路灯不亮"

    assert client.post("/v1/support/code", json={"phone": PHONE}).status_code == 202
    verified = client.post("/v1/support/verify", json={"phone": PHONE, "code": _queued_code(store)})
    assert verified.status_code == 200, verified.text
    who = {"X-Supporter-Token": verified.json()["token"]}
    body = {"target_kind": "appeal", "target_id": CLUSTER}
    added = client.post("/v1/supports", json=body, headers=who)
    assert added.status_code == 201, added.text
    assert client.post("/v1/supports", json=body, headers=who).status_code == 409

    on_stream = eventually(
        lambda: bus.events_on(nats_server.url, "minyi.support.added"), "SupportAdded on the stream"
    )
    assert [
        (e["subject"], e["data"]["target_kind"], e["data"]["target_id"]) for e in on_stream
    ] == [(CLUSTER, "appeal", CLUSTER)]
    assert on_stream[0]["data"]["support_id"] == added.json()["support_id"]
    raw = str(bus.events_on(nats_server.url))
    assert PHONE not in raw

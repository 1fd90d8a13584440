from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from minyi.contracts.events import AssignedToUnit, SuggestionFiled
from minyi.routing.adapters.tables import assignments
from minyi.routing.bootstrap import SERVICE
from tests.support.harness import harness


def filed(
    sid: str = "s-1", title: str = "小区路灯坏了", district: str = "420802"
) -> SuggestionFiled:
    return SuggestionFiled(
        suggestion_id=sid,
        title=title,
        content=f"{title}，晚上出行很不方便。",
        channel="web",
        district_code=district,
        filed_at=datetime.now(UTC),
    )


async def test_a_filed_suggestion_is_assigned_to_the_districts_unit(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed())
        out = await h.outbox()
    assert [e["type"] for e in out] == [AssignedToUnit.event_type]
    data = AssignedToUnit.model_validate(out[0]["data"])
    assert data.unit_id == "db-zjj"
    assert data.category == "城乡建设"
    assert data.explanation.reason == "rule" and data.explanation.rule == "路灯"
    assert out[0]["subject"] == "s-1"


async def test_a_category_reserved_to_the_city_goes_to_the_city_unit(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title="举报村干部贪污扶贫款"))
        out = await h.outbox()
    assert AssignedToUnit.model_validate(out[0]["data"]).unit_id == "jm-jw"


async def test_a_redelivered_event_assigns_only_once(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        event = await h.deliver(filed())
        await h.deliver(filed(), event=event)
        out = await h.outbox()
        async with h.runtime.sessions() as s:
            count = (await s.execute(select(func.count()).select_from(assignments))).scalar_one()
    assert len(out) == 1
    assert count == 1

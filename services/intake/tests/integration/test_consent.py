"""Consent to show the text in public (同意公开) on every filing channel: no by default,
yes only when the citizen (or the deputy, for a formal suggestion) said so; and the
township the filing's words name travels with it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from minyi.contracts import tracking_code
from minyi.intake.adapters.tables import suggestions
from services.intake.tests.integration.conftest import Api
from services.intake.tests.integration.test_chat import answer, send
from services.intake.tests.integration.test_formal import CO1, CO2, LEAD, act, start
from services.intake.tests.integration.test_liaison import referred
from services.intake.tests.integration.test_open311 import create
from services.intake.tests.integration.test_rest import SUGGESTION, file


async def filed_event(api: Api, suggestion_id: str) -> dict[str, Any]:
    [event] = [
        e
        for e in await api.outbox()
        if e["type"] == "cn.minyi.suggestion.filed.v1"
        and e["data"]["suggestion_id"] == suggestion_id
    ]
    return dict(event["data"])


async def stored_consent(api: Api, suggestion_id: str) -> bool:
    async with api.runtime.sessions() as s:
        row = (
            await s.execute(
                select(suggestions.c.publish_consent).where(suggestions.c.id == suggestion_id)
            )
        ).one()
    return bool(row[0])


async def consent_of(api: Api, suggestion_id: str) -> bool:
    """The consent as stored and as announced: they must agree."""
    announced = (await filed_event(api, suggestion_id))["publish_consent"]
    assert announced == await stored_consent(api, suggestion_id)
    return bool(announced)


async def test_a_rest_filing_is_not_public_unless_the_citizen_agreed(api: Api) -> None:
    silent = await file(api)
    agreed = await file(api, SUGGESTION | {"title": "另一件事：路灯", "publish_consent": True})
    assert await consent_of(api, silent["id"]) is False
    assert await consent_of(api, agreed["id"]) is True


async def test_a_rest_filing_refuses_a_consent_that_is_not_a_boolean(api: Api) -> None:
    r = await api.client.post("/v1/suggestions", json=SUGGESTION | {"publish_consent": "也许"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "publish_consent"


async def test_the_township_named_in_the_text_is_filled_in_and_a_given_one_kept(api: Api) -> None:
    found = await file(api)  # "泉口街道金泉路…" in the content, no township field
    assert (await filed_event(api, found["id"]))["township"] == "泉口街道"
    given = await file(api, SUGGESTION | {"title": "另一件", "township": "龙泉街道"})
    assert (await filed_event(api, given["id"]))["township"] == "龙泉街道"
    # A township of another district is not taken for this one.
    elsewhere = SUGGESTION | {"title": "第三件", "district_code": "420804"}
    other = await file(api, elsewhere)
    assert (await filed_event(api, other["id"]))["township"] is None


async def test_open311_takes_consent_as_an_attribute_and_defaults_to_no(api: Api) -> None:
    silent = await create(api)
    agreed = await create(api, **{"attribute[publish_consent]": "true", "phone": "13912345678"})
    assert await consent_of(api, silent) is False
    assert await consent_of(api, agreed) is True
    assert (await filed_event(api, agreed))["township"] == "泉口街道"
    r = await api.client.post(
        "/open311/v2/requests.json",
        data={"api_key": "test-api-key", "service_code": "001", "address_string": "东宝区",
              "description": "路灯不亮已经两周。", "attribute[publish_consent]": "maybe"},
    )  # fmt: skip
    assert r.status_code == 400 and "publish_consent" in r.json()[0]["description"]


async def test_chat_records_consent_only_when_the_citizen_writes_the_words(api: Api) -> None:
    silent = answer(await send(api, "东宝区泉口街道金泉路路灯坏了两周", "m1", user="u-a"))
    agreed = answer(await send(api, "掇刀区白庙街道 垃圾清运不及时，同意公开", "m2", user="u-b"))
    assert "同意公开" in agreed["reply"] and "同意公开" not in silent["reply"].split("。")[0]
    ids = {}
    async with api.runtime.sessions() as s:
        for code in (silent["tracking_code"], agreed["tracking_code"]):
            normal = tracking_code.normalize(code)
            row = (
                await s.execute(
                    select(suggestions.c.id, suggestions.c.content).where(
                        suggestions.c.tracking_code == normal
                    )
                )
            ).one()
            ids[code] = row
    assert await consent_of(api, ids[silent["tracking_code"]].id) is False
    assert await consent_of(api, ids[agreed["tracking_code"]].id) is True
    assert "同意公开" not in ids[agreed["tracking_code"]].content


async def test_chat_asks_for_consent_with_the_district_and_takes_it_in_the_answer(
    api: Api,
) -> None:
    asked = answer(await send(api, "小区门口的路灯坏了两个星期了", "m3", user="u-c"))
    assert "请问您反映的问题在哪个区县" in asked["reply"] and "“同意公开”" in asked["reply"]
    filed = answer(await send(api, "东宝区泉口街道，同意公开", "m4", user="u-c"))
    normal = tracking_code.normalize(filed["tracking_code"])
    async with api.runtime.sessions() as s:
        sid = (
            await s.execute(select(suggestions.c.id).where(suggestions.c.tracking_code == normal))
        ).scalar_one()
    assert await consent_of(api, sid) is True


async def test_a_formal_suggestion_is_public_when_the_deputy_marked_it_publishable(
    api: Api,
) -> None:
    await api.register()
    for publishable in (True, False):
        made = await start(api, CO1, CO2, publishable=publishable, title=f"建议{publishable}")
        for co in (CO1, CO2):
            assert (await act(api, co, f"{made['id']}/confirm")).status_code == 200
        assert (await act(api, LEAD, f"{made['id']}/submit")).status_code == 200
        assert await consent_of(api, made["id"]) is publishable


async def test_a_referred_matter_keeps_the_consent_recorded_at_the_station(api: Api) -> None:
    silent = referred(tracking_code.new_tracking_code())
    agreed = referred(tracking_code.new_tracking_code(), publish_consent=True)
    for matter in (silent, agreed):
        await api.deliver(matter, subject=matter.suggestion_id)
    assert await consent_of(api, silent.suggestion_id) is False
    assert await consent_of(api, agreed.suggestion_id) is True
    assert (await filed_event(api, agreed.suggestion_id))["township"] == "泉口街道"
    assert uuid.UUID(agreed.suggestion_id)


async def test_the_web_form_offers_consent_unchecked(api: Api) -> None:
    page = (await api.client.get("/")).text
    [box] = re.findall(r"<input[^>]*publish_consent[^>]*>", page)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "同意公开我反映的内容（不含姓名、电话等个人信息）" in page
    js = (await api.client.get("/static/app.js")).text
    assert "publish_consent: f.publish_consent.checked" in js

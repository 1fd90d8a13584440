"""Chat webhook: signed messages, replays, district follow-up, tracking and rating."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from minyi.intake.domain.signature import sign
from services.intake.tests.integration.conftest import CHAT_SECRET, Api
from services.intake.tests.integration.test_rest import reply

URL = "/v1/channels/chat/webhook"


async def send(
    api: Api,
    text: str,
    message_id: str,
    user: str = "wx-user-1",
    *,
    at: int | None = None,
    secret: str = CHAT_SECRET,
) -> httpx.Response:
    body = json.dumps(
        {
            "message_id": message_id,
            "user_id": user,
            "text": text,
            "sent_at": "2026-03-01T09:00:00+08:00",
        },
        ensure_ascii=False,
    ).encode()
    ts = str(at if at is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Minyi-Timestamp": ts,
        "X-Minyi-Signature": sign(secret.encode(), ts, body),
    }
    return await api.client.post(URL, content=body, headers=headers)


def answer(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_message_naming_a_township_becomes_a_suggestion_in_its_district(api: Api) -> None:
    a = answer(await send(api, "泉口街道金泉路的路灯坏了两周了", "m1"))
    assert a["tracking_code"] and "已受理" in a["reply"] and "东宝区" in a["reply"]
    event = (await api.outbox())[-1]
    assert event["data"]["channel"] == "chat" and event["data"]["district_code"] == "420802"
    assert "wx-user-1" not in event["raw"]


async def test_without_a_district_the_bot_asks_and_remembers_the_message(api: Api) -> None:
    first = answer(await send(api, "小区门口的垃圾好几天没人清运了", "m1"))
    assert first["tracking_code"] is None and "哪个区县" in first["reply"]
    assert await api.outbox() == []
    second = answer(await send(api, "掇刀区", "m2"))
    assert second["tracking_code"]
    event = (await api.outbox())[-1]
    assert event["data"]["district_code"] == "420804"
    assert "垃圾好几天没人清运" in event["data"]["content"]


async def test_a_replayed_message_gets_the_same_reply_and_files_nothing_new(api: Api) -> None:
    first = answer(await send(api, "沙洋县后港镇自来水停水三天了", "m-same"))
    again = answer(await send(api, "沙洋县后港镇自来水停水三天了", "m-same"))
    assert again["reply"] == first["reply"] and again["replayed"] is True
    assert len(await api.outbox()) == 1


async def test_a_stale_or_forged_signature_is_refused_with_401(api: Api) -> None:
    stale = await send(api, "东宝区路灯坏了", "m1", at=int(time.time()) - 301)
    assert stale.status_code == 401 and "5 分钟" in stale.json()["detail"][0]["msg"]
    forged = await send(api, "东宝区路灯坏了", "m2", secret="wrong")
    assert forged.status_code == 401 and "签名不正确" in forged.json()["detail"][0]["msg"]
    unsigned = await api.client.post(URL, json={"message_id": "m3", "user_id": "u", "text": "x"})
    assert unsigned.status_code == 401


async def test_the_bot_answers_the_status_and_records_a_rating(api: Api) -> None:
    filed = answer(await send(api, "京山市新市街道道路坑洼不平", "m1"))
    code = filed["tracking_code"]
    status = answer(await send(api, f"查询 {code}", "m2"))
    assert "已受理" in status["reply"]
    early = answer(await send(api, f"评价 {code} 满意", "m3"))
    assert "尚未答复" in early["reply"]
    sid = (await api.outbox())[-1]["data"]["suggestion_id"]
    await reply(api, sid)
    assert "已答复" in answer(await send(api, f"查询 {code}", "m4"))["reply"]
    rated = answer(await send(api, f"评价 {code} 不满意 还是没修好", "m5"))
    assert "感谢您的评价" in rated["reply"]
    feedback = (await api.outbox())[-1]
    assert feedback["type"] == "cn.minyi.suggestion.feedback_received.v1"
    assert feedback["data"]["satisfied"] is False and feedback["data"]["comment"] == "还是没修好"
    assert "无效" in answer(await send(api, "查询 MY-1234", "m6"))["reply"]

"""Deputies' formal suggestions (issue 18) through the workbench API, in-process: co-units,
contact before reply, B's delivery item, signers' ratings, the extension the office
decides, the C review, key topics and their candidates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from minyi.contracts.formal import Rating, SignerRated
from minyi.contracts.intake import SuggestionEndorsed
from minyi.contracts.routing import SuggestionClustered

from .conftest import OTHER_UNIT, Bench

CO_UNIT = "czj"
SIGNERS = ["dep-lead", "dep-2"]
ANSWER = "经研究，老旧小区加装电梯已列入明年民生实事计划，将分批实施并给予财政补贴。"
CONTACT = {"contacted_on": "2025-09-30", "mode": "meeting", "note": "座谈沟通"}


async def assign_formal(bench: Bench, sid: str = "f-1", signers: list[str] = SIGNERS) -> None:
    await bench.assign(
        sid,
        kind="representative_suggestion",
        co_units={CO_UNIT: "市财政局"},
        number="2025-0123",
        signer_ids=signers,
        title="关于加快老旧小区加装电梯的建议",
        content="建议加大财政补贴力度，简化审批流程。",
    )


async def rate(bench: Bench, sid: str, deputy: str, result: Rating, round_: int) -> None:
    await bench.h.deliver(
        SignerRated(
            suggestion_id=sid,
            deputy_id=deputy,
            round=round_,
            contact="satisfied",
            attitude="satisfied",
            result=result,
            rated_at=bench.clock.now(),
        )
    )


def error(r: Any) -> tuple[int, str, list[Any]]:
    first = r.json()["detail"][0]
    return r.status_code, first["type"], first.get("loc", [])


async def test_a_co_unit_sees_the_suggestion_read_only_and_sends_its_views_once(
    bench: Bench,
) -> None:
    await assign_formal(bench)
    async with bench.client() as lead, bench.client(CO_UNIT) as co, bench.client(OTHER_UNIT) as x:
        mine = (await lead.get("/v1/cases")).json()["items"]
        theirs = (await co.get("/v1/cases")).json()["items"]
        only_lead = (await co.get("/v1/cases", params={"role": "lead"})).json()
        seen = (await co.get("/v1/cases/f-1")).json()
        sign = await co.post("/v1/cases/f-1/accept")
        sent = await co.post("/v1/cases/f-1/views", json={"views": "财政可安排专项补贴资金"})
        again = await co.post("/v1/cases/f-1/views", json={"views": "再次提交"})
        by_lead = await lead.post("/v1/cases/f-1/views", json={"views": "主办单位"})
        stranger = await x.get("/v1/cases/f-1")
    (item,) = mine
    assert item["role"] == "lead" and item["number"] == "2025-0123"
    assert item["title"] == "关于加快老旧小区加装电梯的建议" and item["views_by"] is None
    (co_item,) = theirs
    assert co_item["role"] == "co" and co_item["views_by"] is not None
    assert only_lead["total"] == 0
    assert seen["role"] == "co" and seen["content"] == "建议加大财政补贴力度，简化审批流程。"
    assert seen["formal"]["signer_ids"] == SIGNERS
    assert error(sign)[:2] == (403, "co_unit_read_only")
    assert sent.status_code == 200, sent.text
    (views,) = sent.json()["formal"]["co_units"]
    assert views["views"] == "财政可安排专项补贴资金" and views["on_time"] is True
    assert error(again)[:2] == (409, "views_submitted")
    assert error(by_lead)[:2] == (409, "not_co_unit")
    assert stranger.status_code == 404
    assert "co_views_submitted" in await bench.types()


async def test_reply_b_promises_a_delivery_item_and_the_ratings_rehandle_then_close(
    bench: Bench,
) -> None:
    await assign_formal(bench)
    b = {"outcome": "B", "reply": ANSWER}
    async with bench.client() as lead:
        early = await lead.post("/v1/cases/f-1/reply", json=b)
        bad_mode = await lead.post("/v1/cases/f-1/contacts", json={**CONTACT, "mode": "fax"})
        assert (await lead.post("/v1/cases/f-1/contacts", json=CONTACT)).status_code == 200
        no_date = await lead.post("/v1/cases/f-1/reply", json=b)
        past = await lead.post("/v1/cases/f-1/reply", json={**b, "delivery_by": "2025-09-30"})
        ok = await lead.post("/v1/cases/f-1/reply", json={**b, "delivery_by": "2025-12-31"})
        listed = (await lead.get("/v1/cases", params={"kind": "delivery"})).json()["items"]
    assert error(early)[:2] == (409, "contact_required")
    assert bad_mode.status_code == 422
    assert error(no_date) == (422, "delivery_by_required", ["delivery_by"])
    assert error(past)[:2] == (422, "delivery_by_not_future")
    assert ok.status_code == 200, ok.text
    assert ok.json()["formal"]["delivery"]["delivery_id"] == "f-1~B"
    (item,) = listed
    assert item["suggestion_id"] == "f-1~B" and item["delivery_of"] == "f-1"
    assert item["status"] == "accepted"
    events = await bench.events()
    resolved = next(e for e in events if e["type"].endswith(".resolved.v1"))
    assert resolved["data"]["delivery_by"] == "2025-12-31"
    promised = next(e for e in events if e["type"].endswith(".delivery_promised.v1"))
    assert promised["data"]["delivery_id"] == "f-1~B"

    # One signer not satisfied: the unit handles it again and answers a second time.
    await rate(bench, "f-1", "dep-lead", "satisfied", 1)
    await rate(bench, "f-1", "dep-2", "unsatisfied", 1)
    async with bench.client() as lead:
        reopened = (await lead.get("/v1/cases/f-1")).json()
        second = await lead.post("/v1/cases/f-1/reply", json={"outcome": "A", "reply": ANSWER})
    assert reopened["status"] == "reopened" and reopened["round"] == 2
    assert second.status_code == 200, second.text
    for deputy in SIGNERS:
        await rate(bench, "f-1", deputy, "satisfied", 2)
    # The promise is delivered (outcome A on the item), on time.
    bench.advance(days=30)
    async with bench.client() as lead:
        delivered = await lead.post(
            "/v1/cases/f-1~B/reply",
            json={"outcome": "A", "reply": "电梯加装补贴资金已拨付到位，首批十台已开工。"},
        )
        case = (await lead.get("/v1/cases/f-1")).json()
    assert delivered.status_code == 200, delivered.text
    assert case["status"] == "closed" and case["close_result"] == "satisfied"
    assert case["formal"]["delivery"]["status"] == "delivered_on_time"
    assert len(case["formal"]["ratings"]) == 4
    assert (await bench.types()).count("closed") == 1


async def test_the_office_decides_an_extension_request(bench: Bench) -> None:
    await assign_formal(bench)
    async with bench.client() as lead, bench.client(supervisor=True) as office:
        await lead.post("/v1/cases/f-1/accept")
        direct = await lead.post("/v1/cases/f-1/extend", json={"reason": "涉及面广"})
        too_late = await lead.post(
            "/v1/cases/f-1/extension-request", json={"reason": "涉及面广", "until": "2026-04-30"}
        )
        asked = await lead.post(
            "/v1/cases/f-1/extension-request", json={"reason": "涉及面广", "until": "2026-02-27"}
        )
        by_unit = await lead.post("/v1/cases/f-1/extension-decision", json={"approve": True})
        queue = (await office.get("/v1/supervision/extension-requests")).json()
        granted = await office.post(
            "/v1/cases/f-1/extension-decision", json={"approve": True, "note": "同意"}
        )
        after = (await office.get("/v1/supervision/extension-requests")).json()
    assert error(direct)[:2] == (409, "extension_needs_approval")
    assert error(too_late) == (422, "extension_too_long", ["until"])
    assert asked.status_code == 200, asked.text
    assert asked.json()["formal"]["extension_request"]["status"] == "pending"
    assert by_unit.status_code == 403
    assert [i["suggestion_id"] for i in queue["items"]] == ["f-1"]
    assert granted.status_code == 200, granted.text
    assert datetime.fromisoformat(granted.json()["reply_by"]) == datetime(
        2026, 2, 27, 15, 59, 59, tzinfo=UTC
    )
    assert after["total"] == 0
    assert {"extension_requested", "extended"} <= set(await bench.types())


async def test_the_supervision_group_reviews_a_c_answer(bench: Bench) -> None:
    await assign_formal(bench)
    async with bench.client() as lead, bench.client(supervisor=True, group="g1") as group:
        await lead.post("/v1/cases/f-1/contacts", json=CONTACT)
        await lead.post(
            "/v1/cases/f-1/reply", json={"outcome": "C", "reply": ANSWER, "reason": "财力所限"}
        )
        queue = (await group.get("/v1/supervision/reviews")).json()
        by_unit = await lead.post("/v1/cases/f-1/review", json={"verdict": "upheld"})
        sent_back = await group.post(
            "/v1/cases/f-1/review", json={"verdict": "rehandle", "note": "可分步实施"}
        )
        after = (await group.get("/v1/supervision/reviews")).json()
    assert [i["suggestion_id"] for i in queue["items"]] == ["f-1"]
    assert by_unit.status_code == 403
    assert sent_back.status_code == 200, sent_back.text
    body = sent_back.json()
    assert body["status"] == "reopened" and body["formal"]["review"]["reviewer"] == "sup:g1"
    assert after["total"] == 0
    assert {"answer_reviewed", "reopened"} <= set(await bench.types())


async def test_key_topics_link_suggestions_and_propose_candidates(bench: Bench) -> None:
    await assign_formal(bench)
    await assign_formal(bench, "f-2")
    for size in (2, 5, 3):  # out of order: the size only grows
        await bench.h.deliver(
            SuggestionClustered(
                suggestion_id=f"a-{size}",
                cluster_id="cl-1",
                size=size,
                representative_title="小区电梯故障频发",
                district_code="420802",
            )
        )
    for deputy in ("d1", "d2", "d3"):
        await bench.h.deliver(
            SuggestionEndorsed(
                suggestion_id="f-2",
                representative_id=deputy,
                mode="endorse",
                endorsed_at=bench.clock.now(),
            )
        )
    topic = {"title": "老旧小区改造", "year": 2025, "lead_id": "g1", "lead_name": "第一督导组"}
    async with (
        bench.client(supervisor=True) as office,
        bench.client(supervisor=True, group="g1") as group,
    ):
        refused = await group.post("/v1/topics", json=topic)
        opened = await office.post("/v1/topics", json=topic)
        tid = opened.json()["topic_id"]
        linked = await office.post(f"/v1/topics/{tid}/links", json={"suggestion_id": "f-1"})
        missing = await office.post(f"/v1/topics/{tid}/links", json={"suggestion_id": "nope"})
        listed = (await group.get("/v1/topics")).json()["items"]
        shown = (await group.get(f"/v1/topics/{tid}")).json()
        candidates = (await group.get("/v1/topics/candidates")).json()["items"]
        unlinked = await office.delete(f"/v1/topics/{tid}/links/f-1")
        case = (await office.get("/v1/cases/f-1")).json()
    assert refused.status_code == 403
    assert opened.status_code == 201, opened.text
    assert linked.status_code == 200, linked.text
    assert missing.status_code == 404
    assert listed[0]["linked"] == 1
    (state,) = shown["suggestions"]
    assert state["number"] == "2025-0123" and state["status"] == "assigned"
    assert [(c["source"], c["size"]) for c in candidates] == [("cluster", 5), ("endorsed", 3)]
    assert candidates[1]["title"] == "关于加快老旧小区加装电梯的建议" and candidates[0]["why"]
    assert unlinked.json()["suggestions"] == []
    assert case["key_case"] is True and case["formal"]["topic_ids"] == []
    types = await bench.types()
    assert types.count("linked") == 2 and "opened" in types and "key_case_marked" in types

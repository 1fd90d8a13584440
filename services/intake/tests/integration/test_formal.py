"""Deputies' formal suggestions (代表建议) through intake's API on a real SQLite store with
the TestNatsBroker: a lead and two co-signers, the yearly number (also for submits at
once), the filing's event, every answer round for every signer, and their ratings."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from minyi.contracts.liaison import DeputyEnded
from minyi.contracts.supervision import CaseClosed, Resolved
from minyi.platform.auth import Role
from services.intake.tests.integration.conftest import Api
from services.intake.tests.integration.test_rest import SUGGESTION, file

LEAD, CO1, CO2, OTHER = "REP-420802-001", "REP-420802-002", "REP-420802-003", "REP-420802-009"
ENDED = "REP-420802-010"
PATH = "/v1/formal-suggestions"
DRAFT = {
    "title": "关于加快金泉路综合改造的建议",
    "content": "金泉路路面破损、排水不畅，雨季积水严重，影响沿线居民出行。",
    "reasons": "沿线三个社区两万余居民出行受影响。",
    "measures": "纳入2026年城建计划，分段施工。",
    "session": "in_session",
    "publishable": True,
}


def deputy(api: Api, deputy_id: str) -> dict[str, str]:
    return api.as_(Role.REPRESENTATIVE, representative=deputy_id)


async def start(api: Api, *co: str, **changes: Any) -> dict[str, Any]:
    body = DRAFT | {"co_signer_ids": list(co)} | changes
    r = await api.client.post(PATH, json=body, headers=deputy(api, LEAD))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def act(api: Api, who: str, path: str, method: str = "POST") -> Any:
    return await api.client.request(method, f"{PATH}/{path}", headers=deputy(api, who))


async def filed_and_confirmed(api: Api) -> dict[str, Any]:
    made = await start(api, CO1, CO2)
    for co in (CO1, CO2):
        assert (await act(api, co, f"{made['id']}/confirm")).status_code == 200
    r = await act(api, LEAD, f"{made['id']}/submit")
    assert r.status_code == 200, r.text
    return dict(r.json())


def resolved(suggestion_id: str, round_: int, outcome: Any = "B") -> Resolved:
    return Resolved(
        suggestion_id=suggestion_id,
        unit_id="u-zjj",
        outcome=outcome,
        reply=f"第{round_}轮答复：已列入计划。",
        measures="分两期实施",
        replied_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC),
        on_time=True,
        round=round_,
        delivery_by=date(2026, 10, 31),
    )


RATING = {"contact": "satisfied", "attitude": "satisfied", "result": "unsatisfied",
          "comment": "进度偏慢"}  # fmt: skip


async def test_a_lead_and_two_co_signers_file_and_the_event_carries_the_formal_details(
    api: Api,
) -> None:
    await api.register()
    made = await start(api, CO1, CO2)
    assert made["state"] == "draft" and made["number"] is None
    assert [(s["deputy_id"], s["state"]) for s in made["signers"]] == [
        (LEAD, "confirmed"), (CO1, "pending"), (CO2, "pending")
    ]  # fmt: skip
    # The co-signer sees the invitation; the lead cannot submit before both confirmed.
    mine = (await api.client.get(PATH, headers=deputy(api, CO1))).json()
    assert [(m["id"], m["awaiting_me"]) for m in mine] == [(made["id"], True)]
    refused = await act(api, LEAD, f"{made['id']}/submit")
    assert refused.status_code == 409 and CO1 in refused.text
    await act(api, CO1, f"{made['id']}/confirm")
    await act(api, CO2, f"{made['id']}/confirm")
    submitted = (await act(api, LEAD, f"{made['id']}/submit")).json()
    assert submitted["number"].endswith("-0001")
    assert submitted["state"] == "submitted" and submitted["status"] == "filed"

    filed = [e for e in await api.outbox() if e["type"] == "cn.minyi.suggestion.filed.v1"]
    assert len(filed) == 1 and filed[0]["subject"] == made["id"]
    data = filed[0]["data"]
    assert data["kind"] == "representative_suggestion" and data["representative_id"] == LEAD
    assert data["formal"] == {
        "number": submitted["number"],
        "lead_deputy_id": LEAD,
        "co_signer_ids": [CO1, CO2],
        "session": "in_session",
        "publishable": True,
        "reasons": DRAFT["reasons"],
        "measures": DRAFT["measures"],
        "converted_from": None,
    }


async def test_unknown_or_ended_co_signers_and_other_deputies_actions_are_refused(
    api: Api,
) -> None:
    await api.register()
    r = await api.client.post(
        PATH, json=DRAFT | {"co_signer_ids": [CO1, "REP-NOBODY"]}, headers=deputy(api, LEAD)
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "co_signer_ids" and "REP-NOBODY" in r.text
    ended = DeputyEnded(deputy_id=ENDED, ended_on=date(2026, 2, 1), version=2,
                        changed_at=datetime(2026, 2, 1, tzinfo=UTC))  # fmt: skip
    await api.deliver(ended, ENDED)
    r = await api.client.post(
        PATH, json=DRAFT | {"co_signer_ids": [ENDED]}, headers=deputy(api, LEAD)
    )
    assert r.status_code == 422 and ENDED in r.text
    made = await start(api, CO1, CO2)
    assert (await act(api, OTHER, f"{made['id']}/confirm")).status_code == 403
    assert (await act(api, OTHER, made["id"], "GET")).status_code == 404  # not theirs
    # CO2 declines; only the lead removes a co-signer; then the lead submits with CO1.
    await act(api, CO1, f"{made['id']}/confirm")
    assert (await act(api, CO2, f"{made['id']}/decline")).json()["my_state"] == "declined"
    assert (await act(api, CO1, f"{made['id']}/co-signers/{CO2}", "DELETE")).status_code == 403
    removed = await act(api, LEAD, f"{made['id']}/co-signers/{CO2}", "DELETE")
    assert [s["deputy_id"] for s in removed.json()["signers"]] == [LEAD, CO1]
    submitted = (await act(api, LEAD, f"{made['id']}/submit")).json()
    assert submitted["state"] == "submitted"
    assert (await api.client.get(PATH, headers=deputy(api, CO2))).json() == []


async def test_numbers_are_unique_and_without_gaps_when_submitted_at_once(api: Api) -> None:
    await api.register()
    drafts = [await start(api) for _ in range(6)]
    answers = await asyncio.gather(*(act(api, LEAD, f"{d['id']}/submit") for d in drafts))
    numbers = sorted(r.json()["number"] for r in answers)
    year = numbers[0].split("-")[0]
    assert numbers == [f"{year}-{i:04d}" for i in range(1, 7)]


async def test_converting_a_citizen_suggestion_prefills_the_draft(api: Api) -> None:
    await api.register()
    citizen = await file(api)
    made = await start(api, converted_from=citizen["id"], title=None, content=None)
    assert made["converted_from"] == citizen["id"]
    assert (made["title"], made["content"]) == (SUGGESTION["title"], SUGGESTION["content"])
    bad = await api.client.post(
        PATH, json=DRAFT | {"converted_from": "no-such"}, headers=deputy(api, LEAD)
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "converted_from"
    # The endorsement of mode convert still works beside it.
    r = await api.client.post(
        f"/v1/suggestions/{citizen['id']}/endorsements",
        json={"representative_id": LEAD, "mode": "convert"},
        headers=deputy(api, LEAD),
    )
    assert r.status_code == 201


async def test_every_signer_sees_each_answer_round_and_rates_it_once_until_closed(
    api: Api,
) -> None:
    await api.register()
    s = await filed_and_confirmed(api)
    sid = s["id"]
    early = await api.client.post(f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, CO1))
    assert early.status_code == 409  # no answer yet
    await api.deliver(resolved(sid, 1), sid)
    for signer in (LEAD, CO1, CO2):
        seen = (await act(api, signer, sid, "GET")).json()
        assert [(a["round"], a["outcome"], a["delivery_by"]) for a in seen["answers"]] == [
            (1, "B", "2026-10-31")
        ]
        assert seen["can_rate"] == [1]
    r = await api.client.post(f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, CO1))
    assert r.status_code == 201 and r.json()["round"] == 1
    again = await api.client.post(f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, CO1))
    assert again.status_code == 409
    outsider = await api.client.post(
        f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, OTHER)
    )
    assert outsider.status_code == 403
    rated = [e for e in await api.outbox() if e["type"] == "cn.minyi.suggestion.signer_rated.v1"]
    assert [(e["subject"], e["data"]["deputy_id"], e["data"]["result"]) for e in rated] == [
        (sid, CO1, "unsatisfied")
    ]
    # A second answer round is rated again; after the close nothing more is taken.
    await api.deliver(resolved(sid, 2, "A"), sid)
    r2 = await api.client.post(f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, CO1))
    assert r2.json()["round"] == 2
    closed = CaseClosed(
        suggestion_id=sid, unit_id="u-zjj", result="satisfied",
        closed_at=datetime(2026, 6, 1, tzinfo=UTC), case_id=f"{sid}:1", case_version=9,
    )  # fmt: skip
    await api.deliver(closed, sid)
    late = await api.client.post(f"{PATH}/{sid}/ratings", json=RATING, headers=deputy(api, LEAD))
    assert late.status_code == 409
    seen = (await act(api, LEAD, sid, "GET")).json()
    assert seen["closed"] is True and len(seen["ratings"]) == 2

"""A deputies' formal suggestion (代表建议) the whole way, over the real bus and real HTTP,
as its users would take it (issue 18's "done when"):

a deputy and two co-signers file (intake) → the office confirms a lead and a co-unit
(routing's 交办 queue) → the co-unit sends its views, the lead records its contact with the
deputies and answers B with a delivery date (supervision) → every signer rates; one is
不满意 → the lead handles it again and answers a second time → all satisfied, closed → the
B is delivered → reporting's year figures and the XLSX handling table show every step.

The workbench and office pages drive the same endpoints in their own browser tests
(services/*/tests/browser); here each step is the API call those pages make.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.system import WITH_LIAISON, System, eventually

pytestmark = pytest.mark.e2e

LEAD, CO1, CO2 = "REP-420802-001", "REP-420802-002", "REP-420802-003"
LEAD_UNIT, CO_UNIT = "jm-zjj", "jm-zrzyj"
CITY = ZoneInfo("Asia/Shanghai")
REPLY_B = (
    "该路段改造已列入本年度城建计划，我局已会同自然资源和规划局完成选线，"
    "预计年底前完工，届时将同步增设人行道和路灯。"
)
REPLY_B2 = (
    "经再次研究并与代表面商，我局将施工提前到下月开工，分两段实施，"
    "人行道先行完工，路灯随第二段同步安装，进度每月向代表通报。"
)


class Staff:
    """Bearer headers per person, as each one's page would send them."""

    def __init__(self, system: System) -> None:
        self.system = system

    def _h(self, principal: Principal) -> dict[str, str]:
        return local_bearer(self.system.data_dir, principal, ttl_seconds=600)

    def deputy(self, rep: str) -> dict[str, str]:
        return self._h(Principal(Role.REPRESENTATIVE, f"representative:{rep}", representative=rep))

    def unit(self, unit: str) -> dict[str, str]:
        return self._h(Principal(Role.UNIT_STAFF, f"unit_staff:{unit}", unit=unit))

    @property
    def office(self) -> dict[str, str]:
        return self._h(Principal(Role.ADMIN, "admin:office"))


def call(
    system: System, method: str, service: str, path: str, headers: dict[str, str], **kw: Any
) -> httpx.Response:
    return httpx.request(method, system.url(service, path), headers=headers, timeout=10, **kw)


def ok(r: httpx.Response, *codes: int) -> dict[str, Any]:
    assert r.status_code in (codes or (200, 201)), (r.status_code, r.text)
    return dict(r.json())


def test_a_formal_suggestion_from_filing_to_delivery_shows_in_reporting_and_the_export(
    system_factory: type[System],
) -> None:
    # Liaison too: its registry (the demo deputies) reaches intake as events.
    system = system_factory(names=WITH_LIAISON)  # type: ignore[call-arg]
    system.start()
    staff = Staff(system)
    lead_unit, co_unit = staff.unit(LEAD_UNIT), staff.unit(CO_UNIT)

    # -- filing: a lead and two co-signers (联名), each confirming with their own token ----
    def draft() -> dict[str, Any] | None:
        r = call(
            system,
            "POST",
            "intake",
            "/v1/formal-suggestions",
            staff.deputy(LEAD),
            json={
                "co_signer_ids": [CO1, CO2],
                "title": "关于金泉路南段增设人行道和路灯的建议",
                "content": "金泉路南段无人行道、夜间无照明，沿线学校和小区居民出行安全隐患大。",
                "reasons": "近一年该路段发生多起行人剐蹭事故，群众多次反映。",
                "measures": "建议年内完成人行道铺设和路灯安装，并设置学校路段限速标志。",
                "session": "in_session",
                "publishable": True,
                "district_code": "420802",
            },
        )
        # The registry replica fills from liaison's events just after start.
        return r.json() if r.status_code == 201 else None

    created = eventually(draft, timeout=30, what="intake knows the co-signers")
    sid = created["id"]
    refused = call(
        system, "POST", "intake", f"/v1/formal-suggestions/{sid}/submit", staff.deputy(LEAD)
    )
    assert refused.status_code == 409, refused.text  # the co-signers have not confirmed
    for co in (CO1, CO2):
        ok(
            call(
                system, "POST", "intake", f"/v1/formal-suggestions/{sid}/confirm", staff.deputy(co)
            )
        )
    submitted = ok(
        call(system, "POST", "intake", f"/v1/formal-suggestions/{sid}/submit", staff.deputy(LEAD))
    )
    number = submitted["number"]
    year = datetime.now(CITY).year  # numbered by the Beijing year of the submission
    assert number == f"{year}-0001", number

    # -- 交办: routing proposes, the office confirms a lead and a co-unit -----------------
    def queued() -> dict[str, Any] | None:
        r = call(system, "GET", "routing", "/v1/formal-assignments", staff.office)
        items = [i for i in r.json() if i["suggestion_id"] == sid] if r.is_success else []
        return items[0] if items else None

    item = eventually(queued, timeout=30, what="the suggestion in the office's 交办 queue")
    assert item["number"] == number and item["proposal"]["unit_id"]
    ok(
        call(
            system,
            "POST",
            "routing",
            f"/v1/formal-assignments/{sid}/confirm",
            staff.office,
            json={"unit_id": LEAD_UNIT, "co_unit_ids": [CO_UNIT], "note": "市住建局主办"},
        )
    )

    # -- handling: the co-unit's views, the lead's contact, a B answer ------------------
    def case_for(headers: dict[str, str]) -> dict[str, Any] | None:
        r = call(system, "GET", "supervision", f"/v1/cases/{sid}", headers)
        return r.json() if r.status_code == 200 else None

    case = eventually(lambda: case_for(lead_unit), timeout=30, what="the lead unit's case")
    assert case["formal"]["number"] == number
    assert case["formal"]["signer_ids"] == [LEAD, CO1, CO2]
    listed = ok(call(system, "GET", "supervision", "/v1/cases", co_unit))["items"]
    assert [(i["suggestion_id"], i["role"]) for i in listed] == [(sid, "co")]
    ok(
        call(
            system,
            "POST",
            "supervision",
            f"/v1/cases/{sid}/views",
            co_unit,
            json={"views": "我局同意在现有道路红线内增设人行道，用地手续由我局协助办理。"},
        )
    )
    ok(call(system, "POST", "supervision", f"/v1/cases/{sid}/accept", lead_unit))
    reply = {
        "outcome": "B",
        "reply": REPLY_B,
        "delivery_by": str(date.today() + timedelta(days=40)),
    }
    early = call(system, "POST", "supervision", f"/v1/cases/{sid}/reply", lead_unit, json=reply)
    assert early.status_code == 409 and "contact_required" in early.text, early.text
    ok(
        call(
            system,
            "POST",
            "supervision",
            f"/v1/cases/{sid}/contacts",
            lead_unit,
            json={"contacted_on": str(date.today()), "mode": "meeting", "note": "现场座谈"},
        )
    )
    ok(call(system, "POST", "supervision", f"/v1/cases/{sid}/reply", lead_unit, json=reply))

    # -- every signer sees the answer and rates it; one is not satisfied ------------------
    def answered(rep: str, round_: int) -> dict[str, Any] | None:
        r = call(system, "GET", "intake", f"/v1/formal-suggestions/{sid}", staff.deputy(rep))
        body = r.json() if r.status_code == 200 else {}
        return body if len(body.get("answers") or []) >= round_ else None

    satisfied = {"contact": "satisfied", "attitude": "satisfied", "result": "satisfied"}
    for rep in (LEAD, CO1, CO2):
        seen = eventually(lambda rep=rep: answered(rep, 1), timeout=30, what=f"{rep} sees it")
        assert seen["answers"][0]["outcome"] == "B"
        rating = {**satisfied, "round": 1}
        if rep == CO2:
            rating["result"] = "unsatisfied"
        ok(
            call(
                system,
                "POST",
                "intake",
                f"/v1/formal-suggestions/{sid}/ratings",
                staff.deputy(rep),
                json=rating,
            )
        )

    # -- any 不满意 → one re-handling and a second answer -------------------------------
    reopened = eventually(
        lambda: (c := case_for(lead_unit)) and c["round"] == 2 and c["status"] != "replied" and c,
        timeout=30,
        what="the case reopened for re-handling",
    )
    assert reopened["status"] in ("accepted", "reopened", "assigned"), reopened["status"]
    second = {
        "outcome": "B",
        "reply": REPLY_B2,
        "delivery_by": str(date.today() + timedelta(days=30)),
    }
    ok(call(system, "POST", "supervision", f"/v1/cases/{sid}/reply", lead_unit, json=second))
    for rep in (LEAD, CO1, CO2):
        eventually(lambda rep=rep: answered(rep, 2), timeout=30, what=f"{rep} sees round 2")
        ok(
            call(
                system,
                "POST",
                "intake",
                f"/v1/formal-suggestions/{sid}/ratings",
                staff.deputy(rep),
                json={**satisfied, "round": 2},
            )
        )
    closed = eventually(
        lambda: (c := case_for(lead_unit)) and c["status"] == "closed" and c,
        timeout=30,
        what="closed once every signer rated the second answer",
    )
    assert closed["close_result"] == "satisfied"

    # -- the B is delivered: the unit reports it on its delivery item --------------------
    delivery = closed["formal"]["delivery"]
    assert delivery is not None and delivery["status"] == "pending", delivery
    did = delivery["delivery_id"]
    # One promise: the second B moved the item to its own date (no stale first promise).
    items = ok(call(system, "GET", "supervision", "/v1/cases", lead_unit))["items"]
    assert [i["suggestion_id"] for i in items if i["delivery_of"] == sid] == [did]
    item = ok(call(system, "GET", "supervision", f"/v1/cases/{did}", lead_unit))
    assert item["reply_by"][:10] == second["delivery_by"], item["reply_by"]
    ok(
        call(
            system,
            "POST",
            "supervision",
            f"/v1/cases/{did}/reply",
            lead_unit,
            json={
                "outcome": "A",
                "reply": "人行道和路灯已全部完工并投入使用，已邀请代表现场查看验收。",
            },
        )
    )

    # -- reporting: the year's figures and the office's handling table -------------------

    def figures() -> dict[str, Any] | None:
        r = call(system, "GET", "reporting", f"/v1/formal-suggestions/year/{year}", staff.office)
        body = r.json() if r.status_code == 200 else None
        return body if body and body["totals"]["delivery"]["delivered"] else None

    report = eventually(figures, timeout=30, what="reporting counts the delivery")
    totals = report["totals"]
    assert (totals["filed"], totals["assigned"], totals["answered"], totals["rehandled"]) == (
        1,
        1,
        1,
        1,
    )
    assert totals["outcomes"]["B"] == 1 and totals["closed"] == 1
    assert totals["ratings"]["overall"]["satisfied"] == 3  # each signer's latest rating
    assert totals["delivery"]["delivered_on_time"] == 1
    [unit] = [u for u in report["by_unit"] if u["unit_id"] == LEAD_UNIT]
    assert unit["answered"] == 1
    assert {d["deputy_id"]: (d["led"], d["co_signed"]) for d in report["by_deputy"]} == {
        LEAD: (1, 0),
        CO1: (0, 1),
        CO2: (0, 1),
    }
    xlsx = call(
        system, "GET", "reporting", f"/v1/formal-suggestions/year/{year}.xlsx", staff.office
    )
    assert xlsx.status_code == 200, xlsx.text
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    for text in (number, "市住房和城乡建设局", "自然资源和规划局"):
        assert text in strings, text

"""Issue 17's visit, the whole way over real processes and a real nats-server: the office
plans an official's visit, a citizen asks, the station publishes the question and records
the visit with a commitment and the question left unanswered; supervision opens both as
cases in the unit's workbench; the unit answers the question on time and the commitment
after its promised day, and the visit's public page shows the promise kept late, as does
the unit's scorecard in reporting; the deputy who attended finds the visit in their
performance file, disputes it, and once the office accepts, the score drops."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.clock import write_clock_file
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

BEIJING = ZoneInfo("Asia/Shanghai")
STATION = "ST-420802-05"  # 东宝区泉口街道代表联络站 (demo registry)
DEPUTY = "REP-420802-009"  # one of its deputies (demo registry)
UNIT = "db-zjj"  # 东宝区住建局
QUESTION = "老旧小区加装电梯的补贴何时到位？"
PRIVATE = "我叫张三，电话13900001111，想问问拆迁的事"
PROMISE = "一个月内完成金泉路破损路面修补并恢复通行"
REPLY = {"outcome": "A", "reply": "金泉路破损路面已完成修补，道路恢复通行，后续纳入日常养护巡查。"}
WRITTEN = {"outcome": "B", "reply": "加装电梯补贴已列入明年第一季度发放计划，届时在社区公示。"}


def _move(clock: Path, to: datetime) -> None:
    write_clock_file(clock, to, 1.0, time.time())
    time.sleep(0.3)  # every process re-reads the clock file within 100 ms


def _ok(r: httpx.Response) -> dict[str, Any]:
    assert r.is_success, r.text
    result: dict[str, Any] = r.json()
    return result


def _cases(system: System, unit: dict[str, str], kind: str) -> list[dict[str, Any]] | None:
    r = httpx.get(
        system.url("supervision", "/v1/cases"), params={"kind": kind}, headers=unit, timeout=5
    )
    items = r.json()["items"] if r.status_code == 200 else []
    return list(items) or None


def test_a_commitment_made_at_a_visit_is_followed_by_supervision_and_shown_kept_late(
    system_factory: type[System], store: str, tmp_path: Path
) -> None:
    clock = tmp_path / "clock.json"
    now = datetime.now(UTC)
    write_clock_file(clock, now, 1.0, time.time())
    system = system_factory(
        store,
        names=("supervision", "liaison", "reporting"),
        extra_env={"MINYI_CLOCK_FILE": str(clock)},
    )
    system.start()
    staff = local_bearer(
        system.data_dir, Principal(Role.STATION_STAFF, "staff:e2e", station=STATION)
    )
    unit = local_bearer(system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{UNIT}", unit=UNIT))
    liaison = httpx.Client(base_url=system["liaison"].url, timeout=10)
    supervision = httpx.Client(base_url=system["supervision"].url, timeout=10)

    day = (now.astimezone(BEIJING) + timedelta(days=3)).date()
    visit = _ok(
        liaison.post(
            "/v1/visits",
            json={"station_id": STATION, "official_name": "刘建国", "official_post": "局长",
                  "unit_id": UNIT, "date": day.isoformat(), "start": "09:00", "end": "11:30",
                  "theme": "老旧小区改造"},
            headers=system.admin,
        )
    )  # fmt: skip
    vid = visit["id"]
    asked = _ok(liaison.post(f"/v1/visits/{vid}/questions", json={"text": QUESTION}))
    private = _ok(liaison.post(f"/v1/visits/{vid}/questions", json={"text": PRIVATE}))
    _ok(liaison.post(f"/v1/visits/{vid}/questions/{asked['id']}/publish", headers=staff))
    _ok(
        liaison.post(
            f"/v1/visits/{vid}/questions/{private['id']}/reject",
            json={"reason": "含个人信息"},
            headers=staff,
        )
    )

    # The visit's day: staff record it, the question left for a written answer.
    _move(clock, datetime.combine(day, dtime(12), tzinfo=BEIJING))
    due_on = day + timedelta(days=7)
    held = _ok(
        liaison.post(
            f"/v1/visits/{vid}/held",
            json={"deputy_ids": [DEPUTY], "citizens": 30, "answers": [],
                  "commitments": [{"text": PROMISE, "unit_id": UNIT, "due_on": due_on.isoformat()}]},
            headers=staff,
        )
    )  # fmt: skip
    commitment_id = held["commitments"][0]["id"]

    # Supervision opens both in the unit's workbench.
    (case,) = eventually(lambda: _cases(system, unit, "commitment"), what="commitment case")
    assert case["suggestion_id"] == commitment_id and case["title"] == PROMISE
    assert datetime.fromisoformat(case["reply_by"]).astimezone(BEIJING).date() >= due_on
    (question_case,) = eventually(
        lambda: _cases(system, unit, "visit_question"), what="written-answer case"
    )
    assert question_case["suggestion_id"] == asked["id"]

    # The written answer the next day (on time); the commitment days after its promised day.
    _move(clock, datetime.combine(day + timedelta(days=1), dtime(10), tzinfo=BEIJING))
    _ok(supervision.post(f"/v1/cases/{asked['id']}/reply", json=WRITTEN, headers=unit))
    _move(clock, datetime.combine(due_on + timedelta(days=10), dtime(10), tzinfo=BEIJING))

    def page_state() -> str | None:
        state = str(_ok(liaison.get(f"/v1/visits/{vid}"))["commitments"][0]["state"])
        return state if state == "overdue" else None

    eventually(page_state, what="the commitment shown overdue (supervision's sweep)")
    _ok(supervision.post(f"/v1/cases/{commitment_id}/reply", json=REPLY, headers=unit))

    def page_shows_it_kept_late() -> dict[str, Any] | None:
        page = _ok(liaison.get(f"/v1/visits/{vid}"))
        return page if page["commitments"][0]["state"] == "kept_late" else None

    page = eventually(page_shows_it_kept_late, what="the commitment shown kept late")
    [commitment] = page["commitments"]
    assert (
        commitment["state_label"] == "逾期兑现" and commitment["answer"]["reply"] == REPLY["reply"]
    )

    def written_answer() -> dict[str, Any] | None:
        [q] = _ok(liaison.get(f"/v1/visits/{vid}"))["questions"]
        return q if q["written_answer"] else None

    question = eventually(written_answer, what="the written answer published")
    assert (
        question["state"] == "kept_on_time"
        and question["written_answer"]["reply"] == (WRITTEN["reply"])
    )
    # A rejected question never leaves liaison's store: not on the page, not on the bus.
    assert PRIVATE not in str(page)
    assert "13900001111" not in str(events_on(system.nats_url))

    # The unit's scorecard in reporting counts the promise kept late (and not as an appeal).
    reporting = httpx.Client(base_url=system["reporting"].url, timeout=10)

    def scorecard() -> dict[str, Any] | None:
        rows = {u["unit_id"]: u for u in _ok(reporting.get("/v1/units", headers=system.admin))}
        row = rows.get(UNIT)
        return row if row and row["commitments_kept_late"] == 1 else None

    row = eventually(scorecard, what="the unit's scorecard counting the promise kept late")
    assert row["commitments"] == 1 and row["commitments_kept_on_time"] == 0
    assert row["visit_questions_answered_on_time"] == 1

    # The deputy who attended finds the visit in their file, linked to the event it came from.
    deputy = local_bearer(
        system.data_dir, Principal(Role.REPRESENTATIVE, f"rep:{DEPUTY}", representative=DEPUTY)
    )
    year = day.year

    def visit_entry() -> dict[str, Any] | None:
        file = _ok(
            liaison.get(f"/v1/deputies/{DEPUTY}/file", params={"year": year}, headers=deputy)
        )
        found = [e for e in file["entries"] if e["kind"] == "visit_attended"]
        return found[0] if found else None

    entry = eventually(visit_entry, what="the visit in the deputy's performance file")
    assert entry["event_type"] == "cn.minyi.visit.held.v1" and entry["event_id"]
    before = _ok(liaison.get(f"/v1/deputies/{DEPUTY}/score", params={"year": year}, headers=deputy))
    dispute = _ok(
        liaison.post(
            f"/v1/deputies/{DEPUTY}/file/entries/{entry['id']}/disputes",
            json={"reason": "本人当天请假，未到场"},
            headers=deputy,
        )
    )
    _ok(
        liaison.post(
            f"/v1/disputes/{dispute['id']}/decision",
            json={"accepted": True, "reason": "经核实签到表，该代表未到场"},
            headers=system.admin,
        )
    )
    after = _ok(liaison.get(f"/v1/deputies/{DEPUTY}/score", params={"year": year}, headers=deputy))
    assert after["score"] < before["score"]
    file = _ok(liaison.get(f"/v1/deputies/{DEPUTY}/file", params={"year": year}, headers=deputy))
    [struck] = [e for e in file["entries"] if e["id"] == entry["id"]]
    assert struck["struck"] and struck["disputes"][0]["status"] == "accepted"

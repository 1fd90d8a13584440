"""Issue 16's walk over real processes and a real nats-server: the office imports its
roster from the spreadsheet template, a citizen finds their deputy by address and books a
reception, the station records the matter as referred, intake files it, the citizen
follows it by tracking code, and reporting counts the reception."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook

from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.clock import write_clock_file
from tests.support.bus import events_on
from tests.support.system import WITH_LIAISON, System, eventually

pytestmark = pytest.mark.e2e

STATION = "ST-420802-98"
DEPUTY = "REP-420802-998"
ADDRESS = "荆门市东宝区泉口街道金泉路12号"
NAME, PHONE = "王晓燕", "13712345678"
BEIJING = ZoneInfo("Asia/Shanghai")


def _cli(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env.update(system["liaison"].env)
    return subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", "liaison", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _fill(template: Path, values: dict[str, str]) -> Path:
    """The office's way: open the template, overwrite the example row, save."""
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [str(c.value) for c in sheet[1]]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=column, value=values.get(header, ""))
    filled = template.with_name("filled-" + template.name)
    book.save(filled)
    return filled


def _import(system: System, kind: str, values: dict[str, str], tmp: Path) -> None:
    template = tmp / f"{kind}.xlsx"
    made = _cli(system, "template", kind, str(template))
    assert made.returncode == 0, made.stderr
    imported = _cli(system, "import", kind, str(_fill(template, values)))
    assert imported.returncode == 0, imported.stdout + imported.stderr


def _get(system: System, service: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.get(system.url(service, path), timeout=10, **kw)


def test_a_roster_import_a_booking_and_a_referred_matter_reach_intake_and_reporting(
    system_factory: type[System], store: str, tmp_path: Path
) -> None:
    # One clock for every process, moved by the test: the reception is announced days ahead
    # and held when its day comes.
    clock = tmp_path / "clock.json"
    now = datetime.now(UTC)
    write_clock_file(clock, now, 1.0, time.time())
    system = system_factory(store, names=WITH_LIAISON, extra_env={"MINYI_CLOCK_FILE": str(clock)})
    system.start()

    _import(
        system,
        "stations",
        {"编号": STATION, "名称": "泉口街道金泉社区代表联络站", "类型": "联络站",
         "服务区县": "东宝区", "服务乡镇街道": "泉口街道", "地址": ADDRESS},
        tmp_path,
    )  # fmt: skip
    _import(
        system,
        "deputies",
        {"编号": DEPUTY, "姓名": "林思远", "层级": "县", "选举单位区县": "东宝区",
         "选举单位乡镇街道": "泉口街道", "所属联络站编号": STATION, "职业": "社区医生"},
        tmp_path,
    )  # fmt: skip

    # A citizen finds who represents her address, and the station serving it.
    found = _get(system, "liaison", "/v1/lookup", params={"address": ADDRESS}).json()
    deputies = found["deputies"]
    listed = (
        [d for level in deputies.values() for d in level]
        if isinstance(deputies, dict)
        else deputies
    )
    assert DEPUTY in {d["id"] for d in listed}
    assert STATION in {s["id"] for s in found["stations"]}

    # The station announces a reception four days ahead (the rule is at least three).
    staff = local_bearer(
        system.data_dir, Principal(Role.STATION_STAFF, "staff:e2e", station=STATION)
    )
    day = (now.astimezone(BEIJING) + timedelta(days=4)).date()
    r = httpx.post(
        system.url("liaison", f"/v1/stations/{STATION}/receptions"),
        json={"date": day.isoformat(), "start": "09:00", "end": "11:30", "place": "金泉社区服务中心",
              "deputy_ids": [DEPUTY], "capacity": 10, "topic": "老旧小区改造"},
        headers=staff,
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    reception = r.json()["id"]

    r = httpx.post(
        system.url("liaison", f"/v1/receptions/{reception}/bookings"),
        json={"name": NAME, "phone": PHONE},
        timeout=10,
    )
    assert r.status_code in (200, 201), r.text
    booking = r.json()["code"]

    # The day comes: at the reception, held, and the matter raised is referred.
    opened = datetime.combine(day, dtime(9, 30), tzinfo=BEIJING)
    write_clock_file(clock, opened, 1.0, time.time())
    time.sleep(0.3)  # every process re-reads the clock file within 100 ms
    assert httpx.post(
        system.url("liaison", f"/v1/receptions/{reception}/held"), headers=staff, timeout=10
    ).is_success
    r = httpx.post(
        system.url("liaison", f"/v1/receptions/{reception}/matters"),
        json={"title": "金泉路路灯不亮", "outcome": "referred", "deputy_id": DEPUTY,
              "content": "金泉路一段路灯坏了两周，晚上出行不安全，希望尽快修复。",
              "booking_code": booking},
        headers=staff,
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    code = r.json()["tracking_code"]

    # The citizen follows it in intake by the code the station gave her.
    tracked = eventually(
        lambda: (t := _get(system, "intake", f"/v1/track/{code}")).status_code == 200 and t.json(),
        what="the referred matter in intake",
    )
    assert tracked["title"] == "金泉路路灯不亮"
    eventually(
        lambda: _get(system, "intake", f"/v1/track/{code}").json()["status"] != "filed",
        what="the referred matter assigned",
    )

    # Reporting counts the station's reception, booking and referred matter.
    analyst = local_bearer(system.data_dir, Principal(Role.ANALYST, "e2e"))

    def counted() -> dict[str, Any] | None:
        rows = _get(system, "reporting", "/v1/liaison/stations", headers=analyst).json()
        items = rows["items"] if isinstance(rows, dict) else rows
        row = next((r for r in items if r["station_id"] == STATION), None)
        return row if row and row.get("matters_referred") == 1 else None

    row = eventually(counted, what="the reception in reporting")
    assert row["receptions_held"] == 1 and row["bookings_made"] == 1

    # Nothing on the bus names the citizen.
    stream = str(events_on(system.nats_url))
    assert PHONE not in stream and NAME not in stream

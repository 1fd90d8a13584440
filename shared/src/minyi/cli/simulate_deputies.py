"""The deputies' side of ``minyi simulate``: stations hold reception days, the office brings
officials to stations (局长进站) whose promises units then keep, deputies record their
duties and dispute an entry now and then — all through liaison's real HTTP API, as staff,
deputies and the office would. What the play did is counted per deputy, so a test can
check that each deputy's performance file (履职档案) holds exactly that.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from minyi.platform.auth import Principal, Role
from minyi.platform.settings import service_port

CITY = ZoneInfo("Asia/Shanghai")
STATIONS = 4  # stations that take part
ACTIVITY_KINDS = [
    "visit",
    "inspection",
    "research",
    "training",
    "sitting_in",
    "report_to_voters",
    "outreach",
    "other",
]
ACTIVITY_TITLES = {
    "visit": "走访选区群众",
    "inspection": "视察城区道路改造工程",
    "research": "调研老旧小区加装电梯",
    "training": "参加代表履职学习培训",
    "sitting_in": "列席常委会会议",
    "report_to_voters": "向选民述职",
    "outreach": "三进三访：进社区走访困难群众",
    "other": "参加代表小组活动",
}
VISIT_UNITS = ["jm-zjj", "jm-sthjj"]
Auth = Callable[[Principal], dict[str, str]]


def liaison(path: str) -> str:
    return f"http://127.0.0.1:{service_port('liaison')}{path}"


@dataclass
class Event:
    """Something planned for a simulated day: a reception or a visit to hold."""

    kind: str  # "reception" | "visit"
    id: str
    station_id: str
    starts_at: datetime
    deputy_ids: list[str]
    unit_id: str = ""


@dataclass
class DeputyPlay:
    rng: random.Random
    auth: Auth
    now: Callable[[], datetime]
    stations: dict[str, list[str]] = field(default_factory=dict)  # station -> deputy ids
    pending: list[Event] = field(default_factory=list)
    # What the play did, per deputy and per entry of the performance file it should make.
    done: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    counts: Counter[str] = field(default_factory=Counter)
    last_day: int = -1

    # -- set-up -----------------------------------------------------------------------
    async def setup(self, client: httpx.AsyncClient) -> None:
        r = await client.get(liaison("/v1/stations"), params={"kind": "station", "limit": 50})
        if r.status_code != 200:
            self.counts[f"stations_{r.status_code}"] += 1
            return
        for station in r.json()["items"]:
            sid = station["id"]
            page = await client.get(
                liaison(f"/v1/staff/stations/{sid}/receptions"), headers=self.staff(sid)
            )
            deputies = [d["id"] for d in page.json().get("deputies", [])] if page.is_success else []
            if len(deputies) >= 3:
                self.stations[sid] = deputies[:8]
            if len(self.stations) >= STATIONS:
                break

    def staff(self, station_id: str) -> dict[str, str]:
        return self.auth(
            Principal(Role.STATION_STAFF, f"sim-staff-{station_id}", station=station_id)
        )

    def deputy(self, deputy_id: str) -> dict[str, str]:
        return self.auth(
            Principal(Role.REPRESENTATIVE, f"sim-deputy-{deputy_id}", representative=deputy_id)
        )

    def office(self) -> dict[str, str]:
        return self.auth(Principal(Role.ADMIN, "sim-office"))

    def deputies(self) -> list[str]:
        return sorted({d for ds in self.stations.values() for d in ds})

    # -- one tick ---------------------------------------------------------------------
    async def act(self, client: httpx.AsyncClient, day: float) -> None:
        if not self.stations:
            return
        today = int(day)
        for event in [e for e in self.pending if e.starts_at <= self.now()]:
            self.pending.remove(event)
            hold = self.hold_reception if event.kind == "reception" else self.hold_visit
            await hold(client, event)
        jobs: list[Awaitable[None]] = []
        # Every simulated day gets its share, even when one tick spans several days.
        for d in range(self.last_day + 1, today + 1):
            for station_id in self.stations:
                if self.rng.random() < 1 / 7:  # about one reception a week per station
                    jobs.append(self.schedule_reception(client, station_id))
            if d % 7 == 1:  # an official comes to one of the stations every week
                jobs.append(self.plan_visit(client, self.rng.choice(sorted(self.stations))))
            for deputy_id in self.deputies():
                if self.rng.random() < 0.15:
                    jobs.append(self.record_activity(client, deputy_id))
            if self.rng.random() < 0.2:
                jobs.append(self.dispute_one(client))
        self.last_day = max(self.last_day, today)
        await asyncio.gather(*jobs)

    def local_day(self, days_ahead: int) -> date:
        return (self.now().astimezone(CITY) + timedelta(days=days_ahead)).date()

    def at(self, day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=CITY)

    # -- reception days ---------------------------------------------------------------
    async def schedule_reception(self, client: httpx.AsyncClient, station_id: str) -> None:
        day = self.local_day(4)  # announced at least 3 days ahead
        deputies = self.rng.sample(self.stations[station_id], 2)
        r = await client.post(
            liaison(f"/v1/stations/{station_id}/receptions"),
            headers=self.staff(station_id),
            json={
                "date": day.isoformat(),
                "start": "09:00",
                "end": "11:30",
                "place": "联络站接待室",
                "deputy_ids": deputies,
                "capacity": 20,
                "topic": "听取群众意见建议",
            },
        )
        if r.status_code != 201:
            self.counts[f"reception_{r.status_code}"] += 1
            return
        self.counts["receptions_scheduled"] += 1
        self.pending.append(
            Event("reception", r.json()["id"], station_id, self.at(day, 9), deputies)
        )

    async def hold_reception(self, client: httpx.AsyncClient, event: Event) -> None:
        staff = self.staff(event.station_id)
        r = await client.post(liaison(f"/v1/receptions/{event.id}/held"), headers=staff)
        if r.status_code != 200:
            self.counts[f"reception_held_{r.status_code}"] += 1
            return
        self.counts["receptions_held"] += 1
        for deputy_id in event.deputy_ids:
            self.done[deputy_id]["reception_held"] += 1
        for _ in range(self.rng.randint(0, 2)):
            deputy_id = self.rng.choice(event.deputy_ids)
            referred = self.rng.random() < 0.4
            body: dict[str, Any] = {
                "title": "小区门口路灯不亮",
                "content": "小区门口的路灯坏了一个多月，晚上出行不便，希望尽快修复。",
                "outcome": "referred" if referred else "answered",
                "answer": None if referred else "已当场联系街道，本周内安排维修。",
                "deputy_id": deputy_id,
            }
            m = await client.post(
                liaison(f"/v1/receptions/{event.id}/matters"), headers=staff, json=body
            )
            if m.status_code == 201:
                kind = "matter_referred" if referred else "matter_answered"
                self.counts[kind.replace("matter_", "matters_")] += 1
                self.done[deputy_id][kind] += 1
            else:
                self.counts[f"matter_{m.status_code}"] += 1

    # -- officials' visits ------------------------------------------------------------
    async def plan_visit(self, client: httpx.AsyncClient, station_id: str) -> None:
        day = self.local_day(3)
        unit_id = self.rng.choice(VISIT_UNITS)
        r = await client.post(
            liaison("/v1/visits"),
            headers=self.office(),
            json={
                "station_id": station_id,
                "official_name": "王局长",
                "official_post": "局长",
                "unit_id": unit_id,
                "date": day.isoformat(),
                "start": "14:30",
                "end": "16:30",
                "theme": "老旧小区改造与群众出行",
            },
        )
        if r.status_code != 201:
            self.counts[f"visit_{r.status_code}"] += 1
            return
        visit_id = r.json()["id"]
        self.counts["visits_planned"] += 1
        for text in ("小区雨污分流改造什么时候开始？", "背街小巷路面破损能否纳入今年计划？"):
            q = await client.post(liaison(f"/v1/visits/{visit_id}/questions"), json={"text": text})
            if q.status_code != 201:
                self.counts[f"question_{q.status_code}"] += 1
                continue
            await client.post(
                liaison(f"/v1/visits/{visit_id}/questions/{q.json()['id']}/publish"),
                headers=self.staff(station_id),
            )
        deputies = self.rng.sample(self.stations[station_id], 3)
        self.pending.append(
            Event("visit", visit_id, station_id, self.at(day, 14), deputies, unit_id)
        )

    async def hold_visit(self, client: httpx.AsyncClient, event: Event) -> None:
        staff = self.staff(event.station_id)
        detail = await client.get(liaison(f"/v1/office/visits/{event.id}"), headers=staff)
        questions = [
            q for q in detail.json().get("questions", []) if q.get("status") == "published"
        ]
        answers = [
            {"question_id": q["id"], "answer": "今年三季度开工，年底前完工，请大家监督。"}
            for q in questions[:1]
        ]
        commitments = [
            {
                "text": "两周内对背街小巷破损路面完成摸排并公布修复计划",
                "unit_id": event.unit_id,
                "due_on": self.local_day(14).isoformat(),
            }
        ]
        r = await client.post(
            liaison(f"/v1/visits/{event.id}/held"),
            headers=staff,
            json={
                "deputy_ids": event.deputy_ids,
                "citizens": self.rng.randint(10, 40),
                "answers": answers,
                "commitments": commitments,
            },
        )
        if r.status_code != 200:
            self.counts[f"visit_held_{r.status_code}"] += 1
            return
        self.counts["visits_held"] += 1
        self.counts["commitments"] += len(commitments)
        for deputy_id in event.deputy_ids:
            self.done[deputy_id]["visit_attended"] += 1
            self.done[deputy_id]["commitment"] += len(commitments)

    # -- duties and disputes ----------------------------------------------------------
    async def record_activity(self, client: httpx.AsyncClient, deputy_id: str) -> None:
        kind = self.rng.choice(ACTIVITY_KINDS)
        body: dict[str, Any] = {
            "kind": kind,
            "title": ACTIVITY_TITLES[kind],
            "on": self.local_day(0).isoformat(),
            "participants": self.rng.randint(0, 30),
        }
        if kind == "training":
            body["hours"] = self.rng.choice([2, 4, 8])
        r = await client.post(
            liaison(f"/v1/deputies/{deputy_id}/activities"),
            headers=self.deputy(deputy_id),
            json=body,
        )
        if r.status_code == 201:
            self.counts["activities"] += 1
            self.done[deputy_id][f"activity:{kind}"] += 1
        else:
            self.counts[f"activity_{r.status_code}"] += 1

    async def dispute_one(self, client: httpx.AsyncClient) -> None:
        """A deputy disputes one of their recorded activities; the office decides at once
        (accepts about half): an accepted dispute strikes the entry from the file."""
        deputy_id = self.rng.choice(self.deputies())
        year = self.now().astimezone(CITY).year
        r = await client.get(
            liaison(f"/v1/deputies/{deputy_id}/file"),
            headers=self.deputy(deputy_id),
            params={"year": year},
        )
        if r.status_code != 200:
            self.counts[f"file_{r.status_code}"] += 1
            return
        entries = [
            e
            for e in entries_of(r.json())
            if e.get("kind") in ACTIVITY_KINDS and not e.get("struck") and not e.get("disputes")
        ]
        if not entries:
            return
        entry = self.rng.choice(entries)
        d = await client.post(
            liaison(f"/v1/deputies/{deputy_id}/file/entries/{entry['id']}/disputes"),
            headers=self.deputy(deputy_id),
            json={"reason": "该活动重复登记，请予核销。"},
        )
        if d.status_code != 201:
            self.counts[f"dispute_{d.status_code}"] += 1
            return
        self.counts["disputes"] += 1
        accepted = self.rng.random() < 0.5
        decision = await client.post(
            liaison(f"/v1/disputes/{d.json()['id']}/decision"),
            headers=self.office(),
            json={
                "accepted": accepted,
                "reason": "经核实属实。" if accepted else "经核实，登记无误。",
            },
        )
        if decision.status_code != 200:
            self.counts[f"decision_{decision.status_code}"] += 1
            return
        self.counts["disputes_accepted" if accepted else "disputes_rejected"] += 1
        if accepted:
            self.done[deputy_id][f"activity:{entry['kind']}"] -= 1
            self.done[deputy_id]["struck"] += 1

    # -- what the files say -----------------------------------------------------------
    async def files(self, client: httpx.AsyncClient, years: list[int]) -> dict[str, dict[str, int]]:
        """Each simulated deputy's file, counted the way ``done`` counts."""
        out: dict[str, dict[str, int]] = {}
        for deputy_id in self.deputies():
            seen: Counter[str] = Counter()
            for year in years:
                r = await client.get(
                    liaison(f"/v1/deputies/{deputy_id}/file"),
                    headers=self.office(),
                    params={"year": year},
                )
                if r.status_code != 200:
                    seen[f"file_{r.status_code}"] += 1
                    continue
                for entry in entries_of(r.json()):
                    seen.update(file_keys(entry))
            out[deputy_id] = {k: v for k, v in sorted(seen.items()) if v}
        return out

    def expected(self) -> dict[str, dict[str, int]]:
        return {
            d: {k: v for k, v in sorted(self.done.get(d, Counter()).items()) if v}
            for d in self.deputies()
        }


def entries_of(file: dict[str, Any]) -> list[dict[str, Any]]:
    """The file's entries, whether listed flat or grouped by kind."""
    if isinstance(file.get("entries"), list):
        return list(file["entries"])
    found: list[dict[str, Any]] = []
    for group in file.get("kinds", file.get("groups", [])) or []:
        found.extend(group.get("entries", []))
    return found


def file_keys(entry: dict[str, Any]) -> list[str]:
    """How one file entry counts against what the play did."""
    kind = str(entry.get("kind"))
    if entry.get("struck"):
        return ["struck"] if kind in ACTIVITY_KINDS else []
    if kind in ACTIVITY_KINDS:
        return [f"activity:{kind}"]
    return [kind]

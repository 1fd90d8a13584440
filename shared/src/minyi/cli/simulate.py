"""``minyi simulate``: a month of a city's suggestions in a minute, through the real APIs.

It starts the whole system (as ``minyi up`` does) with an accelerated clock that every
service reads (``MINYI_CLOCK_START`` / ``MINYI_CLOCK_SPEED`` / ``MINYI_CLOCK_ORIGIN``), then
plays synthetic citizens (who file, and rate the answers), units (which sign, report
progress, reply — some late, some return an item that is not theirs, and keep the promises
their officials made at stations) and deputies, stations and the office
(``simulate_deputies``: reception days, officials' visits, duties, disputes), with
``--formal``, a year of deputies' formal suggestions (``simulate_formal``) and, with
``--projects``, improvement projects on the public ledger with published appeals and
citizens' support (``simulate_projects``) over HTTP, exactly as people and adapters would.
Deadlines, reminders and escalations come from supervision's own sweep on the accelerated
clock, which the simulation holds while the formal play runs more than a simulated day
behind (a slow host), so deadlines stay true to the simulated days. It prints a summary and, unless ``--exit``, leaves the system running so the
dashboards can be read.
"""

from __future__ import annotations

import asyncio
import csv
import json
import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from minyi.cli.simulate_deputies import DeputyPlay
from minyi.cli.simulate_formal import FormalPlay, formal_summary
from minyi.cli.simulate_projects import ProjectPlay, projects_summary
from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.clock import write_clock_file
from minyi.platform.settings import service_port

DISTRICT_WEIGHTS = {
    "420802": 26,
    "420804": 20,
    "420822": 14,
    "420881": 18,
    "420882": 14,
    "420800-ZH": 5,
    "420800-QJL": 3,
}
GROUPS = ["g1", "g2", "g3", "g4", "g5", "g6"]
# Cases that are promises made at officials' visits, not people's suggestions: units keep
# them (reply) but never return them, and reporting does not count them as suggestions.
FOLLOW_UP_KINDS = frozenset({"commitment", "visit_question"})
# Deputies' formal suggestions and their B deliveries: ``FormalPlay``'s units handle them.
FORMAL_KINDS = frozenset({"representative_suggestion", "delivery"})
OPEN_STATUSES = ("assigned", "accepted", "in_progress", "reopened")
UNIT_PLAY_KINDS = ("citizen_appeal", *sorted(FOLLOW_UP_KINDS))
REPLIES = {
    "A": "经现场核查，问题已于本周处理完毕，相关设施已恢复正常，感谢您对我们工作的监督和支持。",
    "B": "您反映的问题已列入本年度工作计划，目前正在组织施工，预计下月底前完成，请您理解支持。",
    "C": "经研究，该事项受用地和资金条件限制暂时无法解决，我们将持续关注并在条件具备时推进。",
}


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{service_port(service)}{path}"


@dataclass
class Plan:
    """What a synthetic unit will do with a case, decided when it first sees it."""

    accept_after: float  # simulated days after first seen
    reply_after: float
    returns: bool
    outcome: str


@dataclass
class Simulation:
    data_dir: Path
    days: int
    rate: float
    start: datetime
    speed: float
    origin: float
    rng: random.Random
    corpus: list[dict[str, str]] = field(default_factory=list)
    filed: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {code, at}
    plans: dict[str, Plan] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    rated: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    replied_ids: set[str] = field(default_factory=set)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    deputies: DeputyPlay | None = None
    formal: FormalPlay | None = None
    projects: ProjectPlay | None = None
    # The clock every service reads: ``start`` (after a hold: ``anchor``) at the real
    # moment ``origin``, going at ``speed``; ``held_reading`` while held (``hold_clock``).
    clock_file: Path | None = None
    anchor: datetime | None = None
    held: bool = False
    held_seconds: float = 0.0
    hold_started: float = 0.0
    tick_day: float = 0.0  # the simulated day the current tick began
    held_reading: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    def now(self) -> datetime:
        return self.reading(time.time())

    def reading(self, real: float) -> datetime:
        running = (self.anchor or self.start) + timedelta(seconds=(real - self.origin) * self.speed)
        return min(running, self.held_reading) if self.held else running

    def hold_clock(self, hold: bool) -> None:
        """Hold every service's clock while the formal play is more than a simulated day
        behind (a slow host in the session's rush), and set it going again once it caught
        up: deadlines stay true to the simulated days. Never a step back, never a leap:
        the clock stops at its reading a moment ahead (``hold_started``; a service re-reads
        the file within 0.1 s, so one still on the old reading never passes it), and goes
        on from there, not before that moment."""
        if self.clock_file is None or hold == self.held:
            return
        real = time.time()
        if hold:
            self.hold_started = real + 0.3
            self.held_reading = self.reading(self.hold_started)
            self.held = True
            write_clock_file(self.clock_file, self.held_reading, 0.0, self.hold_started)
        elif real >= self.hold_started:
            self.anchor, self.origin, self.held = self.held_reading, real, False
            write_clock_file(self.clock_file, self.anchor, self.speed, real)
            self.held_seconds += real - self.hold_started

    def day(self) -> float:
        return (self.now() - self.start).total_seconds() / 86400

    def auth(self, principal: Principal) -> dict[str, str]:
        key = (
            f"{principal.role}:{principal.unit}:{principal.group}:{principal.station}:"
            f"{principal.representative}"
        )
        if key not in self.tokens:
            self.tokens[key] = local_bearer(self.data_dir, principal, ttl_seconds=3600)
        return self.tokens[key]

    async def file_one(self, client: httpx.AsyncClient) -> None:
        row = self.rng.choice(self.corpus)
        district = self.rng.choices(
            list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values())
        )[0]
        body: dict[str, Any] = {
            "title": row["title"][:100],
            "content": row["content"][:5000] or row["title"] * 2,
            "district_code": district,
            "channel": self.rng.choice(["web", "chat", "hotline", "web"]),
            "urgent": self.rng.random() < 0.05,
            "citizen": {"name": "模拟群众", "phone": f"139{self.rng.randrange(10**8):08d}"},
        }
        r = await client.post(url("intake", "/v1/suggestions"), json=body)
        if r.status_code == 201:
            self.filed[r.json()["id"]] = {"code": r.json()["tracking_code"], "day": self.day()}
            self.counts["filed"] += 1
        else:
            self.counts[f"file_{r.status_code}"] += 1

    async def file_many(self, client: httpx.AsyncClient, n: int) -> None:
        """``n`` filings, at most 50 at once: a tick that ran days behind on a slow host
        catches up without waiting past the client's pool timeout for a connection."""
        for at in range(0, max(0, n), 50):
            self.settle(
                await asyncio.gather(
                    *(self.file_one(client) for _ in range(min(50, n - at))),
                    return_exceptions=True,
                ),
                "file",
            )

    def settle(self, results: list[Any], what: str) -> None:
        """A connection the overloaded host dropped or could not give in time is counted
        (``<what>_error``) and the act tried again on a later tick (a filing is due again
        until it is counted filed); anything else is a bug and is raised."""
        for result in results:
            if isinstance(result, httpx.TransportError):
                self.counts[f"{what}_error"] += 1
            elif isinstance(result, BaseException):
                raise result

    async def units_act(self, client: httpx.AsyncClient) -> None:
        # Open cases only, status by status and kind by kind: a long run's answered cases
        # and the formal suggestions (``FormalPlay``'s) are not read again and again.
        lists = [(g, s, k) for g in GROUPS for s in OPEN_STATUSES for k in UNIT_PLAY_KINDS]
        for group, status, kind in lists:
            sup = self.auth(Principal(Role.SUPERVISOR, f"sim-{group}", group=group))
            offset, total = 0, 1
            while offset < total:
                r = await client.get(
                    url("supervision", "/v1/cases"),
                    headers=sup,
                    params={"limit": 200, "offset": offset, "status": status, "kind": kind},
                )
                if r.status_code != 200:
                    self.counts[f"list_{r.status_code}"] += 1
                    break
                page = r.json()
                total, offset = page["total"], offset + len(page["items"]) or total
                self.settle(
                    await asyncio.gather(
                        *(self.handle_case(client, c) for c in page["items"]),
                        return_exceptions=True,
                    ),
                    "unit",
                )

    async def handle_case(self, client: httpx.AsyncClient, case: dict[str, Any]) -> None:
        sid, status, unit = case["suggestion_id"], case["status"], case["unit_id"]
        if status not in OPEN_STATUSES or case.get("kind") in FORMAL_KINDS:
            return
        key = f"{sid}:{case.get('case_id', '')}:{case.get('round', 1)}"
        now_day = self.day()
        self.seen.setdefault(key, now_day)
        plan = self.plans.setdefault(
            key,
            Plan(
                accept_after=self.rng.uniform(0, 1.2),
                # Most answer within five working days; some are late and get escalated.
                reply_after=self.rng.choice([1, 2, 3, 4, 5, 6])
                + (self.rng.uniform(4, 9) if self.rng.random() < 0.12 else 0),
                returns=self.rng.random() < 0.04
                and status == "assigned"
                and case.get("kind") not in FOLLOW_UP_KINDS,
                outcome=self.rng.choices("ABC", weights=[70, 22, 8])[0],
            ),
        )
        age = now_day - self.seen[key]
        who = self.auth(Principal(Role.UNIT_STAFF, f"sim-{unit}", unit=unit))
        base = f"/v1/cases/{sid}"
        if plan.returns and status == "assigned" and age >= plan.accept_after:
            r = await client.post(
                url("supervision", f"{base}/return"),
                headers=who,
                json={
                    "reason": "该事项不属于本单位职责范围，建议转交属地单位办理。",
                    "suggested_unit": "jm-zfb",
                },
            )
            self.counts["returned" if r.status_code == 200 else f"return_{r.status_code}"] += 1
            plan.returns = False
        elif status == "assigned" and age >= plan.accept_after:
            r = await client.post(url("supervision", f"{base}/accept"), headers=who)
            self.counts["accepted" if r.status_code == 200 else f"accept_{r.status_code}"] += 1
        elif (
            status in ("accepted", "reopened")
            and age >= plan.reply_after / 2
            and self.rng.random() < 0.3
        ):
            r = await client.post(
                url("supervision", f"{base}/progress"),
                headers=who,
                json={"note": "已安排人员现场核查，正在制定处理方案。"},
            )
            self.counts["progress" if r.status_code == 200 else f"progress_{r.status_code}"] += 1
        elif status in ("accepted", "in_progress", "reopened") and age >= plan.reply_after:
            body = {
                "outcome": plan.outcome,
                "reply": REPLIES[plan.outcome],
                "measures": "现场核查、制定方案、组织实施",
                "reason": "用地和资金条件暂不具备" if plan.outcome == "C" else None,
            }
            r = await client.post(url("supervision", f"{base}/reply"), headers=who, json=body)
            self.counts["replied" if r.status_code == 200 else f"reply_{r.status_code}"] += 1
            if r.status_code == 200 and case.get("kind") in FOLLOW_UP_KINDS:
                self.counts["follow_ups_kept"] += 1
            elif r.status_code == 200:
                self.replied_ids.add(sid)

    async def citizens_rate(self, client: httpx.AsyncClient) -> None:
        for sid, info in list(self.filed.items()):
            if sid in self.rated:
                continue
            r = await client.get(url("intake", f"/v1/track/{info['code']}"))
            if r.status_code != 200 or r.json().get("status") != "replied":
                continue
            if self.rng.random() < 0.5:
                continue  # rates on a later day, if at all
            self.rated.add(sid)
            if self.rng.random() < 0.1:
                self.counts["no_feedback"] += 1
                continue
            satisfied = self.rng.random() < 0.8
            r = await client.post(
                url("intake", f"/v1/track/{info['code']}/feedback"),
                json={
                    "satisfied": satisfied,
                    "score": 5 if satisfied else 2,
                    "comment": "处理及时" if satisfied else "问题没有真正解决",
                },
            )
            if r.status_code in (200, 201):
                self.counts["satisfied" if satisfied else "unsatisfied"] += 1
                if not satisfied:
                    self.rated.discard(sid)  # it will be answered again and rated again
            else:
                self.counts[f"feedback_{r.status_code}"] += 1

    async def run(self) -> None:
        # The projects' play has connections of its own: the unit play's bursts (hundreds
        # of requests at once on a slow host) never keep its steps waiting for one.
        async with httpx.AsyncClient(timeout=30) as client, httpx.AsyncClient(timeout=30) as own:
            if self.formal is not None:
                self.hold_clock(True)  # the first day waits for the plays' set-up
            if self.deputies is not None:
                await self.deputies.setup(client)
            driver = None
            if self.formal is not None:
                await self.formal.setup(client)
                self.formal.start()
                await asyncio.sleep(max(0.0, self.hold_started - time.time()))
                self.hold_clock(False)
                driver = asyncio.create_task(self.drive_formal(client))
            projects = None
            if self.projects is not None:
                projects = asyncio.create_task(self.drive_projects(own))
            tick = 0
            while (day := self.day()) < self.days:
                self.tick_day = day
                due = int(day * self.rate) - self.counts["filed"]
                await self.file_many(client, due)
                tick += 1
                if tick % 2 == 0:
                    await self.units_act(client)
                if tick % 3 == 0:
                    await self.citizens_rate(client)
                if self.deputies is not None:
                    await self.deputies.act(client, day)
                formal = (
                    f"  formal filed {self.formal.counts['filed']:4d}"
                    f" answered {self.formal.answered():4d}"
                    if self.formal is not None
                    else ""
                )
                print(
                    f"\r  simulated day {min(day, self.days):5.1f}/{self.days}  "
                    f"filed {self.counts['filed']:5d}  replied {self.counts['replied']:5d}"
                    + formal,
                    end="",
                    flush=True,
                )
                await asyncio.sleep(0.1)
            if self.formal is not None and driver is not None:
                driver.cancel()
                await asyncio.sleep(max(0.0, self.hold_started - time.time()))
                self.hold_clock(False)
                await self.formal.stop()
                self.share_file_entries()
            if self.projects is not None and projects is not None:
                projects.cancel()
                await self.projects.stop()
                self.share_file_entries()
            # The month's last filings, if the final ticks ran late.
            missing = int(self.days * self.rate) - self.counts["filed"]
            await self.file_many(client, missing)
            print()

    async def drive_formal(self, client: httpx.AsyncClient) -> None:
        """The formal play's own pace, whatever a tick of the others takes: every 0.1 s
        it hands what is due to its workers; the clock is held while it is behind, or
        while a tick of the others (citizens, units, deputies) has taken more than a
        simulated day, so that they keep their pace too."""
        assert self.formal is not None
        while True:
            day = self.day()
            await self.formal.act(client, day)
            self.share_file_entries()
            slow_tick = day - self.tick_day > (0.2 if self.held else 1.0)
            self.hold_clock(self.formal.behind(day, self.held) or slow_tick)
            await asyncio.sleep(0.1)

    async def drive_projects(self, client: httpx.AsyncClient) -> None:
        """The projects' play at its own pace too: every 0.1 s what is due, whatever a tick
        of the others takes (their ticks can last simulated days at a high rate)."""
        assert self.projects is not None
        while (day := self.day()) < self.days:
            await self.projects.act(client, day)
            self.share_file_entries()
            await asyncio.sleep(0.1)

    def share_file_entries(self) -> None:
        """A formal suggestion's signers get entries in their performance files (liaison):
        the lead a suggestion, each co-signer an endorsement; a project's inspectors a
        commitment for each finding that became one; the deputies' play expects them with
        the rest."""
        entries: list[tuple[str, str]] = []
        for play in (self.formal, self.projects):
            if play is not None:
                entries, play.file_entries = entries + play.file_entries, []
        if self.deputies is not None:
            for deputy_id, kind in entries:
                self.deputies.done[deputy_id][kind] += 1


def load_corpus() -> list[dict[str, str]]:
    path = resources.files("minyi.routing").joinpath("data/demo_corpus.csv")
    with path.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row.get("title")]


async def summary(data_dir: Path) -> dict[str, Any]:
    analyst = local_bearer(data_dir, Principal(Role.ANALYST, "sim-analyst"))
    async with httpx.AsyncClient(timeout=30) as client:
        stats = (await client.get(url("reporting", "/v1/stats"), headers=analyst)).json()
        head = await client.get(url("reporting", "/v1/headline"), headers=analyst)
        return {"stats": stats, "headline": head.json() if head.status_code == 200 else None}


def suggestions_filed(sim: Simulation) -> int:
    """Suggestions the play filed: citizens' own, and matters stations referred."""
    referred = sim.deputies.counts["matters_referred"] if sim.deputies else 0
    return sim.counts["filed"] + referred


async def deputies_summary(sim: Simulation) -> dict[str, Any]:
    """What the play did per deputy, beside what each deputy's performance file holds."""
    if sim.deputies is None:
        return {}
    years = sorted({sim.start.year, sim.now().year})
    async with httpx.AsyncClient(timeout=30) as client:
        files = await sim.deputies.files(client, years)
    return {
        "actions": dict(sim.deputies.counts),
        "expected": sim.deputies.expected(),
        "files": files,
    }


def write_summary(
    path: Path,
    sim: Simulation,
    result: dict[str, Any],
    deputies: dict[str, Any],
    formal: dict[str, Any],
    projects: dict[str, Any] | None = None,
) -> None:
    path.write_text(
        json.dumps(
            {
                "actions": dict(sim.counts),
                "suggestions_filed": suggestions_filed(sim),
                "suggestions_replied": len(sim.replied_ids),
                "reporting": result,
                "deputies": deputies,
                "formal": formal,
                "projects": projects or {},
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def simulate(
    days: int,
    rate: float,
    seconds_per_day: float,
    start: datetime,
    data_dir: Path,
    seed: int,
    keep_running: bool,
    services: list[str],
    summary_file: Path | None = None,
    formal: int = 0,
    projects: int = 0,
) -> int:
    from minyi.cli.up import LocalSystem, StartFailed, print_urls, stop_on_signals

    if data_dir.exists():
        shutil.rmtree(data_dir)
    # Every service reads one clock file: held at the first day while they start, then set
    # going for all of them at once.
    data_dir.mkdir(parents=True)
    clock_file = data_dir.resolve() / "clock.json"
    write_clock_file(clock_file, start, 0.0, None)
    speed = 86400.0 / seconds_per_day
    env = {
        "MINYI_CLOCK_FILE": str(clock_file),
        "MINYI_SUPERVISION_SWEEP_SECONDS": "0.1",
        "MINYI_INTAKE_RATE_PER_IP_PER_MINUTE": "1000000",
        "MINYI_INTAKE_RATE_PER_IP_BURST": "1000000",
    }
    if projects > 0:
        # The play's citizens come through it as through the front door (a proxy on this
        # machine), each from an address of their own: the per-client limits on one-time
        # codes hold per citizen, not for the whole town at once.
        env["MINYI_TRUSTED_PROXIES"] = "127.0.0.1/32"
    system = LocalSystem(data_dir.resolve(), services, env)
    stopping = stop_on_signals()
    try:
        system.start(stopping)
        origin = time.time() + 0.5
        write_clock_file(clock_file, start, speed, origin)
        time.sleep(0.7)  # every service has read it (they look every 100 ms)
        sim = Simulation(
            data_dir=data_dir.resolve(),
            days=days,
            rate=rate,
            start=start,
            speed=speed,
            origin=origin,
            rng=random.Random(seed),
            corpus=load_corpus(),
            clock_file=clock_file,
        )
        if "liaison" in services:
            sim.deputies = DeputyPlay(random.Random(seed + 1), sim.auth, sim.now)
        if formal > 0:
            sim.formal = FormalPlay(
                random.Random(seed + 2),
                sim.auth,
                sim.now,
                formal,
                days,
                citizen_ids=lambda: list(sim.filed),
            )
        if projects > 0:
            sim.projects = ProjectPlay(
                random.Random(seed + 3),
                sim.auth,
                sim.now,
                start,
                projects,
                days,
                sim.data_dir,
            )
        print(
            f"simulating {days} days from {start:%Y-%m-%d}, {rate:g} suggestions a day"
            + (f", {formal} deputies' formal suggestions" if formal else "")
            + (f", {projects} improvement projects" if projects else "")
            + f", one day every {seconds_per_day:g} s"
        )
        t0 = time.monotonic()
        asyncio.run(sim.run())
        # Let the last events reach reporting before reading its counts.
        deadline = time.monotonic() + 90
        result = asyncio.run(summary(sim.data_dir))
        while time.monotonic() < deadline and (
            result["stats"].get("total", 0) < suggestions_filed(sim)
            or (result["headline"] or {}).get("replied", 0) < len(sim.replied_ids)
        ):
            time.sleep(1.0)
            result = asyncio.run(summary(sim.data_dir))
        deputies = asyncio.run(deputies_summary(sim))
        while time.monotonic() < deadline and deputies.get("files") != deputies.get("expected"):
            time.sleep(1.0)  # the last answers and activities reaching the files
            deputies = asyncio.run(deputies_summary(sim))
        formal_counts: dict[str, Any] = {}
        if sim.formal is not None:
            formal_counts = asyncio.run(formal_summary(sim.formal, sim.start))
            while time.monotonic() < deadline and not formal_counts["agree"]:
                time.sleep(1.0)  # the last answers and ratings reaching reporting
                formal_counts = asyncio.run(formal_summary(sim.formal, sim.start))
            formal_counts["clock_held_seconds"] = round(sim.held_seconds, 1)
        project_counts: dict[str, Any] = {}
        if sim.projects is not None:
            project_counts = asyncio.run(projects_summary(sim.projects))
            while time.monotonic() < deadline and not project_counts["agree"]:
                time.sleep(1.0)  # the last events reaching reporting's ledger
                project_counts = asyncio.run(projects_summary(sim.projects))
        print(f"\nsimulation done in {time.monotonic() - t0:.0f} s. What the synthetic people did:")
        for k, v in sorted(sim.counts.items()):
            print(f"  {k:<14} {v}")
        for k, v in sorted(deputies.get("actions", {}).items()):
            print(f"  {k:<20} {v}")
        print("What reporting counts:")
        print(f"  {result['stats']}")
        if result["headline"]:
            print(f"  headline: {result['headline']}")
        if formal_counts:
            print_formal(formal_counts)
        if project_counts:
            print_projects(project_counts)
        if summary_file:
            write_summary(summary_file, sim, result, deputies, formal_counts, project_counts)
        if keep_running and not stopping[0]:
            print(
                "\nThe system keeps running (its clock still fast) so the dashboards can be read:"
            )
            print_urls(services, system.ports)
            print("Press Ctrl-C to stop.")
            while not stopping[0]:
                system.check_alive()
                time.sleep(0.5)
        return 0
    except StartFailed as exc:
        print(f"\n{exc}")
        return 1
    finally:
        system.stop()


def print_formal(counts: dict[str, Any]) -> None:
    print("Deputies' formal suggestions (the play, intake, supervision, reporting):")
    for k, v in sorted(counts["actions"].items()):
        print(f"  {k:<28} {v}")
    print(f"  filings ran behind their planned day by {counts['filing_lag_days']} days at most")
    print(
        f"  the clock was held {counts.get('clock_held_seconds', 0):.0f} s for the play to catch up"
    )
    print(f"  play:        {counts['expected']}")
    print(f"  reporting:   {counts['reporting']}")
    print(f"  intake:      {counts['intake']}")
    print(f"  supervision: {counts['supervision']}")
    print("  they agree" if counts["agree"] else "  they DO NOT agree")


def print_projects(counts: dict[str, Any]) -> None:
    print("Improvement projects (the play, and the public ledger in reporting):")
    for k, v in counts["actions"].items():
        print(f"  {k:<28} {v}")
    ledger = counts["ledger"]
    print(f"  {'':<20} {'play':>6} {'ledger':>7}")
    for k, v in counts["expected"].items():
        print(f"  {k:<20} {v:>6} {ledger.get(k, '-')!s:>7}")
    print(f"  ledger statuses: {ledger.get('statuses')}  acceptance: {ledger.get('acceptance')}")
    print(f"  steps ran behind their planned day by (days): {counts.get('lag_days')}")
    print(
        f"  projects late at some point: {ledger.get('ever_late_projects')}"
        f" ({', '.join(ledger.get('late_statuses_seen') or []) or 'none'})"
    )
    for line in ledger.get("ranking") or []:
        print(f"  appeal {line}")
    print("  they agree" if counts["agree"] else "  they DO NOT agree")


def default_start() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

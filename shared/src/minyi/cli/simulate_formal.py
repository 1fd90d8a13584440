"""The simulated year of deputies' formal suggestions (代表建议), through the real APIs.

``FormalPlay`` is driven by ``simulate.Simulation`` tick by tick, like ``DeputyPlay``, and
plays every person a formal suggestion meets (citizens' appeals stay with the simulation's
own unit play, which leaves formal suggestions and B deliveries to this one):

- **deputies** (the serving deputies of intake's replica of liaison's registry) draft
  suggestions with 1–3 co-signers (联名), who confirm; the lead submits (yearly number).
  70 % are filed in the session window near the start (大会期间), the rest between sessions;
  about 5 % are made from a citizen's suggestion the citizens' play filed (转为代表建议);
- **the congress office** confirms routing's proposal (交办; sometimes changing a co-unit),
  decides the extensions asked of it, reviews the C answers (upheld), and opens two key
  topics (重点督办专题) to which it links a few suggestions;
- **units**: the lead signs for the case, each co-unit sends its written views (some after
  the month), the lead records its contact with the deputies and then answers A/B/C/D
  (C with its reason, B with its own delivery date weeks ahead); some ask for the one
  extension; a re-handled suggestion gets a second answer; a B's delivery item is reported
  (some late);
- **signers** rate each answer round (mostly 满意; some 不满意, which brings the re-handling).

The play remembers what it did and does each step when it is due on the simulated clock,
through its own workers (``start``/``stop``), trying again later while the events that make
it possible are still on their way (e.g. 404 before supervision opened the case, 409
``not_answered`` before intake saw the answer). When it runs more than a simulated day
behind (``behind``) the simulation holds the clock until it caught up. Short runs shrink
the handling times (``scale``) so that suggestions filed in a 20-day run are answered,
rated and delivered inside it. ``counts`` and ``expected()`` are what the summary
(``formal_summary``) compares with intake, supervision and reporting.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from minyi.platform.auth import Principal, Role
from minyi.platform.settings import service_port

CITY = ZoneInfo("Asia/Shanghai")
PER_YEAR = 2340  # Jingmen, 2024: the reference scale
IN_SESSION = 0.7  # the share filed during the congress's session (大会期间)
CONVERTED = 0.05  # the share made from a citizen's suggestion (转为代表建议)
# Answer classes (A 已解决或采纳, B 正在解决或列入计划, C 因条件限制暂不能解决, D 留作参考).
OUTCOME_WEIGHTS = {"A": 55, "B": 32, "C": 9, "D": 4}
UNSATISFIED = 0.08  # suggestions one signer of which is not satisfied with the first answer
NO_RATING = 0.04  # signers who never return the form (the window closes the round)
EXTENSION = 0.08  # lead units that ask for the one extension
LATE_VIEWS = 0.1  # co-units that send their views after the month
LATE_DELIVERY = 0.15  # B promises delivered after the unit's own date
TOPIC_PICK = 0.01  # the session's suggestions the office links when opening the topics
TOPIC_SHARE = 0.005  # later suggestions it links
RETRIES = 80  # ticks a step may wait for the events that make it possible
CONCURRENCY = 16  # the play's workers: requests in flight at once
TOPICS = [
    ("城区交通拥堵综合治理", "g1", "第一督导组"),
    ("老旧小区改造与加装电梯", "cjw", "城乡建设环境保护工作委员会"),
]
REPLIES = {
    "A": "经认真研究并与代表沟通，建议所提事项已办理完毕，相关措施已落实到位，感谢代表对我们工作的关心和支持。",
    "B": "建议所提事项已列入本年度工作计划，目前正在组织实施，将按承诺时间完成，并及时向代表报告进展。",
    "C": "经认真研究，建议所提事项受用地、资金等条件限制，目前暂不能解决，我们将持续跟踪，条件具备时积极推进。",
    "D": "建议所提事项对我们改进工作很有参考价值，已留作今后制定相关政策和工作计划时参考，感谢代表的关心。",
}
SECOND_REPLY = (
    "根据代表意见，我单位重新研究并再次与代表当面沟通，已调整办理措施并落实到位，"
    "现将重新办理情况答复如下，恳请代表继续监督。"
)
DELIVERY_NOTE = "承诺事项已按计划完成，现场已验收，相关情况已向领衔代表和联名代表报告。"
Auth = Callable[[Principal], dict[str, str]]


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{service_port(service)}{path}"


@dataclass
class Formal:
    """One formal suggestion as the play knows it."""

    id: str
    lead: str
    co_signers: list[str]
    unsatisfied: bool  # one signer will not be satisfied with the first answer
    silent: set[str] = field(default_factory=set)  # signers who never rate
    number: str = ""
    assigned_day: float = 0.0
    unit: str = ""
    co_units: list[str] = field(default_factory=list)
    outcome: str = ""  # the latest answer's class
    round: int = 1
    rated: dict[int, dict[str, str]] = field(default_factory=dict)  # round -> signer -> worst
    c_rounds: set[int] = field(default_factory=set)  # rounds answered C, and of them
    reviewed: set[int] = field(default_factory=set)  # those the office reviewed
    reopened: bool = False
    views_due: float = 0.0  # the simulated day the last co-unit sends its views

    @property
    def signers(self) -> list[str]:
        return [self.lead, *self.co_signers]


@dataclass(order=True)
class Step:
    due: float
    seq: int
    name: str = field(compare=False)
    run: Callable[[httpx.AsyncClient], Awaitable[bool]] = field(compare=False)
    tries: int = field(default=0, compare=False)


@dataclass
class FormalPlay:
    rng: random.Random
    auth: Auth
    now: Callable[[], datetime]
    total: int  # formal suggestions to file over the run
    days: int
    citizen_ids: Callable[[], list[str]] = list
    deputies: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    plan: list[float] = field(default_factory=list)  # the simulated day of each filing
    sessions: list[str] = field(default_factory=list)
    suggestions: dict[str, Formal] = field(default_factory=dict)
    agenda: list[Step] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    topics_opened: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    # Entries the deputies' performance files should get (``DeputyPlay.done``'s keys).
    file_entries: list[tuple[str, str]] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _started: int = 0  # filings of ``plan`` done
    _day: float = 0.0  # the simulated day of the current tick
    lag: float = 0.0  # the longest a filing waited behind its planned day (simulated days)
    jobs: asyncio.Queue[Awaitable[Any] | None] = field(default_factory=asyncio.Queue)
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    assigning: bool = False  # the office is working through routing's queue
    # EXTENSION of the lead units ask for an extension, spread evenly over the assignments
    # (a draw per suggestion left a short run with none now and then: its test failed).
    _extension_share: float = 0.5

    # -- set-up -----------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """Handling times as a share of the real ones: 1 for a year, less for a short run."""
        return min(1.0, self.days / 365)

    def session_window(self) -> tuple[float, float]:
        """大会期间: from the second day, about a week and a half of a year's run."""
        return 1.0, 1.0 + max(2.0, 0.03 * min(self.days, 365))

    async def setup(self, client: httpx.AsyncClient) -> None:
        for _ in range(100):  # liaison's registry reaches intake's replica at start-up
            r = await client.get(url("intake", "/v1/reference/representatives"))
            if r.status_code == 200 and len(r.json()) >= 4:
                self.deputies = sorted(d["id"] for d in r.json())
                break
            await asyncio.sleep(0.2)
        r = await client.get(url("routing", "/v1/units"), headers=self.office())
        if r.status_code == 200:
            body = r.json()
            items = body.get("items", body) if isinstance(body, dict) else body
            self.units = sorted(str(u.get("id") or u.get("unit_id")) for u in items)
        if not self.deputies:
            self.counts["no_deputies"] += 1
            return
        lo, hi = self.session_window()
        end = max(hi + 1.0, 0.75 * self.days)  # late filings could not be answered in time
        in_session = round(self.total * IN_SESSION)
        self.plan = sorted(
            [self.rng.uniform(lo, hi) for _ in range(in_session)]
            + [self.rng.uniform(hi, end) for _ in range(self.total - in_session)]
        )
        self.sessions = ["in_session" if lo <= d < hi else "between_sessions" for d in self.plan]

    # -- tokens -----------------------------------------------------------------------
    def office(self) -> dict[str, str]:
        return self.auth(Principal(Role.ADMIN, "sim-office"))

    def deputy(self, deputy_id: str) -> dict[str, str]:
        return self.auth(
            Principal(Role.REPRESENTATIVE, f"sim-deputy-{deputy_id}", representative=deputy_id)
        )

    def unit(self, unit_id: str) -> dict[str, str]:
        return self.auth(Principal(Role.UNIT_STAFF, f"sim-{unit_id}", unit=unit_id))

    # -- the clock --------------------------------------------------------------------
    def local_day(self, days_ahead: int = 0) -> date:
        return (self.now().astimezone(CITY) + timedelta(days=days_ahead)).date()

    def later(self, days: float) -> float:
        """A handling delay of ``days`` (a year's figure), shrunk for a short run."""
        return self._day + days * self.scale

    def at(
        self, due: float, name: str, run: Callable[[httpx.AsyncClient], Awaitable[bool]]
    ) -> None:
        heapq.heappush(self.agenda, Step(due, next(self._seq), name, run))

    # -- one tick ---------------------------------------------------------------------
    def start(self) -> None:
        """The play's workers: what is due is done by them, between and across the
        simulation's ticks, so a slow tick of the other plays does not hold this one back
        (nor this one's backlog the others)."""

        async def work() -> None:
            while (job := await self.jobs.get()) is not None:
                try:
                    await job
                except Exception as exc:  # one person's failure must not stop the play
                    self.counts[f"error_{type(exc).__name__}"] += 1

        self.workers = [asyncio.create_task(work()) for _ in range(CONCURRENCY)]

    async def stop(self) -> None:
        """Let every job already handed to the workers finish (what a person has sent is
        counted), then end them."""
        for _ in self.workers:
            self.jobs.put_nowait(None)
        await asyncio.gather(*self.workers)

    async def act(self, client: httpx.AsyncClient, day: float) -> None:
        """Hand what is due to the workers; never more than a few rounds of them at once,
        so filings, steps and the office's queue take turns when the host is slow."""
        self._day = day
        if not self.deputies or not self.workers:
            return
        room = 3 * CONCURRENCY - self.jobs.qsize()
        # Filings take at most half the room while steps wait: the suggestions already
        # in hand keep their deadlines when the host is slow.
        filings = room if not self.due_steps(day) else room // 2
        while filings > 0 and self._started < len(self.plan) and self.plan[self._started] <= day:
            self.lag = max(self.lag, day - self.plan[self._started])
            self.jobs.put_nowait(self.file_one(client, self.sessions[self._started]))
            self._started += 1
            filings -= 1
            room -= 1
        while room > 0 and self.due_steps(day):
            self.jobs.put_nowait(self.run_step(client, heapq.heappop(self.agenda)))
            room -= 1
        if not self.topics_opened and day >= self.session_window()[1]:
            self.topics_opened = True
            self.jobs.put_nowait(self.open_topics(client))
        if not self.assigning:
            self.assigning = True
            self.jobs.put_nowait(self.office_assigns(client))

    def behind(self, day: float, held: bool) -> bool:
        """More than a simulated day behind (a filing or a step waiting that long), or,
        while the clock is held, not yet back within a fifth of a day."""
        waiting = [self.agenda[0].due] if self.agenda else []
        if self._started < len(self.plan):
            waiting.append(self.plan[self._started])
        late = day - min(waiting, default=day)
        return late > (0.2 if held else 1.0)

    def due_steps(self, day: float) -> bool:
        return bool(self.agenda) and self.agenda[0].due <= day

    async def run_step(self, client: httpx.AsyncClient, step: Step) -> None:
        """A step whose preconditions are still on their way is tried on a later tick."""
        try:
            done = await step.run(client)
        except httpx.HTTPError:
            done = False
        if done:
            return
        step.tries += 1
        if step.tries >= RETRIES:
            self.counts[f"gave_up_{step.name}"] += 1
            return
        step.due = self._day + 0.05 + 0.5 * self.scale
        heapq.heappush(self.agenda, step)

    def count(self, what: str, r: httpx.Response, ok: tuple[int, ...] = (200, 201)) -> bool:
        if r.status_code in ok:
            self.counts[what] += 1
            return True
        self.counts[f"{what}_{r.status_code}{refusal(r)}"] += 1
        return False

    # -- deputies file ----------------------------------------------------------------
    async def file_one(self, client: httpx.AsyncClient, session: str) -> None:
        lead = self.rng.choice(self.deputies)
        others = [d for d in self.deputies if d != lead]
        co = self.rng.sample(others, self.rng.choice([1, 1, 2, 2, 3]))
        body: dict[str, Any] = {
            "co_signer_ids": co,
            "session": session,
            "publishable": self.rng.random() < 0.8,
            "reasons": "群众反映强烈，事关民生，代表在视察调研中多次听到相关意见。",
            "measures": "建议相关部门制定专项工作方案，明确责任和时限，加大资金投入，定期向代表通报进展。",
        }
        citizens = self.citizen_ids()
        if citizens and self.rng.random() < CONVERTED:
            body["converted_from"] = self.rng.choice(citizens)
        else:
            title, content = self.text()
            body.update(title=title, content=content)
        r = await client.post(
            url("intake", "/v1/formal-suggestions"), headers=self.deputy(lead), json=body
        )
        if not self.count("drafted", r, (201,)):
            return
        sid = r.json()["id"]
        for deputy_id in co:
            c = await client.post(
                url("intake", f"/v1/formal-suggestions/{sid}/confirm"),
                headers=self.deputy(deputy_id),
            )
            if not self.count("co_signer_confirmed", c):
                return
        s = await client.post(
            url("intake", f"/v1/formal-suggestions/{sid}/submit"), headers=self.deputy(lead)
        )
        if not self.count("filed", s):
            return
        self.counts[session] += 1
        self.counts["converted"] += int("converted_from" in body)
        f = Formal(sid, lead, co, unsatisfied=self.rng.random() < UNSATISFIED)
        f.number = s.json().get("number") or ""
        if not f.unsatisfied:  # a re-handling needs every signer's form
            f.silent = {d for d in f.signers if self.rng.random() < NO_RATING}
        self.suggestions[sid] = f
        self.file_entries.append((lead, "suggestion"))
        self.file_entries += [(d, "endorsement") for d in co]

    def text(self) -> tuple[str, str]:
        topic = self.rng.choice(SUBJECTS)
        place = self.rng.choice(PLACES)
        title = f"关于{place}{topic[0]}的建议"
        content = (
            f"{place}{topic[1]}，群众反映较多。建议{topic[2]}，"
            "切实解决群众急难愁盼问题，事关群众日常生活和城市发展。"
        )
        return title[:100], content

    # -- the office -------------------------------------------------------------------
    async def office_assigns(self, client: httpx.AsyncClient) -> None:
        """交办: the office works through routing's queue, keeping the proposal mostly."""
        try:
            await self.assign_waiting(client)
        finally:
            self.assigning = False

    async def assign_waiting(self, client: httpx.AsyncClient) -> None:
        r = await client.get(
            url("routing", "/v1/formal-assignments"), headers=self.office(), params={"limit": 200}
        )
        if r.status_code != 200:
            self.counts[f"queue_{r.status_code}"] += 1
            return
        await asyncio.gather(*(self.confirm(client, item) for item in r.json()))

    async def confirm(self, client: httpx.AsyncClient, item: dict[str, Any]) -> None:
        f = self.suggestions.get(item["suggestion_id"])
        if f is None:
            return  # not the play's
        proposal = item.get("proposal") or {}
        lead = proposal.get("unit_id") or self.rng.choice(self.units)
        co = [c["unit_id"] for c in proposal.get("co_units") or [] if c.get("unit_id")][:3]
        note = ""
        spare = [u for u in self.units if u != lead and u not in co]
        # Sometimes the office swaps a proposed co-unit, or adds one routing saw no
        # evidence for (most suggestions have a co-unit in practice).
        if spare and co and self.rng.random() < 0.15:
            co[-1] = self.rng.choice(spare)
            note = "结合部门职责调整协办单位"
            self.counts["co_unit_swapped"] += 1
        elif spare and len(co) < 3 and self.rng.random() < (0.5 if not co else 0.1):
            co.append(self.rng.choice(spare))
            note = "增加协办单位"
            self.counts["co_unit_added"] += 1
        c = await client.post(
            url("routing", f"/v1/formal-assignments/{f.id}/confirm"),
            headers=self.office(),
            json={"unit_id": lead, "co_unit_ids": co, "note": note, "by": "人大代表工作委员会"},
        )
        if not self.count("assigned", c):
            return
        f.unit, f.co_units, f.assigned_day = lead, co, self._day
        self.plan_handling(f)

    async def open_topics(self, client: httpx.AsyncClient) -> None:
        """Two key topics, once the session's suggestions are assigned (tried once)."""
        year = self.local_day().year
        for title, lead_id, lead_name in TOPICS:
            r = await client.post(
                url("supervision", "/v1/topics"),
                headers=self.office(),
                json={"title": title, "year": year, "lead_id": lead_id, "lead_name": lead_name},
            )
            if self.count("topics_opened", r):
                self.topics.append(r.json()["topic_id"])
        if not self.topics:
            return
        # The office picks a few of the session's suggestions for them at once.
        assigned = [f.id for f in self.suggestions.values() if f.unit]
        picked = max(2 * len(self.topics), round(TOPIC_PICK * len(assigned)))
        for sid in self.rng.sample(assigned, min(picked, len(assigned))):
            self.link_later(sid)

    # -- units --------------------------------------------------------------------------
    def plan_handling(self, f: Formal) -> None:
        """What the units will do and when, decided once the office assigned it."""
        sid = f.id
        self.at(self._day + self.rng.uniform(0.1, 0.8), "accept", lambda c: self.accept(c, sid))
        for unit in f.co_units:
            late = self.rng.random() < LATE_VIEWS
            after = self.later(self.rng.uniform(32, 45) if late else self.rng.uniform(5, 28))
            f.views_due = max(f.views_due, after)
            self.at(after, "views", partial(self.views, sid=sid, unit=unit))
        contact = self.rng.uniform(10, 45)
        self.at(self.later(contact), "contact", lambda c: self.contact(c, sid))
        reply = contact + self.rng.uniform(5, 40)
        self._extension_share += EXTENSION
        if self._extension_share >= 1.0:
            self._extension_share -= 1.0
            # Asked after signing for it (a day at most); the answer follows the decision.
            ask = self.rng.uniform(15, 55)
            self.at(self.later(ask) + 1, "extension", lambda c: self.ask_extension(c, sid))
        else:
            if self.rng.random() < 0.05:
                reply = self.rng.uniform(92, 110)  # late: overdue, escalated
            # The lead answers once it has every co-unit's views.
            due = max(self.later(reply), f.views_due + 0.1)
            self.at(due, "reply", lambda c: self.reply(c, sid))
        if self.topics and self.rng.random() < TOPIC_SHARE:
            self.link_later(sid)

    def link_later(self, sid: str) -> None:
        topic = self.rng.choice(self.topics)
        self.at(self._day + 0.5, "link", lambda c: self.link(c, topic, sid))

    async def accept(self, client: httpx.AsyncClient, sid: str) -> bool:
        f = self.suggestions[sid]
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/accept"), headers=self.unit(f.unit)
        )
        if r.status_code == 404:
            return False  # the case is not open yet
        self.count("accepted", r)
        return True

    async def views(self, client: httpx.AsyncClient, sid: str, unit: str) -> bool:
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/views"),
            headers=self.unit(unit),
            json={
                "views": "我单位对该建议提出如下协办意见：将在职责范围内积极配合主办单位，提供相关资料和资金支持。"
            },
        )
        if r.status_code == 404:
            return False
        self.count("co_views", r)
        return True

    async def contact(self, client: httpx.AsyncClient, sid: str) -> bool:
        f = self.suggestions[sid]
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/contacts"),
            headers=self.unit(f.unit),
            json={
                "contacted_on": self.local_day().isoformat(),
                "mode": self.rng.choice(["meeting", "visit", "phone", "phone", "video"]),
                "note": "与领衔代表当面沟通办理思路，听取代表意见。",
            },
        )
        if r.status_code == 404 or refusal(r) == "_contacted_on_future":
            return False  # not open yet; or its clock still on the day before
        self.count("contacted", r)
        return True

    async def ask_extension(self, client: httpx.AsyncClient, sid: str) -> bool:
        f = self.suggestions[sid]
        assigned = self.local_day(-math.ceil(self._day - f.assigned_day))
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/extension-request"),
            headers=self.unit(f.unit),
            json={
                "reason": "涉及多个部门协调和资金安排，需提请政府常务会议研究，申请延期答复。",
                "until": (assigned + timedelta(days=150)).isoformat(),
            },
        )
        if r.status_code == 404:
            return False
        if self.count("extension_requested", r):
            self.at(self.later(self.rng.uniform(1, 6)), "decision", lambda c: self.decide(c, sid))
        else:
            self.answer_later(sid)
        return True

    def answer_later(self, sid: str) -> None:
        due = max(self.later(self.rng.uniform(20, 60)), self.suggestions[sid].views_due + 0.1)
        self.at(due, "reply", lambda c: self.reply(c, sid))

    async def decide(self, client: httpx.AsyncClient, sid: str) -> bool:
        approve = self.rng.random() < 0.9
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/extension-decision"),
            headers=self.office(),
            json={
                "approve": approve,
                "note": "同意延期。" if approve else "理由不充分，请按期答复。",
            },
        )
        self.count("extension_granted" if approve else "extension_refused", r)
        self.answer_later(sid)
        return True

    async def reply(self, client: httpx.AsyncClient, sid: str) -> bool:
        f = self.suggestions[sid]
        if f.round == 1:
            outcome = self.rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
            text = REPLIES[outcome]
        else:  # the re-handling: resolved after all, or it stays a C
            outcome = self.rng.choices(["A", "C"], [80, 20])[0]
            text = SECOND_REPLY
        body: dict[str, Any] = {
            "outcome": outcome,
            "reply": text,
            "measures": "制定专项方案、明确责任单位和完成时限、定期调度",
            "reason": "受用地和资金条件限制，暂不具备实施条件" if outcome == "C" else None,
        }
        promised = 0
        if outcome == "B":
            promised = max(1, math.ceil(self.rng.uniform(21, 120) * self.scale))
            body["delivery_by"] = self.local_day(promised).isoformat()
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/reply"), headers=self.unit(f.unit), json=body
        )
        if r.status_code in (404, 409) or refusal(r) == "_delivery_by_not_future":
            return False  # not open, reopened or contacted yet; or its clock a day ahead
        if not self.count(f"answered_{outcome}" if f.round == 1 else f"reanswered_{outcome}", r):
            return True
        f.outcome = outcome
        rnd = f.round
        for deputy_id in f.signers:
            if deputy_id not in f.silent:
                # The signer who is not satisfied says so first, well inside the window.
                first = f.unsatisfied and deputy_id == f.signers[-1] and rnd == 1
                wait = self.later(self.rng.uniform(1, 3) if first else self.rng.uniform(3, 20))
                self.at(wait, "rate", partial(self.rate, sid=sid, deputy_id=deputy_id, rnd=rnd))
        if outcome == "C":
            f.c_rounds.add(rnd)
            wait = self.later(self.rng.uniform(2, 8))
            self.at(wait, "review", partial(self.review, sid=sid, rnd=rnd))
        if outcome == "B":
            late = self.rng.random() < LATE_DELIVERY
            when = (
                self._day + promised + 1 + self.rng.uniform(0, 10) * self.scale
                if late
                else self._day + promised * self.rng.uniform(0.3, 0.95)
            )
            self.at(when, "deliver", lambda c: self.deliver(c, sid, late))
        return True

    async def review(self, client: httpx.AsyncClient, sid: str, rnd: int) -> bool:
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}/review"),
            headers=self.office(),
            json={"verdict": "upheld", "note": "答复理由充分，维持C类答复。"},
        )
        if r.status_code == 404:
            return False
        if self.count("c_reviewed", r):
            f = self.suggestions[sid]
            f.reviewed.add(rnd)
            self.settled(f)
        return True

    def settled(self, f: Formal) -> None:
        """Count the re-handling supervision starts: every signer rated the first answer,
        one is not satisfied, and a C answer has been reviewed."""
        first = f.rated.get(1, {})
        if (
            not f.reopened
            and len(first) == len(f.signers)
            and "unsatisfied" in first.values()
            and (1 not in f.c_rounds or 1 in f.reviewed)
        ):
            f.reopened = True
            self.counts["reopened"] += 1

    async def deliver(self, client: httpx.AsyncClient, sid: str, late: bool) -> bool:
        f = self.suggestions[sid]
        r = await client.post(
            url("supervision", f"/v1/cases/{sid}~B/reply"),
            headers=self.unit(f.unit),
            json={"outcome": "A", "reply": DELIVERY_NOTE},
        )
        if r.status_code == 404:
            return False
        if self.count("delivered", r):
            self.counts["delivered_late_planned" if late else "delivered_on_time_planned"] += 1
        return True

    async def link(self, client: httpx.AsyncClient, topic: str, sid: str) -> bool:
        r = await client.post(
            url("supervision", f"/v1/topics/{topic}/links"),
            headers=self.office(),
            json={"suggestion_id": sid},
        )
        if r.status_code == 404:
            return False
        self.count("linked", r)
        return True

    # -- signers rate -------------------------------------------------------------------
    async def rate(self, client: httpx.AsyncClient, sid: str, deputy_id: str, rnd: int) -> bool:
        f = self.suggestions[sid]
        unhappy = f.unsatisfied and deputy_id == f.signers[-1]
        if rnd == 1 and unhappy:
            marks = ["basically_satisfied", "satisfied", "unsatisfied"]
        elif rnd > 1 and unhappy and self.rng.random() < 0.2:
            marks = ["satisfied", "basically_satisfied", "unsatisfied"]
        else:  # mostly 满意 throughout; some 基本满意 on one point or all
            marks = ["satisfied"] * 3
            mood = self.rng.random()
            if mood < 0.25:
                marks[self.rng.randrange(3)] = "basically_satisfied"
            elif mood < 0.35:
                marks = ["basically_satisfied"] * 3
        r = await client.post(
            url("intake", f"/v1/formal-suggestions/{sid}/ratings"),
            headers=self.deputy(deputy_id),
            json={
                "contact": marks[0],
                "attitude": marks[1],
                "result": marks[2],
                "round": rnd,
                "comment": "问题没有真正解决" if "unsatisfied" in marks else "办理认真，沟通及时",
            },
        )
        if r.status_code == 422 or refusal(r) == "_not_answered":
            return False  # intake has not seen the answer yet
        if not self.count("rated", r):
            return True
        worst = max(marks, key=["satisfied", "basically_satisfied", "unsatisfied"].index)
        f.rated.setdefault(rnd, {})[deputy_id] = worst
        self.counts[f"rated_{worst}"] += 1
        if worst == "unsatisfied" and rnd == 1 and f.round == 1:
            # Supervision reopens it once the others have rated (or the window ended); the
            # unit answers again then (tried until it is reopened).
            f.round = 2
            self.at(self.later(self.rng.uniform(25, 45)), "reply", lambda c: self.reply(c, sid))
        self.settled(f)
        return True

    # -- what the play did, as the services should count it -------------------------------
    def answered(self) -> int:
        return sum(1 for f in self.suggestions.values() if f.outcome)

    def expected(self) -> dict[str, Any]:
        """The play's figures in reporting's terms (``/v1/formal-suggestions/year/{year}``'s
        totals): suggestions filed, assigned, answered, by latest class; signers who rated
        and their latest verdicts; re-handled; B promised and delivered."""
        fs = list(self.suggestions.values())
        latest = Counter(
            by_round[max(by_round)]
            for f in fs
            for by_round in ({r: v[d] for r, v in f.rated.items() if d in v} for d in f.signers)
            if by_round
        )
        return {
            "filed": len(fs),
            "assigned": sum(1 for f in fs if f.unit),
            "answered": self.answered(),
            "outcomes": {k: sum(1 for f in fs if f.outcome == k) for k in OUTCOME_WEIGHTS},
            "signers_rated": sum(latest.values()),
            "overall": {k: latest[k] for k in RATING_ALL},
            # Reporting counts a re-handling once it is answered (the second round).
            "rehandled": sum(v for k, v in self.counts.items() if k.startswith("reanswered_")),
            "promised": self.counts["answered_B"],
            "delivered": self.counts["delivered"],
            "linked": self.counts["linked"],
        }


RATING_ALL = ("satisfied", "basically_satisfied", "unsatisfied")
SUBJECTS = [
    ("公交线路优化", "公交线路覆盖不足、换乘不便", "优化公交线网，增设公交线路和站点"),
    ("老旧小区改造", "老旧小区管网老化、道路破损", "加快老旧小区改造进度，同步加装电梯"),
    ("中小学学位供给", "学位紧张、大班额问题突出", "新建扩建中小学校，增加学位供给"),
    ("农村饮水安全", "部分村组供水不稳定、水质不达标", "推进城乡供水一体化，改造农村供水管网"),
    ("停车难治理", "停车泊位不足、占道停车严重", "建设公共停车场，规范路内停车管理"),
    ("河道综合整治", "河道淤积、黑臭水体反复", "实施河道清淤和生态修复，加强截污纳管"),
    ("养老服务体系建设", "社区养老服务设施不足", "建设社区嵌入式养老服务中心，扩大助餐服务"),
    ("农产品冷链物流", "冷链设施缺乏、损耗较大", "布局建设产地冷藏保鲜设施，完善冷链物流网络"),
]
PLACES = ["东宝区", "掇刀区", "京山市", "沙洋县", "钟祥市", "漳河新区", "屈家岭管理区", "中心城区"]


def refusal(r: httpx.Response) -> str:
    """``_<code>`` of a refusal in the platform's error shape, else empty."""
    try:
        body = r.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return f"_{detail[0].get('type', '')}"
    return ""


async def formal_summary(play: FormalPlay, start: datetime) -> dict[str, Any]:
    """What the play did beside what intake, supervision and reporting hold: ``agree``
    when reporting's totals of the run's years are the play's figures."""
    years = sorted({start.astimezone(CITY).year, play.now().astimezone(CITY).year})
    office = play.office()
    analyst = play.auth(Principal(Role.ANALYST, "sim-analyst"))
    async with httpx.AsyncClient(timeout=60) as client:
        reporting = Counter[str]()
        nested: dict[str, Counter[str]] = {"outcomes": Counter(), "overall": Counter()}
        for year in years:
            r = await client.get(
                url("reporting", f"/v1/formal-suggestions/year/{year}"), headers=analyst
            )
            if r.status_code != 200:
                reporting[f"year_{r.status_code}"] += 1
                continue
            body = r.json()
            t = body["totals"]
            for k in ("filed", "assigned", "answered", "signers_rated", "rehandled"):
                reporting[k] += t[k]
            reporting["promised"] += t["delivery"]["promised"]
            reporting["delivered"] += t["delivery"]["delivered"]
            reporting["linked"] += sum(topic["filed"] for topic in body.get("by_topic", []))
            nested["outcomes"].update(t["outcomes"])
            nested["overall"].update(t["ratings"]["overall"])
        seen = {
            **{k: reporting[k] for k in ("filed", "assigned", "answered")},
            "outcomes": {k: nested["outcomes"][k] for k in OUTCOME_WEIGHTS},
            **{k: reporting[k] for k in ("signers_rated",)},
            "overall": {k: nested["overall"][k] for k in RATING_ALL},
            **{k: reporting[k] for k in ("rehandled", "promised", "delivered", "linked")},
        }
        intake = await intake_counts(client, play)
        supervision = await supervision_counts(client, office)
    expected = play.expected()
    return {
        "actions": dict(sorted(play.counts.items())),
        "filing_lag_days": round(play.lag, 1),
        "expected": expected,
        "reporting": seen,
        "intake": intake,
        "supervision": supervision,
        "agree": seen == expected
        and intake["filed"] == expected["filed"]
        and supervision["cases"] == expected["assigned"],
    }


async def intake_counts(client: httpx.AsyncClient, play: FormalPlay) -> dict[str, int]:
    """Formal suggestions submitted, answered and rated, as the signers' pages show them."""
    office = play.office()
    filed: dict[str, dict[str, Any]] = {}
    for deputy_id in play.deputies:
        r = await client.get(
            url("intake", "/v1/formal-suggestions"),
            headers=office,
            params={"deputy_id": deputy_id},
        )
        if r.status_code == 200:
            filed.update({f["id"]: f for f in r.json() if f.get("state") == "submitted"})
    return {
        "filed": len(filed),
        "answered": sum(1 for f in filed.values() if f.get("answers")),
        "ratings": sum(len(f.get("ratings") or []) for f in filed.values()),
        "closed": sum(1 for f in filed.values() if f.get("closed")),
    }


async def supervision_counts(client: httpx.AsyncClient, office: dict[str, str]) -> dict[str, int]:
    """Cases of formal suggestions and of B deliveries, as the office's lists count them."""

    async def total(**params: str) -> int:
        r = await client.get(
            url("supervision", "/v1/cases"), headers=office, params={"limit": 1, **params}
        )
        return int(r.json()["total"]) if r.status_code == 200 else -1

    return {
        "cases": await total(kind="representative_suggestion"),
        "replied": await total(kind="representative_suggestion", status="replied"),
        "reopened": await total(kind="representative_suggestion", status="reopened"),
        "closed": await total(kind="representative_suggestion", status="closed"),
        "deliveries": await total(kind="delivery"),
        "delivered": await total(kind="delivery", status="replied"),
    }

"""Improvement projects (改善项目) and the public ledger in ``minyi simulate --projects N``.

``ProjectPlay`` is driven by ``simulate.Simulation`` tick by tick, like ``DeputyPlay``, and
plays, through the real APIs, everyone a project meets:

- **the office**, early in the run, publishes the largest recurring-appeal clusters
  (supervision's topic candidates of source ``cluster``, up to five) under short titles it
  writes from the cluster's own, and registers N projects — by default one per focus area
  (``FOCUS_AREAS``), each in a division with units of the shared units reference, three or
  four milestones spread over the run (every third project's past its end, so the ledger
  keeps some in progress), some linked to the published clusters; one of them is put to a
  public vote (``acceptance_by: public``);
- **units** report progress about every simulated week (the percentage rising, now and
  then a small PNG as evidence), deliver most milestones on or before their day and about
  one in five late (the project turns 滞后, a long delay 严重滞后, on the ledger), and the
  lead unit reports the project done once every milestone is delivered;
- **deputies** of the demo registry inspect (视察) the projects, a finding now and then
  becoming a commitment the unit then keeps (the simulation's unit play answers it), and
  rate the finished ones they inspected (mostly 满意 / 基本满意); a supervision group
  inspects now and then too;
- **citizens** support (+1, 附议) published appeals (and now and then a project) and rate
  the project put to the public vote, each with a phone checked by a one-time code: the
  code is read from intake's queued SMS (``notifications``) in the run's data dir, as the
  log notifier only logs it.

Each step is planned on the simulated clock when the projects are registered and done when
due, as a task of its own; a step the events have not yet made possible (intake's replica
not yet holding a target, a 409 before a delivery arrived) is tried again a little later.
``counts`` is what the summary (``projects_summary``) sets beside the public ledger's.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from minyi.contracts.projects import FOCUS_AREAS
from minyi.contracts.reference import load_divisions, load_json, load_unit_names, reference_file
from minyi.platform.auth import Principal, Role
from minyi.platform.settings import service_port

CITY = ZoneInfo("Asia/Shanghai")
PUBLISHED_MAX = 5  # recurring appeals the office publishes
SUPPORTS_PER_30_DAYS = 20  # citizens' +1 over a month's run
PUBLIC_VOTES = 14  # citizens who rate the project put to the public vote (policy: ≥ 10)
LATE_SHARE = 0.2  # milestones delivered after their day
VERY_LATE_SHARE = 0.3  # of those, late by more than the policy's 10 working days
EVIDENCE_SHARE = 0.25  # progress reports with a photo
COMMITMENT_SHARE = 0.3  # deputies' inspections one finding of which becomes a commitment
RETRIES = 40
RETRY_DAYS = 0.25
DIVISIONS = ["420802", "420804", "420822", "420881", "420882", "420800-ZH"]
GROUP_OF = {
    "420802": "g1",
    "420804": "g2",
    "420822": "g3",
    "420881": "g4",
    "420882": "g5",
    "420800-ZH": "g6",
    "420800-QJL": "g6",
}
# Per focus area: the units' categories (the lead's first), the name (``{d}`` the division,
# ``{t}`` a township), the budget range (万元), and the milestones with their deliverables.
AREAS: dict[str, dict[str, Any]] = {
    "城市能级": {
        "categories": ["城乡建设", "国土资源"],
        "name": "{d}{t}老旧小区改造和城市更新提升工程",
        "budget": (800, 3000),
        "summary": "改造老旧小区供排水、燃气管网和外立面，增设电梯和停车位，补齐社区服务设施。",
        "milestones": [
            ("完成入户调查和改造方案公示", "改造方案及公示照片"),
            ("管网改造完工", "管网改造验收记录"),
            ("加装电梯和停车设施完工", "设施验收单"),
            ("环境整治完成并组织居民验收", "居民验收意见表"),
        ],
    },
    "科技赋能": {
        "categories": ["科技与信息产业", "党务政务"],
        "name": "{d}“一网通办”智慧政务和智慧社区建设项目",
        "budget": (300, 1200),
        "summary": "建设智慧社区服务平台，高频政务服务事项全程网办，社区一站式自助办理。",
        "milestones": [
            ("完成需求调研和平台设计", "需求调研报告"),
            ("平台上线试运行", "试运行报告"),
            ("高频事项接入完成", "事项接入清单"),
            ("完成培训并正式运行", "运行评估报告"),
        ],
    },
    "现代服务业": {
        "categories": ["商贸旅游", "劳动和社会保障"],
        "name": "{d}{t}一刻钟便民生活圈和家政服务提质项目",
        "budget": (200, 900),
        "summary": "新建和改造社区便民网点，培育家政服务品牌，开展家政从业人员技能培训。",
        "milestones": [
            ("完成便民网点选址和招商", "网点布局图"),
            ("便民网点改造开业", "开业网点清单"),
            ("完成家政从业人员培训", "培训结业名单"),
            ("便民生活圈建成验收", "验收报告"),
        ],
    },
    "交通物流枢纽功能": {
        "categories": ["交通运输", "经济管理"],
        "name": "{d}城乡物流配送体系和公交站点优化工程",
        "budget": (600, 2500),
        "summary": "建设县乡村三级物流配送站点，优化公交线路和站点设置，改善群众出行和寄递。",
        "milestones": [
            ("完成站点规划和线路优化方案", "规划方案"),
            ("乡镇物流配送站建成", "站点验收单"),
            ("公交站点改造完工", "站点改造清单"),
            ("配送体系投入运行", "运行情况报告"),
        ],
    },
    "城乡统筹发展": {
        "categories": ["农村农业", "民政"],
        "name": "{d}{t}农村供水保障和人居环境整治项目",
        "budget": (500, 2000),
        "summary": "实施农村饮水管网延伸和水质提升，整治村庄环境，建设农村公共服务设施。",
        "milestones": [
            ("完成供水管网延伸设计", "设计图纸"),
            ("供水管网铺设完工", "管网验收记录"),
            ("村庄环境整治完成", "整治前后对比照片"),
            ("水质检测达标并通水", "水质检测报告"),
        ],
    },
    "生态环境质量": {
        "categories": ["环境保护", "城乡建设"],
        "name": "{d}黑臭水体治理和城区污水管网改造工程",
        "budget": (1000, 4000),
        "summary": "治理城区黑臭水体，改造雨污分流管网，提升污水收集率，恢复河道生态。",
        "milestones": [
            ("完成排口排查和治理方案", "排查台账"),
            ("截污纳管工程完工", "工程验收记录"),
            ("雨污分流改造完工", "改造验收单"),
            ("水质监测达标", "水质监测报告"),
        ],
    },
    "文旅产业": {
        "categories": ["商贸旅游", "教育文体"],
        "name": "{d}{t}文旅街区提升和公共文化设施改造项目",
        "budget": (400, 1800),
        "summary": "提升历史文化街区风貌，改造社区文化活动中心和农家书屋，丰富群众文化生活。",
        "milestones": [
            ("完成街区风貌提升设计", "设计方案"),
            ("文化活动中心改造完工", "改造验收单"),
            ("街区亮化和导览设施完工", "设施清单"),
            ("开街运营并组织群众评议", "运营方案"),
        ],
    },
}
PROGRESS_NOTES = [
    "施工队伍已进场，现场施工有序推进，本周完成计划工作量。",
    "已召开推进会协调解决用地和资金问题，各项工作按计划推进。",
    "本阶段工程量基本完成，正在组织自检和资料整理。",
    "已完成现场踏勘和群众意见征集，根据意见优化了实施方案。",
    "材料设备已到位，正在分区域分批次施工，尽量减少对群众生活的影响。",
]
FINDINGS = [
    "现场施工组织有序，安全防护到位，建议加强与周边居民的沟通。",
    "工程质量总体较好，部分路段文明施工标识不足，请尽快完善。",
    "项目推进较快，建议及时公开施工进度，方便群众监督。",
    "群众反映施工噪音较大，建议合理安排作业时间。",
]
COMMITMENTS = [
    "施工围挡破损处一周内修复，夜间施工须提前公告",
    "对群众反映的积水点位加设临时排水设施",
    "补齐项目公示牌，公开工期、资金和监督电话",
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
RATINGS = {"satisfied": 62, "basically_satisfied": 30, "unsatisfied": 8}
PUBLIC_RATINGS = {"satisfied": 70, "basically_satisfied": 24, "unsatisfied": 6}
TRIM_PREFIXES = ("关于", "反映", "建议", "请求", "要求", "投诉", "咨询", "希望")
TRIM_SUFFIXES = ("的问题", "问题", "的建议", "的情况", "情况")
Auth = Callable[[Principal], dict[str, str]]
Run = Callable[[httpx.AsyncClient], Awaitable[bool]]


def url(service: str, path: str) -> str:
    return f"http://127.0.0.1:{service_port(service)}{path}"


def short_title(title: str, limit: int = 20) -> str:
    """The office's short public title from a cluster's title: the first clause, without
    the petition's wording (关于…, 反映…, …的问题), at most ``limit`` characters."""
    text = " ".join(str(title or "").split())
    for stop in "，。！？；,.!?;（(":
        head = text.split(stop, 1)[0].strip()
        if len(head) >= 4:
            text = head
    for prefix in TRIM_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 3:
            text = text[len(prefix) :]
    for suffix in TRIM_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 3:
            text = text[: -len(suffix)]
    return text[:limit].strip() or "群众反映集中的问题"


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Milestone:
    id: str
    title: str
    deliverable: str
    due_on: date
    deliver_day: float  # the simulated day the unit delivers it
    late: bool  # planned after its day
    delivered: bool = False
    on_time: bool | None = None


@dataclass
class Project:
    index: int
    name: str
    area: str
    division: str
    units: list[str]
    public: bool
    milestones: list[Milestone]
    starts_on: date
    ends_on: date
    budget: int
    summary: str
    cluster_ids: list[str] = field(default_factory=list)
    id: str = ""
    percent: int = 0
    inspectors: list[str] = field(default_factory=list)
    completed: bool = False


@dataclass(order=True)
class Step:
    due: float
    seq: int
    name: str = field(compare=False)
    run: Run = field(compare=False)
    tries: int = field(default=0, compare=False)


@dataclass
class ProjectPlay:
    rng: random.Random
    auth: Auth
    now: Callable[[], datetime]
    start: datetime
    total: int  # projects to register
    days: int
    data_dir: Path
    projects: list[Project] = field(default_factory=list)
    published: dict[str, str] = field(default_factory=dict)  # cluster id -> public title
    candidates: list[dict[str, Any]] = field(default_factory=list)
    deputies: dict[str, list[str]] = field(default_factory=dict)  # division -> deputy ids
    counts: Counter[str] = field(default_factory=Counter)
    agenda: list[Step] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # Entries the deputies' performance files should get (``DeputyPlay.done``'s keys).
    file_entries: list[tuple[str, str]] = field(default_factory=list)
    registered: bool = False
    # The longest a step of each kind waited behind its planned day (simulated days).
    lag: dict[str, float] = field(default_factory=dict)
    next_look: float = 0.0  # the simulated day the office looks at the clusters again
    _seq: int = 0
    _turn: int = -1
    _code_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- tokens and the clock ---------------------------------------------------------
    def office(self) -> dict[str, str]:
        return self.auth(Principal(Role.ADMIN, "sim-office"))

    def unit(self, unit_id: str) -> dict[str, str]:
        return self.auth(Principal(Role.UNIT_STAFF, f"sim-{unit_id}", unit=unit_id))

    def deputy(self, deputy_id: str) -> dict[str, str]:
        return self.auth(
            Principal(Role.REPRESENTATIVE, f"sim-deputy-{deputy_id}", representative=deputy_id)
        )

    def group(self, group_id: str) -> dict[str, str]:
        return self.auth(Principal(Role.SUPERVISOR, f"sim-{group_id}", group=group_id))

    def day_of(self, when: datetime) -> float:
        return (when - self.start).total_seconds() / 86400

    def date_of(self, day: float) -> date:
        return (self.start + timedelta(days=day)).astimezone(CITY).date()

    def noon(self, d: date) -> float:
        return self.day_of(datetime.combine(d, time(12), tzinfo=CITY))

    def today(self) -> date:
        # A moment behind: a service that has not yet re-read the clock file is never
        # shown a day it does not know yet.
        return (self.now() - timedelta(hours=1)).astimezone(CITY).date()

    def at(self, due: float, name: str, run: Run) -> None:
        self._seq += 1
        self.agenda.append(Step(due, self._seq, name, run))

    # -- one tick ---------------------------------------------------------------------
    async def act(self, client: httpx.AsyncClient, day: float) -> None:
        if not self.registered:
            await self.setup(client, day)
            return
        if len(self.published) < PUBLISHED_MAX and day >= self.next_look:
            self.next_look = day + max(2.0, self.days / 6)
            self.spawn(self.publish_more(client))
        # Nothing past the run's last day, however late the others' last tick ends it.
        due = sorted(s for s in self.agenda if s.due <= min(day, self.days))
        for step in due:
            self.agenda.remove(step)
            self.spawn(self.run_step(client, step))

    def spawn(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run_step(self, client: httpx.AsyncClient, step: Step) -> None:
        started = self.day_of(self.now())
        if step.tries == 0:
            self.lag[step.name] = max(self.lag.get(step.name, 0.0), started - step.due)
        try:
            done = await step.run(client)
        except httpx.HTTPError as exc:
            self.counts[f"error_{type(exc).__name__}"] += 1
            done = False
        if not done:
            step.tries += 1
            if step.tries < RETRIES:
                step.due = self.day_of(self.now()) + RETRY_DAYS
                self.agenda.append(step)
            else:
                self.counts[f"gave_up_{step.name}"] += 1

    async def stop(self) -> None:
        """Let what people already started finish (it is counted)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    # -- the office: appeals and projects ---------------------------------------------
    async def clusters(self, client: httpx.AsyncClient) -> list[dict[str, Any]]:
        r = await client.get(url("supervision", "/v1/topics/candidates"), headers=self.office())
        if r.status_code != 200:
            self.counts[f"candidates_{r.status_code}"] += 1
            return []
        return [c for c in r.json().get("items", []) if c.get("source") == "cluster"]

    async def setup(self, client: httpx.AsyncClient, day: float) -> None:
        """From the first day: once five clusters are there (or on the third day with what
        there is), the office publishes them and registers the projects."""
        if day < 1.0:
            return
        found = await self.clusters(client)
        if len(found) < PUBLISHED_MAX and day < min(3.0, self.days / 4):
            return
        self.registered = True
        await self.load_deputies(client)
        for c in found[:PUBLISHED_MAX]:
            await self.publish(client, c)
        self.plan(day)
        for p in self.projects:
            await self.register(client, p)
        self.schedule(day)

    async def load_deputies(self, client: httpx.AsyncClient) -> None:
        for _ in range(50):
            r = await client.get(url("intake", "/v1/reference/representatives"))
            if r.status_code == 200 and r.json():
                for d in r.json():
                    code = str(d.get("district_code") or "")
                    self.deputies.setdefault(code, []).append(str(d["id"]))
                return
            await asyncio.sleep(0.2)
        self.counts["no_deputies"] += 1

    async def publish(self, client: httpx.AsyncClient, cluster: dict[str, Any]) -> None:
        cid = str(cluster["ref"])
        if cid in self.published:
            return
        title = short_title(str(cluster.get("title") or ""))
        body: dict[str, Any] = {
            "cluster_id": cid,
            "title": title,
            "summary": f"群众集中反映“{title}”，已交有关单位研究办理。",
        }
        if cluster.get("district"):
            body["division_codes"] = [cluster["district"]]
        r = await client.post(
            url("supervision", "/v1/appeals/published"), json=body, headers=self.office()
        )
        if r.status_code == 200:
            self.published[cid] = title
            self.candidates.append(cluster)
            self.counts["appeals_published"] += 1
        else:
            self.counts[f"publish_{r.status_code}"] += 1

    async def publish_more(self, client: httpx.AsyncClient) -> None:
        """Every few days, while fewer than five are published, the office looks again,
        publishes new large clusters and links each to a project (``PATCH`` links)."""
        for c in await self.clusters(client):
            if len(self.published) >= PUBLISHED_MAX:
                break
            if str(c["ref"]) in self.published:
                continue
            await self.publish(client, c)
            target = self.link_target(c)
            if str(c["ref"]) in self.published and target is not None and target.id:
                await self.link(client, target, str(c["ref"]))

    async def link(self, client: httpx.AsyncClient, p: Project, cluster_id: str) -> None:
        path = url("supervision", f"/v1/projects/{p.id}")
        r = await client.get(path, headers=self.office())
        if r.status_code != 200:
            self.counts[f"link_{r.status_code}"] += 1
            return
        links = dict(r.json().get("links") or {})
        links["cluster_ids"] = [*(links.get("cluster_ids") or []), cluster_id]
        r = await client.patch(path, json={"links": links}, headers=self.office())
        if r.status_code == 200:
            p.cluster_ids.append(cluster_id)
            self.counts["linked_clusters"] += 1
        else:
            self.counts[f"link_{r.status_code}"] += 1

    def units_for(self, area: str, division: str) -> list[str]:
        """The lead unit and one co-unit: the division's own of the area's categories, a
        city unit where the division has none."""
        names = load_unit_names()
        raw = load_json(reference_file("units.json"))["units"]
        chosen: list[str] = []
        for category in AREAS[area]["categories"]:
            local = [
                u["id"]
                for u in raw
                if category in u.get("categories", ()) and division in u.get("jurisdiction", ())
            ]
            city = [
                u["id"]
                for u in raw
                if category in u.get("categories", ()) and "*" in u.get("jurisdiction", ())
            ]
            for uid in local + city:
                if uid in names and uid not in chosen:
                    chosen.append(uid)
                    break
        return chosen or ["jm-zfb"]

    def plan(self, day: float) -> None:
        """The projects, their milestones' days and which are delivered late."""
        divisions = load_divisions()
        first = self.date_of(day)
        end_day = float(self.days)
        public_index = self.total // 2 if self.total >= 2 else -1
        for i in range(self.total):
            area = FOCUS_AREAS[i % len(FOCUS_AREAS)]
            spec = AREAS[area]
            division = DIVISIONS[(i * 2 + i // len(FOCUS_AREAS)) % len(DIVISIONS)]
            div = divisions.get(division)
            dname = div.name if div else division
            towns = [t for t in (div.townships if div else ()) if t]
            town = self.rng.choice(towns) if towns else ""
            public = i == public_index
            n = self.rng.choice([3, 4])
            # The last milestone leaves time to report done and to be rated within the
            # run; a public vote needs its 15 days after the completion. Every third
            # project runs on past the run: the ledger keeps some in progress.
            last = end_day - self.rng.uniform(3.5, 5.5)
            if public:
                last = max(day + 3.0, min(last, end_day - 17.0))
            elif i % 3 == 2:
                last = end_day * self.rng.uniform(1.3, 1.6)
            lo = day + 1.5
            span = max(last - lo, 1.0)
            milestones: list[Milestone] = []
            for k in range(n):
                at = lo + span * (k + 1) / n + self.rng.uniform(-0.3, 0.3)
                due = self.working(self.date_of(at))
                if milestones and due <= milestones[-1].due_on:
                    due = self.working(milestones[-1].due_on + timedelta(days=1))
                title, deliverable = spec["milestones"][k if n == 4 else (0, 1, 3)[k]]
                milestones.append(Milestone(f"m{k + 1}", title, deliverable, due, 0.0, False))
            self.projects.append(
                Project(
                    index=i,
                    name=spec["name"].format(d=dname, t=town if "{t}" in spec["name"] else ""),
                    area=area,
                    division=division,
                    units=self.units_for(area, division),
                    public=public,
                    milestones=milestones,
                    starts_on=first,
                    ends_on=milestones[-1].due_on + timedelta(days=self.rng.randint(3, 20)),
                    budget=self.rng.randint(*spec["budget"]) * 10_000,
                    summary=spec["summary"],
                )
            )
        self.plan_deliveries(day)
        self.link_clusters()

    @staticmethod
    def working(d: date) -> date:
        """Milestones fall on Monday to Thursday: a late delivery is late by working days."""
        while d.weekday() > 3:
            d += timedelta(days=1)
        return d

    def plan_deliveries(self, day: float) -> None:
        """About one milestone in five is delivered after its day (some of them more than
        the policy's ten working days after); at least one of those due within the run
        (the first project's second milestone, a short delay, when chance gave none).
        Each milestone is delivered on its own plan: a late one does not hold the next."""
        for p in self.projects:
            for m in p.milestones:
                m.late = self.rng.random() < LATE_SHARE
        within = [
            m for p in self.projects for m in p.milestones if self.noon(m.due_on) < self.days - 2
        ]
        forced: Milestone | None = None
        if within and not any(m.late for m in within):
            p0 = self.projects[0]
            forced = p0.milestones[min(1, len(p0.milestones) - 1)]
            forced.late = True
        for p in self.projects:
            for m in p.milestones:
                due = self.noon(m.due_on)
                if m.late:
                    # Never very late where a public vote must follow within the run.
                    very = self.rng.random() < VERY_LATE_SHARE
                    very = very and m is not forced and not p.public
                    delay = self.rng.uniform(15.5, 18.5) if very else self.rng.uniform(3.5, 6.5)
                    at = due + delay
                else:
                    at = due - self.rng.uniform(0.5, 2.5)
                m.deliver_day = max(at, day + 0.2)

    def link_target(self, cluster: dict[str, Any]) -> Project | None:
        """The project a published cluster is linked to: one of its division (not yet
        done), else the next in turn; none once each has two."""
        open_ = [p for p in self.projects if not p.completed and len(p.cluster_ids) < 2]
        if not open_:
            return None
        same = [p for p in open_ if p.division == cluster.get("district")]
        if same:
            return same[0]
        self._turn += 1
        return open_[self._turn % len(open_)]

    def link_clusters(self) -> None:
        for c in self.candidates:
            target = self.link_target(c)
            if target is not None:
                target.cluster_ids.append(str(c["ref"]))

    async def register(self, client: httpx.AsyncClient, p: Project) -> None:
        body = {
            "name": p.name,
            "focus_area": p.area,
            "division_codes": [p.division],
            "unit_ids": p.units,
            "budget_yuan": p.budget,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "summary": p.summary,
            "acceptance_by": "public" if p.public else "inspectors",
            "milestones": [
                {"title": m.title, "due_on": m.due_on.isoformat(), "deliverable": m.deliverable}
                for m in p.milestones
            ],
            "links": {"cluster_ids": p.cluster_ids},
        }
        r = await client.post(url("supervision", "/v1/projects"), json=body, headers=self.office())
        if r.status_code == 201:
            p.id = r.json()["project_id"]
            self.counts["registered"] += 1
            self.counts["linked_clusters"] += len(p.cluster_ids)
        else:
            self.counts[f"register_{r.status_code}"] += 1

    # -- the plan of each project's life ----------------------------------------------
    def schedule(self, day: float) -> None:
        for p in self.projects:
            if not p.id:
                continue
            for m in p.milestones:
                self.at(m.deliver_day, "deliver", self.deliver_step(p, m))
            last = p.milestones[-1].deliver_day
            # Progress about every week, from a few days after the registration.
            t = day + self.rng.uniform(0.5, 3.0)
            while t < min(last, self.days - 0.5):
                self.at(t, "progress", self.progress_step(p))
                t += self.rng.uniform(5.5, 8.5)
            # Deputies inspect before it is done (the inspectors rate it); a supervision
            # group now and then.
            first_due = self.noon(p.milestones[0].due_on)
            inspections = 1 if p.public else self.rng.choice([1, 1, 2])
            for k in range(inspections):
                lo = day + 1.0 + k * 2.0
                hi = max(lo + 0.5, min(last - 0.5, first_due + 3.0 + k * 4.0))
                self.at(self.rng.uniform(lo, hi), "inspect", self.inspect_step(p))
            if self.rng.random() < 0.3:
                self.at(
                    self.rng.uniform(day + 2, max(day + 2.5, last)), "group", self.group_step(p)
                )
            self.at(last + self.rng.uniform(0.2, 1.0), "complete", self.complete_step(p))
        # Citizens: supports over the run, and the public vote once that project is done.
        published_day = day + 0.5
        n = max(1, round(SUPPORTS_PER_30_DAYS * self.days / 30))
        for _ in range(n):
            self.at(
                self.rng.uniform(published_day, self.days - 0.5), "support", self.support_step()
            )

    def deliver_step(self, p: Project, m: Milestone) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/milestones/{m.id}/deliver"),
                json={"note": f"{m.deliverable}已完成并归档。"},
                headers=self.unit(p.units[0]),
            )
            if r.status_code == 200:
                m.delivered = True
                rows: list[dict[str, Any]] = r.json()["milestones"]
                state = next((x for x in rows if x["milestone_id"] == m.id), {})
                m.on_time = bool(state.get("on_time"))
                self.counts["delivered_on_time" if m.on_time else "delivered_late"] += 1
                return True
            if r.status_code == 409 and "already_delivered" in r.text:
                return True
            self.counts[f"deliver_{r.status_code}"] += 1
            return r.status_code not in (404, 409) and r.status_code < 500

        return run

    def progress_step(self, p: Project) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            if p.completed:
                return True
            done = sum(m.delivered for m in p.milestones) / len(p.milestones)
            floor = round(100 * done)
            p.percent = min(95, max(p.percent + self.rng.randint(5, 15), floor))
            files = None
            if self.rng.random() < EVIDENCE_SHARE:
                files = [("files", (f"现场照片{p.percent}.png", PNG, "image/png"))]
            unit = p.units[0] if self.rng.random() < 0.8 else p.units[-1]
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/progress"),
                data={"percent": str(p.percent), "note": self.rng.choice(PROGRESS_NOTES)},
                files=files,
                headers=self.unit(unit),
            )
            if r.status_code == 201:
                self.counts["progress_reports"] += 1
                self.counts["evidence_files"] += 1 if files else 0
                return True
            self.counts[f"progress_{r.status_code}"] += 1
            return True  # next week's report instead

        return run

    def inspect_step(self, p: Project) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            if p.completed:
                return True
            pool = self.deputies.get(p.division) or [d for ds in self.deputies.values() for d in ds]
            if not pool:
                return True
            team = self.rng.sample(pool, k=min(len(pool), self.rng.choice([2, 3])))
            held_on = self.today()
            findings: list[dict[str, Any]] = [{"text": self.rng.choice(FINDINGS)}]
            commitment = self.rng.random() < COMMITMENT_SHARE
            if commitment:
                findings.append(
                    {
                        "text": self.rng.choice(COMMITMENTS),
                        "commitment": {
                            "unit_id": self.rng.choice(p.units),
                            "due_on": (
                                held_on + timedelta(days=self.rng.randint(7, 14))
                            ).isoformat(),
                        },
                    }
                )
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/inspections"),
                json={
                    "held_on": held_on.isoformat(),
                    "inspector_kind": "deputies",
                    "deputy_ids": team,
                    "findings": findings,
                },
                headers=self.deputy(team[0]),
            )
            if r.status_code == 201:
                self.counts["inspections"] += 1
                for d in team:
                    if d not in p.inspectors:
                        p.inspectors.append(d)
                if commitment:
                    self.counts["commitments"] += 1
                    self.file_entries.extend((d, "commitment") for d in team)
                return True
            self.counts[f"inspect_{r.status_code}"] += 1
            return r.status_code == 422

        return run

    def group_step(self, p: Project) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            group = GROUP_OF.get(p.division, "g1")
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/inspections"),
                json={
                    "held_on": self.today().isoformat(),
                    "inspector_kind": "supervision_group",
                    "findings": [{"text": self.rng.choice(FINDINGS)}],
                },
                headers=self.group(group),
            )
            if r.status_code == 201:
                self.counts["inspections"] += 1
                self.counts["group_inspections"] += 1
            else:
                self.counts[f"group_inspect_{r.status_code}"] += 1
            return True

        return run

    def complete_step(self, p: Project) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            if not all(m.delivered for m in p.milestones):
                return False  # a delivery still on its way
            if not p.public and not p.inspectors:
                return False  # the inspectors (who will rate it) have not been yet
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/complete"),
                json={"note": "项目各项建设内容已全部完成，申请验收。"},
                headers=self.unit(p.units[0]),
            )
            if r.status_code != 200:
                self.counts[f"complete_{r.status_code}"] += 1
                return False
            p.completed = True
            self.counts["completed"] += 1
            now = self.day_of(self.now())
            if p.public:
                for _ in range(PUBLIC_VOTES):
                    self.at(now + self.rng.uniform(0.2, 6.0), "vote", self.vote_step(p))
            else:
                for d in r.json().get("rater_ids") or p.inspectors:
                    self.at(now + self.rng.uniform(0.2, 2.0), "rate", self.rate_step(p, d))
            return True

        return run

    def rate_step(self, p: Project, deputy_id: str) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            rating = pick(self.rng, RATINGS)
            r = await client.post(
                url("supervision", f"/v1/projects/{p.id}/ratings"),
                json={"rating": rating},
                headers=self.deputy(deputy_id),
            )
            if r.status_code == 200:
                self.counts["deputy_ratings"] += 1
                self.counts[f"rated_{rating}"] += 1
                if r.json().get("status") == "accepted":
                    self.counts["accepted_by_deputies"] += 1
                return True
            self.counts[f"rate_{r.status_code}"] += 1
            return True

        return run

    # -- citizens ---------------------------------------------------------------------
    async def supporter(self, client: httpx.AsyncClient) -> dict[str, str] | None:
        """A citizen's supporter session: a one-time code to a new phone, read from the
        SMS intake queued, then checked. One at a time: the newest code is this one's."""
        phone = f"137{self.rng.randrange(10**8):08d}"
        ip = {
            "X-Forwarded-For": f"10.{self.rng.randrange(1, 250)}.{self.rng.randrange(250)}.{self.rng.randrange(1, 250)}"
        }
        async with self._code_lock:
            before = await asyncio.to_thread(self.last_code_id)
            r = await client.post(
                url("intake", "/v1/support/code"), json={"phone": phone}, headers=ip
            )
            if r.status_code != 202:
                self.counts[f"code_{r.status_code}"] += 1
                return None
            code = await asyncio.to_thread(self.code_after, before)
        if code is None:
            self.counts["code_not_found"] += 1
            return None
        r = await client.post(
            url("intake", "/v1/support/verify"), json={"phone": phone, "code": code}, headers=ip
        )
        if r.status_code != 200:
            self.counts[f"verify_{r.status_code}"] += 1
            return None
        return {**ip, "Authorization": f"Bearer {r.json()['token']}"}

    async def target_ready(
        self, client: httpx.AsyncClient, kind: str, target: str, flag: str
    ) -> bool:
        r = await client.get(url("intake", f"/v1/support/targets/{kind}/{target}"))
        return r.status_code == 200 and bool(r.json().get(flag))

    def intake_db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "intake.sqlite3", timeout=10)

    def last_code_id(self) -> int:
        db = self.intake_db()
        try:
            row = db.execute("SELECT COALESCE(MAX(id), 0) FROM notifications").fetchone()
        finally:
            db.close()
        return int(row[0])

    def code_after(self, before: int) -> str | None:
        db = self.intake_db()
        try:
            row = db.execute(
                "SELECT message FROM notifications WHERE id > ? AND kind = 'support_code'"
                " ORDER BY id DESC LIMIT 1",
                (before,),
            ).fetchone()
        finally:
            db.close()
        if row is None or "验证码是" not in row[0]:
            return None
        return "".join(c for c in row[0].split("验证码是")[1][:8] if c.isdigit()) or None

    def support_step(self) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            targets: list[tuple[str, str]] = [("appeal", cid) for cid in self.published]
            if self.rng.random() < 0.2:
                targets = [("project", p.id) for p in self.projects if p.id] or targets
            if not targets:
                return True
            # The smaller appeals draw more support: the ranking moves.
            weights = [1.0 + k for k in range(len(targets))]
            kind, target = self.rng.choices(targets, weights=weights)[0]
            if not await self.target_ready(client, kind, target, "supportable"):
                return False  # intake's replica does not hold it yet
            who = await self.supporter(client)
            if who is None:
                return False
            r = await client.post(
                url("intake", "/v1/supports"),
                json={"target_kind": kind, "target_id": target},
                headers=who,
            )
            if r.status_code == 201:
                self.counts["supports"] += 1
                self.counts[f"supports_{kind}"] += 1
                return True
            self.counts[f"support_{r.status_code}"] += 1
            return True

        return run

    def vote_step(self, p: Project) -> Run:
        async def run(client: httpx.AsyncClient) -> bool:
            if not await self.target_ready(client, "project", p.id, "ratable"):
                return self.day_of(self.now()) > self.days  # not yet, or the vote closed
            who = await self.supporter(client)
            if who is None:
                return False
            rating = pick(self.rng, PUBLIC_RATINGS)
            r = await client.post(
                url("intake", "/v1/project-ratings"),
                json={"project_id": p.id, "rating": rating},
                headers=who,
            )
            if r.status_code == 201:
                self.counts["public_ratings"] += 1
                return True
            self.counts[f"vote_{r.status_code}"] += 1
            return True

        return run

    # -- the summary ------------------------------------------------------------------
    def expected(self) -> dict[str, int]:
        """What the ledger should show, from what the play did."""
        c = self.counts
        return {
            "registered": c["registered"],
            "progress_reports": c["progress_reports"],
            "milestones_on_time": c["delivered_on_time"],
            "milestones_late": c["delivered_late"],
            "inspections": c["inspections"],
            "completed": c["completed"],
            "supports": c["supports"],
        }


async def ledger_counts(client: httpx.AsyncClient, ids: list[str]) -> dict[str, Any]:
    """The public ledger's own counts: ``GET /v1/public/projects`` and each project's page."""
    r = await client.get(url("reporting", "/v1/public/projects"))
    if r.status_code != 200:
        return {"error": r.status_code}
    rows = [p for p in r.json()["projects"] if not ids or p["project_id"] in ids]
    statuses = Counter(str(p["status"]) for p in rows)
    out: dict[str, Any] = {
        "registered": len(rows),
        "statuses": dict(sorted(statuses.items())),
        "milestones_delivered": sum(int(p["milestones_delivered"]) for p in rows),
        "milestones_overdue": sum(int(p["milestones_overdue"]) for p in rows),
        "completed": sum(1 for p in rows if p["status"] in ("completed", "accepted")),
        "accepted": statuses.get("accepted", 0),
        "acceptance": dict(
            Counter(
                str((p.get("acceptance") or {}).get("result")) for p in rows if p.get("acceptance")
            )
        ),
        "project_supports": sum(int(p.get("supports") or 0) for p in rows),
    }
    progress = inspections = on_time = late = 0
    ever_late: set[str] = set()
    late_projects: set[str] = set()
    for p in rows:
        d = await client.get(url("reporting", f"/v1/public/projects/{p['project_id']}"))
        if d.status_code != 200:
            continue
        body = d.json()
        progress += len(body.get("progress") or ())
        inspections += len(body.get("inspections") or ())
        for m in body.get("milestones") or ():
            if m.get("state") == "delivered":
                on_time += 1 if m.get("on_time") else 0
                late += 0 if m.get("on_time") else 1
        for t in body.get("timeline") or ():
            if t.get("status") in ("late", "very_late"):
                ever_late.add(str(t["status"]))
                late_projects.add(str(p["project_id"]))
    out["ever_late_projects"] = len(late_projects)
    out["late_statuses_seen"] = sorted(ever_late)
    out["progress_reports"] = progress
    out["inspections"] = inspections
    out["milestones_on_time"] = on_time
    out["milestones_late"] = late
    a = await client.get(url("reporting", "/v1/public/appeals"))
    appeals = a.json().get("appeals", []) if a.status_code == 200 else []
    out["appeals_published"] = len(appeals)
    out["appeal_supports"] = sum(int(x.get("supports") or 0) for x in appeals)
    out["supports"] = out["appeal_supports"] + out["project_supports"]
    out["ranking"] = [
        f"{x['rank']}. {x['title']} ({x['suggestions']}+{x['supports']})" for x in appeals
    ]
    return out


async def projects_summary(play: ProjectPlay) -> dict[str, Any]:
    """What the play did beside what the ledger shows; ``accepted`` is supervision's own
    count (a public vote is decided by its sweep when the window closes, not by a person)."""
    ids = [p.id for p in play.projects if p.id]
    async with httpx.AsyncClient(timeout=30) as client:
        ledger = await ledger_counts(client, ids)
        r = await client.get(url("supervision", "/v1/projects"), headers=play.office())
        listed = r.json().get("projects", []) if r.status_code == 200 else []
    expected = play.expected()
    expected["accepted"] = sum(
        1 for p in listed if p.get("project_id") in ids and p.get("status") == "accepted"
    )
    return {
        "actions": dict(sorted(play.counts.items())),
        "lag_days": {k: round(v, 2) for k, v in sorted(play.lag.items())},
        "expected": expected,
        "ledger": ledger,
        "agree": all(ledger.get(k) == v for k, v in expected.items()),
    }

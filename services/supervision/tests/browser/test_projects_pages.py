"""Improvement projects (民生项目) on supervision's pages in a real browser at phone width:
the office registers a project on /group and publishes a recurring appeal, the unit reports
progress with a PNG on /workbench and delivers its milestones, a deputy inspects on
/inspect (a finding becomes a commitment) and, once the unit reports done, rates it; a
second project turns late on the office's list when the held clock passes a milestone.
Screenshots: docs/screenshots/supervision-projects-*.png, supervision-inspect.png."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.errors import NoStreamResponseError

from minyi.contracts.envelope import new_event
from minyi.contracts.routing import SuggestionClustered
from minyi.platform.auth import Principal, Role
from services.supervision.tests.browser.conftest import DISTRICT, START, UNIT, Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()
expect = sync_api.expect

WIDER = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > width + 0.5)
  .map((e) => e.tagName + "#" + e.id + "." + e.className)"""
SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
WIDTH = 390
NAME = "东宝区老旧小区改造"
DEPUTY = "REP-420802-009"
CLUSTERS = {"c-ludeng": "泉口街道路灯不亮", "c-jishui": "龙泉街道雨后积水"}
MILESTONES = [
    ("完成施工招标", "2026-06-30", "中标通知书"),
    ("主体工程完工", "2026-09-30", "阶段验收报告"),
    ("竣工交付使用", "2026-12-15", "竣工验收备案表"),
]


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (red pixels): the server sniffs the content, not the name."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


EVIDENCE = png()


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as found:
        yield found


def phone(browser: Any, errors: list[str]) -> Any:
    tab = browser.new_page(
        viewport={"width": WIDTH, "height": 844}, locale="zh-CN", accept_downloads=True
    )
    tab.clock.set_fixed_time(START)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("dialog", lambda d: errors.append("dialog: " + d.message))
    return tab


def sign_in(tab: Any, token: str) -> None:
    tab.fill("#kit-token", token)
    tab.click("#signin button[type=submit]")


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / name), full_page=True)
    wide = tab.evaluate(WIDER, WIDTH)
    assert wide == [], f"wider than a phone: {wide}"


def deputy_token(server: Server, deputy: str = DEPUTY) -> str:
    return server.token(Principal(Role.REPRESENTATIVE, f"rep:{deputy}", representative=deputy))


def the_project(server: Server) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        p for p in server.api("/v1/projects")["projects"] if p["name"] == NAME
    ]
    assert len(found) == 1, found
    return found[0]


async def _publish(url: str, events: list[SuggestionClustered]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for data in events:
            event = new_event(data, source="minyi/routing", subject=data.suggestion_id)
            for _ in range(100):  # the service declares the stream as it connects
                try:
                    await js.publish(
                        data.subject_name,
                        event.model_dump_json().encode(),
                        headers={"Nats-Msg-Id": str(event.id)},
                    )
                    break
                except NoStreamResponseError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the MINYI stream never appeared")
    finally:
        await nc.close()


@pytest.fixture(scope="module")
def clusters(server: Server) -> Server:
    """Two recurring-appeal clusters (routing's SuggestionClustered, on the real bus)."""
    events = [
        SuggestionClustered(
            suggestion_id=f"s-{cid}-{n}",
            cluster_id=cid,
            size=n,
            representative_title=title,
            district_code=DISTRICT,
        )
        for cid, title in CLUSTERS.items()
        for n in (1, 2, 3)
    ]
    asyncio.run(_publish(server.nats_url, events))
    server.wait_for(
        "/v1/topics/candidates",
        lambda page: {c["ref"] for c in page["items"] if c["source"] == "cluster"} >= set(CLUSTERS),
        "supervision did not take the clusters as candidates",
    )
    return server


def test_the_office_registers_a_project_with_three_milestones_and_publishes_an_appeal(
    clusters: Server, browser: Any
) -> None:
    server = clusters
    errors: list[str] = []
    tab = phone(browser, errors)
    tab.goto(server.url + "/group")
    sign_in(tab, server.admin_token())
    tab.click("#tab-projects")
    expect(tab.locator("#panel-cases")).to_be_hidden()
    expect(tab.locator("#projects")).to_contain_text("还没有符合条件的民生项目")

    tab.click("#project-create summary")
    form = tab.locator("#project-form")
    form.locator("button[type=submit]").click()
    expect(tab.locator("#project-error")).to_contain_text("项目名称：必须填写")
    expect(form.get_by_label("项目名称")).to_have_attribute("aria-invalid", "true")

    form.get_by_label("项目名称").fill(NAME)
    form.get_by_label("重点领域").select_option("城市能级")
    form.get_by_label("东宝区", exact=True).check()
    form.get_by_label("牵头单位").select_option(UNIT)
    form.get_by_label("预算").fill("120.5")
    form.get_by_label("开始日期").fill("2026-06-01")
    form.get_by_label("结束日期").fill("2026-12-31")
    tab.click("#add-milestone")
    tab.click("#add-milestone")
    rows = form.locator(".milestone-row")
    expect(rows).to_have_count(3)
    for i, (title, due, deliverable) in enumerate(MILESTONES):
        rows.nth(i).get_by_label("名称").fill(title)
        rows.nth(i).get_by_label("完成期限").fill(due)
        rows.nth(i).get_by_label("交付成果").fill(deliverable)
    for title in CLUSTERS.values():
        form.get_by_label(title).check()
    form.get_by_label("关联建议").fill("s-20260601-001")
    # A milestone after the project's end: the server refuses it, naming the rule.
    rows.nth(2).get_by_label("完成期限").fill("2027-01-15")
    form.locator("button[type=submit]").click()
    expect(tab.locator("#project-error")).to_contain_text("起止日期")
    assert server.api("/v1/projects")["projects"] == []
    rows.nth(2).get_by_label("完成期限").fill(MILESTONES[2][1])
    form.locator("button[type=submit]").click()
    expect(tab.locator("#project-result")).to_contain_text("按计划推进")

    card = tab.locator("#projects .project", has_text=NAME)
    expect(card).to_have_class("card project on_plan")
    expect(card.locator(".chip")).to_have_text("按计划推进")
    expect(card).to_contain_text("下一里程碑：完成施工招标")
    saved = the_project(server)
    assert saved["budget_yuan"] == 1_205_000
    assert saved["unit_ids"] == [UNIT]
    assert saved["division_codes"] == [DISTRICT]
    assert [m["title"] for m in saved["milestones"]] == [m[0] for m in MILESTONES]
    assert sorted(saved["links"]["cluster_ids"]) == sorted(CLUSTERS)
    assert saved["links"]["suggestion_ids"] == ["s-20260601-001"]
    shot(tab, "supervision-projects-office.png")

    card.click()
    expect(tab.locator("#project-title")).to_have_text(NAME)
    expect(tab.locator("#milestone-list li")).to_have_count(3)
    expect(tab.locator("#project")).to_contain_text("120.5 万元")
    expect(tab.locator("#project")).to_contain_text("c-ludeng")
    # The office edits the links: one cluster off, a commitment id on.
    tab.click("#edit-links summary")
    links = tab.locator("#links-form")
    links.get_by_label(CLUSTERS["c-jishui"]).uncheck()
    links.get_by_label("关联承诺事项").fill("CM-0001")
    links.locator("button[type=submit]").click()
    expect(tab.locator("#project")).to_contain_text("CM-0001")
    expect(tab.locator("#project")).to_contain_text("泉口街道路灯不亮（c-ludeng）")
    assert the_project(server)["links"]["cluster_ids"] == ["c-ludeng"]
    tab.click("#project-back")
    expect(tab.locator("#projects .project")).to_have_count(1)

    # 公开高频诉求: the office publishes a cluster under its own title, then withdraws it.
    tab.click("#tab-appeals")
    candidate = tab.locator("#appeal-candidates .card", has_text=CLUSTERS["c-ludeng"])
    candidate.locator("summary", has_text="公开").click()
    candidate.get_by_label("公开标题").fill("泉口街道部分路段夜间照明不足")
    candidate.get_by_label("简介").fill("多位群众反映泉口街道部分路段路灯损坏。")
    candidate.get_by_label("重点领域").select_option("城市能级")
    candidate.locator("button[type=submit]").click()
    published = tab.locator("#published .card", has_text="泉口街道部分路段夜间照明不足")
    expect(published).to_contain_text("公开中")
    expect(published).to_contain_text("东宝区")
    shot(tab, "supervision-projects-appeals.png")
    appeal = server.api("/v1/appeals/published")["appeals"][0]
    assert (appeal["cluster_id"], appeal["public"]) == ("c-ludeng", True)
    published.locator("summary", has_text="编辑").click()
    published.get_by_label("公开标题").fill("泉口街道夜间照明不足")
    published.locator("button[type=submit]").click()
    published = tab.locator("#published .card", has_text="泉口街道夜间照明不足")
    expect(published).to_contain_text("公开中")
    edited = server.api("/v1/appeals/published")["appeals"][0]
    assert (edited["title"], edited["version"]) == ("泉口街道夜间照明不足", appeal["version"] + 1)
    published.locator("button.withdraw").click()
    expect(published).to_contain_text("已撤回")
    expect(published.locator("button.withdraw")).to_have_text("重新公开")
    withdrawn = server.api("/v1/appeals/published")["appeals"][0]
    assert (withdrawn["public"], withdrawn["title"]) == (False, "泉口街道夜间照明不足")
    assert [e for e in errors if "status of 422" not in e] == []  # the refused milestone


def test_the_unit_reports_progress_with_a_png_and_delivers_its_milestones(
    clusters: Server, browser: Any
) -> None:
    server = clusters
    errors: list[str] = []
    tab = phone(browser, errors)
    tab.goto(server.url + "/workbench")
    sign_in(tab, server.unit_token())
    card = tab.locator("#unit-projects .project", has_text=NAME)
    expect(card).to_contain_text("按计划推进")
    card.click()
    expect(tab.locator("#project-title")).to_have_text(NAME)
    form = tab.locator("#progress-form")
    expect(form).to_contain_text("最多5个文件，每个不超过5MB")
    form.get_by_label("完成进度").fill("30")
    form.get_by_label("进展说明").fill("已完成施工招标，施工单位进场。")
    files = form.locator("input[type=file]")
    # Refused in the page before anything is sent: too many files, then a type not allowed.
    files.set_input_files(
        [{"name": f"现场{n}.png", "mimeType": "image/png", "buffer": EVIDENCE} for n in range(6)]
    )
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_contain_text("最多5个文件")
    files.set_input_files([{"name": "说明.txt", "mimeType": "text/plain", "buffer": b"hi"}])
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_contain_text("类型不支持")
    # Named .png but not a PNG: the server sniffs the content and refuses it.
    files.set_input_files(
        [{"name": "伪装.png", "mimeType": "image/png", "buffer": b"<html>not a png</html>"}]
    )
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_contain_text("佐证材料")
    assert the_project(server)["progress"] == []
    files.set_input_files([{"name": "施工现场.png", "mimeType": "image/png", "buffer": EVIDENCE}])
    expect(form.locator(".file-names")).to_have_text("已选择 1 个文件：施工现场.png")
    form.locator("button[type=submit]").click()
    expect(tab.locator("#project-result")).to_contain_text("已报告进展：完成 30%")
    expect(tab.locator("#project-head")).to_contain_text("30%")
    entry = tab.locator("#progress-list li").first
    expect(entry).to_contain_text("已完成施工招标")
    with tab.expect_download() as download:
        entry.locator("button.evidence-file", has_text="施工现场.png").click()
    saved = download.value
    assert saved.suggested_filename == "施工现场.png"
    assert Path(saved.path()).read_bytes() == EVIDENCE
    evidence = the_project(server)["progress"][0]["evidence"][0]
    assert (evidence["media_type"], evidence["size_bytes"]) == ("image/png", len(EVIDENCE))

    tab.locator("summary", has_text="交付里程碑：完成施工招标").click()
    deliver = tab.locator("#deliver-m1")
    deliver.get_by_label("交付说明").fill("中标通知书已发出")
    deliver.locator("button[type=submit]").click()
    expect(tab.locator("#project-result")).to_contain_text("已交付")
    expect(tab.locator("#milestone-list li[data-milestone=m1]")).to_contain_text("按期交付")
    shot(tab, "supervision-projects-workbench.png")
    # Done too early: the lead unit is told what is still pending.
    tab.locator("summary", has_text="报告项目完成").click()
    tab.locator("#complete-form button[type=submit]").click()
    expect(tab.locator("#complete-form .error")).to_contain_text("主体工程完工")
    assert [e for e in errors if "status of 4" not in e] == []


def test_a_deputy_inspects_turns_a_finding_into_a_commitment_and_rates_the_done_project(
    clusters: Server, browser: Any
) -> None:
    server = clusters
    errors: list[str] = []
    tab = phone(browser, errors)
    response = tab.goto(server.url + "/inspect")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(tab, deputy_token(server))
    tab.locator("#projects .project", has_text=NAME).click()
    form = tab.locator("#inspection-form")
    expect(form).to_contain_text("人大代表视察")
    form.get_by_label("视察日期").fill("2026-06-02")
    finding = form.locator(".finding-row").first
    finding.get_by_label("问题和意见").fill("施工围挡占用人行道，老人出行不便，请设置临时通道。")
    finding.get_by_label("转为承诺事项").check()
    finding.get_by_label("承诺单位").select_option(UNIT)
    finding.get_by_label("承诺完成期限").fill("2026-06-16")
    tab.click("#add-finding")
    form.locator(".finding-row").nth(1).get_by_label("问题和意见").fill("建议公示施工进度表。")
    form.locator("button[type=submit]").click()
    expect(tab.locator("#result")).to_contain_text("1项发现已转为承诺事项")
    inspections = tab.locator("#inspection-list")
    expect(inspections).to_contain_text(DEPUTY)
    expect(inspections).to_contain_text("→ 承诺事项")
    inspection = the_project(server)["inspections"][0]
    assert inspection["deputy_ids"] == [DEPUTY]
    commitment = inspection["findings"][0]["commitment_id"]
    assert commitment and inspection["findings"][1]["commitment_id"] is None
    # The commitment is a supervised item at the unit, as at a visit.
    server.wait_for(
        "/v1/cases?limit=200",
        lambda page: any(i["kind"] == "commitment" for i in page["items"]),
        "no commitment case",
    )

    # The unit delivers the other milestones and reports the project done.
    project = the_project(server)
    for m in ("m2", "m3"):
        server.post(
            f"/v1/projects/{project['project_id']}/milestones/{m}/deliver", {}, server.unit_token()
        )
    unit = phone(browser, errors)
    unit.goto(server.url + "/workbench#project=" + project["project_id"])
    sign_in(unit, server.unit_token())
    unit.locator("summary", has_text="报告项目完成").click()
    unit.locator("#complete-form").get_by_label("完成情况说明").fill("全部工程已竣工。")
    unit.locator("#complete-form button[type=submit]").click()
    expect(unit.locator("#project-result")).to_contain_text("等待评价验收")
    expect(unit.locator("#project-head .chip")).to_have_text("已完成待验收")

    # The deputy who inspected it rates it: one rater, all rated, the rule decides.
    tab.goto(server.url + "/inspect")
    waiting = tab.locator("#to-rate .project", has_text=NAME)
    expect(waiting).to_contain_text("已完成待验收")
    waiting.click()
    rate = tab.locator("#rating-form")
    rate.locator("button[type=submit]").click()
    expect(rate.locator(".error")).to_contain_text("请选择满意、基本满意或不满意")
    rate.get_by_label("满意", exact=True).check()
    shot(tab, "supervision-inspect.png")
    rate.locator("button[type=submit]").click()
    expect(tab.locator("#result")).to_contain_text("已提交评价：满意")
    expect(tab.locator("#acceptance-result")).to_contain_text("验收结果：满意")
    expect(tab.locator("#project-head .chip")).to_have_text("已验收")
    done = the_project(server)
    assert done["status"] == "accepted" and done["acceptance"]["result"] == "satisfied"
    # Another deputy, who did not inspect, is not offered the rating.
    other = phone(browser, errors)
    other.goto(server.url + "/inspect#project=" + project["project_id"])
    sign_in(other, deputy_token(server, "REP-420802-010"))
    expect(other.locator("#project-title")).to_have_text(NAME)
    expect(other.locator("#rating-form")).to_have_count(0)
    assert [e for e in errors if "status of 4" not in e] == []


def test_a_milestone_passing_undelivered_turns_a_project_late_on_the_office_list(
    clusters: Server, browser: Any
) -> None:
    server = clusters
    body = {
        "name": "掇刀区农贸市场提档升级",
        "focus_area": "现代服务业",
        "division_codes": ["420804"],
        "unit_ids": ["dd-zjj"],
        "starts_on": "2026-06-01",
        "ends_on": "2026-08-31",
        "milestones": [{"title": "完成设计方案", "due_on": "2026-06-03"}],
    }
    r = httpx.post(
        server.url + "/v1/projects",
        json=body,
        headers={"Authorization": f"Bearer {server.admin_token()}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    pid = r.json()["project_id"]
    clock = server.runtime.clock
    clock.advance(timedelta(days=2))  # Thursday 4 June: the milestone's day has passed
    try:
        server.wait_for(
            f"/v1/projects/{pid}", lambda p: p["status"] == "late", "the project never turned late"
        )
        errors: list[str] = []
        tab = phone(browser, errors)
        tab.clock.set_fixed_time(START + timedelta(days=2))
        tab.goto(server.url + "/group#tab=projects")
        sign_in(tab, server.admin_token())
        late = tab.locator("#projects .project", has_text="农贸市场")
        expect(late).to_have_class("card project late")
        expect(late.locator(".chip")).to_have_text("滞后")
        tab.locator("#project-filters").get_by_label("状态").select_option("late")
        expect(tab.locator("#projects .project")).to_have_count(1)
        late.click()
        expect(tab.locator("#milestone-list")).to_contain_text("已逾期")
        expect(tab.locator("#status-timeline")).to_contain_text("按计划推进 → 滞后")

        # A supervision group sees the projects read-only and inspects the late one.
        group = phone(browser, errors)
        group.clock.set_fixed_time(START + timedelta(days=2))
        group.goto(server.url + "/group#tab=projects")
        sign_in(group, server.supervisor_token())
        expect(group.locator("#projects .project")).to_have_count(2)
        expect(group.locator("#project-create")).to_be_hidden()
        expect(group.locator("#tab-appeals")).to_be_hidden()
        group.goto(server.url + "/inspect#project=" + pid)
        form = group.locator("#inspection-form")
        expect(form).to_contain_text("督导组视察（g1）")
        form.get_by_label("问题和意见").fill("设计方案未按期完成，请说明原因并提出补救计划。")
        form.locator("button[type=submit]").click()
        expect(group.locator("#result")).to_contain_text("已记录视察")
        expect(group.locator("#inspection-list")).to_contain_text("督导组视察（g1）")
        assert errors == []
    finally:
        clock.advance(timedelta(days=-2))

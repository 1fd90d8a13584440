"""The units' workbench (/workbench) and the supervision group's page (/group) in a real
browser at phone width (390 px), on a supervision that opened its cases from
``AssignedToUnit`` on a real nats-server. Screenshots: docs/screenshots/supervision-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.formal import CoUnit
from services.supervision.tests.browser.conftest import START, UNIT, Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()
expect = sync_api.expect

# Elements that stick out to the right of a phone's screen.
WIDER = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > width + 0.5)
  .map((e) => e.tagName + "#" + e.id + "." + e.className)"""
SHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
WIDTH = 390
LATE = "西湖路小区路灯不亮"  # assigned 12 days ago: past its 5 working days
SOON = "象山大道人行道破损"  # 4 working days ago: due tomorrow
FRESH = "泉口街道垃圾清运不及时"  # assigned today
FORMAL = "关于加快老旧小区加装电梯的建议"  # a deputies' formal suggestion, due in 3 months
CO_UNIT = "dd-zjj"


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as found:
        yield found


def phone(browser: Any, errors: list[str]) -> Any:
    tab = browser.new_page(viewport={"width": WIDTH, "height": 844}, locale="zh-CN")
    tab.clock.set_fixed_time(START)  # the service's clock: the colours are computed here
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
    assert tab.evaluate(f"document.documentElement.scrollWidth <= {WIDTH}"), "wider than a phone"


@pytest.fixture(scope="module")
def cases(server: Server) -> Server:
    formal = {"kind": "representative_suggestion", "signer_ids": ["REP-420802-009"]}
    server.assign(
        {
            "s-late": {"days_ago": 12, "title": LATE},
            "s-soon": {"days_ago": 6, "title": SOON},
            "s-fresh": {"title": FRESH},
            "s-other": {"title": "别的单位的事项", "unit_id": CO_UNIT},
            "s-formal": {
                **formal,
                "title": FORMAL,
                "number": "2026-0123",
                "signer_ids": ["REP-420802-009", "REP-420802-010"],
                "co_units": [CoUnit(unit_id=CO_UNIT, unit_name="东宝区交通运输局")],
                "content": "老旧小区居民以老年人为主，上下楼困难，建议简化加装电梯审批并给予补贴。",
            },
            # Handled through the API below: a C answer for the group to review, and an
            # extension for the office to decide.
            "s-c": {**formal, "title": "关于增设城区公共停车场的建议", "number": "2026-0201"},
            "s-ext": {**formal, "title": "关于治理竹皮河水质的建议", "number": "2026-0202"},
        }
    )
    contact = {"contacted_on": "2026-06-02", "mode": "phone"}
    for sid in ("s-c", "s-ext"):
        server.post(f"/v1/cases/{sid}/contacts", contact, server.unit_token())
    server.post(
        "/v1/cases/s-c/reply",
        {
            "outcome": "C",
            "reply": "城区用地紧张，现有规划中暂无可用于公共停车场的地块，将在国土空间规划修编时统筹考虑。",
            "reason": "规划修编前没有可用地块",
        },
        server.unit_token(),
    )
    server.post("/v1/cases/s-ext/accept", {}, server.unit_token())
    server.post(
        "/v1/cases/s-ext/extension-request",
        {"reason": "需等待省生态环境厅的水质监测结果", "until": "2026-11-20"},
        server.unit_token(),
    )
    server.wait_for(
        "/v1/supervision/overdue", lambda p: p["total"] == 1, "the sweep marked nothing overdue"
    )
    return server


def test_units_sign_reply_send_views_and_answer_a_formal_suggestion_b(
    cases: Server, browser: Any
) -> None:
    errors: list[str] = []
    tab = phone(browser, errors)
    response = tab.goto(cases.url + "/workbench")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(tab.locator("#desk")).to_be_hidden()
    sign_in(tab, cases.unit_token())

    cards = tab.locator("#cases .case")
    expect(cards).to_have_count(5)  # open ones, never another unit's
    expect(cards.nth(0)).to_contain_text(LATE)
    expect(cards.nth(0)).to_have_class("card case red")
    expect(cards.nth(0)).to_contain_text("已逾期")
    expect(cards.nth(1)).to_contain_text(SOON)
    expect(cards.nth(1)).to_have_class("card case orange")
    expect(cards.nth(1)).to_contain_text("剩1个工作日")
    expect(cards.nth(2)).to_contain_text(FRESH)
    expect(cards.nth(2)).to_have_class("card case green")
    expect(cards.nth(2)).to_contain_text("群众诉求")
    expect(cards.nth(2)).to_contain_text("剩5个工作日")
    expect(cards.filter(has_text="第2026-0123号")).to_have_class("card case green")
    tab.select_option("#filters select[name=kind]", "representative_suggestion")
    expect(cards).to_have_count(2)  # and the one asking for an extension
    expect(cards.filter(has_text=FORMAL)).to_have_count(1)
    tab.select_option("#filters select[name=kind]", "")
    tab.select_option("#filters select[name=role]", "co")
    expect(tab.locator("#cases")).to_contain_text("没有符合条件的事项")
    tab.select_option("#filters select[name=role]", "")
    shot(tab, "supervision-workbench.png")

    cards.nth(2).click()
    expect(tab.locator("#item-title")).to_contain_text(FRESH)
    expect(tab.locator("#timeline")).to_contain_text("交办")
    tab.click("#accept")
    expect(tab.locator("#action-result")).to_contain_text("已签收")
    expect(tab.locator("#timeline")).to_contain_text("签收")

    form = tab.locator("#reply-form")
    form.get_by_label("C 因条件限制暂时不能解决").check()
    expect(form.get_by_label("不能解决的原因")).to_be_visible()
    form.get_by_label("答复内容").fill("已安排清运。")
    form.locator("button[type=submit]").click()
    # The server's refusal, in the unit's words (the reply is too short, the C has no reason).
    expect(form.locator(".error")).to_be_visible()
    form.get_by_label("答复内容").fill(
        "经核查，该路段清运车辆不足，已协调环卫所增派车辆，但需采购新车后才能每日清运。"
    )
    form.get_by_label("不能解决的原因").fill("新购环卫车辆须列入明年预算，今年暂无资金。")
    form.locator("button[type=submit]").click()
    expect(tab.locator("#action-result")).to_contain_text("已答复")
    expect(tab.locator("#item")).to_contain_text("不能解决的原因")
    expect(tab.locator("#timeline")).to_contain_text("答复")
    assert cases.api("/v1/cases/s-fresh")["outcome"] == "C"
    tab.click("#back")
    expect(cards).to_have_count(4)  # 待办: the answered one has left

    # The co-unit sends its written views (协办意见) to the lead unit.
    co = phone(browser, errors)
    co.goto(cases.url + "/workbench")
    sign_in(co, cases.unit_token(CO_UNIT))
    co.select_option("#filters select[name=role]", "co")
    expect(co.locator("#cases .case")).to_have_count(1)
    expect(co.locator("#cases .case")).to_contain_text("协办意见期限")
    co.locator("#cases .case").click()
    co.locator("#views-form").get_by_label("协办意见").fill(
        "我局同意对加装电梯占用的公共通道给予交通影响评估绿色通道，十个工作日内办结。"
    )
    co.locator("#views-form button[type=submit]").click()
    expect(co.locator("#action-result")).to_contain_text("协办意见已送主办单位")
    expect(co.locator("#views-form")).to_have_count(0)  # once only

    # The lead records its contact with the deputies, then answers B with a delivery date.
    cards.filter(has_text=FORMAL).click()
    expect(tab.locator("#item")).to_contain_text("绿色通道")  # the co-unit's views
    expect(tab.locator("#item")).to_contain_text("REP-420802-009")
    reply = tab.locator("#reply-form")
    tab.locator("summary", has_text="答复").click()  # folded until the case is signed for
    reply.get_by_label("B 正在解决或列入计划解决").check()
    reply.get_by_label("答复内容").fill(
        "已将老旧小区加装电梯列入2026年城建计划，简化审批为一窗受理，每台补贴十万元。"
    )
    reply.get_by_label("承诺兑现日期").fill("2026-11-30")
    reply.locator("button[type=submit]").click()
    expect(reply.locator(".error")).to_contain_text("沟通")  # the contact comes first
    contact = tab.locator("#contact-form")
    tab.locator("summary", has_text="沟通记录").click()
    contact.get_by_label("沟通方式").select_option("meeting")
    contact.get_by_label("沟通情况").fill("与领衔代表座谈，听取加装电梯补贴意见")
    contact.locator("button[type=submit]").click()
    expect(tab.locator("#action-result")).to_contain_text("已记录与代表的沟通")
    expect(tab.locator("#item")).to_contain_text("座谈会面")
    tab.locator("summary", has_text="答复").click()
    reply.get_by_label("B 正在解决或列入计划解决").check()
    reply.get_by_label("答复内容").fill(
        "已将老旧小区加装电梯列入2026年城建计划，简化审批为一窗受理，每台补贴十万元。"
    )
    reply.get_by_label("承诺兑现日期").fill("2026-11-30")
    shot(tab, "supervision-workbench-item.png")
    reply.locator("button[type=submit]").click()
    expect(tab.locator("#action-result")).to_contain_text("已答复")
    expect(tab.locator("#item")).to_contain_text("待兑现")
    tab.click("#back")
    expect(cards.filter(has_text="兑现事项")).to_have_count(1)  # the B's delivery, followed
    assert [e for e in errors if "status of 4" not in e] == []


def test_the_supervision_group_sees_the_overdue_case_and_urges(cases: Server, browser: Any) -> None:
    errors: list[str] = []
    tab = phone(browser, errors)
    tab.goto(cases.url + "/group")
    sign_in(tab, cases.supervisor_token())
    late = tab.locator("#overdue .case", has_text=LATE)
    expect(late).to_have_count(1)
    expect(late).to_contain_text("已逾期")
    expect(tab.locator("#escalations .case", has_text=LATE)).to_contain_text("督办1级")
    late.locator("summary", has_text="催办").click()
    late.get_by_label("催办意见").fill("请于本周五前答复并报送整改情况")
    late.locator("form button[type=submit]").click()
    expect(late.locator(".result")).to_contain_text("已向承办单位 东宝区住建局 发出催办")
    # The C answer: the group reads it and sends it back for handling again.
    review = tab.locator("#reviews .card", has_text="公共停车场")
    expect(review).to_contain_text("规划修编前没有可用地块")
    review.get_by_label("重新办理（理由不成立）").check()
    review.get_by_label("审核意见").fill("可利用学校操场错时开放，请重新研究")
    review.locator("button[type=submit]").click()
    expect(review.locator(".result")).to_contain_text("重新办理")
    assert cases.api("/v1/cases/s-c")["status"] == "reopened"
    expect(tab.locator("#topics")).to_contain_text("还没有重点督办专题")
    expect(tab.locator("#extensions-section")).to_be_hidden()  # the office decides those
    shot(tab, "supervision-group.png")

    # The office opens a key topic and links the formal suggestion; the topic shows its state.
    office = phone(browser, errors)
    office.goto(cases.url + "/group")
    sign_in(office, cases.admin_token())
    request = office.locator("#extensions .card", has_text="竹皮河")
    expect(request).to_contain_text("省生态环境厅的水质监测结果")
    expect(request).to_contain_text("申请延至 2026年11月20日")
    request.get_by_label("审批意见").fill("同意延期，请按期答复")
    request.locator("button", has_text="批准延期").click()
    expect(request.locator(".result")).to_contain_text("已批准延期")
    assert cases.api("/v1/cases/s-ext")["reply_by"].startswith("2026-11-20")
    office.locator("#topic-create summary").click()
    topic = office.locator("#topic-form")
    topic.get_by_label("专题名称").fill("老旧小区改造")
    topic.get_by_label("牵头督导组编码").fill("g1")
    topic.get_by_label("牵头督导组名称").fill("第一督导组")
    topic.locator("button[type=submit]").click()
    office.locator("#topics .card", has_text="老旧小区改造").locator("button").click()
    office.get_by_label("关联建议（建议编号）").fill("s-formal")
    office.locator("#topic-detail button[type=submit]").click()
    linked = office.locator("#topic-detail .card .card", has_text="第2026-0123号")
    expect(linked).to_contain_text("已答复")
    expect(linked).to_contain_text("B类兑现：待兑现")
    expect(office.locator("#topics")).to_contain_text("1件建议")
    shot(office, "supervision-office.png")

    # The office looks at a unit's workbench, read-only; the urging shows in the history.
    office.goto(cases.url + "/workbench?unit=" + UNIT)
    office.locator("#cases .case", has_text=LATE).click()
    expect(office.locator("#actions")).to_contain_text("只读")
    expect(office.locator("#timeline")).to_contain_text("督导组催办")
    expect(office.locator("#timeline")).to_contain_text("请于本周五前答复并报送整改情况")
    history = cases.api("/v1/cases/s-late")["history"]
    urged = [
        h
        for h in history
        if h["action"] == "ReminderIssued" and h["detail"].get("manual") == "True"
    ]
    assert len(urged) == 1 and urged[0]["detail"]["note"] == "请于本周五前答复并报送整改情况"
    # A panel whose endpoint this server lacks is hidden (its 404 is the only console error).
    assert [e for e in errors if "404 (Not Found)" not in e] == []

"""Deputies' formal suggestions by year (issue 18): the events published onto a real
nats-server as intake, routing, supervision and liaison publish them (out of order, some
twice), the year's figures and the handling table read back over HTTP, then rebuilt alike;
and in-process, what the appeal figures and a bad year say."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from typing import Any

import httpx
import pytest

from minyi.platform.auth import Principal, Role, bearer, local_bearer
from minyi.reporting.service_layer import formal_queries
from services.reporting.tests.formal_history import D1, D3, JTJ, ZJJ, formal_history
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import publish
from tests.support.system import System, eventually

YEAR = "/v1/formal-suggestions/year/2026"


def _get(system: System, path: str, headers: dict[str, str]) -> httpx.Response:
    r = httpx.get(system.url("reporting", path), headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r


def _sheet(body: bytes) -> Any:
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(body)).active


@pytest.mark.e2e
def test_the_years_figures_and_handling_table_from_the_bus(system_factory: type[System]) -> None:
    system = system_factory()
    system.start(["reporting"])
    events = formal_history()
    order = random.Random(18).sample(events, len(events))
    publish(system.nats_url, order + order[:12])
    admin = system.admin

    def projected() -> dict[str, Any] | None:
        report = _get(system, YEAR, admin).json()
        t = report["totals"]
        done = t["filed"] == 4 and t["delivery"]["delivered"] == 1 and t["signers_rated"] == 4
        return report if done and t["delivery"]["overdue_now"] == 1 and report["by_topic"] else None

    report = eventually(projected, what="the formal suggestions' year")
    t = report["totals"]
    assert (t["assigned"], t["answered"], t["answered_on_time"], t["rehandled"]) == (4, 3, 2, 1)
    assert t["outcomes"] == {"A": 1, "B": 2, "C": 0, "D": 0}
    assert t["ratings"]["overall"] == {"satisfied": 3, "basically_satisfied": 1, "unsatisfied": 0}
    units = {u["unit_id"]: u for u in report["by_unit"]}
    assert units[ZJJ]["unit_name"] == "荆门市住房和城乡建设局"  # the shared directory's name
    assert (units[ZJJ]["filed"], units[JTJ]["co_handled"]) == (3, 1)
    deputies = {d["deputy_id"]: d for d in report["by_deputy"]}
    assert (deputies[D1]["deputy_name"], deputies[D1]["led"]) == ("张明", 2)  # liaison's name
    assert [(x["topic_title"], x["filed"]) for x in report["by_topic"]] == [("城区交通治理", 2)]
    # No appeal figure counts them: one citizen's appeal, and no formal item in its lists.
    headline = _get(system, "/v1/headline", admin).json()
    assert headline["suggestions_collected"] == 1
    assert _get(system, "/v1/overdue", admin).json() == []

    xlsx = _get(system, f"{YEAR}.xlsx", admin)
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = _sheet(xlsx.content)
    assert (sheet.title, sheet.freeze_panes) == ("代表建议办理情况", "A2")
    cells = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert tuple(cells[0]) == formal_queries.TABLE_COLUMNS
    assert [r[0] for r in cells[1:]] == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    first = dict(zip(cells[0], cells[1], strict=True))
    assert first == {
        "建议编号": "2026-0001", "标题": "关于改善城区公交线路的建议", "领衔代表": "张明",
        "联名代表": "李红、王强", "主办单位": "荆门市住房和城乡建设局",
        "协办单位": "荆门市交通运输局", "交办日期": "2026-03-12", "答复日期": "2026-04-19",
        "是否按期": "是", "答复类别": "B类",
        "代表评价": "张明 满意（第2次答复）；李红 满意（第2次答复）；王强 基本满意（第2次答复）",
        "B类承诺兑现日期": "2026-09-30", "兑现情况": "按期兑现（2026-08-07）",
        "所属专题": "城区交通治理",
    }  # fmt: skip
    fourth = dict(zip(cells[0], cells[4], strict=True))
    assert (fourth["领衔代表"], fourth["兑现情况"], fourth["代表评价"]) == (
        "王强", "逾期未兑现", "王强 未评价",
    )  # fmt: skip
    assert D3 not in fourth["代表评价"]  # names, not ids
    # An analyst's copy: the same table without the titles.
    analyst = local_bearer(system.data_dir, Principal(Role.ANALYST, "analyst:test"))
    theirs = list(_sheet(_get(system, f"{YEAR}.xlsx", analyst).content).iter_rows(values_only=True))
    assert [r[1] for r in theirs[1:]] == [None] * 4
    assert [r[0] for r in theirs] == [r[0] for r in cells]

    done = subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", "reporting", "rebuild"],
        env=system["reporting"].env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _get(system, YEAR, admin).json() == report


async def test_titles_follow_the_readers_rule(reporting: Reporting) -> None:
    await reporting.deliver(formal_history())
    keyring = reporting.h.runtime.keyring

    async def table(who: Principal) -> list[Any]:
        r = await reporting.http.get(f"{YEAR}.xlsx", headers=bearer(keyring, who))
        assert r.status_code == 200, r.text
        return [row[1] for row in list(_sheet(r.content).iter_rows(values_only=True))[1:]]

    here = Principal(Role.SUPERVISOR, "sup:1", group="G-1", districts=frozenset({"420802"}))
    elsewhere = Principal(Role.SUPERVISOR, "sup:2", group="G-2", districts=frozenset({"420804"}))
    analyst = Principal(Role.ANALYST, "analyst:1")
    assert (await table(here))[0] == "关于改善城区公交线路的建议"
    assert await table(elsewhere) == await table(analyst) == [None] * 4
    # A formal suggestion's timeline: its formal part, an analyst's without the title.
    r = await reporting.http.get("/v1/suggestions/F1", headers=bearer(keyring, analyst))
    part = r.json()["formal"]
    assert (part["number"], "assigned_title" in part, "ranks" in part) == (
        "2026-0001",
        False,
        False,
    )
    assert "title" not in r.json()
    admin_view = await reporting.get("/v1/suggestions/F1")
    assert admin_view["formal"]["assigned_title"] == "标题"


async def test_a_bad_year_is_refused_naming_the_field(reporting: Reporting) -> None:
    r = await reporting.http.get("/v1/formal-suggestions/year/1999")
    assert r.status_code == 422 and "year" in r.text
    r = await reporting.http.get("/v1/formal-suggestions/year/2026.csv")
    assert r.status_code == 422 and "year" in r.text
    unit = bearer(reporting.h.runtime.keyring, Principal(Role.UNIT_STAFF, "u:1", unit=ZJJ))
    r = await reporting.http.get(YEAR, headers=unit)
    assert r.status_code == 403

"""Reporting's deputies' views in-process (issue 17): liaison's and supervision's events
delivered through FastStream's test broker to ``reporting__all``, a real SQLite store, the
routes read back."""

from __future__ import annotations

import csv
import io
import random

from minyi.contracts.supervision import Resolved
from minyi.contracts.visits import CommitmentMade
from minyi.reporting.service_layer import rebuild
from services.reporting.tests.integration.conftest import Reporting
from services.reporting.tests.integration.test_liaison_views import Replay
from tests.support.reporting_deputies import D1, D2, D3, deputies_history
from tests.support.reporting_history import lifecycle

VIEWS = (
    "/v1/representatives",
    "/v1/representatives?year=2026",
    "/v1/representatives?quarter=2026-Q3",
    "/v1/representatives/coverage?quarter=2026-Q4",
    "/v1/headline/year?year=2026",
    "/v1/units",
    "/v1/headline",
    "/v1/overdue",
)


async def _delivered(reporting: Reporting, seed: int = 5) -> None:
    events = deputies_history()
    shuffled = random.Random(seed).sample(events, len(events))
    await reporting.deliver(shuffled + events[:10])  # out of order, partly twice


async def test_the_ranking_is_the_policy_score_with_its_band_and_lines(
    reporting: Reporting,
) -> None:
    await _delivered(reporting)
    ranked = await reporting.get("/v1/representatives", year=2026)
    assert [(r["representative_id"], r["score"], r["band_label"]) for r in ranked][:2] == [
        (D1, 72.5, "良好"), (D3, 55.0, "一般"),
    ]  # fmt: skip
    first = ranked[0]
    assert (first["rank"], first["deputy_name"], first["level_name"]) == (1, "张明", "市人大代表")
    assert [line["kind"] for line in first["score_lines"]] == ["activity", "visit"]
    assert first["activities_by_kind"] == {"research": 1, "training": 1}
    # Fewer than ten cases: no rate, and the row says why.
    assert (first["resolved_share"], first["resolved_share_note"]) == (None, "样本不足")
    unscored = {r["representative_id"]: r for r in ranked}[D2]
    assert unscored["score"] is None and unscored["rank"] == 3
    # A published quarter: its snapshot, never the later publication.
    q3 = await reporting.get("/v1/representatives", quarter="2026-Q3")
    assert [(r["representative_id"], r["score"], r["band_label"]) for r in q3][:1] == [
        (D1, 30.0, "较差"),
    ]  # fmt: skip
    assert {r["representative_id"]: r["activities"] for r in q3}[D2] == 1  # a-3, 1 July
    in_duodao = await reporting.get("/v1/representatives", year=2026, district="420804")
    assert [r["representative_id"] for r in in_duodao] == [D3]


async def test_coverage_is_the_share_of_serving_deputies_active_in_the_quarter(
    reporting: Reporting,
) -> None:
    await _delivered(reporting, seed=9)
    cov = await reporting.get("/v1/representatives/coverage", quarter="2026-Q4")
    assert (cov["serving"], cov["active"], cov["share"]) == (3, 2, 0.6667)  # D4 ended
    assert [(d["district_name"], d["active"], d["serving"]) for d in cov["by_division"]] == [
        ("东宝区", 2, 2), ("掇刀区", 0, 1),
    ]  # fmt: skip
    assert [(lv["level_name"], lv["share"]) for lv in cov["by_level"]] == [
        ("市人大代表", 1.0), ("县（市、区）人大代表", 1.0), ("乡镇人大代表", 0.0),
    ]  # fmt: skip
    # Without a quarter: the latest quarter with data (here the same).
    assert (await reporting.get("/v1/representatives/coverage"))["quarter"] == "2026-Q4"
    q3 = await reporting.get("/v1/representatives/coverage", quarter="2026-Q3")
    assert q3["active"] == 1  # D2's inspection


async def test_the_years_headline_counts_outings_suggestions_and_problems_solved(
    reporting: Reporting,
) -> None:
    await _delivered(reporting)
    year = await reporting.get("/v1/headline/year", year=2026)
    assert year["outings"] == {"reception_attendance": 1, "visit_attendance": 1, "activities": 3}
    assert (year["deputy_outings"], year["suggestions"], year["problems_solved"]) == (5, 2, 1)
    assert (await reporting.get("/v1/headline/year", year=2025))["suggestions"] == 1


async def test_commitments_show_in_the_units_scorecard_and_in_no_appeal_figure(
    reporting: Reporting,
) -> None:
    await _delivered(reporting)
    unit = {u["unit_id"]: u for u in await reporting.get("/v1/units")}["u-zjj"]
    assert unit["unit_name"] == "u-zjj 名称"
    assert {k: v for k, v in unit.items() if k.startswith(("commitments", "visit_q"))} == {
        "commitments": 2, "commitments_kept_on_time": 1, "commitments_kept_late": 1,
        "commitments_overdue_now": 0, "visit_questions": 1,
        "visit_questions_answered_on_time": 0, "visit_questions_answered_late": 0,
        "visit_questions_overdue_now": 1,
    }  # fmt: skip
    assert unit["assigned"] == 3  # the three people's suggestions, no commitment
    head = await reporting.get("/v1/headline")
    assert (head["suggestions_collected"], head["overdue_now"]) == (3, 0)
    assert [o["suggestion_id"] for o in await reporting.get("/v1/overdue")] == []
    heat = await reporting.get("/v1/heatmap")
    assert sum(c["count"] for c in heat["district_focus"]) == 3
    r = await reporting.http.get("/v1/export/suggestions.csv")
    ids = [row["suggestion_id"] for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))]
    assert sorted(ids) == ["s-2025-1", "s-2026-1", "s-2026-2"]


async def test_bad_periods_answer_422_naming_the_field(reporting: Reporting) -> None:
    cases = [
        ("/v1/representatives", {"quarter": "2026-Q5"}, ["query", "quarter"]),
        ("/v1/representatives", {"quarter": "2026-Q4", "year": "2026"}, ["quarter"]),
        ("/v1/representatives", {"year": "2026", "from": "2026-01-01", "to": "2026-02-01"}, ["from"]),
        ("/v1/representatives/coverage", {"quarter": "Q4"}, ["query", "quarter"]),
        ("/v1/headline/year", {"year": "1900"}, ["query", "year"]),
    ]  # fmt: skip
    for path, params, loc in cases:
        r = await reporting.http.get(path, params=params)
        assert r.status_code == 422, (path, params, r.text)
        problem = r.json()["detail"][0]
        assert problem["loc"] == loc and problem["msg"], (path, params, problem)


async def test_a_rebuild_yields_the_same_deputies_views(reporting: Reporting) -> None:
    events = deputies_history()
    await _delivered(reporting, seed=13)
    before = {v: await reporting.get(v) for v in VIEWS}
    assert before["/v1/representatives?year=2026"][0]["score"] == 72.5
    report = await rebuild.rebuild(reporting.h.runtime.unit_of_work, Replay(events))
    assert report.generation == 2
    assert {v: await reporting.get(v) for v in VIEWS} == before


async def test_a_kept_commitment_is_not_announced_as_a_suggestion_answered(
    reporting: Reporting,
) -> None:
    """Live listeners (the dashboard's 最新办结) and webhooks hear of people's suggestions
    answered, never of a unit keeping a promise made at a visit."""
    queue = reporting.h.runtime.deps.resolutions.subscribe()
    history = deputies_history()
    promised = {e.subject for e in history if e.type == CommitmentMade.event_type}
    answered = {e.subject for e in history if e.type == Resolved.event_type}
    assert promised and promised <= answered  # the history keeps its promises
    await reporting.deliver(history + lifecycle("s-9"))
    heard = set()
    while not queue.empty():
        heard.add(queue.get_nowait()["suggestion_id"])
    assert "s-9" in heard and not heard & promised

"""The bench's comparison with the previous run names regressions beyond noise only."""

from __future__ import annotations

from typing import Any

from tests.load.report import (
    headline,
    liaison_import_line,
    regressions,
    render_comparison,
)

MACHINE = {"cpus": 2, "memory_gb": 24, "platform": "linux", "python": "3.11"}


def run(intake: float, p99: float, rss: float, bare: float = 7000) -> dict[str, Any]:
    store = {
        "intake_alone": {"rate": intake, "p99_ms": p99},
        "overloaded_drain_rate": 100.0,
        "sustained_rate": 150,
        "processes": {"routing": {"cpu_s": 10, "peak_rss_mb": rss}},
    }
    return {
        "date": "2026-11-26T10:00:00+00:00",
        "machine": MACHINE,
        "ceiling_fastapi": {"rate": bare},
        "sqlite": store,
        "postgresql": "skipped",
    }


def test_changes_within_noise_are_not_regressions() -> None:
    before, after = headline(run(800, 40, 150)), headline(run(650, 55, 180))
    assert regressions(before, after) == []


def test_each_kind_of_figure_regresses_in_its_own_direction() -> None:
    before, after = headline(run(800, 40, 150)), headline(run(500, 70, 200))
    assert regressions(before, after) == [
        "sqlite: intake alone req/s 800 → 500",
        "sqlite: intake alone p99 ms at full load 40 → 70",
        "sqlite: routing peak RSS MB 150 → 200",
    ]
    assert headline(run(500, 20, 100))["sqlite"]["half rate: filed → visible p99 ms"] is None


def test_the_comparison_table_shows_both_runs_and_the_verdict() -> None:
    text = render_comparison(headline(run(800, 40, 150)), headline(run(500, 40, 150)))
    assert "| sqlite | intake alone req/s | 800.0 | 500.0 | -38% |" in text
    assert "Regressions: sqlite: intake alone req/s 800 → 500." in text
    assert "No previous run" in render_comparison(None, headline(run(1, 1, 1)))


def test_a_slower_machine_lowers_the_bar_for_throughput_and_raises_it_for_latency() -> None:
    before = headline(run(800, 40, 150))
    slower = headline(run(500, 60, 150, bare=4500))  # the whole run ran 36 % slower
    assert regressions(before, slower) == []
    assert "7000 → 4500 req/s" in render_comparison(before, slower)
    assert regressions(before, headline(run(300, 40, 150, bare=4500))) == [
        "sqlite: intake alone req/s 800 → 300"
    ]


def test_the_roster_import_is_reported_in_seconds_or_with_the_reason_it_failed() -> None:
    figures = {"deputies": 5200, "stations": 450, "first_seconds": 12.34, "again_seconds": 6.5}
    assert liaison_import_line(figures) == (
        "roster import of 5,200 deputies and 450 stations: 12.34 s "
        "(the same files again, nothing to change: 6.5 s)"
    )
    assert liaison_import_line({"error": "Traceback …\nKeyError: 'x'\n"}) == (
        "roster import failed: Traceback …\nKeyError: 'x'"
    )


def test_the_burst_drain_is_a_headline_figure_compared_like_a_throughput() -> None:
    r = run(800, 40, 150)
    r["sqlite"]["burst_drain"] = {"offered": 900.0, "accepted": 880.2, "rate": 571.3}
    assert headline(r)["sqlite"]["burst at 2 × sustained, drained /s"] == 571.3
    slower = run(800, 40, 150)
    slower["sqlite"]["burst_drain"] = {"rate": 300.0}
    assert regressions(headline(r), headline(slower)) == [
        "sqlite: burst at 2 × sustained, drained /s 571.3 → 300"
    ]

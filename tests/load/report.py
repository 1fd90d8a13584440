"""Render a bench result as the generated section of docs/BENCHMARKS.md."""

from __future__ import annotations

from typing import Any


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.1%}"


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    fa = r["ceiling_fastapi"]
    js = r["ceiling_jetstream"]
    lines = [
        f"## Last `make bench` run: {r['date']}",
        "",
        f"Machine: {m['cpus']} CPUs, {m['memory_gb']} GiB, {m['platform']}, Python {m['python']}. "
        f"Load generator on the same cores (a separate process). Duration {r.get('duration_s', '?')} s.",
        "",
        "### Ceilings of the building blocks (same run)",
        "",
        "| building block | rate | p99 |",
        "|---|---|---|",
        f"| bare FastAPI POST, same validation, no store | {fa['rate']:,.0f} req/s | {fa['p99_ms']} ms |",
        f"| JetStream publish with ack (nats-py, async window) | {js['publish_ack_msgs_per_s']:,} msg/s | |",
        f"| JetStream pull consume + ack (nats-py, fetch 256) | {js['pull_consume_msgs_per_s']:,} msg/s | |",
        "",
    ]
    for store in ("sqlite", "postgresql"):
        s = r.get(store)
        if not isinstance(s, dict):
            lines += [f"### Minyi on {store}", "", f"{s}", ""]
            continue
        im = s["intake_alone"]
        drain = s.get("overloaded_drain_rate")
        burst = s.get("burst_drain")
        lines += [
            f"### Minyi on {store}",
            "",
            "| measure | value | ratio to ceiling |",
            "|---|---|---|",
            f"| intake alone at full load (stored + outbox before 201), {im['clients']} clients | "
            f"{im['rate']:,.0f} req/s (p50 {im['p50_ms']} / p95 {im['p95_ms']} / p99 {im['p99_ms']} ms; "
            f"errors {im['errors'] or 0}; {im['cpu_ms_per_request']} ms CPU per request) "
            f"| {_ratio(im['rate'], fa['rate'])} of bare FastAPI |",
            "| whole pipeline while overloaded (the first step it did not keep up with, until "
            f"drained) | {drain or '–'} suggestions/s | "
            f"{_ratio(drain, js['pull_consume_msgs_per_s'])} of raw pull-consume |",
            "| a 10 s burst at twice the sustained rate (offered / accepted), until drained | "
            + (
                f"{burst['rate']} suggestions/s ({burst['offered']:.0f} / {burst['accepted']}/s; "
                + (
                    f"drained {burst['drained_after_s']} s after) | "
                    if burst["drained_after_s"] is not None
                    else "not drained within 300 s) | "
                )
                + f"{_ratio(burst['rate'], js['pull_consume_msgs_per_s'])} of raw pull-consume |"
                if burst
                else "– | |"
            ),
            "| sustained offered load the pipeline keeps up with | "
            + (
                f"{s['sustained_rate']:,.0f} /s"
                if s["sustained_rate"]
                else f"below {s['stepped'][0]['offered_rate']:.0f} /s (the lowest step did not keep up)"
            )
            + " | |",
        ]
        if "end_to_end_half_rate" in s:
            h = s["end_to_end_half_rate"]
            lines.append(
                f"| at half that rate: filed → visible in reporting | p50 {h['filed_to_visible_p50_ms']} ms, "
                f"p99 {h['filed_to_visible_p99_ms']} ms (n={h['n']}){_hops(h)} | |"
            )
        if "end_to_end_all" in s:
            e = s["end_to_end_all"]
            lines.append(
                f"| whole run: filed → assigned | p50 {e['filed_to_assigned']['p50_ms']} / p99 "
                f"{e['filed_to_assigned']['p99_ms']} ms | |"
            )
        lines += [
            "",
            "Offered load steps:",
            "",
            "| offered /s | accepted /s | intake p50 ms | intake p99 ms | kept up (idle ≤ 2 s after the step) |",
            "|---|---|---|---|---|",
        ]
        for st in s["stepped"]:
            lines.append(
                f"| {st['offered_rate']:.0f} | {st['rate']} | {st['p50_ms']} | {st['p99_ms']} | "
                + (f"yes ({st['lag_s']} s)" if st["kept_up"] else "no")
                + " |"
            )
        lines += [
            "",
            "| service | CPU s | CPU ms per suggestion | peak RSS MB |",
            "|---|---|---|---|",
        ]
        for name, p in s["processes"].items():
            lines.append(
                f"| {name} | {p['cpu_s']} | {p.get('cpu_ms_per_suggestion', '–')} | {p['peak_rss_mb']} |"
            )
        per = [p.get("cpu_ms_per_suggestion") for p in s["processes"].values()]
        if all(per):
            lines.append(
                f"| all four | | {sum(per):.1f} (1,000/s on 2 cores allows 2.0 with nothing else) | |"
            )
        lines.append(f"\nSuggestions in this run: {s['suggestions_total']:,}.\n")
    if "scaling" in r:
        lines += [
            "### Replicas (PostgreSQL): a backlog drained by one and by two processes",
            "",
            "Timed from the first batch handled (start-up not counted; with it in brackets).",
            "",
            "| service | processes | suggestions | events | seconds | events/s |",
            "|---|---|---|---|---|---|",
        ]
        scaled = r["scaling"]
        for v in scaled.values():
            lines.append(
                f"| {v['service']} | {v['replicas']} | {v['suggestions']} | {v['events']} | "
                f"{v['seconds']} ({v.get('seconds_with_startup', '—')}) | {v['events_per_s']} |"
            )
        for service in ("routing", "reporting"):
            one, two = scaled.get(f"{service}_x1"), scaled.get(f"{service}_x2")
            if one and two and one["events_per_s"]:
                lines.append(
                    f"\n{service}: two processes drain {two['events_per_s'] / one['events_per_s']:.2f} × one."
                )
        lines.append("")
    if "reporting_queries" in r:
        lines += [
            "### Reporting queries over 1,000,000 generated suggestions",
            "(services/reporting/bench/bench_queries.py, in-process ASGI, SQLite)",
            "",
            "```",
            str(r["reporting_queries"]).strip()[:4000],
            "```",
            "",
        ]
    if "liaison_import" in r:
        lines += [
            "### Liaison: a roster import of the reference deployment's size",
            "(services/liaison/bench/bench_import.py: XLSX files through `minyi liaison import`"
            " into a fresh SQLite store, NATS away, so the events queue in the outbox)",
            "",
            liaison_import_line(r["liaison_import"]),
            "",
        ]
    return "\n".join(lines)


def liaison_import_line(figures: dict[str, Any]) -> str:
    """What ``make bench`` says of the roster import (or why it has no figure)."""
    if "first_seconds" not in figures:
        return f"roster import failed: {str(figures.get('error', figures)).strip()[-500:]}"
    return (
        f"roster import of {figures['deputies']:,} deputies and {figures['stations']:,} "
        f"stations: {figures['first_seconds']} s (the same files again, nothing to change: "
        f"{figures['again_seconds']} s)"
    )


# --- against the previous run ---------------------------------------------------------
# Single runs on two shared cores vary (±30 % seen on the replica figures), so only a
# change beyond these bounds is called a regression.
THROUGHPUT_DROP = 0.25
LATENCY_RISE = 0.5
MEMORY_RISE = 0.25

# (label, path in the result, kind) — kind says which direction is worse.
_HEADLINE = [
    ("intake alone req/s", ("intake_alone", "rate"), "throughput"),
    ("intake alone p99 ms at full load", ("intake_alone", "p99_ms"), "latency"),
    ("whole pipeline overloaded /s", ("overloaded_drain_rate",), "throughput"),
    ("burst at 2 × sustained, drained /s", ("burst_drain", "rate"), "throughput"),
    ("sustained offered load /s", ("sustained_rate",), "throughput"),
    (
        "half rate: filed → visible p99 ms",
        ("end_to_end_half_rate", "filed_to_visible_p99_ms"),
        "latency",
    ),
    (
        "filed → assigned p99 ms (whole run)",
        ("end_to_end_all", "filed_to_assigned", "p99_ms"),
        "latency",
    ),
]


def _dig(d: Any, path: tuple[str, ...]) -> float | None:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return float(d) if isinstance(d, int | float) else None


def headline(r: dict[str, Any]) -> dict[str, Any]:
    """The figures a later run is compared with (kept in docs/bench-last.json)."""
    out: dict[str, Any] = {"date": r["date"], "machine": r["machine"]}
    # The machine's own speed in that run: shared cores vary between runs (and hosts).
    out["bare FastAPI req/s"] = (r.get("ceiling_fastapi") or {}).get("rate")
    for store in ("sqlite", "postgresql"):
        s = r.get(store)
        if not isinstance(s, dict):
            continue
        figures = {label: _dig(s, path) for label, path, _ in _HEADLINE}
        for name, p in s.get("processes", {}).items():
            figures[f"{name} peak RSS MB"] = p.get("peak_rss_mb")
        out[store] = figures
    return out


def _kind(label: str) -> str:
    for name, _, kind in _HEADLINE:
        if name == label:
            return kind
    return "memory"


def machine_factor(previous: dict[str, Any], current: dict[str, Any]) -> float:
    """How fast this run's machine was against the previous run's, by the bare FastAPI
    ceiling both measured (1.0 when either lacks it)."""
    old, new = previous.get("bare FastAPI req/s"), current.get("bare FastAPI req/s")
    return float(new) / float(old) if old and new else 1.0


def _hops(half: dict[str, Any]) -> str:
    """Where the half-rate latency went, hop by hop (runs before the split have none)."""
    hops = half.get("hops_p50_p99_ms") or {}
    if not hops:
        return ""
    return "; by hop, p50 / p99 ms: " + ", ".join(
        f"{name} {p50} / {p99}" for name, (p50, p99) in hops.items()
    )


def regressions(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Figures worse than the previous run's beyond the noise bounds, once scaled by the
    machine's own speed in each run (a slower run lowers every throughput together)."""
    factor = machine_factor(previous, current)
    found = []
    for store in ("sqlite", "postgresql"):
        before, now = previous.get(store) or {}, current.get(store) or {}
        for label, old in before.items():
            new = now.get(label)
            if not old or new is None:
                continue
            kind = _kind(label)
            if kind == "throughput":
                worse = new < old * factor * (1 - THROUGHPUT_DROP)
            elif kind == "latency":
                worse = new > old / factor * (1 + LATENCY_RISE)
            else:
                worse = new > old * (1 + MEMORY_RISE)
            if worse:
                found.append(f"{store}: {label} {old:g} → {new:g}")
    return found


def render_comparison(previous: dict[str, Any] | None, current: dict[str, Any]) -> str:
    if not previous:
        return "### Against the previous run\n\nNo previous run recorded (docs/bench-last.json).\n"
    same = previous.get("machine", {}).get("cpus") == current["machine"]["cpus"]
    lines = [
        f"### Against the previous run ({previous['date']})",
        "",
        "Regression = throughput down more than "
        f"{THROUGHPUT_DROP:.0%}, latency up more than {LATENCY_RISE:.0%}, peak RSS up more "
        f"than {MEMORY_RISE:.0%} (single runs on shared cores vary)."
        + ("" if same else " **The previous run was on another machine size.**"),
        "",
        f"Machine speed (bare FastAPI ceiling, same validation): {previous.get('bare FastAPI req/s') or '–'}"
        f" → {current.get('bare FastAPI req/s') or '–'} req/s; throughputs are judged against the "
        f"previous ones × {machine_factor(previous, current):.2f}, latencies against them ÷ it.",
        "",
        "| store | figure | previous | this run | change |",
        "|---|---|---|---|---|",
    ]
    for store in ("sqlite", "postgresql"):
        before, now = previous.get(store) or {}, current.get(store) or {}
        for label, new in now.items():
            old = before.get(label)
            change = f"{(new - old) / old:+.0%}" if old and new is not None else "–"
            lines.append(f"| {store} | {label} | {old if old is not None else '–'} | "
                         f"{new if new is not None else '–'} | {change} |")  # fmt: skip
    found = regressions(previous, current)
    lines += ["", "Regressions: " + ("; ".join(found) if found else "none") + ".", ""]
    return "\n".join(lines)

"""Traces: every filing's event names its own request's trace; spans are recorded only
when an exporter is configured (without one, the FastAPI instrumentation is not installed:
``platform.telemetry.TraceIds`` gives each request its trace ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from minyi.platform.telemetry import TraceIds
from services.intake.tests.integration.conftest import Api, offline_app
from services.intake.tests.integration.test_rest import SUGGESTION, file


async def test_each_filed_event_carries_the_trace_of_the_request_that_filed_it(api: Api) -> None:
    """The group commit runs filings in a task of its own: each event must still name its
    own request's trace (the caller's, when it sent a traceparent; a new one otherwise)."""
    anonymous = {k: v for k, v in SUGGESTION.items() if k != "citizen"}
    callers = {"a" * 32: "1" * 16, "b" * 32: "2" * 16}
    for trace_id, span_id in callers.items():
        await file(
            api,
            {**anonymous, "title": f"路灯不亮 {trace_id[0]}"},
            headers={"traceparent": f"00-{trace_id}-{span_id}-01"},
        )
    for n in (1, 2):
        await file(api, {**anonymous, "title": f"路灯不亮 {n}"})
    filed = {
        e["data"]["title"]: e["traceparent"].split("-")
        for e in await api.outbox()
        if e["type"] == "cn.minyi.suggestion.filed.v1"
    }
    assert filed["路灯不亮 a"][1] == "a" * 32 and filed["路灯不亮 a"][2] != "1" * 16
    assert filed["路灯不亮 b"][1] == "b" * 32
    new_traces = {filed[f"路灯不亮 {n}"][1] for n in (1, 2)}
    assert len(new_traces) == 2 and not new_traces & set(callers)


@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4318"])
def test_the_fastapi_instrumentation_is_installed_only_with_an_exporter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str | None
) -> None:
    if endpoint:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    else:
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    app = offline_app(tmp_path, {})
    try:
        instrumented = bool(getattr(app, "_is_instrumented_by_opentelemetry", False))
        middleware: list[object] = [m.cls for m in app.user_middleware]
        light = TraceIds in middleware
        assert (instrumented, light) == ((True, False) if endpoint else (False, True))
    finally:
        app.state.runtime.tracer_provider.shutdown()

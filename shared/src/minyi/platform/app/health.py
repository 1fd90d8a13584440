"""Liveness, readiness and Prometheus metrics endpoints, the same on every service."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from minyi.platform.db import ping
from minyi.platform.runtime import CurrentRuntime

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
@router.get("/livez", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database and NATS reachable")
async def readyz(runtime: CurrentRuntime) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(ping(runtime.engine), 2.0)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        ok = runtime.broker_started and await runtime.broker.ping(timeout=1.0)
        checks["nats"] = "ok" if ok else "unreachable"
    except Exception as exc:
        checks["nats"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(runtime: CurrentRuntime) -> Response:
    runtime.outbox_pending.set(await runtime.relay.pending())
    return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

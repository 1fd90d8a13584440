"""The append-only audit log: every state-changing HTTP call (who, what, when, from where)
in the service's own store, and ``GET /v1/audit`` for admins.

Written by an ASGI middleware after the response is known, so refused calls (401, 403,
422) are recorded too. It is a separate short transaction: the call's own transaction has
committed already, and a failed audit write is logged rather than turned into an error for
a change that did happen.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import AwareDatetime
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from minyi.platform.auth import Principal, Role, require
from minyi.platform.client_address import client_address
from minyi.platform.driver_sql import insert_many, utc_for_driver
from minyi.platform.runtime import CurrentRuntime
from minyi.platform.tables import AUDIT_TABLE as TABLE

if TYPE_CHECKING:
    from minyi.platform.runtime import Runtime, UnitOfWork

log = logging.getLogger(__name__)

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Path parameters that are secrets in themselves (a tracking code grants its holder the
# case): the log keeps the route template in their place.
SECRET_PARAMS = frozenset({"code", "token"})
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def table_of(runtime: Runtime[Any, Any]) -> Table:
    # The platform tables share the service's metadata; the outbox leads us to it.
    return runtime.outbox.metadata.tables[TABLE]


def logged_path(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return str(scope.get("path", ""))[:500]
    params: dict[str, Any] = scope.get("path_params", {})

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in SECRET_PARAMS or name not in params:
            return match.group(0)
        return str(params[name])

    return _PARAM.sub(fill, template)[:500]


_COLUMNS = ("at", "subject", "role", "method", "path", "status", "client_ip")


class AuditRows:
    """The audit records of one group commit, written in one statement (executemany) just
    before it commits, instead of one INSERT per request."""

    def __init__(self) -> None:
        self.table: Table | None = None
        self.rows: list[dict[str, Any]] = []

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.table = table
        self.rows.append(row)

    async def flush(self, session: AsyncSession) -> None:
        if self.table is not None and self.rows:
            # Straight to the driver (``insert_many``): one row per state-changing call, and
            # SQLAlchemy's per-row parameter handling cost more than the insert.
            dialect = session.get_bind().dialect
            rows, self.rows = self.rows, []
            await insert_many(
                session,
                self.table,
                _COLUMNS,
                [(utc_for_driver(r["at"], dialect), *(r[c] for c in _COLUMNS[1:])) for r in rows],
            )


class AuditMiddleware:
    """Records each POST/PUT/PATCH/DELETE with the caller ``require``/``public`` found."""

    def __init__(self, app: ASGIApp, runtime: Runtime[Any, Any]) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in CHANGING:
            await self.app(scope, receive, send)
            return
        # Created here so that the dict the endpoint's Request writes into is this one.
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            await self._record(scope, state.get("principal"), status)

    async def _record(self, scope: Scope, principal: Principal | None, status: int) -> None:
        row = {
            "at": datetime.now(UTC),
            "subject": principal.subject if principal else "anonymous",
            "role": principal.role.value if principal else "anonymous",
            "method": scope["method"],
            "path": logged_path(scope),
            "status": status,
            # Behind trusted proxies, the address they forwarded.
            "client_ip": client_address(scope, self.runtime.settings)
            if scope.get("client")
            else None,
        }
        table = table_of(self.runtime)

        async def write(uow: UnitOfWork) -> None:
            uow.batch(AuditRows).add(table, row)

        try:
            # Through the group commit: one transaction per audit record would cap a busy
            # endpoint at the store's commit rate (the answer has already been sent).
            await self.runtime.committer.submit(write)
        except Exception:
            log.exception("could not write the audit record %s %s", row["method"], row["path"])


router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", summary="The audit log of state-changing calls, newest first (admin)")
async def list_audit(
    runtime: CurrentRuntime,
    _admin: Annotated[Principal, Depends(require(Role.ADMIN))],
    subject: Annotated[str | None, Query(max_length=200)] = None,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    table = table_of(runtime)
    query = select(table).order_by(table.c.seq.desc()).limit(limit).offset(offset)
    if subject is not None:
        query = query.where(table.c.subject == subject)
    if since is not None:
        query = query.where(table.c.at >= since)
    async with runtime.sessions() as s:
        rows = (await s.execute(query)).mappings().all()
    return {"items": [dict(r) for r in rows], "limit": limit, "offset": offset}


def install(app: FastAPI, runtime: Runtime[Any, Any]) -> None:
    """The middleware and ``GET /v1/audit``; called by ``create_app`` (once)."""
    if getattr(app.state, "audit_installed", False):
        return
    app.state.audit_installed = True
    app.add_middleware(AuditMiddleware, runtime=runtime)
    app.include_router(router)

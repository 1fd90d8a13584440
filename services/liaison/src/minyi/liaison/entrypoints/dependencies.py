"""FastAPI dependencies of liaison's routes: its runtime, its typed dependencies, the
caller as the use cases' actor, and the public endpoints' rate limit.

All are ``async`` though none waits: FastAPI runs a plain ``def`` dependency in a worker
thread, a hop per request for nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from minyi.liaison.dependencies import LiaisonDeps, LiaisonRuntime
from minyi.liaison.service_layer.ports import Actor
from minyi.platform.auth import Principal, Role, require
from minyi.platform.auth_limits import rate_limit
from minyi.platform.runtime import current_deps, current_runtime

Rt = Annotated[LiaisonRuntime, Depends(current_runtime)]
Deps = Annotated[LiaisonDeps, Depends(current_deps)]


async def _staff(principal: Annotated[Principal, Depends(require(Role.STATION_STAFF))]) -> Actor:
    return Actor(principal.subject, principal.station, admin=principal.role is Role.ADMIN)


# Station staff act on their own station's receptions; the admin on every station's.
Staff = Annotated[Actor, Depends(_staff)]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
# Public writes and code look-ups: a bucket per client address (as intake's filings).
# These numbers are defaults: bootstrap puts buckets sized by MINYI_LIAISON_BOOKING_RATE_*
# under the same name before the first request.
PUBLIC_LIMIT_NAME = "liaison_public"
PUBLIC_LIMIT = Depends(rate_limit(PUBLIC_LIMIT_NAME, per_minute=120, burst=60))

"""FastAPI dependencies of supervision's routes: its runtime, its typed dependencies, and
the caller's token as the use cases' actor.

All are ``async`` though none waits: FastAPI runs a plain ``def`` dependency in a worker
thread, a hop per request for nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from minyi.platform.auth import Principal, Role, require
from minyi.platform.runtime import current_deps, current_runtime
from minyi.supervision.dependencies import SupervisionDeps, SupervisionRuntime
from minyi.supervision.domain import DeadlinePolicy
from minyi.supervision.service_layer.commands import Actor, Forbidden

Rt = Annotated[SupervisionRuntime, Depends(current_runtime)]
Deps = Annotated[SupervisionDeps, Depends(current_deps)]


def actor_of(principal: Principal, policy: DeadlinePolicy) -> Actor:
    """The token's principal as the use cases' actor; a supervisor's group is resolved
    against the policy, which owns the groups."""
    if principal.role is Role.UNIT_STAFF:
        return Actor(unit_id=principal.unit, name=principal.subject)
    if principal.role is Role.ADMIN:
        return Actor(supervisor=True, admin=True, name=principal.subject)
    if principal.role is Role.REPRESENTATIVE:
        return Actor(deputy_id=principal.representative, name=principal.subject)
    group = policy.supervision_groups.get(principal.group or "")
    if group is None:
        raise Forbidden("unknown_group", f"未知的督导组：{principal.group}")
    return Actor(
        supervisor=True,
        districts=frozenset(group.districts),
        name=principal.subject,
        group_id=principal.group,
    )


def caller(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    """A dependency: a token of one of ``roles`` (or admin), as an actor."""

    async def dependency(principal: Principal, deps: Deps) -> Actor:
        return actor_of(principal, deps.policy)

    # Set as an object, not a string: this module's annotations are postponed and
    # ``roles`` is not visible to FastAPI's evaluation of them.
    dependency.__annotations__["principal"] = Annotated[Principal, Depends(require(*roles))]
    return dependency


# Units act on their cases, supervisors urge and watch; both read.
Caller = Annotated[Actor, Depends(caller(Role.UNIT_STAFF, Role.SUPERVISOR))]
UnitCaller = Annotated[Actor, Depends(caller(Role.UNIT_STAFF))]
SupervisorCaller = Annotated[Actor, Depends(caller(Role.SUPERVISOR))]
# The congress office (人大常委会办公室): extension decisions, key topics.
AdminCaller = Annotated[Actor, Depends(caller())]

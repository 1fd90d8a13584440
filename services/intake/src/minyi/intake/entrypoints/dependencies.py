"""FastAPI dependencies of intake's endpoints: the runtime and the typed dependencies.

All are ``async`` (no I/O inside): FastAPI runs a plain ``def`` dependency in a worker
thread, a cost on every filing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from minyi.intake.dependencies import IntakeDeps, IntakeRuntime
from minyi.platform.auth import ACCESS_ATTR, Principal, public
from minyi.platform.runtime import current_deps, current_runtime, runtime_of

Rt = Annotated[IntakeRuntime, Depends(current_runtime)]
Deps = Annotated[IntakeDeps, Depends(current_deps)]


@dataclass(frozen=True, slots=True)
class Caller:
    who: Principal | None  # the token's holder, if a valid one came
    runtime: IntakeRuntime


def public_caller(reason: str) -> Callable[[Request], Awaitable[Caller]]:
    """``public(reason)`` and the runtime as one dependency: FastAPI resolves each
    dependency with a parameter pass of its own, a real share of a hot endpoint's time."""
    check = public(reason)

    async def dependency(request: Request) -> Caller:
        return Caller(await check(request), runtime_of(request))

    setattr(dependency, ACCESS_ATTR, getattr(check, ACCESS_ATTR))
    dependency.__name__ = "public"
    return dependency

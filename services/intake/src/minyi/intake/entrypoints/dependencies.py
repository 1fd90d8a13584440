"""FastAPI dependencies of intake's endpoints: the runtime and the typed dependencies.

Both are ``async`` (no I/O inside): FastAPI runs a plain ``def`` dependency in a worker
thread, a cost on every filing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from minyi.intake.dependencies import IntakeDeps, IntakeRuntime
from minyi.platform.runtime import current_deps, current_runtime

Rt = Annotated[IntakeRuntime, Depends(current_runtime)]
Deps = Annotated[IntakeDeps, Depends(current_deps)]

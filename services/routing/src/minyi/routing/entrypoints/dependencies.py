"""FastAPI dependencies of routing's endpoints: its runtime and typed dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from minyi.platform.runtime import current_deps, current_runtime
from minyi.routing.dependencies import RoutingDeps, RoutingRuntime

Deps = Annotated[RoutingDeps, Depends(current_deps)]
Rt = Annotated[RoutingRuntime, Depends(current_runtime)]

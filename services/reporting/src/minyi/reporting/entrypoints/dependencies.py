"""Reporting's FastAPI dependencies: its runtime and typed dependencies, as ``Annotated``.

They are ``async`` (no I/O inside) and call ``runtime_of`` rather than depend on it:
FastAPI runs a plain ``def`` dependency in a worker thread, a hop on every dashboard read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from minyi.platform.runtime import current_deps, current_runtime
from minyi.reporting.adapters.views import LiveViews
from minyi.reporting.dependencies import ReportingDeps, ReportingRuntime

Rt = Annotated[ReportingRuntime, Depends(current_runtime)]
Deps = Annotated[ReportingDeps, Depends(current_deps)]


async def _views(deps: Deps) -> LiveViews:
    return deps.views


# The dashboard's query object (reads of the live generation).
Views = Annotated[LiveViews, Depends(_views)]

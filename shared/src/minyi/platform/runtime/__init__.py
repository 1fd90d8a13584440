"""The runtime room: what a service holds while it runs, its unit of work and group commit,
and what a service declares about itself."""

from minyi.platform.runtime.build import new_runtime
from minyi.platform.runtime.definition import Consumer, EventFailed, ServiceDefinition
from minyi.platform.runtime.runtime import (
    Batch,
    CurrentRuntime,
    Runtime,
    UnitOfWork,
    current_deps,
    current_runtime,
    runtime_of,
)

__all__ = [
    "Batch",
    "Consumer",
    "CurrentRuntime",
    "EventFailed",
    "Runtime",
    "ServiceDefinition",
    "UnitOfWork",
    "current_deps",
    "current_runtime",
    "new_runtime",
    "runtime_of",
]

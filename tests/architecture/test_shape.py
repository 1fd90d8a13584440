"""The shape every service keeps (docs/ARCHITECTURE.md), checked on the source itself: no
import cycles, SQL only in adapters, a domain without I/O, ``app.state`` read in one place."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "shared" / "src", *sorted((ROOT / "services").glob("*/src"))]
SERVICES = sorted(p.parent.name for p in SOURCES if p.parent.parent.name == "services")
# What a domain may not import: storage, frameworks, the network, the file system.
IO_MODULES = ("sqlalchemy", "fastapi", "starlette", "faststream", "nats", "httpx", "aiosqlite")
IO_MODULES_DOMAIN = (*IO_MODULES, "pathlib", "os", "shutil", "tempfile", "socket", "urllib")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for src in SOURCES:
        for path in src.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module ``name`` imports — at the top, under TYPE_CHECKING or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in MODULES else base


def _graph() -> dict[str, set[str]]:
    return {
        name: {target for target in _imports(name, path) if target in MODULES and target != name}
        for name, path in MODULES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    assert _cycles(_graph()) == []


def test_the_platform_rooms_import_each_other_one_way_only() -> None:
    """Rooms of the platform kit (its sub-packages and flat modules) form no cycle either."""

    def room(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:3]) if parts[:2] == ["minyi", "platform"] else module

    rooms: dict[str, set[str]] = {}
    for source, targets in _graph().items():
        if source.startswith("minyi.platform"):
            rooms.setdefault(room(source), set()).update(
                room(t)
                for t in targets
                if t.startswith("minyi.platform") and room(t) != room(source)
            )
    for targets in rooms.values():
        for target in targets:
            rooms.setdefault(target, set())
    assert _cycles(rooms) == []


def _layer_modules(service: str, layer: str) -> list[tuple[str, Path]]:
    prefix = f"minyi.{service}.{layer}"
    return [(n, p) for n, p in MODULES.items() if n == prefix or n.startswith(prefix + ".")]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("layer", ["domain", "service_layer", "entrypoints"])
def test_sql_lives_only_in_adapters(service: str, layer: str) -> None:
    offenders = [
        f"{name} imports {target}"
        for name, path in _layer_modules(service, layer)
        for target in _imports(name, path)
        if target.split(".")[0] in ("sqlalchemy", "aiosqlite", "asyncpg")
    ]
    assert offenders == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_does_no_io_and_knows_no_framework(service: str) -> None:
    offenders = [
        f"{name} imports {target}"
        for name, path in _layer_modules(service, "domain")
        for target in _imports(name, path)
        if target.split(".")[0] in IO_MODULES_DOMAIN
    ]
    assert offenders == []


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_imports_the_composition_root(service: str) -> None:
    root = f"minyi.{service}.bootstrap"
    importers = [name for name, targets in _graph().items() if root in targets]
    assert importers == []


def test_app_state_is_read_in_one_place() -> None:
    """Endpoints take the runtime or their service's dependencies as ``Annotated``
    dependencies; only ``platform.runtime.runtime_of`` (and the assembly that sets it)
    touch ``app.state``."""
    allowed = {
        "minyi.platform.runtime.runtime",
        "minyi.platform.app.assembly",
        "minyi.platform.app.audit",
    }
    readers = sorted(
        name
        for name, path in MODULES.items()
        if name not in allowed and "app.state" in path.read_text(encoding="utf-8")
    )
    assert readers == []

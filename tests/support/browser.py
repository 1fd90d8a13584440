"""Real-browser tests: Debian's chromium driven by Playwright (never a downloaded browser),
and a service's app served by uvicorn in a thread so the browser can reach it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn

from minyi.platform.nats_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots the docs show; a test that takes one is looked at before it lands.
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def playwright() -> ModuleType:
    """``playwright.sync_api``, or the calling test module is skipped with the reason."""
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "playwright.sync_api", reason="browser tests need the playwright package (dev dependency)"
    )


@contextmanager
def chromium() -> Iterator[Any]:
    with playwright().sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def served(app: Any, what: str, *, ready: bool = False) -> Iterator[str]:
    """``app`` on a free loopback port for as long as the block runs; yields its URL.

    ``ready``: wait, too, until ``/readyz`` says the database and NATS answer. A service
    connects to NATS (and declares the stream) in the background after it starts serving, so
    a test that publishes to the stream straight away would race it on a slow host."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        while ready and httpx.get(f"{url}/readyz", timeout=5).status_code != 200:
            if time.monotonic() > deadline + 30:
                raise RuntimeError(f"{what} not ready: {httpx.get(f'{url}/readyz').text}")
            time.sleep(0.1)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def screenshot(page_or_locator: Any, name: str, *, full_page: bool = False) -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / name
    if full_page:
        page_or_locator.screenshot(path=str(path), full_page=True)
    else:
        page_or_locator.screenshot(path=str(path))
    return path

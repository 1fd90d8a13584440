"""The dashboard in a real browser (Debian's chromium, driven by Playwright), served by the
whole app (NATS away: the service serves HTTP without it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from minyi.reporting.bootstrap import SERVICE

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the playwright package (dev dependency)"
)


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The dashboard's address, and a token whose role may not read the views."""
    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(
        service="reporting",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/reporting.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )
    app = create_app(SERVICE, settings)
    citizen = bearer(app.state.runtime.keyring, Principal(Role.CITIZEN, "citizen:browser"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("reporting did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", citizen["Authorization"].removeprefix("Bearer ")
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_a_refused_read_shows_the_services_own_message(reporting: tuple[str, str]) -> None:
    url, token = reporting
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(locale="zh-CN")
            page.add_init_script(f"sessionStorage.setItem('minyi.token', '{token}')")
            response = page.goto(url + "/")
            assert response is not None and response.ok
            # The 403's body is {"detail": [{"msg": "当前角色无权访问（…）", …}]}: the page shows
            # that message, not only the status code.
            sync_api.expect(page.locator("#live")).to_contain_text("当前角色无权访问")
            assert " → 403" not in page.inner_text("#live")
        finally:
            browser.close()

"""The citizens' page in a real browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from minyi.platform.nats_server import free_port
from services.intake.tests.integration.conftest import offline_app

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
def intake_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"MINYI_INTAKE_API_KEYS": "browser-test", "MINYI_INTAKE_CHAT_SECRET": "browser-test"}
    app = offline_app(tmp_path_factory.mktemp("browser"), env)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("intake did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_a_citizen_files_on_the_page_tracks_it_and_reads_why_a_bad_code_is_refused(
    intake_url: str,
) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            response = page.goto(intake_url + "/")
            assert response is not None
            assert "default-src 'self'" in response.headers["content-security-policy"]
            page.fill("input[name=title]", "掇刀区白庙街道噪音扰民")
            page.fill("textarea[name=content]", "白庙街道某工地夜间施工，噪音很大，影响休息。")
            page.select_option("#district", "420804")
            page.select_option("#township", "白庙街道")
            page.fill("input[name=phone]", "13812345678")
            page.click("#file-form button[type=submit]")
            code = page.locator("#tracking-code")
            sync_api.expect(code).to_have_text(re.compile(r"^MY-(?:[0-9A-Z]{4}-){4}[0-9A-Z]$"))
            page.click("nav button[data-tab=track]")
            page.click("#track-form button[type=submit]")
            sync_api.expect(page.locator("#t-status")).to_have_text("已受理")
            # A refusal shows its message (the one error shape: detail[i].msg).
            page.fill("#track-code", "MY-0000-0000-0000-0000-1")
            page.click("#track-form button[type=submit]")
            sync_api.expect(page.locator("#track-error")).to_have_text(
                "查询码无效，请核对后重试（invalid tracking code）"
            )
            assert [e for e in errors if "404" not in e] == []
        finally:
            browser.close()

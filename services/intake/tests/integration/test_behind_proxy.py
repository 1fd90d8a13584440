"""Behind the front door: intake's per-address limit counts each citizen the trusted proxy
forwards, not the proxy; a client outside the trusted proxies cannot choose its bucket."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from minyi.platform.ratelimit import TokenBuckets
from services.intake.tests.integration.conftest import API_KEY, CHAT_SECRET, offline_app


def test_the_per_address_limit_counts_forwarded_citizens_not_the_proxy(tmp_path: Path) -> None:
    env = {
        "MINYI_INTAKE_API_KEYS": API_KEY,
        "MINYI_INTAKE_CHAT_SECRET": CHAT_SECRET,
        "MINYI_TRUSTED_PROXIES": "10.244.0.0/16",
    }
    app = offline_app(tmp_path, env)
    with TestClient(app, client=("10.244.0.9", 1)) as proxy:
        app.state.runtime.deps.guard.per_ip = TokenBuckets(per_minute=1, burst=1)

        def status(citizen: str) -> int:
            headers = {"X-Forwarded-For": citizen}
            code: int = proxy.get("/v1/reference/divisions", headers=headers).status_code
            return code

        assert [status("198.51.100.1"), status("198.51.100.2"), status("198.51.100.1")] == [
            200,
            200,
            429,
        ]
    (tmp_path / "outside").mkdir()
    app = offline_app(tmp_path / "outside", env)  # one app per event loop
    with TestClient(app, client=("203.0.113.5", 1)) as outsider:
        app.state.runtime.deps.guard.per_ip = TokenBuckets(per_minute=1, burst=1)
        codes = [
            outsider.get("/v1/reference/divisions", headers={"X-Forwarded-For": ip}).status_code
            for ip in ("1.1.1.1", "2.2.2.2")
        ]
    assert codes == [200, 429]

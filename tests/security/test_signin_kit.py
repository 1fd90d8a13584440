"""The staff pages' sign-in kit: every service says who a bearer token names
(``GET /v1/session``, which the kit asks first), the kit's files are served with the pages'
security headers, its config says where the deployment's sign-in proxy is, and no page
keeps token code of its own."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from minyi.platform.auth import Role, bearer

from .conftest import Service, principal

ROOT = Path(__file__).resolve().parents[2]
# Services whose pages sign staff in through the kit (reporting's dashboard joins once it
# adopts the kit).
KIT_PAGES = {
    "intake": ROOT / "services/intake/src/minyi/intake/web",
    "liaison": ROOT / "services/liaison/src/minyi/liaison/web",
    "reporting": ROOT / "services/reporting/src/minyi/reporting/static",
    "routing": ROOT / "services/routing/src/minyi/routing/web",
    "supervision": ROOT / "services/supervision/src/minyi/supervision/web",
}
STAFF_ROLES = [
    Role.ADMIN,
    Role.STATION_STAFF,
    Role.REPRESENTATIVE,
    Role.UNIT_STAFF,
    Role.SUPERVISOR,
    Role.ANALYST,
]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_service_says_who_a_staff_token_names(service: Service, role: Role) -> None:
    r = service.client.get("/v1/session", headers=service.as_(role))
    assert r.status_code == 200, r.text
    assert r.json() == principal(role).claims()


def test_the_session_of_a_missing_expired_or_citizen_token_is_refused(service: Service) -> None:
    assert service.client.get("/v1/session").status_code == 401
    expired = service.keyring.issue(principal(Role.ADMIN), 3600, now=time.time() - 7200)
    r = service.client.get("/v1/session", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    citizen = bearer(service.keyring, principal(Role.CITIZEN))
    assert service.client.get("/v1/session", headers=citizen).status_code == 403


def test_the_kit_is_served_with_the_pages_security_headers(service: Service) -> None:
    for name, media in (("session.js", "text/javascript"), ("kit.css", "text/css")):
        r = service.client.get(f"/static/kit/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"].startswith(media)
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "登录已过期或已被撤销，请重新登录" in service.client.get("/static/kit/session.js").text
    for name in ("pages.py", "..%2Fpages.py", "staff.js"):
        assert service.client.get(f"/static/kit/{name}").status_code == 404, name


def test_the_kit_config_names_the_sign_in_proxy_only_when_one_is_set(service: Service) -> None:
    r = service.client.get("/static/kit/config.json")
    assert r.json() == {"signin_url": None, "signout_url": None, "links": {}}
    assert r.headers["Cache-Control"] == "no-store"
    runtime = service.runtime
    settings = runtime.settings
    runtime.settings = settings.model_copy(
        update={
            "web_signin_url": "/oauth2/start",
            "web_signout_url": "/oauth2/sign_out",
            "web_links": "intake=http://127.0.0.1:8001/, reporting = https://r.example",
        }
    )
    try:
        r = service.client.get("/static/kit/config.json")
    finally:
        runtime.settings = settings
    assert r.json() == {
        "signin_url": "/oauth2/start",
        "signout_url": "/oauth2/sign_out",
        "links": {"intake": "http://127.0.0.1:8001", "reporting": "https://r.example"},
    }


@pytest.mark.parametrize("svc", sorted(KIT_PAGES))
def test_no_page_keeps_token_code_of_its_own(svc: str) -> None:
    folder = KIT_PAGES[svc]
    for script in folder.glob("*.js"):
        if script.name.endswith(".min.js"):
            continue  # vendored (ECharts)
        text = script.read_text(encoding="utf-8")
        for own in ("sessionStorage", "localStorage", "Authorization", "prompt("):
            assert own not in text, f"{script.name} handles tokens itself ({own})"
    for page in folder.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        if 'id="desk"' not in html:
            continue  # a public page
        assert '<div id="signin"></div>' in html, page.name
        assert 'href="/static/kit/kit.css"' in html, page.name
        assert re.search(r'<script src="/static/[\w-]+\.js" type="module">', html), page.name
        assert 'type="password"' not in html, f"{page.name} has a token field of its own"

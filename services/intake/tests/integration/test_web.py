"""The citizens' page is served with a strict CSP and no inline script."""

from __future__ import annotations

import re

from services.intake.tests.integration.conftest import Api


async def test_the_page_forbids_inline_scripts_and_other_origins(api: Api) -> None:
    r = await api.client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert "民意直通车" in r.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "http://" not in r.text and "https://" not in r.text  # no CDN
    assert re.search(r"\son[a-z]+=", r.text) is None  # no inline handlers


async def test_the_scripts_never_write_html_from_data(api: Api) -> None:
    for name in ("app.js", "find.js"):
        js = await api.client.get(f"/static/{name}")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert "innerHTML" not in js.text.replace("never innerHTML", "")
        assert "http://" not in js.text and "https://" not in js.text  # own origin only
    assert (await api.client.get("/static/../bootstrap.py")).status_code == 404


async def test_the_divisions_for_the_form_come_from_reference_data(api: Api) -> None:
    divisions = (await api.client.get("/v1/reference/divisions")).json()
    assert {"code": "420802", "name": "东宝区"}.items() <= divisions[0].items()
    assert "泉口街道" in divisions[0]["townships"]

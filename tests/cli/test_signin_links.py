"""``minyi up``'s one-click sign-in links: per role, the pages it uses, each with a
short-lived token of that role in the URL fragment (never in the path or query, which
servers and proxies log)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import jwt
import pytest

from minyi.cli.signin_links import TTL_SECONDS, signin_lines
from minyi.platform.auth import Keyring, Principal, Role
from minyi.platform.settings import SERVICE_PORTS

KEYRING = Keyring(keys=(("k1", "x" * 32),))
ALL = list(SERVICE_PORTS)
LINK = re.compile(r"^    (?P<title>[^:]+): (?P<url>http://\S+)$")


def links(services: list[str]) -> dict[str, list[tuple[str, str, Principal]]]:
    """Per role label, its (page title, URL without fragment, the token's principal)."""
    found: dict[str, list[tuple[str, str, Principal]]] = {}
    who = ""
    for line in signin_lines(KEYRING, services, SERVICE_PORTS):
        if line.startswith("  ") and not line.startswith("    "):
            who = line.strip()
            found[who] = []
        elif match := LINK.match(line):
            url = urlsplit(match["url"])
            assert url.query == "" and "token" not in url.path
            fragment = dict(p.split("=", 1) for p in url.fragment.split("&"))
            principal = KEYRING.verify(fragment["token"])
            found[who].append((match["title"], f"{url.scheme}://{url.netloc}{url.path}", principal))
    return found


def test_each_role_gets_a_link_to_its_pages_with_a_token_of_that_role() -> None:
    found = links(ALL)
    liaison = f"http://127.0.0.1:{SERVICE_PORTS['liaison']}"
    reporting = f"http://127.0.0.1:{SERVICE_PORTS['reporting']}"
    intake = f"http://127.0.0.1:{SERVICE_PORTS['intake']}"
    routing = f"http://127.0.0.1:{SERVICE_PORTS['routing']}"
    supervision = f"http://127.0.0.1:{SERVICE_PORTS['supervision']}"
    pages = {who: [(title, url) for title, url, _ in rows] for who, rows in found.items()}
    assert pages["人大办公室（管理员）"] == [
        ("民情数据看板", reporting + "/"),
        ("代表建议办理情况", reporting + "/formal"),
        ("代表履职评价", liaison + "/office"),
        ("局长进站工作台", liaison + "/office/visits"),
        ("代表建议交办", routing + "/office/assign"),
        ("督办、延期审批与重点专题、民生项目", supervision + "/group"),
        ("项目视察与验收", supervision + "/inspect"),
    ]
    assert pages["联络站工作人员（ST-420802-05）"] == [
        ("联络站工作台", liaison + "/staff"),
        ("局长进站工作台", liaison + "/office/visits"),
    ]
    assert pages["人大代表（REP-420802-009）"] == [
        ("我的履职", liaison + "/me"),
        ("我的代表建议", intake + "/deputy"),
        ("项目视察与验收", supervision + "/inspect"),
    ]
    assert pages["承办单位工作人员（db-zjj）"] == [("承办单位工作台", supervision + "/workbench")]
    assert pages["数据分析人员"] == [
        ("民情数据看板", reporting + "/"),
        ("代表建议办理情况", reporting + "/formal"),
    ]
    assert pages["督导组（g1）"] == [
        ("督导组工作台", supervision + "/group"),
        ("项目视察与验收", supervision + "/inspect"),
        ("民情数据看板", reporting + "/"),
        ("代表建议办理情况", reporting + "/formal"),
    ]
    roles = {who: {p.role for _, _, p in rows} for who, rows in found.items() if rows}
    assert roles == {
        "人大办公室（管理员）": {Role.ADMIN},
        "联络站工作人员（ST-420802-05）": {Role.STATION_STAFF},
        "人大代表（REP-420802-009）": {Role.REPRESENTATIVE},
        "承办单位工作人员（db-zjj）": {Role.UNIT_STAFF},
        "数据分析人员": {Role.ANALYST},
        "督导组（g1）": {Role.SUPERVISOR},
    }
    supervisor = found["督导组（g1）"][0][2]
    assert supervisor.group == "g1" and supervisor.districts == frozenset({"420802"})
    assert found["人大代表（REP-420802-009）"][0][2].representative == "REP-420802-009"


def test_a_role_whose_services_are_not_running_gets_the_header_and_tokens_are_short_lived() -> None:
    now = time.time()
    lines = signin_lines(KEYRING, ["liaison"], SERVICE_PORTS, now=now)
    unit = lines[lines.index("  承办单位工作人员（db-zjj）") + 1]
    token = unit.rsplit("Bearer ", 1)[1]
    assert KEYRING.verify(token).unit == "db-zjj"
    lines = signin_lines(KEYRING, ALL, SERVICE_PORTS, now=now)
    linked = re.findall(r"#token=([\w.-]+)", "\n".join(lines))
    assert (len(linked), len(set(linked))) == (19, 6)  # a role's pages share its token
    for token in [*linked, unit.rsplit("Bearer ", 1)[1]]:
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == TTL_SECONDS == 8 * 3600


def test_a_service_not_running_gets_no_link() -> None:
    found = links(["liaison"])
    urls = [url for rows in found.values() for _, url, _ in rows]
    assert urls and all(f":{SERVICE_PORTS['liaison']}/" in url for url in urls)
    assert found["数据分析人员"] == []


def test_make_up_names_the_public_pages_beside_the_services(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from minyi.cli.up import print_urls

    print_urls(["intake", "reporting"], {"intake": 9001, "reporting": 9004})
    out = capsys.readouterr().out
    assert "群众反映问题: http://127.0.0.1:9001/\n" in out
    assert "项目进展与民意公开（地图、高频诉求、附议）: http://127.0.0.1:9004/ledger\n" in out
    assert "找代表" not in out  # liaison is not running

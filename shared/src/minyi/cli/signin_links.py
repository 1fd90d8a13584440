"""One-click sign-in links for the demo's staff (development): per role, the page that role
uses with a short-lived token in the URL fragment. The page's sign-in kit moves the token
into the tab's sessionStorage and removes it from the address bar before fetching anything;
a fragment never reaches a server or its logs."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from minyi.cli.token import group_districts
from minyi.platform.auth import Keyring, Principal, Role
from minyi.platform.settings import SERVICE_PORTS

TTL_SECONDS = 8 * 3600
# The demo reference data's station, deputy, unit and supervision group.
STATION = "ST-420802-05"  # 东宝区泉口街道代表联络站
DEPUTY = "REP-420802-009"
UNIT = "db-zjj"  # 东宝区住房和城乡建设局
GROUP = "g1"  # 第一督导组 (东宝区)


@dataclass(frozen=True)
class SignInLink:
    who: str
    principal: Principal
    # (what the page is, service, path); no page: the API, with the token as a header.
    pages: tuple[tuple[str, str, str], ...]


def _group_districts() -> frozenset[str]:
    try:
        return group_districts(GROUP)
    except typer.BadParameter:  # supervision's policy is not installed here
        return frozenset({"420802"})


def demo_staff() -> list[SignInLink]:
    dashboard = ("民情数据看板", "reporting", "/")
    formal = ("代表建议办理情况", "reporting", "/formal")
    inspect = ("项目视察与验收", "supervision", "/inspect")
    return [
        SignInLink(
            "人大办公室（管理员）",
            Principal(Role.ADMIN, "admin:minyi-up"),
            (
                dashboard,
                formal,
                ("代表履职评价", "liaison", "/office"),
                ("局长进站工作台", "liaison", "/office/visits"),
                ("代表建议交办", "routing", "/office/assign"),
                ("督办、延期审批与重点专题、民生项目", "supervision", "/group"),
                inspect,
            ),
        ),
        SignInLink(
            f"联络站工作人员（{STATION}）",
            Principal(Role.STATION_STAFF, f"station_staff:{STATION}", station=STATION),
            (
                ("联络站工作台", "liaison", "/staff"),
                ("局长进站工作台", "liaison", "/office/visits"),
            ),
        ),
        SignInLink(
            f"人大代表（{DEPUTY}）",
            Principal(Role.REPRESENTATIVE, f"representative:{DEPUTY}", representative=DEPUTY),
            (("我的履职", "liaison", "/me"), ("我的代表建议", "intake", "/deputy"), inspect),
        ),
        SignInLink(
            f"承办单位工作人员（{UNIT}）",
            Principal(Role.UNIT_STAFF, f"unit_staff:{UNIT}", unit=UNIT),
            (("承办单位工作台", "supervision", "/workbench"),),
        ),
        SignInLink(
            "数据分析人员",
            Principal(Role.ANALYST, "analyst:minyi-up"),
            (dashboard, formal),
        ),
        SignInLink(
            f"督导组（{GROUP}）",
            Principal(
                Role.SUPERVISOR,
                f"supervisor:{GROUP}",
                group=GROUP,
                districts=_group_districts(),
            ),
            (("督导组工作台", "supervision", "/group"), inspect, dashboard, formal),
        ),
    ]


def signin_lines(
    keyring: Keyring,
    services: list[str],
    ports: dict[str, int] | None = None,
    *,
    host: str = "127.0.0.1",
    now: float | None = None,
) -> list[str]:
    """The lines ``minyi up`` prints: per role, its pages' links with a fresh token each."""
    ports = ports or SERVICE_PORTS
    hours = TTL_SECONDS // 3600
    lines = [f"\nOne-click sign-in links (development; each holds a token valid for {hours} h):"]
    for staff in demo_staff():
        token = keyring.issue(staff.principal, TTL_SECONDS, now=now)
        pages = [p for p in staff.pages if p[1] in services]
        lines.append(f"  {staff.who}")
        for title, service, path in pages:
            lines.append(f"    {title}: http://{host}:{ports[service]}{path}#token={token}")
        if not pages:  # its pages' services are not running here: the API
            lines.append(f"    (no page here: the API, /docs) Authorization: Bearer {token}")
    return lines


def print_signin_links(keyring: Keyring, services: list[str], ports: dict[str, int]) -> None:
    print("\n".join(signin_lines(keyring, services, ports)))

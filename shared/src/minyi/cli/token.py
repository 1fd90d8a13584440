"""``minyi token issue``: mint a bearer token for the local deployment.

It signs with the first key of ``MINYI_JWT_KEYS`` or, in development, the key generated in
the data dir (the one ``minyi up`` uses), so the token is valid for every service.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from minyi.platform.auth_tokens import SCOPE_OF, Keyring, Principal, Role, load_keyring
from minyi.platform.settings import Settings

app = typer.Typer(help="Bearer tokens (JWT) for the local deployment.", no_args_is_help=True)

_TTL = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_TTL_SECONDS = 30 * 86400


@app.callback()
def tokens() -> None:
    """Bearer tokens (JWT) for the local deployment."""


def parse_ttl(value: str) -> int:
    """``90s``, ``30m``, ``8h``, ``7d`` → seconds (at most 30 days)."""
    match = _TTL.match(value.strip().lower())
    if not match:
        raise typer.BadParameter("use a number and s, m, h or d, e.g. 8h")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not 0 < seconds <= MAX_TTL_SECONDS:
        raise typer.BadParameter("the lifetime must be between 1s and 30d")
    return seconds


def group_districts(group: str) -> frozenset[str]:
    """The districts of a supervision group, from supervision's policy (its owner)."""
    try:
        from minyi.supervision.adapters.reference import load_rules
    except ImportError as exc:  # the supervision package is not installed here
        raise typer.BadParameter("give --districts: supervision's policy is not available") from exc
    groups = load_rules().policy.supervision_groups
    if group not in groups:
        raise typer.BadParameter(f"unknown group {group!r}; one of {', '.join(sorted(groups))}")
    return frozenset(groups[group].districts)


def principal_for(
    role: Role,
    *,
    subject: str | None = None,
    unit: str | None = None,
    group: str | None = None,
    station: str | None = None,
    representative: str | None = None,
    districts: frozenset[str] | None = None,
) -> Principal:
    given = {"unit": unit, "group": group, "station": station, "representative": representative}
    needed = SCOPE_OF.get(role)
    extra = [f"--{k}" for k, v in given.items() if v is not None and k != needed]
    if extra:
        raise typer.BadParameter(f"{', '.join(extra)} does not apply to role {role.value}")
    if needed is not None and given[needed] is None:
        raise typer.BadParameter(f"role {role.value} needs --{needed}")
    if role is Role.SUPERVISOR and group is not None and districts is None:
        districts = group_districts(group)
    scope_value = given[needed] if needed else None
    return Principal(
        role=role,
        subject=subject or (f"{role.value}:{scope_value}" if scope_value else role.value),
        unit=unit,
        group=group,
        districts=districts if role is Role.SUPERVISOR else None,
        station=station,
        representative=representative,
    )


def keyring() -> Keyring:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return load_keyring(settings)


@app.command()
def issue(
    role: Annotated[Role, typer.Option("--role", help="the caller's role")],
    unit: Annotated[str | None, typer.Option(help="unit_staff: the unit id")] = None,
    group: Annotated[str | None, typer.Option(help="supervisor: the group id")] = None,
    station: Annotated[str | None, typer.Option(help="station_staff: the station id")] = None,
    representative: Annotated[str | None, typer.Option(help="representative: own id")] = None,
    districts: Annotated[
        str | None,
        typer.Option(help="supervisor: comma-separated district codes (default: the policy's)"),
    ] = None,
    subject: Annotated[str | None, typer.Option(help="who holds it (for the audit log)")] = None,
    ttl: Annotated[str, typer.Option(help="lifetime: 90s, 30m, 8h, 7d (at most 30d)")] = "8h",
) -> None:
    """Print a signed token: ``Authorization: Bearer <token>``."""
    principal = principal_for(
        role,
        subject=subject,
        unit=unit,
        group=group,
        station=station,
        representative=representative,
        districts=frozenset(d.strip() for d in districts.split(",") if d.strip())
        if districts
        else None,
    )
    typer.echo(keyring().issue(principal, parse_ttl(ttl)))

"""``minyi token issue``: mint a bearer token for the local deployment.

It signs with the first key of ``MINYI_JWT_KEYS`` or, in development, the key generated in
the data dir (the one ``minyi up`` uses), so the token is valid for every service.

``minyi token revoke <jti>`` / ``--subject <s>`` and ``list-revoked``: the revocation
bucket on NATS (``minyi.platform.revocation``), with the ``MINYI_NATS_*`` settings (in
production the ops user: services may only read the bucket).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from minyi.platform import revocation
from minyi.platform.auth_tokens import SCOPE_OF, Keyring, Principal, Role, load_keyring
from minyi.platform.settings import Settings

app = typer.Typer(help="Bearer tokens (JWT) for the local deployment.", no_args_is_help=True)

_TTL = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_TTL_SECONDS = revocation.MAX_TOKEN_SECONDS


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


async def _with_bucket(settings: Settings, work: Any) -> Any:
    import nats

    try:
        connection = await nats.connect(
            [s.strip() for s in settings.nats_url.split(",")],
            user=settings.nats_user,
            password=settings.nats_password,
            connect_timeout=5,
            max_reconnect_attempts=0,
            allow_reconnect=False,
        )
    except Exception as exc:
        raise typer.BadParameter(f"NATS at {settings.nats_url} is not reachable: {exc!r}") from exc
    try:
        return await work(connection.jetstream(timeout=5))
    finally:
        await connection.close()


@app.command()
def revoke(
    jti: Annotated[
        str | None, typer.Argument(help="the token id (its jti claim), or the token itself")
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="revoke every token of this subject issued until now")
    ] = None,
    reason: Annotated[str, typer.Option(help="why (kept with the entry)")] = "",
) -> None:
    """Revoke one token (by its jti) or all tokens of a subject issued until now; every
    service refuses them within seconds (401 token_revoked)."""
    if (jti is None) == (subject is None):
        raise typer.BadParameter("give a token id (jti) or --subject, not both")
    if jti is not None and jti.count(".") == 2:
        jti = token_id_of(jti)
    entry = revocation.Revocation(
        kind="jti" if jti is not None else "subject",
        value=(jti if jti is not None else subject) or "",
        revoked_at=revocation.now(),
        by="minyi token revoke",
        reason=reason,
    )
    if not entry.value.strip():
        raise typer.BadParameter("the token id or subject is empty")

    settings = Settings()

    async def write(js: Any) -> None:
        await revocation.revoke(js, entry, settings.stream_replicas)

    asyncio.run(_with_bucket(settings, write))
    what = f"token {entry.value}" if entry.kind == "jti" else f"subject {entry.value}"
    typer.echo(f"revoked {what} at {_when(entry.revoked_at)}")


@app.command("list-revoked")
def list_revoked() -> None:
    """The revoked token ids and subjects the bucket holds (until their tokens expire)."""

    settings = Settings()

    async def read(js: Any) -> list[revocation.Revocation]:
        return await revocation.current(js, settings.stream_replicas)

    entries: list[revocation.Revocation] = asyncio.run(_with_bucket(settings, read))
    if not entries:
        typer.echo("no revoked tokens")
        return
    for entry in entries:
        kind = "jti" if entry.kind == "jti" else "subject"
        extra = f"  ({entry.reason})" if entry.reason else ""
        typer.echo(f"{_when(entry.revoked_at)}  {kind:<7}  {entry.value}{extra}")


def token_id_of(token: str) -> str:
    """The ``jti`` of a whole token (pasted from a sign-in link or a header). Read without
    checking the signature: revoking the id of a forged token harms no one."""
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise typer.BadParameter("this is neither a token id nor a readable token") from exc
    token_id = claims.get("jti")
    if not isinstance(token_id, str) or not token_id:
        raise typer.BadParameter("the token carries no id (jti): revoke its --subject")
    return token_id


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

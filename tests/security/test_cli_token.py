"""``minyi token issue``: tokens that every local service accepts, with the scope each role
needs and nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from minyi.cli.token import app, parse_ttl
from minyi.platform.auth import Role, load_keyring
from minyi.platform.settings import Settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINYI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MINYI_JWT_KEYS", raising=False)
    return tmp_path


def issue(*args: str) -> str:
    result = runner.invoke(app, ["issue", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_unit_token_is_accepted_with_the_key_the_services_use(data_dir: Path) -> None:
    token = issue("--role", "unit_staff", "--unit", "db-zjj", "--ttl", "1h")
    principal = load_keyring(Settings(service="supervision", data_dir=data_dir)).verify(token)
    assert (principal.role, principal.unit, principal.subject) == (
        Role.UNIT_STAFF,
        "db-zjj",
        "unit_staff:db-zjj",
    )
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert 3500 < expires - time.time() <= 3600


def test_a_supervisor_token_carries_its_group_s_districts_from_the_policy(data_dir: Path) -> None:
    from minyi.supervision.adapters.reference import load_rules

    token = issue("--role", "supervisor", "--group", "g1")
    principal = load_keyring(Settings(data_dir=data_dir)).verify(token)
    expected = frozenset(load_rules().policy.supervision_groups["g1"].districts)
    assert principal.group == "g1" and principal.districts == expected and expected


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "unit_staff"],
        ["--role", "supervisor"],
        ["--role", "analyst", "--unit", "db-zjj"],
        ["--role", "supervisor", "--group", "no-such-group"],
        ["--role", "admin", "--ttl", "90d"],
        ["--role", "admin", "--ttl", "soon"],
        ["--role", "emperor"],
    ],
    ids=[
        "unit-missing",
        "group-missing",
        "scope-not-applicable",
        "unknown-group",
        "too-long",
        "bad-ttl",
        "unknown-role",
    ],
)
def test_a_token_that_would_be_wrong_is_not_issued(data_dir: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["issue", *args])
    assert result.exit_code == 2, result.output  # a usage error, named
    assert "eyJ" not in result.output
    assert "--role" in result.output or "Invalid value" in result.output


def test_lifetimes_are_read_in_seconds_minutes_hours_and_days() -> None:
    assert [parse_ttl(v) for v in ("90s", "30m", "8h", "7d")] == [90, 1800, 28800, 604800]

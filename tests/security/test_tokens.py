"""Bearer tokens: what a valid one is, and every way a token is refused; keys, rotation,
the development key and the production guard."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import jwt
import pytest

from minyi.platform.auth import (
    InsecureConfiguration,
    InvalidToken,
    Keyring,
    Principal,
    Role,
    check_production_secrets,
    load_keyring,
    local_key,
    parse_keys,
    refuse_insecure_production,
)
from minyi.platform.settings import Settings

OLD = ("k-old", "o" * 40)
NEW = ("k-new", "n" * 40)
UNIT = Principal(Role.UNIT_STAFF, "staff:db-zjj", unit="db-zjj")


def test_a_token_carries_the_principal_and_its_scope_back() -> None:
    keyring = Keyring((NEW,))
    supervisor = Principal(
        Role.SUPERVISOR, "sup:g1", group="g1", districts=frozenset({"420802", "420804"})
    )
    assert keyring.verify(keyring.issue(UNIT, 60)) == UNIT
    assert keyring.verify(keyring.issue(supervisor, 60)) == supervisor


def test_an_expired_token_is_refused_but_clock_skew_within_the_leeway_is_tolerated() -> None:
    keyring = Keyring((NEW,), leeway_seconds=30)
    issued = time.time() - 100
    with pytest.raises(InvalidToken, match="expired"):
        keyring.verify(keyring.issue(UNIT, 60, now=issued))
    assert keyring.verify(keyring.issue(UNIT, 80, now=issued)) == UNIT


@pytest.mark.parametrize(
    "change", [{"iss": "someone-else"}, {"aud": "another-system"}], ids=["issuer", "audience"]
)
def test_a_token_for_another_issuer_or_audience_is_refused(change: dict[str, str]) -> None:
    keyring = Keyring((NEW,))
    now = int(time.time())
    claims = UNIT.claims() | {"iss": "minyi", "aud": "minyi", "iat": now, "exp": now + 60}
    token = jwt.encode(claims | change, NEW[1], algorithm="HS256", headers={"kid": NEW[0]})
    with pytest.raises(InvalidToken):
        keyring.verify(token)


def test_unsigned_and_other_algorithm_tokens_are_refused() -> None:
    keyring = Keyring((NEW,))
    now = int(time.time())
    claims = UNIT.claims() | {"iss": "minyi", "aud": "minyi", "iat": now, "exp": now + 60}
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": NEW[0]})
    hs512 = jwt.encode(claims, NEW[1], algorithm="HS512", headers={"kid": NEW[0]})
    for token in (unsigned, hs512):
        with pytest.raises(InvalidToken):
            keyring.verify(token)


def test_a_token_without_expiry_or_with_an_unknown_key_id_is_refused() -> None:
    keyring = Keyring((NEW,))
    now = int(time.time())
    forever = jwt.encode(
        UNIT.claims() | {"iss": "minyi", "aud": "minyi", "iat": now},
        NEW[1],
        algorithm="HS256",
        headers={"kid": NEW[0]},
    )
    with pytest.raises(InvalidToken):
        keyring.verify(forever)
    with pytest.raises(InvalidToken, match="unknown signing key"):
        keyring.verify(Keyring((OLD,)).issue(UNIT, 60))


def test_a_scoped_role_without_its_scope_is_refused() -> None:
    keyring = Keyring((NEW,))
    with pytest.raises(InvalidToken, match="unit"):
        keyring.verify(keyring.issue(Principal(Role.UNIT_STAFF, "nobody"), 60))


def test_rotation_keeps_old_tokens_valid_while_new_ones_are_signed_with_the_new_key() -> None:
    before = Keyring((OLD,))
    during = Keyring(parse_keys(f"{NEW[0]}:{NEW[1]},{OLD[0]}:{OLD[1]}"))
    after = Keyring((NEW,))
    old_token = before.issue(UNIT, 60)
    new_token = during.issue(UNIT, 60)
    assert during.verify(old_token) == during.verify(new_token) == UNIT
    assert jwt.get_unverified_header(new_token)["kid"] == NEW[0]
    with pytest.raises(InvalidToken):
        after.verify(old_token)


@pytest.mark.parametrize(
    "value",
    ["", "nokid", "k1:short", f"k1:{'a' * 40},k1:{'b' * 40}", f"bad kid:{'a' * 40}"],
    ids=["empty", "no-colon", "short", "duplicate", "bad-kid"],
)
def test_unusable_key_settings_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_keys(value)


def test_the_development_key_is_generated_once_private_and_shared_by_every_service(
    tmp_path: Path,
) -> None:
    first = local_key(tmp_path)
    assert local_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "jwt-keys.txt").st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["jwt-keys.txt"]
    a = load_keyring(Settings(service="intake", data_dir=tmp_path))
    b = load_keyring(Settings(service="reporting", data_dir=tmp_path))
    assert a.generated and b.verify(a.issue(UNIT, 60)) == UNIT


def test_configured_keys_win_over_the_development_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINYI_JWT_KEYS", f"{NEW[0]}:{NEW[1]}")
    keyring = load_keyring(Settings(service="intake", data_dir=tmp_path))
    assert keyring.keys == (NEW,) and not keyring.generated
    assert not (tmp_path / "jwt-keys.txt").exists()


def test_production_refuses_to_start_without_jwt_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MINYI_JWT_KEYS", raising=False)
    with pytest.raises(InsecureConfiguration, match="MINYI_JWT_KEYS"):
        load_keyring(Settings(service="intake", data_dir=tmp_path, env="production"))
    assert not (tmp_path / "jwt-keys.txt").exists()


def test_production_refuses_placeholder_secrets_and_names_each_one() -> None:
    production = Settings(service="intake", env="production", nats_user="intake")
    environ = {
        "MINYI_JWT_KEYS": "k1:REPLACE_ME",
        "MINYI_INTAKE_CHAT_SECRET": "REPLACE_ME-with-a-secret",
        "MINYI_DATABASE_URL": "postgresql+asyncpg://intake:REPLACE_ME@db/intake",
        "UNRELATED": "REPLACE_ME",
    }
    problems = check_production_secrets(production, environ)
    text = "; ".join(problems)
    for name in ("MINYI_JWT_KEYS", "MINYI_INTAKE_CHAT_SECRET", "MINYI_DATABASE_URL"):
        assert name in text
    assert "UNRELATED" not in text and "MINYI_NATS_PASSWORD" in text
    with pytest.raises(InsecureConfiguration):
        refuse_insecure_production(production, environ)


def test_production_with_real_secrets_and_development_with_none_both_start() -> None:
    production = Settings(service="intake", env="production")
    good = {"MINYI_JWT_KEYS": f"{NEW[0]}:{NEW[1]}"}
    assert check_production_secrets(production, good) == []
    assert check_production_secrets(Settings(service="intake"), {"MINYI_X": "REPLACE_ME"}) == []

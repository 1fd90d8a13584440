"""The PII vault: encryption at rest, a keyed blind index, and the development key file."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from minyi.platform.pii_vault import (
    KEY_FILE_NAME,
    PiiDecryptionError,
    PiiKeyError,
    PiiVault,
    load_or_create_keys,
    new_key_settings,
    parse_keys,
)

INDEX_KEY = b"i" * 32


@pytest.fixture(scope="module")
def vault() -> PiiVault:
    return PiiVault([Fernet.generate_key()], INDEX_KEY)


@given(st.text())
def test_encrypt_then_decrypt_gives_back_the_text(text: str) -> None:
    vault = PiiVault([Fernet.generate_key()], INDEX_KEY)
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    token = vault.encrypt(text)
    assert vault.decrypt(token) == text
    assert vault.decrypt(token.encode("ascii")) == text


def test_ciphertext_does_not_contain_the_plaintext(vault: PiiVault) -> None:
    token = vault.encrypt("13812341234")
    assert "13812341234" not in token
    assert vault.encrypt("13812341234") != token  # random IV: no equality leaks


def test_a_rotated_key_set_still_decrypts_old_tokens_and_encrypts_with_the_new_key() -> None:
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    old_token = PiiVault([old_key], INDEX_KEY).encrypt("张三丰")
    rotated = PiiVault([new_key, old_key], INDEX_KEY)
    assert rotated.decrypt(old_token) == "张三丰"
    new_token = rotated.encrypt("李四")
    assert PiiVault([new_key], INDEX_KEY).decrypt(new_token) == "李四"
    re_encrypted = rotated.rotate(old_token)
    assert PiiVault([new_key], INDEX_KEY).decrypt(re_encrypted) == "张三丰"
    with pytest.raises(PiiDecryptionError):
        PiiVault([old_key], INDEX_KEY).decrypt(new_token)


def test_a_tampered_token_is_refused(vault: PiiVault) -> None:
    token = vault.encrypt("张三丰")
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(PiiDecryptionError):
        vault.decrypt(tampered)
    with pytest.raises(PiiDecryptionError):
        vault.decrypt("not a token")


def test_the_blind_index_is_stable_keyed_and_hides_the_number(vault: PiiVault) -> None:
    index = vault.blind_index("13812341234")
    assert index == vault.blind_index("13812341234")
    assert index != vault.blind_index("13812341235")
    assert len(index) == 64 and "13812341234" not in index
    other = PiiVault([Fernet.generate_key()], b"j" * 32)
    assert other.blind_index("13812341234") != index


def test_weak_or_missing_keys_are_refused() -> None:
    with pytest.raises(PiiKeyError):
        PiiVault([], INDEX_KEY)
    with pytest.raises(PiiKeyError):
        PiiVault([Fernet.generate_key()], b"short")
    with pytest.raises(PiiKeyError):
        PiiVault([b"not-a-fernet-key"], INDEX_KEY)


def test_keys_are_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    keys, index_key = load_or_create_keys(data_dir)
    path = data_dir / KEY_FILE_NAME
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_keys(data_dir) == (keys, index_key)
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE_NAME]  # no temp file left
    vault = PiiVault(keys, index_key)
    assert vault.decrypt(vault.encrypt("王五")) == "王五"


def test_processes_starting_together_end_up_with_the_same_keys(tmp_path: Path) -> None:
    start = threading.Barrier(8)
    found: list[tuple[list[bytes], bytes]] = []

    def load() -> None:
        start.wait()
        found.append(load_or_create_keys(tmp_path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and all(keys == found[0] for keys in found)
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE_NAME]


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    encryption, index = new_key_settings()
    (tmp_path / KEY_FILE_NAME).write_text(
        json.dumps({"encryption_keys": [encryption], "index_key": index})
    )
    keys, _ = load_or_create_keys(tmp_path)
    assert keys == [encryption.encode("ascii")]


def test_a_corrupt_key_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text("{}")
    with pytest.raises(PiiKeyError, match="密钥文件损坏"):
        load_or_create_keys(tmp_path)


def test_keys_from_settings_are_comma_separated_with_the_encrypting_key_first() -> None:
    first, index = new_key_settings()
    second, _ = new_key_settings()
    keys, index_key = parse_keys(f" {first} , {second},", index)
    assert keys == [first.encode(), second.encode()]
    assert len(index_key) == 32
    PiiVault(keys, index_key)


def test_malformed_settings_are_refused_without_echoing_the_secret() -> None:
    with pytest.raises(PiiKeyError) as caught:
        parse_keys("s3cret-but-wrong", new_key_settings()[1])
    assert "s3cret" not in str(caught.value)
    with pytest.raises(PiiKeyError):
        parse_keys("", new_key_settings()[1])
    with pytest.raises(PiiKeyError):
        parse_keys(new_key_settings()[0], "not base64 !!")

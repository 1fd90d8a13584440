"""Encryption at rest for citizens' personal data, and a blind index to link their appeals.

Fernet (AES-128-CBC + HMAC-SHA256, from the maintained ``cryptography`` library) behind a
MultiFernet: the first key encrypts, every key decrypts, so keys rotate by putting a new
key first and re-encrypting old tokens with :meth:`PiiVault.rotate` at leisure.

The blind index is a keyed HMAC, not a plain hash: mainland phone numbers are so few
(about 10^10) that an unkeyed hash is reversed by brute force in minutes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from minyi.platform.secret_file import read_or_create

KEY_FILE_NAME = "pii-keys.json"
_MIN_INDEX_KEY_BYTES = 32
_log = logging.getLogger(__name__)


class PiiDecryptionError(ValueError):
    """A token that no configured key opens (wrong key, corrupted or forged)."""


class PiiKeyError(ValueError):
    """Key material that is missing or malformed. Never echoes the secret itself."""


class PiiVault:
    def __init__(self, encryption_keys: list[bytes], index_key: bytes) -> None:
        if not encryption_keys:
            raise PiiKeyError("至少需要一个加密密钥 / at least one encryption key is required")
        if len(index_key) < _MIN_INDEX_KEY_BYTES:
            raise PiiKeyError(
                f"索引密钥至少 {_MIN_INDEX_KEY_BYTES} 字节"
                f" / the index key must be at least {_MIN_INDEX_KEY_BYTES} bytes"
            )
        try:
            fernets = [Fernet(key) for key in encryption_keys]
        except (ValueError, binascii.Error) as error:
            raise PiiKeyError(
                "加密密钥格式不正确（应为 Fernet 密钥） / malformed Fernet encryption key"
            ) from error
        self._fernet = MultiFernet(fernets)
        self._index_key = index_key

    def encrypt(self, text: str) -> str:
        """An ASCII token (URL-safe base64) that embeds its creation time; store as text."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str | bytes) -> str:
        raw = token.encode("ascii") if isinstance(token, str) else token
        try:
            return self._fernet.decrypt(raw).decode("utf-8")
        except (InvalidToken, UnicodeError) as error:
            raise PiiDecryptionError("无法解密个人信息 / cannot decrypt personal data") from error

    def rotate(self, token: str | bytes) -> str:
        """The same plaintext re-encrypted under the current first key."""
        raw = token.encode("ascii") if isinstance(token, str) else token
        try:
            return self._fernet.rotate(raw).decode("ascii")
        except InvalidToken as error:
            raise PiiDecryptionError("无法解密个人信息 / cannot decrypt personal data") from error

    def blind_index(self, phone_canonical: str) -> str:
        """HMAC-SHA256 (hex) of a canonical phone number: same citizen, same index.

        Pass ``PhoneNumber.canonical`` so that spelling variants of one number agree.
        """
        return hmac.new(
            self._index_key, phone_canonical.encode("utf-8"), hashlib.sha256
        ).hexdigest()


def new_key_settings() -> tuple[str, str]:
    """Fresh (encryption keys, index key) as settings strings, for a new deployment."""
    return Fernet.generate_key().decode("ascii"), _b64(secrets.token_bytes(32))


def parse_keys(encryption_keys: str, index_key: str) -> tuple[list[bytes], bytes]:
    """Keys from settings: comma-separated Fernet keys (first encrypts), base64 index key."""
    keys = [part.strip().encode("ascii") for part in encryption_keys.split(",") if part.strip()]
    if not keys:
        raise PiiKeyError("未配置加密密钥 / no encryption key configured")
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, binascii.Error) as error:
            raise PiiKeyError(
                "加密密钥格式不正确（应为 Fernet 密钥） / malformed Fernet encryption key"
            ) from error
    return keys, _unb64(index_key)


def load_or_create_keys(data_dir: Path) -> tuple[list[bytes], bytes]:
    """Keys from ``data_dir/pii-keys.json``, created (mode 0600) on first start.

    For the embedded single-process default only; production passes keys as settings
    (see :func:`parse_keys`) from a secret store. Two processes starting together end up
    with the same keys (``secret_file.read_or_create``): neither overwrites the other's
    nor reads a half-written file.
    """
    path = data_dir / KEY_FILE_NAME
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    raw = read_or_create(path, _new_key_file)
    mode = path.stat().st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        _log.warning("PII key file %s is readable by others (mode %o)", path, mode)
    try:
        document = json.loads(raw)
        return parse_keys(",".join(document["encryption_keys"]), document["index_key"])
    except (KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PiiKeyError(f"密钥文件损坏 / corrupt key file {path}") from error


def _new_key_file() -> bytes:
    encryption_key, index_key = new_key_settings()
    return json.dumps({"encryption_keys": [encryption_key], "index_key": index_key}).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    cleaned = text.strip()
    try:
        # Accept both alphabets, with or without padding, as operators paste them.
        normalised = cleaned.replace("-", "+").replace("_", "/")
        return base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
    except (binascii.Error, ValueError) as error:
        raise PiiKeyError("索引密钥应为 base64 / the index key must be base64") from error

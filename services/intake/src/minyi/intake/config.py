"""Intake's own settings (prefix ``MINYI_INTAKE_``) and the secrets it generates in
development."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from minyi.platform.secret_file import read_or_create

log = logging.getLogger(__name__)

API_KEY_FILE = "intake-api-keys.txt"
CHAT_SECRET_FILE = "intake-chat-secret.txt"


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_INTAKE_", extra="ignore")

    # PII keys from a secret store (comma-separated Fernet keys, base64 index key); without
    # them the embedded default generates keys into the data dir.
    pii_keys: str | None = None
    index_key: str | None = None
    # Channel adapters' API keys (Open311 ``api_key``, ``X-API-Key``): comma-separated, or
    # one per line in a file.
    api_keys: str | None = None
    api_keys_file: Path | None = None
    chat_secret: str | None = None
    sms_webhook_url: str | None = None
    # Limits against abuse: a token bucket per client IP and one per API key.
    max_body_bytes: int = 64 * 1024
    rate_per_ip_per_minute: float = 120.0
    rate_per_ip_burst: int = 60
    rate_per_key_per_minute: float = 1200.0
    rate_per_key_burst: int = 300
    # Chat signatures older than this are refused (replay of a captured request).
    chat_max_skew_seconds: int = 300
    notify_poll_seconds: float = 1.0
    notify_max_attempts: int = 8
    # Liaison's public pages (a deputy's, a station's where receptions are booked), linked
    # from the 找代表 tab: the address citizens' phones reach, not the service's own.
    liaison_public_url: str = "http://127.0.0.1:8005"


def _read_or_create(path: Path, make: str) -> tuple[str, bool]:
    """The secret in ``path``, or ``make`` written there first; True if this process wrote
    it (a process started at the same moment may have won: then its secret is used)."""
    found = read_or_create(path, lambda: (make + "\n").encode()).decode("utf-8").strip()
    return found, found == make


def load_api_keys(settings: IntakeSettings, data_dir: Path, *, development: bool) -> frozenset[str]:
    """Configured keys; in development a generated one, stored in the data dir and printed
    once to stdout (never into the JSON logs)."""
    if settings.api_keys:
        return frozenset(k.strip() for k in settings.api_keys.split(",") if k.strip())
    if settings.api_keys_file:
        lines = settings.api_keys_file.read_text(encoding="utf-8").splitlines()
        return frozenset(k.strip() for k in lines if k.strip() and not k.startswith("#"))
    if not development:
        raise ValueError(
            "MINYI_INTAKE_API_KEYS or MINYI_INTAKE_API_KEYS_FILE must be set in production"
        )
    path = data_dir / API_KEY_FILE
    key, created = _read_or_create(path, "dev-" + secrets.token_urlsafe(24))
    log.info("development API key file: %s", path.resolve())
    if created:
        print(f"Minyi intake: development API key (also in {path}): {key}", flush=True)
    return frozenset({key})


def load_chat_secret(settings: IntakeSettings, data_dir: Path, *, development: bool) -> bytes:
    if settings.chat_secret:
        return settings.chat_secret.encode()
    if not development:
        raise ValueError("MINYI_INTAKE_CHAT_SECRET must be set in production")
    secret, _ = _read_or_create(data_dir / CHAT_SECRET_FILE, secrets.token_urlsafe(32))
    log.info("development chat secret file: %s", (data_dir / CHAT_SECRET_FILE).resolve())
    return secret.encode()

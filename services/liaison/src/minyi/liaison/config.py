"""Liaison's own settings (prefix ``MINYI_LIAISON_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class LiaisonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_LIAISON_", extra="ignore")

    # Where the public pages live, for the QR codes (a printed code must open the page
    # from any phone, so this is the public address, not the service's own).
    public_base_url: str = "http://127.0.0.1:8005"
    # PII keys from a secret store (comma-separated Fernet keys, base64 index key). The
    # index key must be intake's, so that one citizen has one ``citizen_ref``. Without
    # them, development generates (or shares) the key file in the data dir.
    pii_keys: str | None = None
    index_key: str | None = None
    # An SMS gateway taking {"phone", "message"}; without it, notices are logged (masked).
    sms_webhook_url: str | None = None
    notice_poll_seconds: float = 30.0
    notice_batch: int = 100
    notice_max_attempts: int = 8
    # Bookings are public: a bucket per client address, as intake's filings.
    booking_rate_per_minute: float = 120.0
    booking_rate_burst: int = 60
    # Load the demo registry (reference/demo_*.json) when the store is empty at start.
    demo_data: bool = True

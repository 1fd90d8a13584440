"""Supervision's own settings (``MINYI_SUPERVISION_*``), beside the platform's."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SupervisionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_SUPERVISION_", extra="ignore")

    # How often the deadline sweep looks for due timers (real seconds). Reminders are due
    # on days, so seconds of delay do not matter; tests with a fast clock lower it.
    sweep_seconds: float = Field(default=5.0, gt=0)
    # Cases locked and handled per sweep transaction.
    sweep_batch: int = Field(default=100, ge=1, le=10_000)

"""Settings read from the environment (prefix ``MINYI_``), one object per service process."""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_PORTS = {
    "intake": 8001,
    "routing": 8002,
    "supervision": 8003,
    "reporting": 8004,
    "liaison": 8005,
}
DEFAULT_NATS_URL = "nats://127.0.0.1:4223"


def service_port(service: str) -> int:
    """A service's HTTP port on this machine: ``SERVICE_PORTS``, or where
    ``MINYI_HTTP_PORT_<SERVICE>`` moved it (as ``minyi up`` and ``minyi simulate`` start it)."""
    return int(os.environ.get(f"MINYI_HTTP_PORT_{service.upper()}") or SERVICE_PORTS[service])


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_", extra="ignore")

    service: str = ""
    env: Literal["development", "production"] = "development"
    data_dir: Path = Path(".minyi")
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    nats_url: str = DEFAULT_NATS_URL
    nats_user: str | None = None
    nats_password: str | None = None
    # Per-process URL; ``MINYI_DATABASE_URL_<SERVICE>`` wins so that ``minyi up`` can give each
    # service its own database from one environment.
    database_url: str | None = None
    stream_replicas: int = 1
    log_level: str = "INFO"
    # The one clock every service reads: shifted to ``clock_start`` and sped up ``clock_speed``
    # times (simulated seconds per real second), for simulations and timer tests.
    clock_start: datetime | None = None
    clock_speed: float = Field(default=1.0, gt=0)
    # The real Unix time at which the clock read ``clock_start`` (shared by all processes of
    # a simulation; default: each process's own start).
    clock_origin: float | None = None
    # Or: a JSON file with start, speed and origin, followed when it changes (simulations).
    clock_file: Path | None = None
    # Outbox relay: how many rows one pass publishes, and how long it sleeps when idle.
    outbox_batch: int = 500
    outbox_idle_seconds: float = 0.2
    # How long a row is left to the process that claimed it (its writer, at the insert; or a
    # relay): a process killed before publishing holds its rows this long, then any relay
    # publishes them.
    outbox_lease_seconds: float = Field(default=15.0, gt=0)
    # Redelivery of a failing event: how many deliveries in all, and the delays between them
    # (seconds, comma-separated; the last one repeats). After the last, it is a dead letter.
    max_deliver: int = Field(default=8, ge=2)
    # How long JetStream waits for an ack before it redelivers (a crash between commit and
    # ack is noticed after this long).
    ack_wait_seconds: float = Field(default=30.0, gt=0)
    retry_delays: str = "1,2,5,10,30,60,120"
    # Most messages a consumer handles in one transaction (and keeps asked for): a group
    # commit's worth. Smaller only shortens each commit; tests lower it to see batches.
    consume_batch: int = Field(default=500, ge=1, le=1000)
    # How long a consumer lets a batch gather once a message arrived (0: handle at once).
    # A batch of one costs a transaction per event; a few ms of waiting makes batches of
    # several at moderate rates (docs/BENCHMARKS.md, issue 21, seventh round).
    consume_linger_seconds: float = Field(default=0.025, ge=0, le=1)
    # Largest request body any endpoint accepts (413 beyond it).
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # Staff pages behind the deployment's sign-in proxy (oauth2-proxy at the ingress): where
    # the sign-in screen sends a person (e.g. /oauth2/start) and signs out (/oauth2/sign_out).
    # Unset (development): a token is pasted or comes in a sign-in link.
    web_signin_url: str | None = None
    web_signout_url: str | None = None
    # Where another service's public pages are, for a page's links to them
    # ("intake=https://…,reporting=https://…"). Unset (production behind one Ingress): the
    # links are same-origin paths. ``minyi up`` sets it to the local ports.
    web_links: str = ""
    # Outbound webhooks may go to public addresses only; these host names, addresses and
    # CIDRs (comma-separated) are allowed although private (minyi.platform.egress).
    egress_allow: str = ""
    # The reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For /
    # Forwarded headers name the client (minyi.platform.client_address); none by default.
    trusted_proxies: str = ""
    # The header those proxies write (the other one is a client's and is ignored).
    proxy_header: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"
    # Fault injection for the fault tests only (e.g. "crash_before_publish").
    faults: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        """A wrong CIDR fails start-up, not every request."""
        for item in value.split(","):
            if item.strip():
                ipaddress.ip_network(item.strip().strip("[]"), strict=False)
        return value

    @model_validator(mode="after")
    def _per_service_database(self) -> Settings:
        if self.service:
            specific = os.environ.get(f"MINYI_DATABASE_URL_{self.service.upper()}")
            if specific:
                self.database_url = specific
        return self

    @property
    def port(self) -> int:
        return self.http_port or SERVICE_PORTS.get(self.service, 8000)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = (self.data_dir / f"{self.service}.sqlite3").resolve()
        return f"sqlite+aiosqlite:///{path}"

    @property
    def retry_delay_seconds(self) -> list[float]:
        return [float(x) for x in self.retry_delays.split(",") if x.strip()] or [1.0]

    def has_fault(self, name: str) -> bool:
        return name in {f.strip() for f in self.faults.split(",") if f.strip()}


def load_settings(service: str) -> Settings:
    settings = Settings(service=service)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings

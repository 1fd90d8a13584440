"""Routing's own settings (``MINYI_ROUTING_*``), beside the platform's ``MINYI_*`` ones."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_ROUTING_", extra="ignore")

    # Below this confidence a person decides (人工分办). Confidence is a temperature-scaled
    # softmax fitted out-of-fold; on the real teddy2020 test titles 0.5 sent 3.8 % to triage,
    # of which only 44 % the model had right, and lifted the automatic share's accuracy from
    # 0.892 to 0.911 (docs/routing.md has the table).
    triage_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    # Returns allowed before a person decides: the issue says two.
    max_returns: int = Field(default=2, ge=1)
    # Recurring appeals: MinHash-LSH Jaccard threshold on title shingles and the window
    # (the benchmark's chosen values, docs/benchmarks-routing.md).
    cluster_threshold: float = Field(default=0.2, gt=0.0, le=1.0)
    cluster_window_days: int = Field(default=90, ge=1)
    # Consume CaseClosed (durable ``routing__suggestion_closed``) so a closed case stops
    # attracting merged handling. Off by default: the production NATS users allow routing
    # only its two contract durables; enable it together with that permission.
    track_closed_cases: bool = False

"""Intake's composition root: what it needs (``dependencies``), what it serves, consumes and
runs in the background (``SERVICE``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter

from minyi.contracts.formal import SignerRated
from minyi.contracts.intake import (
    FeedbackReceived,
    SuggestionEndorsed,
    SuggestionFiled,
)
from minyi.contracts.projects import ProjectRated, SupportAdded
from minyi.intake.adapters.reference import divisions, load_reference
from minyi.intake.adapters.tables import metadata
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.config import IntakeSettings, load_api_keys, load_chat_secret
from minyi.intake.dependencies import IntakeDeps, IntakeRuntime
from minyi.intake.domain.places import Places
from minyi.intake.entrypoints import chat, formal, http, open311, places, support, web
from minyi.intake.entrypoints.consumers import consumers
from minyi.intake.entrypoints.guard import Guard
from minyi.intake.entrypoints.pollers import pollers
from minyi.platform.egress import Egress
from minyi.platform.notifier import notifier_for
from minyi.platform.pii_vault import PiiVault, load_or_create_keys, parse_keys
from minyi.platform.ratelimit import TokenBuckets
from minyi.platform.runtime import Runtime, ServiceDefinition

PACKAGE = "minyi.intake"


def _vault(own: IntakeSettings, runtime: Runtime[Any, Any]) -> PiiVault:
    if own.pii_keys and own.index_key:
        return PiiVault(*parse_keys(own.pii_keys, own.index_key))
    if runtime.settings.env == "development":
        return PiiVault(*load_or_create_keys(runtime.settings.data_dir))
    raise ValueError("MINYI_INTAKE_PII_KEYS and MINYI_INTAKE_INDEX_KEY must be set in production")


def dependencies(runtime: Runtime[Any, IntakeUnitOfWork]) -> IntakeDeps:
    own = IntakeSettings()
    development = runtime.settings.env == "development"
    data_dir = runtime.settings.data_dir
    return IntakeDeps(
        settings=own,
        reference=load_reference(),  # bad reference data fails start-up, not a request
        vault=_vault(own, runtime),
        places=Places(divisions()),
        notifier=notifier_for(
            own.sms_webhook_url, Egress.from_setting(runtime.settings.egress_allow)
        ),
        chat_secret=load_chat_secret(own, data_dir, development=development),
        guard=Guard(
            max_body_bytes=own.max_body_bytes,
            per_ip=TokenBuckets(own.rate_per_ip_per_minute, own.rate_per_ip_burst),
            per_key=TokenBuckets(own.rate_per_key_per_minute, own.rate_per_key_burst),
            api_keys=load_api_keys(own, data_dir, development=development),
        ),
    )


def routers(_runtime: IntakeRuntime) -> Sequence[APIRouter]:
    return [
        http.router,
        formal.router,
        places.router,
        chat.router,
        open311.router,
        support.router,
        web.router,
    ]


SERVICE = ServiceDefinition(
    name="intake",
    package=PACKAGE,
    metadata=metadata,
    unit_of_work=IntakeUnitOfWork,
    dependencies=dependencies,
    routers=routers,
    consumers=consumers,
    pollers=pollers,
    title="Minyi intake",
    # RepresentativeActivityLogged is no longer published: duties moved to liaison.
    publishes=(
        SuggestionFiled,
        FeedbackReceived,
        SuggestionEndorsed,
        SignerRated,
        SupportAdded,
        ProjectRated,
    ),
    # Filings insert new rows and share none: four groups committing at once on PostgreSQL
    # hide each other's round trips (173 → 256 req/s measured); lifecycle updates lock
    # their row (FOR UPDATE), so concurrent groups stay correct.
    postgres_writers=4,
)

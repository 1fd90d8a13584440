"""What intake's use cases and endpoints need besides the store, typed: built once at
start-up by ``bootstrap.dependencies``."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.intake.adapters.reference import IntakeReference
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.config import IntakeSettings
from minyi.intake.domain.places import Places
from minyi.intake.entrypoints.guard import Guard
from minyi.platform.notifier import Notifier
from minyi.platform.pii_vault import PiiVault
from minyi.platform.runtime import Runtime


@dataclass(frozen=True)
class IntakeDeps:
    settings: IntakeSettings
    reference: IntakeReference  # Open311 services
    vault: PiiVault  # contact data sealed at rest; the citizen's blind index
    # The gazetteer: ``places.base`` finds the district a free text is about; the 找代表
    # tab adds the communities of the registry replica.
    places: Places
    notifier: Notifier  # tells a citizen that an answer arrived
    chat_secret: bytes  # the chat platform's signing key
    guard: Guard  # body size and rate limits of intake's public endpoints


IntakeRuntime = Runtime[IntakeDeps, IntakeUnitOfWork]

"""What liaison's use cases, endpoints and pollers need, typed; built once at start-up by
``bootstrap.dependencies``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minyi.contracts.gazetteer import Gazetteer
from minyi.liaison.adapters.unit_of_work import LiaisonUnitOfWork
from minyi.liaison.config import LiaisonSettings
from minyi.liaison.domain.evaluation import EvaluationPolicy
from minyi.liaison.domain.reception import ReceptionPolicy
from minyi.liaison.domain.visit import VisitPolicy
from minyi.platform.notifier import Notifier
from minyi.platform.pii_vault import PiiVault
from minyi.platform.runtime import Runtime


@dataclass(frozen=True)
class LiaisonDeps:
    settings: LiaisonSettings
    places: Gazetteer  # divisions, townships and the demo communities
    # The pick-lists of the pages: divisions with their townships and communities.
    place_tree: list[dict[str, Any]]
    policy: ReceptionPolicy
    vault: PiiVault  # bookings' contact data, encrypted at rest
    notifier: Notifier
    evaluation: EvaluationPolicy  # 履职评价: reference/evaluation.json
    visit_policy: VisitPolicy
    # The unit directory shared with routing (id → name): commitments' responsible units.
    unit_names: dict[str, str]


LiaisonRuntime = Runtime[LiaisonDeps, LiaisonUnitOfWork]

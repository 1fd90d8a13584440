"""What routing's handlers and endpoints share in one process (built by ``bootstrap``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from minyi.platform.runtime import Runtime
from minyi.routing.adapters.appeal_index import IndexUpkeep
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.config import RoutingSettings
from minyi.routing.domain.classifier import KeywordRules, TextClassifier
from minyi.routing.domain.clustering import AppealMatcher
from minyi.routing.domain.directory import UnitDirectory


class ModelHolder:
    """The model in use, already fronted by the keyword rules. A reload replaces it whole
    (one assignment), so a decision in flight uses the old model or the new, never a mix."""

    def __init__(self, model: TextClassifier) -> None:
        self.current = model


@dataclass(frozen=True)
class RoutingDeps:
    settings: RoutingSettings
    directory: UnitDirectory
    rules: KeywordRules
    model: ModelHolder
    appeals: AppealMatcher
    models_dir: Path  # trained versions' files (``<MINYI_DATA_DIR>/routing/models``)
    upkeep: IndexUpkeep = field(default_factory=IndexUpkeep)


RoutingRuntime = Runtime[RoutingDeps, RoutingUnitOfWork]

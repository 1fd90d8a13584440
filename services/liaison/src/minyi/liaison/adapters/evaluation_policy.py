"""The evaluation policy (履职评价): ``reference/evaluation.json``, which a deployment
replaces through ``MINYI_REFERENCE_DIR/evaluation.json``; every number names its source."""

from __future__ import annotations

from pydantic import ValidationError

from minyi.contracts.reference import load_json, reference_file
from minyi.liaison.domain.evaluation import EvaluationPolicy

PACKAGE = "minyi.liaison"


def load_evaluation_policy() -> EvaluationPolicy:
    path = reference_file("evaluation.json", PACKAGE)
    try:
        return EvaluationPolicy.model_validate(load_json(path))
    except ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from exc

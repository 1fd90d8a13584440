"""Supervision's reference data, read from files: the deadline policy (a deployment puts
its own ``deadlines.json`` in ``MINYI_REFERENCE_DIR``)."""

from __future__ import annotations

from pathlib import Path

from minyi.contracts.reference import reference_file
from minyi.supervision.domain import DeadlinePolicy, PolicyError, Rules, WorkingCalendar

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "reference" / "deadlines.json"


def load_policy(path: Path | None = None) -> DeadlinePolicy:
    """Read and validate ``path``; ``None`` reads the bundled default policy."""
    if path is None:
        text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
        where = f"bundled {DEFAULT_POLICY_PATH.name}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"cannot read deadline policy {path}: {exc}") from exc
        where = str(path)
    return DeadlinePolicy.parse(text, where)


def load_rules() -> Rules:
    """The deployment's policy (or the bundled one) on China's working-day calendar."""
    path = reference_file("deadlines.json", "minyi.supervision")
    return Rules(policy=load_policy(path), calendar=WorkingCalendar())

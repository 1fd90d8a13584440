from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.events import (
    AssignedToUnit,
    AssignmentExplanation,
    Resolved,
    SuggestionFiled,
)
from minyi.reporting.domain.projection import apply

T0 = datetime(2025, 9, 30, 9, 0, tzinfo=UTC)


def raw(data: Any, minutes: int) -> RawEvent:
    event = new_event(data, source="test", subject="s-1", time=T0 + timedelta(minutes=minutes))
    return RawEvent.model_validate_json(event.model_dump_json())


def assigned(unit: str, attempt: int) -> AssignedToUnit:
    return AssignedToUnit(
        suggestion_id="s-1",
        unit_id=unit,
        unit_name=unit,
        category="城乡建设",
        focus_area="城市能级",
        district_code="420802",
        attempt=attempt,
        explanation=AssignmentExplanation(reason="rule"),
        assigned_at=T0 + timedelta(hours=attempt),
    )


HISTORY = [
    raw(
        SuggestionFiled(
            suggestion_id="s-1",
            title="路灯",
            content="路灯坏了很久",
            channel="web",
            district_code="420802",
            filed_at=T0,
        ),
        0,
    ),
    raw(assigned("first-unit", 1), 1),
    raw(assigned("second-unit", 2), 2),
    raw(
        Resolved(
            suggestion_id="s-1",
            unit_id="second-unit",
            outcome="A",
            reply="已修复" * 10,
            replied_at=T0 + timedelta(days=1),
            on_time=True,
        ),
        3,
    ),
]


def fold(events: list[RawEvent]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for e in events:
        view = apply(view, e)
    return view


def test_the_view_follows_the_lifecycle_in_order() -> None:
    view = fold(HISTORY)
    assert view["status"] == "resolved"
    assert view["unit_id"] == "second-unit"
    assert view["title"] == "路灯"
    assert view["outcome"] == "A"


@given(st.permutations(HISTORY), st.lists(st.sampled_from(HISTORY), max_size=4))
def test_any_order_and_any_repetition_gives_the_same_view(
    order: list[RawEvent], repeats: list[RawEvent]
) -> None:
    assert fold([*order, *repeats]) == fold(HISTORY)


def test_a_stale_assignment_does_not_undo_a_newer_one() -> None:
    view = fold([HISTORY[2], HISTORY[1]])
    assert view["unit_id"] == "second-unit"
    assert view["attempt"] == 2

"""An office's month for reporting's drill-down tests (issue 22): enough items per unit for
honest rates, ratings given twice on re-handled cases, overdue items, recurring appeals."""

from __future__ import annotations

from minyi.contracts.envelope import RawEvent
from tests.support.reporting_history import lifecycle


def office_month() -> list[RawEvent]:
    """12 items at 市住建局 in 东宝区 from 2025-09-29 (8 closed satisfied, 4 rated unsatisfied
    first and again after re-handling), 6 overdue at 市交通局 in 掇刀区 from 2025-10-06, 3 of
    them a recurring appeal."""
    events: list[RawEvent] = []
    for i in range(12):
        events += lifecycle(f"z-{i:02d}", day=i, reopen=i >= 8, cluster="c-1" if i < 2 else None)
    for i in range(6):
        events += lifecycle(
            f"j-{i:02d}",
            day=7 + i,
            district="420804",
            unit="u-jtj",
            late=True,
            outcome="",
            cluster="c-2" if i < 3 else None,
        )
    return events

"""replied status

Reporting now speaks the one status vocabulary (``minyi.contracts.status``): the state after
a reply is ``replied``, not ``resolved``. Stored view rows and the cube counters (whose key
is kind|status|district|category|focus) are renamed here, so an existing store reads the
same without a rebuild.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MEASURES = (
    "n", "assigned", "accepted", "accepted_on_time", "replied", "replied_on_time",
    "reply_days", "solved", "outcome_a", "outcome_b", "outcome_c", "outcome_d", "closed",
    "rated", "satisfied", "reopened", "escalated", "reminded", "overdue_open", "endorsements",
)  # fmt: skip
KEY_COLUMNS = ("generation", "dimension", "period", "key")
STATUS_PART = 1  # the cube key's second field


def _rename(old: str, new: str) -> None:
    bind = op.get_bind()
    suggestions = sa.table("suggestions", sa.column("status"))
    bind.execute(sa.update(suggestions).where(suggestions.c.status == old).values(status=new))
    counts = sa.table("counts", *(sa.column(c) for c in (*KEY_COLUMNS, *MEASURES)))
    # Rows of either name: a row already under the new name (none, unless a store went
    # down and up again) takes the old one's counts. LIKE narrows; the split checks that
    # the status field, not another, matches.
    rows = bind.execute(
        sa.select(counts).where(
            counts.c.dimension == "cube",
            sa.or_(counts.c.key.like(f"%|{old}|%"), counts.c.key.like(f"%|{new}|%")),
        )
    ).mappings()
    merged: dict[tuple[int, str, str], dict[str, int]] = {}
    replaced: list[dict[str, object]] = []
    renamed = 0
    for row in rows:
        parts = str(row["key"]).split("|")
        if len(parts) <= STATUS_PART or parts[STATUS_PART] not in (old, new):
            continue
        renamed += parts[STATUS_PART] == old
        parts[STATUS_PART] = new
        acc = merged.setdefault(
            (row["generation"], row["period"], "|".join(parts)), dict.fromkeys(MEASURES, 0)
        )
        for m in MEASURES:
            acc[m] += row[m] or 0
        replaced.append({"g": row["generation"], "p": row["period"], "k": row["key"]})
    if not renamed:
        return
    bind.execute(
        sa.delete(counts).where(
            counts.c.generation == sa.bindparam("g"),
            counts.c.dimension == "cube",
            counts.c.period == sa.bindparam("p"),
            counts.c.key == sa.bindparam("k"),
        ),
        replaced,
    )
    batch = [
        {"generation": g, "dimension": "cube", "period": p, "key": k, **measures}
        for (g, p, k), measures in merged.items()
    ]
    for i in range(0, len(batch), 1000):
        bind.execute(sa.insert(counts), batch[i : i + 1000])


def upgrade() -> None:
    _rename("resolved", "replied")


def downgrade() -> None:
    _rename("replied", "resolved")

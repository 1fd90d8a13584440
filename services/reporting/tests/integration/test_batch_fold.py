"""A pulled batch folded at once (its timeline rows added and its views read in a statement
or two) writes exactly the rows that the same transactions write folding one event at a
time (the consumer without its ``prepare``: the batch not told to the views)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from minyi.contracts.envelope import RawEvent
from minyi.reporting.adapters.tables import GENERATIONAL
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.service_layer.handlers import project
from tests.support.harness import harness
from tests.support.reporting_history import history, liaison_history, lifecycle


async def folded(
    tmp_path: Path, batches: list[list[RawEvent]], replayed: list[RawEvent], *, at_once: bool
) -> Any:
    """Every view row after the consumer applied ``batches``, a rebuild's generation begun
    halfway (with ``replayed`` in it), by table."""
    async with harness(SERVICE, tmp_path) as h:
        assert SERVICE.on_start is not None and SERVICE.on_stop is not None
        await SERVICE.on_start(h.runtime)
        consumer = h.runtime.consumers[0]
        for n, batch in enumerate(batches):
            if n == len(batches) // 2:
                # A rebuild begins and its replay gets ahead of the consumer: the events it
                # already folded into the new generation are not folded there again.
                async with h.runtime.unit_of_work() as uow:
                    _live, new = await uow.generations.begin_rebuild()
                async with h.runtime.unit_of_work() as uow:
                    for event in replayed:
                        await project(uow.views, new, event)
            async with h.runtime.unit_of_work() as uow:
                if at_once:
                    await consumer.handle_batch(batch, uow)
                else:
                    await replace(consumer, prepare=None).handle_batch(batch, uow)
        async with h.runtime.sessions() as s:
            rows = {
                t.name: (await s.execute(select(t).order_by(*t.primary_key))).all()
                for t in GENERATIONAL
            }
        await SERVICE.on_stop(h.runtime)
        return rows


async def test_a_batch_folded_at_once_writes_what_one_event_at_a_time_writes(
    tmp_path: Path,
) -> None:
    events = [*history(), *liaison_history(), *lifecycle("s-5", day=2, late=True, outcome="C")]
    half = len(events) // 2
    # Batches of 7, each with an event twice; then all of them again (redelivered ones and,
    # for the generation being rebuilt, new ones).
    batches = [events[i : i + 7] + events[i : i + 1] for i in range(0, half, 7)]
    batches += [events[i : i + 7] for i in range(0, len(events), 7)]
    replayed = events[half : half + 15]
    expected = await folded(tmp_path / "one", batches, replayed, at_once=False)
    assert expected["suggestions"] and expected["counts"] and expected["liaison_counts"]
    assert {g for g, *_ in expected["events"]} == {1, 2}
    assert await folded(tmp_path / "batch", batches, replayed, at_once=True) == expected

"""Contracts are the only source of event names: every type a consumer reads is in the
catalogue, every subject it filters on is one a contract publishes, and no service spells an
event type or subject of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from minyi.cli.main import load_service
from minyi.contracts.events import CATALOGUE
from minyi.contracts.status import STATUS_AFTER
from minyi.platform.app.assembly import build_runtime
from minyi.platform.nats_server import free_port
from minyi.platform.settings import SERVICE_PORTS, Settings

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = {model.subject_name for model in CATALOGUE.values()}


def _matches(pattern: str, subject: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", r"[^.]+").replace(">", r".+")
    return re.fullmatch(regex, subject) is not None


@pytest.mark.parametrize("name", list(SERVICE_PORTS))
def test_each_consumer_reads_only_catalogue_types_and_subjects(name: str, tmp_path: Path) -> None:
    settings = Settings(
        service=name,
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )
    runtime = build_runtime(load_service(name), settings)
    for consumer in runtime.consumers:
        assert set(consumer.types or ()) <= set(CATALOGUE), consumer.durable
        assert set(consumer.filter_subjects) <= SUBJECTS, consumer.durable
        assert any(_matches(consumer.subject, s) for s in SUBJECTS), consumer.durable
        if consumer.types:
            # A type it reads is published on a subject it hears.
            heard = consumer.filter_subjects or (consumer.subject,)
            for event_type in consumer.types:
                subject = CATALOGUE[event_type].subject_name
                assert any(_matches(h, subject) for h in heard), (consumer.durable, event_type)


def test_the_status_vocabulary_is_moved_by_catalogue_events() -> None:
    assert set(STATUS_AFTER) <= set(CATALOGUE)


# An event type or a subject written out by hand, outside the contracts.
SPELLED = re.compile(
    r"""["'](cn\.minyi\.[a-z_.]+\.v\d+|minyi\.(suggestion|representative)\.[a-z_]+)["']"""
)


def test_no_service_spells_an_event_name_of_its_own() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {match.group(1)}"
        for path in sorted((ROOT / "services").glob("*/src/**/*.py"))
        if "migrations" not in path.parts
        for match in SPELLED.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []

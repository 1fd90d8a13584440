"""Intake's side of liaison without a database: which places a station serves, the places
of the 找代表 tab, the ids a filing may name, and a referred matter becoming a suggestion."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from cryptography.fernet import Fernet

from minyi.contracts import tracking_code
from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.liaison import MatterReferred, StationRegistered
from minyi.intake.domain.places import Community, Places
from minyi.intake.domain.registry import Area, areas_of
from minyi.intake.domain.suggestion import Submission
from minyi.intake.service_layer.filing import FileSuggestion, file_suggestion
from minyi.intake.service_layer.matters import when_matter_referred_file_suggestion
from minyi.platform.errors import Invalid
from minyi.platform.pii_vault import PiiVault

from .fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
VAULT = PiiVault([Fernet.generate_key()], b"i" * 32)
DIVISIONS: list[dict[str, Any]] = json.loads(
    resources.files("minyi.contracts").joinpath("reference", "divisions.json").read_text("utf-8")
)["divisions"]
PLACES = Places(DIVISIONS)


def station(
    townships: list[str], communities: list[str], divisions: list[str]
) -> StationRegistered:
    return StationRegistered(
        station_id="ST-1",
        name="联络站",
        kind="station",
        division_codes=divisions,
        townships=townships,
        communities=communities,
        version=1,
        changed_at=NOW,
    )


def test_a_station_serves_its_townships_and_its_communities_inside_them() -> None:
    served = areas_of(station(["泉口街道"], ["白云社区"], ["420802"]), PLACES.base)
    assert served == [Area("420802", "泉口街道"), Area("420802", "泉口街道", "白云社区")]


def test_a_station_naming_no_township_serves_its_whole_division() -> None:
    assert areas_of(station([], [], ["420802", "420804"]), PLACES.base) == [
        Area("420802"),
        Area("420804"),
    ]


def test_a_community_the_gazetteer_knows_goes_under_its_own_township() -> None:
    known = Gazetteer.from_divisions(DIVISIONS, communities={"420802": {"泉口街道": ["白云社区"]}})
    served = areas_of(station(["龙泉街道"], ["白云社区"], ["420802"]), known)
    assert served == [Area("420802", "龙泉街道"), Area("420802", "泉口街道", "白云社区")]


def test_a_community_beside_two_townships_is_kept_under_the_division() -> None:
    served = areas_of(station(["龙泉街道", "泉口街道"], ["新村社区"], ["420802"]), PLACES.base)
    assert Area("420802", "", "新村社区") in served


def test_the_communities_gazetteer_is_rebuilt_only_when_the_communities_change() -> None:
    places = Places(DIVISIONS)
    assert places.with_communities([]) is places.base
    known = [Community("420802", "泉口街道", "白云社区")]
    first = places.with_communities(known)
    assert places.with_communities(list(known)) is first
    match = first.find_place("东宝区白云社区3栋")
    assert match is not None and match.place.township == "泉口街道"
    tree = {d["code"]: d for d in places.tree(known)}
    towns = {t["name"]: t["communities"] for t in tree["420802"]["townships"]}
    assert towns["泉口街道"] == ["白云社区"] and towns["龙泉街道"] == []


@pytest.mark.parametrize(
    ("addressed", "field"),
    [
        ({"station_id": "ST-NOPE"}, "station_id"),
        ({"representative_id": "REP-ENDED"}, "representative_id"),
    ],
)
async def test_a_filing_to_a_deputy_or_station_the_replica_does_not_list_is_refused(
    addressed: dict[str, str], field: str
) -> None:
    uow = FakeUnitOfWork(NOW)
    uow.registry.open.add("ST-420802-01")
    submission = Submission("路灯不亮", "金泉路路灯坏了两周。", "citizen_appeal", "web", "420802")
    with pytest.raises(Invalid) as refused:
        await file_suggestion(FileSuggestion(_with(submission, **addressed)), uow, VAULT)
    assert refused.value.field == field and uow.suggestions.rows == {} and uow.events == []
    await file_suggestion(FileSuggestion(_with(submission, station_id="ST-420802-01")), uow, VAULT)
    assert len(uow.suggestions.rows) == 1


async def test_a_filing_addressed_to_nobody_does_not_ask_the_registry() -> None:
    uow = FakeUnitOfWork(NOW)
    submission = Submission("路灯不亮", "金泉路路灯坏了两周。", "citizen_appeal", "web", "420802")
    await file_suggestion(FileSuggestion(submission), uow, VAULT)
    assert uow.registry.asked == 0


def _with(submission: Submission, **changes: str) -> Submission:
    return Submission(**(vars(submission) | changes))


def _referred(code: str, **changes: Any) -> RawEvent:
    matter = MatterReferred(
        **{
            "matter_id": "m-1",
            "suggestion_id": "s-1",
            "reception_id": "r-1",
            "station_id": "ST-420802-05",
            "district_code": "420802",
            "township": "泉口街道",
            "representative_id": "REP-420802-007",
            "title": "  金泉路\u202e路灯不亮 ",
            "content": "金泉路一段路灯坏了两周。",
            "citizen_ref": "c" * 64,
            "tracking_code_sha256": tracking_code.digest(code).upper(),
            "referred_at": NOW,
        }
        | changes
    )
    event = new_event(matter, source="minyi/liaison", subject=matter.suggestion_id)
    return RawEvent.model_validate(event.model_dump(mode="json"))


async def test_a_referred_matter_is_filed_under_liaisons_id_with_only_the_codes_digest() -> None:
    uow = FakeUnitOfWork(NOW)
    code = tracking_code.new_tracking_code()
    await when_matter_referred_file_suggestion(_referred(code), uow)
    stored = uow.suggestions.rows["s-1"]
    assert stored.tracking_code is None and stored.tracking_digest == tracking_code.digest(code)
    assert (stored.sealed_name, stored.sealed_phone) == (None, None)
    assert stored.submission.title == "金泉路路灯不亮"  # cleaned as any filing's text
    assert (stored.submission.channel, stored.submission.station_id) == ("station", "ST-420802-05")
    [(subject, filed)] = uow.events
    assert subject == "s-1" and isinstance(filed, SuggestionFiled)
    assert filed.representative_id == "REP-420802-007" and filed.citizen_ref == "c" * 64
    assert filed.filed_at == NOW


async def test_the_same_referred_suggestion_twice_changes_nothing() -> None:
    uow = FakeUnitOfWork(NOW)
    code = tracking_code.new_tracking_code()
    await when_matter_referred_file_suggestion(_referred(code), uow)
    await when_matter_referred_file_suggestion(_referred(code, title="另一个标题"), uow)
    assert len(uow.events) == 1 and uow.suggestions.rows["s-1"].submission.title != "另一个标题"


async def test_a_referred_matter_whose_digest_is_no_sha256_is_refused() -> None:
    uow = FakeUnitOfWork(NOW)
    with pytest.raises(ValueError, match="SHA-256"):
        await when_matter_referred_file_suggestion(
            _referred(tracking_code.new_tracking_code(), tracking_code_sha256="MY-1234"), uow
        )
    assert uow.events == []

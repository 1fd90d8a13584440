"""The one gazetteer (minyi.contracts.gazetteer), for intake (a filing's district, the
citizen page's 找代表) and liaison (find your deputy): divisions, townships and communities."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from minyi.contracts.gazetteer import DistrictMatch, Gazetteer, Place

_DIVISIONS_FILE = resources.files("minyi.contracts").joinpath("reference", "divisions.json")
COMMUNITIES = {
    "420802": {"泉口街道": ["白云社区", "新华社区"], "龙泉街道": ["新华社区"]},
    "420804": {"白庙街道": ["新华社区"]},
}


@pytest.fixture(scope="module")
def divisions() -> list[dict[str, Any]]:
    document: dict[str, Any] = json.loads(_DIVISIONS_FILE.read_text(encoding="utf-8"))
    return list(document["divisions"])


@pytest.fixture(scope="module")
def gazetteer(divisions: list[dict[str, Any]]) -> Gazetteer:
    return Gazetteer.from_divisions(divisions, communities=COMMUNITIES)


def test_a_township_in_chat_text_maps_to_its_district(gazetteer: Gazetteer) -> None:
    assert gazetteer.find_district("东宝区泉口街道路灯坏了") == DistrictMatch(
        "420802", "东宝区", "泉口街道", "泉口街道"
    )


DISTRICT_TEXTS = [
    ("掇刀那边的路坑坑洼洼", "420804"),
    ("沙洋县后港镇的自来水发黄", "420822"),
    ("钟祥市郢中街道噪音扰民", "420881"),
    ("京山永漋镇的公交太少", "420882"),
    ("漳河镇的垃圾没人清运", "420800-ZH"),
    ("屈家岭管理区的灌溉渠堵了", "420800-QJL"),
    ("荆门高新区企业排污", "420804"),
    ("我在子陵铺，路灯不亮", "420802"),
    ("柴湖移民小区停水", "420881"),
    ("东宝 区 路灯", "420802"),
]


@pytest.mark.parametrize(("text", "code"), DISTRICT_TEXTS)
def test_districts_are_recognised_by_name_alias_or_township(
    gazetteer: Gazetteer, text: str, code: str
) -> None:
    match = gazetteer.find_district(text)
    assert match is not None and match.code == code


def test_without_communities_the_same_texts_give_the_same_districts(
    divisions: list[dict[str, Any]],
) -> None:
    plain = Gazetteer.from_divisions(divisions)
    for text, code in DISTRICT_TEXTS:
        match = plain.find_district(text)
        assert match is not None and match.code == code, text


def test_the_longest_place_name_wins(gazetteer: Gazetteer) -> None:
    match = gazetteer.find_district("漳河镇")
    assert match is not None and match.term == "漳河镇" and match.township == "漳河镇"


def test_text_without_a_place_name_has_no_district(gazetteer: Gazetteer) -> None:
    assert gazetteer.find_district("路灯坏了，请尽快修理") is None
    assert gazetteer.find_place("火星基地") is None


def test_everyday_words_that_are_also_short_town_names_do_not_match(gazetteer: Gazetteer) -> None:
    assert gazetteer.find_district("祝老人家健康长寿，家里没有冷水") is None
    match = gazetteer.find_district("长寿镇的桥塌了")
    assert match is not None and match.code == "420881"


def test_a_short_form_shared_by_two_districts_is_ignored() -> None:
    gazetteer = Gazetteer.from_divisions(
        [
            {"code": "1", "name": "甲区", "townships": ["新华街道"]},
            {"code": "2", "name": "乙区", "townships": ["新华镇"]},
        ]
    )
    assert gazetteer.find_district("新华路") is None
    match = gazetteer.find_district("新华镇路口")
    assert match is not None and match.code == "2"


def test_a_name_claimed_by_two_districts_is_a_data_error() -> None:
    with pytest.raises(ValueError, match="同时属于"):
        Gazetteer.from_divisions(
            [{"code": "1", "name": "甲区", "aliases": ["甲"]}, {"code": "2", "name": "甲"}]
        )


def test_every_reference_division_is_recognised_by_its_own_name(
    gazetteer: Gazetteer, divisions: list[dict[str, Any]]
) -> None:
    for division in divisions:
        match = gazetteer.find_district(f"我住在{division['name']}")
        assert match is not None and match.code == division["code"]
        for township in division["townships"]:
            match = gazetteer.find_district(f"{township}有个问题")
            assert match is not None and match.code == division["code"], township


def test_a_full_address_gives_division_and_township(gazetteer: Gazetteer) -> None:
    match = gazetteer.find_place("荆门市东宝区泉口街道金泉路12号")
    assert match is not None
    assert match.place == Place("420802", "东宝区", "泉口街道")


def test_a_community_is_found_with_its_township_and_division(gazetteer: Gazetteer) -> None:
    match = gazetteer.find_place("东宝区泉口街道白云社区3栋")
    assert match is not None
    assert match.place == Place("420802", "东宝区", "泉口街道", "白云社区")
    assert match.place.level == "community"


def test_a_community_name_in_two_townships_is_told_apart_by_the_names_beside_it(
    gazetteer: Gazetteer,
) -> None:
    match = gazetteer.find_place("掇刀区新华社区")
    assert match is not None and match.place == Place("420804", "掇刀区", "白庙街道", "新华社区")
    match = gazetteer.find_place("龙泉街道新华社区")
    assert match is not None and match.place.township == "龙泉街道"


def test_a_community_name_alone_in_two_divisions_gives_no_community(gazetteer: Gazetteer) -> None:
    assert gazetteer.find_place("新华社区") is None


def test_a_community_name_twice_in_one_division_gives_the_division() -> None:
    gazetteer = Gazetteer.from_divisions(
        [{"code": "1", "name": "甲区", "townships": ["一街道", "二街道"]}],
        communities={"1": {"一街道": ["新村社区"], "二街道": ["新村社区"]}},
    )
    match = gazetteer.find_place("新村社区")
    assert match is not None and match.place == Place("1", "甲区")


def test_structured_fields_resolve_when_they_nest(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve(division="东宝区", township="泉口") == Place(
        "420802", "东宝区", "泉口街道"
    )
    assert gazetteer.resolve(division="420802") == Place("420802", "东宝区")
    assert gazetteer.resolve(community="白云社区") == Place(
        "420802", "东宝区", "泉口街道", "白云社区"
    )
    assert gazetteer.resolve(township="白庙街道", community="新华社区") == Place(
        "420804", "掇刀区", "白庙街道", "新华社区"
    )


def test_structured_fields_that_do_not_nest_resolve_to_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve(division="东宝区", township="白庙街道") is None
    assert gazetteer.resolve(division="火星区") is None
    assert gazetteer.resolve(township="泉口街道", community="不存在社区") is None
    assert gazetteer.resolve() is None

"""交办 of deputies' formal suggestions, the domain alone: routing's proposal (lead from the
usual decision, co-units from what the text shows), the proposal after a unit's return,
and the office's choice checked against the directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from minyi.platform.errors import Invalid
from minyi.routing.bootstrap import build_dependencies
from minyi.routing.domain.classifier import Prediction
from minyi.routing.domain.decision import Classification
from minyi.routing.domain.directory import UnitDirectory
from minyi.routing.domain.formal import (
    choose_units,
    confirmation_summary,
    lead_category,
    propose,
    propose_after_return,
    sentences_of,
)

DONGBAO = "420802"


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    return build_dependencies(Path("unused")).directory


class Keywords:
    """A classifier by keyword, first match wins: (keyword, category, confidence); a
    confidence of 1.0 stands for a keyword rule."""

    def __init__(self, *rules: tuple[str, str, float], runner_up: tuple[str, float] | None = None):
        self.rules = rules
        self.runner_up = runner_up

    def predict(self, text: str) -> Prediction:
        for word, category, p in self.rules:
            if word in text:
                ranking = [(category, p)]
                if self.runner_up and self.runner_up[0] != category:
                    ranking.append(self.runner_up)
                rule = word if p == 1.0 else None
                return Prediction(category, p, [word], "fake-1", rule, tuple(ranking))
        return Prediction("党务政务", 0.3, [], "fake-1", ranking=(("党务政务", 0.3),))


MODEL = Keywords(
    ("道路", "城乡建设", 0.95),
    ("公交", "交通运输", 0.9),
    ("学校", "教育文体", 0.8),
    ("医院", "卫生计生", 0.55),  # too unsure to count as evidence
    ("养老院", "民政", 1.0),  # a keyword rule
    ("农田", "农村农业", 0.7),
)


def test_the_lead_is_the_usual_decision_and_co_units_come_from_sentences_of_other_categories(
    directory: UnitDirectory,
) -> None:
    p = propose(
        "关于加快老旧城区道路改造的建议",
        "城区道路破损严重，雨天积水。小区附近没有公交站点，居民出行不便。"
        "医院周边停车难的问题也很突出。附近养老院的老人出门也难。",
        DONGBAO,
        directory,
        MODEL,
        extra_text=("", "建议增设公交线路和站点；建议学校错峰放学；医院门口增设停车位"),
    )
    assert p.lead is not None and p.lead.id == "db-zjj"
    assert p.classification.category == "城乡建设"
    # 交通运输: two confident sentences; 民政: one keyword-rule sentence. 教育文体 has one
    # model-read sentence only, 卫生计生 two unsure ones: not enough evidence.
    assert [(k.unit.id, k.category) for k in p.co_units] == [
        ("db-jtysj", "交通运输"),
        ("db-mzj", "民政"),
    ]
    assert p.co_units[0].evidence.startswith("2 句归为“交通运输”，如“")
    assert p.co_units[1].evidence.startswith("1 句归为“民政”（含关键词“养老院”）")
    assert p.lead_reason.endswith("建议由东宝区住建局主办")
    assert "建议协办：东宝区交通运输局" in p.summary


def test_at_most_three_co_units_and_none_twice_and_never_the_lead(
    directory: UnitDirectory,
) -> None:
    p = propose(
        "关于道路改造的建议",
        "城区道路要尽快维修。公交线路要通到村里。公交站点要再增加一些。乡镇学校要扩建校舍。"
        "乡镇学校的操场要翻新。社区养老院要新建一所。农田水利设施要加强。农田灌溉渠要改善。",
        DONGBAO,
        directory,
        MODEL,
    )
    ids = [k.unit.id for k in p.co_units]
    assert len(ids) == 3 and len(set(ids)) == 3 and "db-zjj" not in ids


def test_without_evidence_no_co_unit_is_proposed_and_the_summary_says_so(
    directory: UnitDirectory,
) -> None:
    p = propose(
        "关于道路改造的建议", "城区道路破损严重，雨天积水，应尽快维修。", DONGBAO, directory, MODEL
    )
    assert p.co_units == ()
    assert "未建议协办单位" in p.summary


def test_the_whole_texts_runner_up_adds_to_a_sentence_and_a_low_lead_is_flagged(
    directory: UnitDirectory,
) -> None:
    model = Keywords(
        ("道路", "城乡建设", 0.45), ("公交", "交通运输", 0.75), runner_up=("交通运输", 0.3)
    )
    alone = propose("道路", "短", DONGBAO, directory, model, confidence_floor=0.5)
    assert alone.co_units == ()  # a runner-up alone is not enough
    assert "置信度较低，请重点核对" in alone.summary
    p = propose("道路", "村里的公交线路太少了", DONGBAO, directory, model)
    assert [k.unit.id for k in p.co_units] == ["db-jtysj"]
    assert "全文次选类别“交通运输”（概率 0.30）" in p.co_units[0].evidence


def test_the_shipped_model_proposes_from_a_real_text(directory: UnitDirectory) -> None:
    deps = build_dependencies(Path("unused"))
    p = propose(
        "关于加强农村饮用水安全保障的建议",
        "部分村组饮用水水质不达标。",
        DONGBAO,
        directory,
        deps.model.current,
    )
    assert p.lead is not None and p.classification.category in p.lead.categories
    assert len(p.co_units) <= 3


def test_sentences_are_split_and_short_ones_dropped() -> None:
    assert sentences_of("一二三。这一句足够长可以分类；短\n另一句也足够长了！") == [
        "这一句足够长可以分类",
        "另一句也足够长了",
    ]


def test_after_a_return_the_suggested_unit_is_proposed_and_co_units_stay(
    directory: UnitDirectory,
) -> None:
    c = Classification("城乡建设", 1.0, "manual")
    p = propose_after_return(
        c,
        DONGBAO,
        directory,
        returned_by=["db-zjj"],
        returning_unit="db-zjj",
        reason="属于市级事权",
        suggested_unit="jm-zjj",
        co_unit_ids=["db-jtysj", "jm-zjj"],
    )
    assert p.lead is not None and p.lead.id == "jm-zjj"
    assert [k.unit.id for k in p.co_units] == ["db-jtysj"]  # the new lead left the co-units
    assert p.classification.reason == "return"
    assert (
        "东宝区住建局退回（属于市级事权），按退回单位的建议拟改由荆门市住房和城乡建设局主办"
        in p.summary
    )


def test_after_a_return_a_unit_that_returned_is_never_proposed(directory: UnitDirectory) -> None:
    c = Classification("城乡建设", 1.0, "manual")
    p = propose_after_return(
        c,
        DONGBAO,
        directory,
        returned_by=["db-zjj", "jm-zjj"],
        returning_unit="jm-zjj",
        reason="不属于本单位",
        suggested_unit="db-zjj",
        co_unit_ids=[],
    )
    assert p.lead is None
    assert "请指定主办单位" in p.summary


@pytest.mark.parametrize(
    ("lead", "co", "field", "code"),
    [
        ("nope", [], "unit_id", "unknown_unit"),
        ("db-zjj", ["nope"], "co_unit_ids", "unknown_unit"),
        ("db-zjj", ["db-zjj"], "co_unit_ids", "lead_among_co_units"),
        ("db-zjj", ["db-jyj", "db-jyj"], "co_unit_ids", "duplicate_co_unit"),
        ("db-zjj", ["db-jyj", "db-mzj", "db-wjw", "db-jtysj"], "co_unit_ids", "too_many_co_units"),
    ],
)
def test_the_offices_choice_is_checked_against_the_directory(
    directory: UnitDirectory, lead: str, co: list[str], field: str, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        choose_units(directory, lead, co)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_good_choice_and_the_category_and_words_it_carries(directory: UnitDirectory) -> None:
    lead, co = choose_units(directory, "db-jtysj", ["db-zjj"])
    assert lead_category("城乡建设", [["城乡建设", 0.9], ["交通运输", 0.1]], lead) == "交通运输"
    assert lead_category("交通运输", [], lead) == "交通运输"
    proposed = directory.units["db-zjj"]
    changed = confirmation_summary(
        lead, co, by="人大办", proposed_lead=proposed, proposed_co=[], note="以交通为主"
    )
    assert changed == (
        "人大代表工作机构（人大办）确认交办：东宝区交通运输局主办，东宝区住建局协办；"
        "调整了系统建议（原建议东宝区住建局主办）；说明：以交通为主"
    )
    same = confirmation_summary(lead, co, by="人大办", proposed_lead=lead, proposed_co=["db-zjj"])
    assert same.endswith("与系统建议一致")

"""The routing decision and the unit directory, as pure domain code."""

from __future__ import annotations

import pytest

from minyi.routing.domain.decision import (
    LOW_CONFIDENCE,
    NO_UNIT,
    RETURNED,
    Classification,
    ManualDecisionError,
    decide,
    decide_after_return,
    decide_manually,
)
from minyi.routing.domain.directory import Category, DirectoryError, Unit, UnitDirectory

D1, D2 = "420802", "420804"


def unit(uid: str, jurisdiction: str, *categories: str) -> Unit:
    return Unit(uid, f"单位{uid}", "city" if jurisdiction == "*" else "district",
                frozenset({jurisdiction}), frozenset(categories))  # fmt: skip


def directory(triage_rules: tuple[tuple[str, str], ...] = ()) -> UnitDirectory:
    return UnitDirectory(
        [Category("城乡建设", "城市能级"), Category("环境保护", "生态环境质量")],
        [
            unit("own", D1, "城乡建设"),
            unit("own2", D1, "城乡建设"),
            unit("city", "*", "城乡建设", "环境保护"),
            unit("env", D1, "环境保护"),
        ],
        [D1, D2],
        triage_rules=triage_rules,
    )


def model(category: str = "城乡建设", confidence: float = 0.9) -> Classification:
    return Classification(
        category, confidence, "model", model_version="v1", top_features=["路灯"],
        ranking=((category, confidence), ("环境保护", 0.05)),
    )  # fmt: skip


def test_the_districts_own_unit_comes_before_the_citys() -> None:
    d = decide(model(), D1, directory(), threshold=0.5)
    assert d.unit is not None and d.unit.id == "own"
    assert "模型 v1（主要依据：路灯）" in d.summary


def test_low_confidence_goes_to_triage_with_ranked_candidates() -> None:
    d = decide(model(confidence=0.4), D1, directory(), threshold=0.5)
    assert d.unit is None and d.triage_reason == LOW_CONFIDENCE
    assert [(k.category, k.unit.id if k.unit else None) for k in d.candidates] == [
        ("城乡建设", "own"),
        ("环境保护", "env"),
    ]


def test_the_suggested_unit_is_chosen_when_it_can_handle_the_category_there() -> None:
    d = decide_after_return(
        model(), D1, directory(), returned_by=["own"], returning_unit="own",
        return_reason="不归我们管", suggested_unit="city",
    )  # fmt: skip
    assert d.unit is not None and d.unit.id == "city"  # over own2, the next in order
    assert "按退回单位的建议" in d.summary and d.classification.reason == "return"


def test_a_suggested_unit_that_cannot_handle_it_is_passed_over_for_the_next_candidate() -> None:
    d = decide_after_return(
        model(), D1, directory(), returned_by=["own"], returning_unit="own",
        return_reason="不归我们管", suggested_unit="env",
    )  # fmt: skip
    assert d.unit is not None and d.unit.id == "own2"
    assert "按候选顺序" in d.summary


def test_a_unit_that_already_returned_it_is_never_chosen_even_when_suggested() -> None:
    d = decide_after_return(
        model(), D1, directory(), returned_by=["own"], returning_unit="own",
        return_reason="x", suggested_unit="own", max_returns=3,
    )  # fmt: skip
    assert d.unit is not None and d.unit.id == "own2"


def test_after_two_returns_a_person_decides() -> None:
    d = decide_after_return(
        model(), D1, directory(), returned_by=["own", "own2"], returning_unit="own2",
        return_reason="x", suggested_unit="city",
    )  # fmt: skip
    assert d.unit is None and d.triage_reason == RETURNED
    assert d.candidates[0].unit is not None and d.candidates[0].unit.id == "city"


def test_start_up_fails_when_a_category_and_district_has_no_unit_and_no_triage_rule() -> None:
    with pytest.raises(DirectoryError, match="no unit handles 环境保护 in 420804"):
        UnitDirectory(
            [Category("环境保护", "生态环境质量")], [unit("env", D1, "环境保护")], [D1, D2]
        )


def test_an_explicit_triage_rule_covers_a_gap_which_then_goes_to_people() -> None:
    gap = UnitDirectory(
        [Category("环境保护", "生态环境质量")],
        [unit("env", D1, "环境保护")],
        [D1, D2],
        triage_rules=[("环境保护", D2)],
    )
    d = decide(model("环境保护"), D2, gap)
    assert d.unit is None and d.triage_reason == NO_UNIT


def test_a_manual_decision_must_fit_the_directory() -> None:
    d = decide_manually(directory(), unit_id="city", category="环境保护", district_code=D2)
    assert d.unit is not None and d.classification.reason == "manual"
    with pytest.raises(ManualDecisionError, match="不管辖"):
        decide_manually(directory(), unit_id="env", category="环境保护", district_code=D2)
    with pytest.raises(ManualDecisionError, match="不承办"):
        decide_manually(directory(), unit_id="env", category="城乡建设", district_code=D1)

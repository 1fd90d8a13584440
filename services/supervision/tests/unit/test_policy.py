"""Deadline policy: the bundled default, its rules, and validation of replacement files."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from minyi.supervision.adapters.reference import DEFAULT_POLICY_PATH, load_policy
from minyi.supervision.domain.calendar import SHANGHAI, WorkingCalendar
from minyi.supervision.domain.policy import PolicyError

CAL = WorkingCalendar()
POLICY = load_policy()


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


def default_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    return raw


def write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_citizen_appeal_is_accepted_within_1_and_replied_within_5_working_days() -> None:
    d = POLICY.deadlines_for("citizen_appeal", False, local(2025, 9, 30, 10), CAL)
    assert d.accept_by == local(2025, 10, 9, 23, 59, 59)
    assert d.reply_by == local(2025, 10, 14, 23, 59, 59)
    assert d.return_until == local(2025, 10, 14, 23, 59, 59)
    assert d.basis == "working"


def test_an_urgent_citizen_appeal_runs_on_24_calendar_hours_even_on_a_holiday() -> None:
    assigned = local(2025, 10, 1, 10)
    d = POLICY.deadlines_for("citizen_appeal", True, assigned, CAL)
    assert d.reply_by == assigned + timedelta(hours=24)
    assert d.accept_by == assigned + timedelta(hours=2)
    assert d.basis == "calendar"


def test_a_representative_suggestion_is_replied_within_3_months_urgent_or_not() -> None:
    assigned = local(2025, 3, 14, 10)
    for urgent in (False, True):
        d = POLICY.deadlines_for("representative_suggestion", urgent, assigned, CAL)
        assert d.reply_by == local(2025, 6, 16, 23, 59, 59)  # Jun 14 is a Saturday → Monday


def test_only_representative_suggestions_may_be_extended_to_6_months() -> None:
    assigned = local(2025, 3, 14, 10)
    assert POLICY.extension_limit("representative_suggestion", assigned, CAL) == local(
        2025, 9, 15, 23, 59, 59
    )  # Sep 14 is a Sunday → Monday
    assert POLICY.extension_limit("citizen_appeal", assigned, CAL) is None


def test_rehandling_takes_1_month_for_suggestions_and_5_working_days_for_appeals() -> None:
    reopened = local(2025, 9, 30, 10)
    assert POLICY.rehandle_deadline("representative_suggestion", reopened, CAL) == local(
        2025, 10, 30, 23, 59, 59
    )
    assert POLICY.rehandle_deadline("citizen_appeal", reopened, CAL) == local(
        2025, 10, 14, 23, 59, 59
    )


def test_key_cases_get_tighter_reminder_marks() -> None:
    assert POLICY.reminder_marks(False) == [0.5, 0.8]
    assert POLICY.reminder_marks(True) == [0.3, 0.6, 0.9]


def test_level_2_escalation_comes_5_working_days_after_the_reply_deadline() -> None:
    assert POLICY.level2_escalation_at(local(2025, 9, 30, 23, 59, 59), CAL) == local(
        2025, 10, 14, 23, 59, 59
    )
    assert POLICY.escalation_target(2, "420802").target_id == "congress_office"


def test_every_jingmen_district_has_one_of_six_supervision_groups() -> None:
    assert len(POLICY.supervision_groups) == 6
    codes = ["420802", "420804", "420822", "420881", "420882", "420800-ZH", "420800-QJL"]
    groups = {code: POLICY.group_for_district(code) for code in codes}
    assert groups["420881"] == "g4"
    assert POLICY.supervision_groups["g4"].name == "第四督导组"
    assert set(groups.values()) <= set(POLICY.supervision_groups)
    target = POLICY.escalation_target(1, "420881")
    assert (target.level, target.target_name) == (1, "第四督导组")


def test_an_unknown_district_goes_to_the_default_group() -> None:
    assert POLICY.group_for_district("999999") == POLICY.default_group


def test_every_deadline_in_the_default_policy_cites_its_source() -> None:
    for kind, rules in POLICY.kinds.items():
        for name in ("accept", "reply", "return_window", "rehandle"):
            rule = getattr(rules, name)
            if rule is None:  # a window the kind does not have (no return, no feedback)
                assert name in ("return_window", "rehandle")
                continue
            assert rule.source, f"{kind}.{name} has no source"
    law = POLICY.rules_for("representative_suggestion")
    assert "第五十一条" in law.reply.source
    assert law.extension is not None and "第五十一条" in law.extension.max_total.source


def test_a_replacement_file_changes_deadlines_without_code_changes(tmp_path: Path) -> None:
    raw = default_raw()
    raw["kinds"]["citizen_appeal"]["reply"]["value"] = 3
    policy = load_policy(write(tmp_path, raw))
    d = policy.deadlines_for("citizen_appeal", False, local(2025, 9, 30, 10), CAL)
    assert d.reply_by == local(2025, 10, 11, 23, 59, 59)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r["kinds"].pop("citizen_appeal"), "kinds lacks"),
        (lambda r: r["kinds"]["citizen_appeal"]["reply"].update(unit="weeks"), "reply.unit"),
        (lambda r: r["kinds"]["citizen_appeal"]["reply"].update(value=-1), "reply.value"),
        (lambda r: r.update(defualt_group="g1"), "defualt_group"),
        (lambda r: r.update(default_group="g9"), "default_group 'g9'"),
        (lambda r: r["supervision_groups"]["g2"]["districts"].append("420802"), "both groups"),
        (lambda r: r["reminders"].update(normal=[0.8, 0.5]), "reminders.normal"),
        (lambda r: r["reply"]["outcomes"].pop("C"), "lacks ['C']"),
        (lambda r: r.update(schema_version=2), "schema_version"),
        (lambda r: r["kinds"]["citizen_appeal"].pop("return_window"), "return_window is required"),
        (lambda r: r["kinds"]["commitment"].update(feedback=True), "rehandle is required"),
    ],
)
def test_an_invalid_policy_file_is_refused_with_a_message_naming_the_problem(
    tmp_path: Path, mutate: Any, expected: str
) -> None:
    raw = default_raw()
    mutate(raw)
    path = write(tmp_path, raw)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_a_file_that_is_not_json_or_missing_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid JSON"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.json")


# -- what an official's visit leaves to follow (issue 17) -----------------------------------
def test_a_question_left_at_a_visit_gets_its_written_answer_within_5_working_days() -> None:
    # The visit ended on the eve of the National Day holiday: 9, 10, 11 (make-up), 13, 14 Oct.
    d = POLICY.deadlines_for("visit_question", False, local(2025, 9, 30, 16), CAL)
    assert d.reply_by == local(2025, 10, 14, 23, 59, 59)
    assert d.accept_by == local(2025, 10, 9, 23, 59, 59)
    assert d.return_until is None and d.basis == "working"
    rules = POLICY.rules_for("visit_question")
    assert "5 个工作日内书面答复" in rules.reply.source
    assert not rules.returnable and not rules.feedback


def test_a_commitment_is_due_on_the_promised_day_not_the_policys_fallback() -> None:
    promised = local(2025, 11, 20, 23, 59, 59)  # a Thursday
    d = POLICY.deadlines_for("commitment", False, local(2025, 11, 3, 10), CAL, promised)
    assert d.reply_by == promised
    assert d.accept_by == local(2025, 11, 4, 23, 59, 59)
    assert d.return_until is None
    assert "fallback" in POLICY.rules_for("commitment").reply.source


def test_a_commitment_due_on_a_holiday_moves_to_the_end_of_the_next_working_day() -> None:
    d = POLICY.deadlines_for(
        "commitment", False, local(2025, 9, 20, 10), CAL, local(2025, 10, 3, 23, 59, 59)
    )
    assert d.reply_by == local(2025, 10, 9, 23, 59, 59)  # 1–8 Oct are the holiday


def test_a_commitment_due_the_day_it_was_made_must_be_signed_for_by_then() -> None:
    made = local(2025, 11, 3, 10)
    d = POLICY.deadlines_for("commitment", False, made, CAL, local(2025, 11, 3, 23, 59, 59))
    assert d.accept_by == d.reply_by == local(2025, 11, 3, 23, 59, 59)


def test_a_policy_file_written_before_visits_is_refused_with_what_to_add(tmp_path: Path) -> None:
    raw = default_raw()
    raw["kinds"].pop("commitment")
    raw["kinds"].pop("visit_question")
    with pytest.raises(PolicyError) as info:
        load_policy(write(tmp_path, raw))
    message = str(info.value)
    assert "kinds lacks ['commitment', 'visit_question']" in message
    assert "copy their rules from the bundled reference/deadlines.json" in message

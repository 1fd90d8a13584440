"""The pure parts of improvement projects: the schedule's colour on China's working days,
the acceptance rule at its boundaries, evidence files by their bytes, registration rules,
and the policy section supervision refuses to start without."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from minyi.contracts.projects import FOCUS_AREAS
from minyi.supervision.adapters.reference import DEFAULT_POLICY_PATH, load_policy
from minyi.supervision.domain import IllegalTransition, InvalidInput, PolicyError, WorkingCalendar
from minyi.supervision.domain.evidence import (
    DOCX,
    MAX_FILE_BYTES,
    XLSX,
    Upload,
    check_uploads,
    safe_name,
    sniff,
)
from minyi.supervision.domain.policy import DeadlinePolicy
from minyi.supervision.domain.project import (
    Finding,
    Inspection,
    MilestoneInput,
    MilestoneState,
    Project,
    acceptance_result,
    late_working_days,
    schedule_status,
    validate_registration,
)

CAL = WorkingCalendar()
RULES = load_policy().project_rules()


def ms(due: date, delivered: bool = False, title: str = "完成设计") -> MilestoneState:
    m = MilestoneState("m1", title, due)
    if delivered:
        m.delivered_at = datetime(2025, 11, 1, tzinfo=UTC)
    return m


# -- the schedule -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("due", "today", "late"),
    [
        (date(2025, 11, 3), date(2025, 11, 3), None),  # on its day: not late
        (date(2025, 11, 3), date(2025, 11, 4), 1),
        (date(2025, 11, 3), date(2025, 11, 7), 4),
        (date(2025, 11, 3), date(2025, 11, 9), 4),  # the weekend adds nothing
        (date(2025, 11, 3), date(2025, 11, 17), 10),
        (date(2025, 11, 3), date(2025, 11, 18), 11),
        (date(2025, 11, 7), date(2025, 11, 8), 1),  # past its day: at least one
        (date(2025, 11, 8), date(2025, 11, 10), None),  # due on a Saturday: Monday counts
        (date(2025, 11, 8), date(2025, 11, 11), 1),
        (date(2025, 9, 30), date(2025, 10, 8), 1),  # National Day: no working day passed
        (date(2025, 9, 30), date(2025, 10, 9), 1),
        (date(2025, 9, 30), date(2025, 10, 11), 3),  # Saturday 11 Oct is a make-up day
    ],
)
def test_late_working_days_follow_the_official_calendar(
    due: date, today: date, late: int | None
) -> None:
    assert late_working_days(due, today, CAL) == late


def test_status_is_late_up_to_ten_working_days_and_very_late_beyond() -> None:
    m = [ms(date(2025, 11, 3))]
    assert schedule_status(m, date(2025, 11, 3), CAL, 10).status == "on_plan"
    late = schedule_status(m, date(2025, 11, 17), CAL, 10)
    assert (late.status, late.late_working_days) == ("late", 10)
    assert late.reason == "里程碑「完成设计」已逾期 10 个工作日"
    very = schedule_status(m, date(2025, 11, 18), CAL, 10)
    assert (very.status, very.milestone_id) == ("very_late", "m1")
    assert "超过 10 个工作日" in very.reason


def test_a_delivered_milestone_is_never_late_and_the_latest_one_decides() -> None:
    assert schedule_status([ms(date(2025, 11, 3), True)], date(2026, 1, 5), CAL, 10).status == (
        "on_plan"
    )
    a, b = ms(date(2025, 11, 3), title="甲"), ms(date(2025, 11, 14), title="乙")
    b.milestone_id = "m2"
    s = schedule_status([b, a], date(2025, 11, 18), CAL, 10)
    assert (s.status, s.milestone_id, s.late_working_days) == ("very_late", "m1", 11)


def test_the_policy_threshold_is_ten_working_days_with_its_source() -> None:
    assert RULES.late_working_days.value == 10
    assert "local choice" in RULES.late_working_days.source
    assert RULES.acceptance.satisfied_share.value == 0.5


# -- acceptance ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("s", "b", "u", "result"),
    [
        (2, 0, 1, "satisfied"),  # 2/3 > half
        (1, 0, 1, "unsatisfied"),  # exactly half is not more than half
        (1, 1, 0, "basically_satisfied"),  # satisfied half; with basically 2/2
        (2, 1, 1, "basically_satisfied"),  # satisfied exactly half
        (1, 1, 2, "unsatisfied"),  # satisfied + basically exactly half
        (0, 3, 2, "basically_satisfied"),
        (1, 0, 0, "satisfied"),
        (0, 0, 1, "unsatisfied"),
    ],
)
def test_acceptance_rule_more_than_half_is_strict(s: int, b: int, u: int, result: str) -> None:
    assert acceptance_result(s, b, u) == result


def test_acceptance_needs_ratings() -> None:
    with pytest.raises(ValueError):
        acceptance_result(0, 0, 0)


# -- evidence files -----------------------------------------------------------------------
def office_zip(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return buf.getvalue()


def test_types_come_from_the_bytes_not_the_name() -> None:
    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(office_zip("word/document.xml")) == DOCX
    assert sniff(office_zip("xl/workbook.xml")) == XLSX
    assert sniff(office_zip("ppt/presentation.xml")) is None  # a ZIP, but no document
    assert sniff(b"PK\x03\x04not really a zip") is None
    assert sniff(b"<html><script>alert(1)</script>") is None
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert sniff(b"MZ\x90\x00") is None


def test_uploads_are_refused_by_count_size_and_type_naming_files() -> None:
    ok = Upload("报告.pdf", b"%PDF-1.4 x")
    assert check_uploads([ok]) == ["application/pdf"]
    with pytest.raises(InvalidInput) as e:
        check_uploads([ok] * 6)
    assert (e.value.code, e.value.field) == ("too_many_files", "files")
    with pytest.raises(InvalidInput) as e:
        check_uploads([Upload("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)])
    assert e.value.code == "file_too_large"
    assert check_uploads([Upload("max.pdf", b"%PDF-" + b"0" * (MAX_FILE_BYTES - 5))])
    with pytest.raises(InvalidInput) as e:
        check_uploads([Upload("photo.png", b"<html>not a png</html>")])
    assert (e.value.code, e.value.field) == ("file_type_not_allowed", "files")
    assert "photo.png" in e.value.message


def test_a_client_name_is_shown_never_used_as_a_path() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\x\\报告.pdf") == "报告.pdf"
    assert safe_name('a"<b>.pdf') == "ab.pdf"
    assert safe_name("") == "附件"


# -- registration -------------------------------------------------------------------------
def register(**over: object) -> list[MilestoneState]:
    args: dict[str, object] = {
        "name": "老旧小区改造",
        "focus_area": FOCUS_AREAS[0],
        "focus_areas": FOCUS_AREAS,
        "division_codes": ["420802"],
        "known_divisions": {"420802", "420804"},
        "unit_ids": ["db-zjj"],
        "known_units": {"db-zjj", "czj"},
        "starts_on": date(2025, 9, 1),
        "ends_on": date(2025, 12, 31),
        "milestones": [
            MilestoneInput("验收", date(2025, 12, 1)),
            MilestoneInput("设计", date(2025, 10, 15)),
        ],
        "budget_yuan": None,
    }
    args.update(over)
    return validate_registration(**args)  # type: ignore[arg-type]


def test_milestones_are_numbered_in_due_order() -> None:
    assert [(m.milestone_id, m.title) for m in register()] == [("m1", "设计"), ("m2", "验收")]


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"focus_area": "教育"}, "unknown_focus_area", "focus_area"),
        ({"division_codes": ["999999"]}, "unknown_division", "division_codes"),
        ({"division_codes": []}, "divisions_required", "division_codes"),
        ({"unit_ids": ["nobody"]}, "unknown_unit", "unit_ids"),
        ({"unit_ids": []}, "units_required", "unit_ids"),
        ({"starts_on": date(2026, 1, 1)}, "ends_before_start", "ends_on"),
        ({"milestones": []}, "milestone_count", "milestones"),
        (
            {"milestones": [MilestoneInput(f"第{i}步", date(2025, 10, 1)) for i in range(21)]},
            "milestone_count",
            "milestones",
        ),
        (
            {"milestones": [MilestoneInput("太晚", date(2026, 1, 1))]},
            "milestone_outside_project",
            "milestones",
        ),
        ({"name": "  "}, "name_required", "name"),
        ({"budget_yuan": -1}, "budget_negative", "budget_yuan"),
    ],
)
def test_registration_refuses_naming_the_field(
    over: dict[str, object], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as e:
        register(**over)
    assert (e.value.code, e.value.field) == (code, field)


def test_twenty_milestones_on_the_boundary_days_are_fine() -> None:
    days = [date(2025, 9, 1), date(2025, 12, 31)] * 10
    assert len(register(milestones=[MilestoneInput("步", d) for d in days])) == 20


# -- the entity ---------------------------------------------------------------------------
NOW = datetime(2025, 11, 3, 2, 0, tzinfo=UTC)


def project(**over: object) -> Project:
    p = Project(
        project_id="P-1",
        name="老旧小区改造",
        focus_area=FOCUS_AREAS[0],
        division_codes=["420802"],
        unit_ids=["db-zjj", "czj"],
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 31),
        milestones=[MilestoneState("m1", "设计", date(2025, 11, 3))],
        registered_at=NOW,
        changed_at=NOW,
    )
    for k, v in over.items():
        setattr(p, k, v)
    p.refresh_status(NOW, RULES, CAL)
    return p


def test_the_colour_changes_on_the_clock_and_is_recorded_once() -> None:
    p = project()
    assert [(e.status, e.previous) for e in p.timeline] == [("on_plan", None)]
    check = p.next_check_at(NOW, RULES, CAL)
    assert check == datetime(2025, 11, 3, 16, 0, 0, tzinfo=UTC)  # 00:00 Beijing on the 4th
    assert p.refresh_status(NOW + timedelta(hours=10), RULES, CAL) is None
    late = p.refresh_status(check, RULES, CAL)
    assert late is not None and (late.status, late.previous) == ("late", "on_plan")
    assert p.refresh_status(check + timedelta(days=1), RULES, CAL) is None  # still late
    # Very late from the eleventh working day (18 Nov, 00:00 Beijing).
    nxt = p.next_check_at(check, RULES, CAL)
    assert nxt == datetime(2025, 11, 17, 16, 0, tzinfo=UTC)
    very = p.refresh_status(nxt, RULES, CAL)
    assert very is not None and very.status == "very_late"
    assert p.next_check_at(nxt, RULES, CAL) is None


def test_completion_needs_every_milestone_and_the_lead_unit() -> None:
    p = project()
    with pytest.raises(IllegalTransition) as e:
        p.complete("db-zjj", "", NOW, RULES, CAL)
    assert e.value.code == "milestones_pending"
    p.deliver("m1", "czj", "图纸已交", NOW, CAL)
    with pytest.raises(IllegalTransition) as e:
        p.complete("czj", "", NOW, RULES, CAL)
    assert e.value.code == "lead_unit_only"
    p.complete("db-zjj", "", NOW, RULES, CAL)
    assert p.status == "completed" and p.percent == 100


def test_inspectors_rate_once_and_the_last_rating_decides() -> None:
    p = project()
    p.inspect(_inspection(["d1", "d2"]))
    p.deliver("m1", "db-zjj", "", NOW, CAL)
    p.complete("db-zjj", "", NOW, RULES, CAL)
    assert p.rater_ids == ["d1", "d2"]
    with pytest.raises(IllegalTransition) as e:
        p.rate_by_deputy("d9", "satisfied", NOW)
    assert e.value.code == "not_a_rater"
    p.rate_by_deputy("d1", "satisfied", NOW)
    assert p.decide(NOW, RULES) is None
    with pytest.raises(IllegalTransition) as e:
        p.rate_by_deputy("d1", "unsatisfied", NOW)
    assert e.value.code == "already_rated"
    p.rate_by_deputy("d2", "unsatisfied", NOW)
    accepted = p.decide(NOW, RULES)
    assert accepted is not None and accepted.result == "unsatisfied"  # 1 of 2: not > half
    entry = p.refresh_status(NOW, RULES, CAL)
    assert entry is not None and entry.status == "accepted" and "不满意" in entry.reason


def _inspection(deputies: list[str]) -> Inspection:
    return Inspection(
        "I-1", "deputies", date(2025, 11, 1), NOW, deputy_ids=deputies, findings=[Finding("好")]
    )


def test_a_public_vote_decides_only_at_its_close_with_enough_votes() -> None:
    p = project(acceptance_by="public")
    p.deliver("m1", "db-zjj", "", NOW, CAL)
    p.complete("db-zjj", "", NOW, RULES, CAL)
    closes = p.rating_closes_at
    assert closes is not None
    for _ in range(int(RULES.public_vote.min_votes.value) - 1):
        p.rate_by_public("satisfied", NOW)
    after = closes + timedelta(seconds=1)
    assert p.decide(after, RULES) is None  # one vote short
    p.rate_by_public("satisfied", NOW)
    assert p.decide(NOW, RULES) is None  # still open
    accepted = p.decide(after, RULES)
    assert accepted is not None and accepted.result == "satisfied"


# -- the policy ---------------------------------------------------------------------------
def test_supervision_refuses_a_policy_without_the_projects_section() -> None:
    raw = json.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    del raw["projects"]
    with pytest.raises(PolicyError) as e:
        DeadlinePolicy.parse(json.dumps(raw))
    assert "projects is missing" in str(e.value) and "copy the section" in str(e.value)


def test_supervision_refuses_a_policy_without_the_milestone_kind() -> None:
    raw = json.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    del raw["kinds"]["milestone"]
    with pytest.raises(PolicyError) as e:
        DeadlinePolicy.parse(json.dumps(raw))
    assert "milestone" in str(e.value) and "projects' milestones" in str(e.value)

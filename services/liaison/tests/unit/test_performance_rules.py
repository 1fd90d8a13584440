"""The performance file's rules, pure: activities' validation, how events become entries
(idempotent, order-independent), the evaluation by the policy (caps, outcome weights,
bands, rates below the minimum of cases) and disputes."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from minyi.contracts.formal import FormalDetails
from minyi.contracts.intake import FeedbackReceived, SuggestionEndorsed, SuggestionFiled
from minyi.contracts.liaison import MatterReferred, ReceptionHeld
from minyi.contracts.supervision import Resolved
from minyi.contracts.visits import CommitmentMade
from minyi.liaison.domain import activity, dispute
from minyi.liaison.domain import performance as rules
from minyi.liaison.domain.evaluation import TOO_FEW, EvaluationPolicy, evaluate
from minyi.liaison.domain.performance import ENTRY_KINDS, Entry
from minyi.platform.errors import Conflict, Invalid, NotFound

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "src/minyi/liaison/reference/evaluation.json"
AT = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def reference() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def policy() -> EvaluationPolicy:
    return EvaluationPolicy.model_validate(reference())


def entry(kind: str, n: int = 0, state: str = "recorded", **extra: Any) -> Entry:
    return Entry(
        id=f"e-{kind}-{n}",
        deputy_id="REP-1",
        year=2026,
        kind=kind,
        on=date(2026, 11, 3),
        event_id=f"ev-{kind}-{n}",
        event_type="t",
        ref=f"ref-{kind}-{n}",
        title="t",
        state=state,
        **extra,
    )


# Activities -------------------------------------------------------------------------------


def test_every_contract_activity_kind_has_a_chinese_label_and_a_file_kind() -> None:
    from typing import get_args

    from minyi.contracts.performance import ActivityKind

    assert set(activity.KIND_LABELS) == set(get_args(ActivityKind))
    assert set(activity.KIND_LABELS) <= set(ENTRY_KINDS)


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        (activity.ActivityInput("nap", "t", TODAY), "unknown_activity_kind", "kind"),
        (activity.ActivityInput("visit", "  ", TODAY), "title_required", "title"),
        (activity.ActivityInput("visit", "走访" * 51, TODAY), "title_too_long", "title"),
        (activity.ActivityInput("visit", "走访", date(2026, 12, 2)), "date_in_future", "on"),
        (activity.ActivityInput("training", "学习", TODAY), "hours_required", "hours"),
        (activity.ActivityInput("training", "学习", TODAY, 0), "hours_required", "hours"),
        (activity.ActivityInput("training", "学习", TODAY, 24.5), "hours_too_many", "hours"),
        (activity.ActivityInput("visit", "走访", TODAY, 2), "hours_only_for_training", "hours"),
        (
            activity.ActivityInput("visit", "走访", TODAY, None, -1),
            "participants_out_of_range",
            "participants",
        ),
    ],
)
def test_a_bad_activity_is_refused_naming_the_field_and_the_rule(
    given: activity.ActivityInput, code: str, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        activity.check(given, TODAY)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_a_training_of_a_full_day_today_is_recorded_with_its_title_trimmed() -> None:
    checked = activity.check(activity.ActivityInput("training", " 代表培训 ", TODAY, 24), TODAY)
    assert (checked.title, checked.hours) == ("代表培训", 24)


# The file ---------------------------------------------------------------------------------


def _filed(sid: str = "S-1", kind: str = "representative_suggestion") -> dict[str, Any]:
    return SuggestionFiled(
        suggestion_id=sid,
        title="加装电梯",
        content="c",
        kind=kind,
        channel="web",
        district_code="420802",
        representative_id="REP-1",
        filed_at=AT,
    ).model_dump(mode="json")


def _resolved(sid: str = "S-1", outcome: str = "A", answer_round: int = 1) -> dict[str, Any]:
    return Resolved(
        suggestion_id=sid,
        unit_id="U",
        outcome=outcome,
        reply="r",
        replied_at=AT,
        on_time=True,
        round=answer_round,
    ).model_dump(mode="json")


def test_a_reception_gives_one_entry_per_deputy_present_and_a_redelivery_the_same_ids() -> None:
    data = ReceptionHeld(
        reception_id="R-1",
        station_id="ST-1",
        district_codes=["420802"],
        deputy_ids=["REP-1", "REP-2", "REP-1"],
        booked=3,
        held_at=AT,
    ).model_dump(mode="json")
    first = rules.entries_from(ReceptionHeld.event_type, "ev-1", data)
    again = rules.entries_from(ReceptionHeld.event_type, "ev-1", data)
    assert [e.deputy_id for e in first] == ["REP-1", "REP-2"]
    assert [e.id for e in first] == [e.id for e in again]
    assert {e.event_id for e in first} == {"ev-1"} and first[0].kind == "reception_held"
    assert first[0].on == date(2026, 11, 3) and first[0].year == 2026


def test_a_citizen_appeal_and_a_matter_without_deputy_make_no_entry() -> None:
    assert rules.entries_from(SuggestionFiled.event_type, "e", _filed(kind="citizen_appeal")) == []
    referred = MatterReferred(
        matter_id="M",
        suggestion_id="S",
        reception_id="R",
        station_id="ST",
        district_code="420802",
        title="t",
        content="c",
        tracking_code_sha256="x",
        referred_at=AT,
    ).model_dump(mode="json")
    assert rules.entries_from(MatterReferred.event_type, "e", referred) == []


def test_a_suggestion_takes_its_outcome_and_a_second_round_replaces_the_first_in_any_order() -> (
    None
):
    [filed] = rules.entries_from(SuggestionFiled.event_type, "ev-f", _filed())
    assert (filed.kind, filed.state, filed.ref) == ("suggestion", "filed", "S-1")
    first, second = _resolved(outcome="C"), _resolved(outcome="A", answer_round=2)
    for order in ((first, second), (second, first)):
        current = filed
        for data in order:
            current = rules.with_outcome(current, data) or current
        assert (current.state, current.round) == ("A", 2)
    # The same answer again changes nothing.
    answered = rules.with_outcome(filed, second)
    assert answered is not None and rules.with_outcome(answered, second) is None


def test_each_co_signer_of_a_formal_suggestion_gets_a_cosign_entry_and_the_lead_one_only(
    policy: EvaluationPolicy,
) -> None:
    data = _filed()
    data["formal"] = FormalDetails(
        number="2026-0001",
        lead_deputy_id="REP-1",
        co_signer_ids=["REP-2", "REP-1", "REP-3"],
        session="between_sessions",
    ).model_dump(mode="json")
    entries = rules.entries_from(SuggestionFiled.event_type, "ev-f", data)
    assert [(e.deputy_id, e.kind, e.state) for e in entries] == [
        ("REP-1", "suggestion", "filed"),
        ("REP-2", "endorsement", "cosign"),
        ("REP-3", "endorsement", "cosign"),
    ]
    assert policy.kinds["endorsement"].weights["cosign"].value > 0


def test_a_rating_is_kept_for_the_newest_round_whatever_the_order() -> None:
    [filed] = rules.entries_from(SuggestionFiled.event_type, "ev-f", _filed())

    def rating(answer_round: int, satisfied: bool) -> dict[str, Any]:
        return FeedbackReceived(
            suggestion_id="S-1", satisfied=satisfied, round=answer_round, received_at=AT
        ).model_dump(mode="json")

    late, early = rating(2, True), rating(1, False)
    for order in ((early, late), (late, early)):
        current = filed
        for data in order:
            current = rules.with_rating(current, data) or current
        assert current.details["rating"]["satisfied"] is True


def test_a_commitment_kept_late_shows_late_and_an_endorsement_keeps_its_mode() -> None:
    data = CommitmentMade(
        commitment_id="C-1",
        visit_id="V",
        station_id="ST",
        district_code="420802",
        unit_id="U",
        unit_name="市住建局",
        text="年底前完成改造",
        due_on=date(2026, 12, 31),
        due_at=AT,
        deputy_ids=["REP-1"],
        made_at=AT,
    ).model_dump(mode="json")
    [followed] = rules.entries_from(CommitmentMade.event_type, "ev-c", data)
    late = rules.with_outcome(followed, {**_resolved("C-1"), "on_time": False})
    assert followed.state == "open" and late is not None and late.state == "late"
    endorsed = SuggestionEndorsed(
        suggestion_id="S-9", representative_id="REP-1", mode="convert", endorsed_at=AT
    ).model_dump(mode="json")
    [entry_] = rules.entries_from(SuggestionEndorsed.event_type, "ev-e", endorsed)
    assert (entry_.kind, entry_.state) == ("endorsement", "convert")


def test_the_file_is_the_same_whatever_order_its_events_arrive_in() -> None:
    events = [
        (SuggestionFiled.event_type, "ev-1", _filed("S-1")),
        (SuggestionFiled.event_type, "ev-2", _filed("S-2")),
        (Resolved.event_type, "ev-3", _resolved("S-1", "B")),
        (Resolved.event_type, "ev-4", _resolved("S-1", "A", 2)),
    ]
    finals = set()
    for order in itertools.permutations(events):
        ids = [event_id for _, event_id, _ in order]
        if ids.index("ev-1") > min(ids.index("ev-3"), ids.index("ev-4")):
            continue  # an answer comes after its filing (supervision answers what it got)
        file: dict[str, Entry] = {}
        for kind, event_id, data in (*order, *order):  # each delivered twice
            if kind == Resolved.event_type:
                for e in [e for e in file.values() if e.ref == data["suggestion_id"]]:
                    file[e.id] = rules.with_outcome(e, data) or e
            else:
                for e in rules.entries_from(kind, event_id, data):
                    file.setdefault(e.id, e)
        finals.add(tuple(sorted((e.ref, e.state, e.round) for e in file.values())))
    assert finals == {(("S-1", "A", 2), ("S-2", "filed", 0))}


# Evaluation -------------------------------------------------------------------------------


def test_the_reference_policy_names_a_source_for_every_number(policy: EvaluationPolicy) -> None:
    numbers = [policy.min_cases_for_rates, *(b.min for b in policy.bands)]
    for rule in policy.kinds.values():
        numbers += [rule.points, rule.cap, *rule.weights.values()]
    assert numbers and all(n.source.strip() for n in numbers)
    assert [b.label for b in policy.bands] == ["优秀", "良好", "一般", "较差"]
    assert policy.min_cases_for_rates.value == 10


def test_a_policy_with_an_unknown_field_or_a_missing_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        EvaluationPolicy.model_validate({**reference(), "bonus": 5})
    document = reference()
    del document["kinds"]["training"]
    with pytest.raises(ValidationError):
        EvaluationPolicy.model_validate(document)


def test_caps_bind_so_volume_alone_does_not_win(policy: EvaluationPolicy) -> None:
    cap = policy.kinds["visit"].cap.value
    many = [entry("visit", n) for n in range(100)]
    score = evaluate(many, policy)
    [line] = score.lines
    assert line.raw == 100 * policy.kinds["visit"].points.value
    assert line.points == cap and score.score == cap


def test_an_a_solved_suggestion_outweighs_one_merely_filed_and_d_weighs_least(
    policy: EvaluationPolicy,
) -> None:
    def points(state: str) -> float:
        return evaluate([entry("suggestion", state=state)], policy).score

    assert points("A") > points("B") > points("filed") >= points("C") > points("D") > 0


def test_training_counts_by_hours(policy: EvaluationPolicy) -> None:
    per_hour = policy.kinds["training"].points.value
    score = evaluate([entry("training", 1, hours=2.0), entry("training", 2, hours=3.0)], policy)
    assert score.lines[0].raw == pytest.approx(5 * per_hour)


def test_struck_entries_count_nothing(policy: EvaluationPolicy) -> None:
    kept, struck = entry("inspection", 1), entry("inspection", 2, struck=True)
    assert evaluate([kept, struck], policy).score == evaluate([kept], policy).score
    assert evaluate([kept, struck], policy).lines[0].entries == 1


def test_the_score_never_passes_100(policy: EvaluationPolicy) -> None:
    everything = [entry(kind, n, hours=24.0) for kind in ENTRY_KINDS for n in range(50)]
    assert evaluate(everything, policy).score == 100


def _with_floors(excellent: float, good: float, fair: float) -> EvaluationPolicy:
    document = reference()
    for band, floor in zip(document["bands"], (excellent, good, fair), strict=False):
        band["min"]["value"] = floor
    return EvaluationPolicy.model_validate(document)


@pytest.mark.parametrize(
    ("points", "band"),
    [(9, "excellent"), (8, "good"), (7.9, "fair"), (6, "fair"), (5.9, "poor"), (0, "poor")],
)
def test_bands_start_at_their_thresholds(points: float, band: str) -> None:
    # One reception_held entry worth ``points`` (its cap is high enough), floors 9/8/6.
    policy = _with_floors(9, 8, 6)
    document = policy.model_dump()
    document["kinds"]["reception_held"]["points"]["value"] = points
    document["kinds"]["reception_held"]["cap"]["value"] = 100
    shifted = EvaluationPolicy.model_validate(document)
    assert evaluate([entry("reception_held")], shifted).band == band


def test_rates_below_ten_cases_say_too_few_never_zero(policy: EvaluationPolicy) -> None:
    nine = [entry("matter_referred", n, state="referred") for n in range(9)]
    rates = {r.id: r for r in evaluate(nine, policy).rates}
    assert rates["referred_answered"].value is None
    assert rates["referred_answered"].note == TOO_FEW == "样本不足"
    ten = [*nine, entry("matter_referred", 9, state="answered")]
    rates = {r.id: r for r in evaluate(ten, policy).rates}
    assert rates["referred_answered"].value == 0.1 and rates["referred_answered"].note is None


def test_rates_count_suggestions_answered_a_or_b_and_commitments_kept_on_time(
    policy: EvaluationPolicy,
) -> None:
    answers = [entry("suggestion", n, state="AB"[n % 2] if n < 6 else "C") for n in range(12)]
    commitments = [entry("commitment", n, state="on_time") for n in range(10)]
    rates = {r.id: r for r in evaluate([*answers, *commitments], policy).rates}
    assert (rates["suggestions_solved"].cases, rates["suggestions_solved"].hits) == (12, 6)
    assert rates["suggestions_solved"].value == 0.5
    assert rates["commitments_on_time"].value == 1.0


# Disputes ---------------------------------------------------------------------------------


def test_a_dispute_needs_the_deputys_own_live_entry_no_open_dispute_and_a_reason() -> None:
    mine = entry("visit")
    with pytest.raises(NotFound):
        dispute.check_dispute(None, "REP-1", False, "错了")
    with pytest.raises(NotFound):
        dispute.check_dispute(mine, "REP-2", False, "错了")
    with pytest.raises(Conflict) as caught:
        dispute.check_dispute(mine, "REP-1", True, "错了")
    assert caught.value.code == "dispute_open"
    with pytest.raises(Conflict):
        dispute.check_dispute(replace(mine, struck=True), "REP-1", False, "错了")
    with pytest.raises(Invalid) as invalid:
        dispute.check_dispute(mine, "REP-1", False, "   ")
    assert invalid.value.field == "reason"
    assert dispute.check_dispute(mine, "REP-1", False, " 重复登记 ") == "重复登记"


def test_a_decided_dispute_is_final() -> None:
    with pytest.raises(Conflict):
        dispute.check_decision("accepted", "再议")
    assert dispute.check_decision("open", "属实") == "属实"

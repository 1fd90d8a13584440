"""Deputies' formal suggestions (代表建议, issue 18): what their events add to a suggestion's
view, the handling table's row of one, and a year's figures.

A formal suggestion is folded like any suggestion (status, unit, answers, rounds come from
the shared lifecycle events), but its view also keeps ``formal``: the number, signers and
session (the filing's), the co-units (the winning assignment's), every signer's rating by
round, the co-units' views, the contact with the deputies, the extension, the C review,
the B delivery promised and the topics. Every part follows the fold's rule: the event
furthest along wins (attempt, round, time, then event id), so any order gives one view.
The B delivery is its own item (``DeliveryPromised.delivery_id``, kind ``delivery``), read
beside the suggestion when a row is made.

Formal suggestions and deliveries are not people's appeals: they count in no appeal figure
(``projection.contributions``), only here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.reporting.domain.events import as_int, attempt_of
from minyi.reporting.domain.periods import CITY_TZ, local_day

View = dict[str, Any]

DELIVERY = "delivery"  # the kind of a B answer's delivery item
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
DIMENSIONS = ("contact", "attitude", "result")  # 沟通联系, 办理态度, 办理结果
OUTCOMES = ("A", "B", "C", "D")
OUTCOME_LABELS = {
    "A": "A类（已解决或采纳）",
    "B": "B类（正在解决或列入计划）",
    "C": "C类（因条件限制暂不能解决）",
    "D": "D类（留作参考）",
}
SESSION_LABELS = {"in_session": "大会期间", "between_sessions": "闭会期间"}
DELIVERY_STATES = {
    "promised": "承诺兑现中",
    "delivered_on_time": "按期兑现",
    "delivered_late": "逾期兑现",
    "overdue": "逾期未兑现",
}
# Steps this module folds (``events.STEPS``); "filed", "assigned", "resolved" and "extended"
# are the shared lifecycle's, read here for what they add to a formal suggestion.
STEPS = frozenset({
    "filed", "assigned", "resolved", "extended", "signer_rated", "co_views", "contacted",
    "extension_requested", "extension_refused", "reviewed", "delivery_promised", "topic_linked",
})  # fmt: skip


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime | date) else str(value or "")


def _wins(old: list[Any] | None, rank: list[Any]) -> bool:
    return old is None or rank > old


def year_of(number: str | None, filed_at: datetime | None) -> int | None:
    """The yearly number's year (``2026-0123`` → 2026), else the filing's (Beijing time)."""
    head = (number or "").split("-", 1)[0]
    if head.isdigit() and len(head) == 4:
        return int(head)
    return local_day(filed_at).year if isinstance(filed_at, datetime) else None


def fold(view: View, step: str, event: RawEvent) -> View:
    """``view`` with what ``event`` (of ``step``) tells about a formal suggestion; a view
    that is no formal suggestion keeps no ``formal`` part, except what only formal
    suggestions' events say (those arrive for formal suggestions only)."""
    if step not in STEPS:
        return view
    d = event.data
    formal: dict[str, Any] = {k: v for k, v in (view.get("formal") or {}).items()}
    ranks: dict[str, Any] = dict(formal.get("ranks") or {})
    if step == "filed":
        details = d.get("formal")
        if not isinstance(details, dict):
            return view
        formal.update(
            number=details.get("number"),
            lead_deputy_id=details.get("lead_deputy_id") or d.get("representative_id"),
            co_signer_ids=list(details.get("co_signer_ids") or []),
            session=details.get("session"),
            publishable=bool(details.get("publishable")),
            converted_from=details.get("converted_from"),
        )
    elif step == "assigned":
        # Each rule reads the event alone (never whether the view is formal yet): the
        # filing may come later.
        if not d.get("number") and not d.get("co_units") and not d.get("signer_ids"):
            return view  # an appeal's assignment
        rank = [attempt_of(d), _iso(d.get("assigned_at"))]
        if _wins(ranks.get("assigned"), rank):
            ranks["assigned"] = rank
            formal["co_units"] = [
                {"unit_id": c.get("unit_id"), "unit_name": c.get("unit_name")}
                for c in d.get("co_units") or []
                if isinstance(c, dict)
            ]
            formal["signer_ids"] = list(d.get("signer_ids") or [])
            formal["assigned_number"] = d.get("number")
            formal["assigned_title"] = d.get("title")
    elif step == "resolved":
        if not d.get("delivery_by"):
            return view
        rounds = dict(formal.get("delivery_by") or {})
        rounds[str(as_int(d.get("round"), 1))] = _iso(d.get("delivery_by"))
        formal["delivery_by"] = rounds
    elif step == "extended":  # only representative suggestions are ever extended
        formal["extended"] = True
    elif step == "signer_rated":
        deputy = str(d.get("deputy_id") or "")
        rnd = as_int(d.get("round"), 1)
        ratings = {k: dict(v) for k, v in (formal.get("ratings") or {}).items()}
        mine = ratings.setdefault(deputy, {})
        old = mine.get(str(rnd))
        rank = [_iso(d.get("rated_at")), event.id]
        if old is None or rank > old[3:]:
            mine[str(rnd)] = [d.get("contact"), d.get("attitude"), d.get("result"), *rank]
        formal["ratings"] = ratings
    elif step == "co_views":
        views = dict(formal.get("co_views") or {})
        unit = str(d.get("unit_id") or "")
        rank = [_iso(d.get("submitted_at")), event.id]
        if _wins((views.get(unit) or {}).get("rank"), rank):
            views[unit] = {"on_time": bool(d.get("on_time")), "at": rank[0], "rank": rank}
        formal["co_views"] = views
    elif step == "contacted":
        contacts = set(formal.get("contacts") or [])
        contacts.add(f"{d.get('contacted_on')}:{d.get('mode')}")
        formal["contacts"] = sorted(contacts)
    elif step == "extension_requested":
        formal["extension_requested"] = True
    elif step == "extension_refused":
        formal["extension_refused"] = True
    elif step == "reviewed":
        rank = [_iso(d.get("reviewed_at")), event.id]
        if _wins(ranks.get("reviewed"), rank):
            ranks["reviewed"] = rank
            formal["review"] = d.get("verdict")
    elif step == "delivery_promised":
        rank = [_iso(d.get("promised_at")), event.id]
        if _wins(ranks.get("delivery"), rank):
            ranks["delivery"] = rank
            formal["delivery_id"] = d.get("delivery_id")
            formal["promised_by"] = _iso(d.get("promised_by"))
    elif step == "topic_linked":
        topics = {k: list(v) for k, v in (formal.get("topics") or {}).items()}
        topic = str(d.get("topic_id") or "")
        rank = [_iso(d.get("at")), event.id, bool(d.get("linked", True))]
        if _wins(topics.get(topic), rank):
            topics[topic] = rank
        formal["topics"] = topics
    formal["ranks"] = ranks
    view = dict(view)
    view["formal"] = formal
    number = formal.get("number") or formal.get("assigned_number")
    if number:
        view["formal_number"] = number
        view["formal_year"] = year_of(number, view.get("filed_at"))
    return view


def delivery_due(promised_by: Any) -> datetime | None:
    """A promised day's deadline: its end, Beijing time (stored as the instant after)."""
    if isinstance(promised_by, str):
        try:
            promised_by = date.fromisoformat(promised_by[:10])
        except ValueError:
            return None
    if not isinstance(promised_by, date):
        return None
    return datetime.combine(promised_by + timedelta(days=1), time(), CITY_TZ)


# ---- one suggestion's row ------------------------------------------------------------


def latest_ratings(formal: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each signer's rating of the latest round he or she rated."""
    out: dict[str, dict[str, Any]] = {}
    for deputy, by_round in (formal.get("ratings") or {}).items():
        if not by_round:
            continue
        rnd = max(by_round, key=lambda r: as_int(r, 0))
        contact, attitude, result, rated_at, _event = by_round[rnd]
        out[deputy] = {
            "round": as_int(rnd, 1),
            "contact": contact,
            "attitude": attitude,
            "result": result,
            "overall": overall(contact, attitude, result),
            "rated_at": rated_at,
        }
    return out


def overall(*ratings: Any) -> str | None:
    """A signer's verdict: the worst of the three (any 不满意 brings a re-handling)."""
    known = [r for r in ratings if r in RATINGS]
    return max(known, key=RATINGS.index) if known else None


def delivery_state(formal: Mapping[str, Any], delivery: Mapping[str, Any] | None) -> str | None:
    """Where a B answer's promised delivery stands (``DELIVERY_STATES``), None if none."""
    if not formal.get("delivery_id") and not formal.get("promised_by"):
        return None
    delivery = delivery or {}
    if delivery.get("replied_at"):
        return "delivered_on_time" if delivery.get("on_time") else "delivered_late"
    if delivery.get("overdue_open"):
        return "overdue"
    return "promised"


def signers_of(formal: Mapping[str, Any], representative_id: Any) -> list[str]:
    """Every signer, the lead first: the filing's, else the assignment's."""
    lead = formal.get("lead_deputy_id") or representative_id
    signers = [lead, *(formal.get("co_signer_ids") or [])] if lead else []
    if not signers:
        signers = list(formal.get("signer_ids") or [])
    return [str(s) for s in dict.fromkeys(signers) if s]


def row(view: Mapping[str, Any], delivery: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The handling table's row of one formal suggestion (its view, its delivery's view)."""
    formal = view.get("formal") or {}
    signers = signers_of(formal, view.get("representative_id"))
    ratings = latest_ratings(formal)
    summary = Counter(r["overall"] for r in ratings.values() if r["overall"])
    topics = sorted(t for t, rank in (formal.get("topics") or {}).items() if rank[-1])
    delivery = delivery or {}
    promised_by = formal.get("promised_by") or (formal.get("delivery_by") or {}).get(
        str(view.get("round") or 1)
    )
    outcome = view.get("outcome")
    return {
        "suggestion_id": view.get("suggestion_id"),
        "number": view.get("formal_number"),
        "year": view.get("formal_year"),
        "title": view.get("title") or formal.get("assigned_title"),
        "lead_deputy_id": signers[0] if signers else None,
        "signer_ids": signers,
        "co_signer_ids": signers[1:],
        "session": formal.get("session"),
        "session_name": SESSION_LABELS.get(str(formal.get("session")), ""),
        "publishable": formal.get("publishable"),
        "district_code": view.get("district_code"),
        "unit_id": view.get("unit_id"),
        "unit_name": view.get("unit_name"),
        "co_units": list(formal.get("co_units") or []),
        "co_views_submitted": len(formal.get("co_views") or {}),
        "contacted": bool(formal.get("contacts")),
        "filed_at": view.get("filed_at"),
        "assigned_at": view.get("assigned_at"),
        "answered_at": view.get("first_replied_at") or view.get("replied_at"),
        "last_answered_at": view.get("replied_at"),
        "on_time": view.get("first_reply_on_time", view.get("on_time"))
        if (view.get("first_replied_at") or view.get("replied_at"))
        else None,
        "outcome": outcome,
        "outcome_name": OUTCOME_LABELS.get(str(outcome), ""),
        "round": view.get("round"),
        "extended": bool(formal.get("extended")),
        "review": formal.get("review"),
        "status": view.get("status"),
        "ratings": ratings,
        "rating_summary": {r: summary[r] for r in RATINGS},
        "delivery_id": formal.get("delivery_id"),
        "promised_by": promised_by or None,
        "delivered_at": delivery.get("replied_at"),
        "delivery": delivery_state(formal, delivery),
        "overdue_open": bool(view.get("overdue_open")),
        "topic_ids": topics,
    }


# ---- a year's figures ----------------------------------------------------------------


def _empty() -> dict[str, Any]:
    return {
        "filed": 0,
        "assigned": 0,
        "answered": 0,
        "answered_on_time": 0,
        "answered_late": 0,
        "overdue_now": 0,
        "rehandled": 0,
        "closed": 0,
        "outcomes": dict.fromkeys(OUTCOMES, 0),
        "ratings": {dim: dict.fromkeys(RATINGS, 0) for dim in (*DIMENSIONS, "overall")},
        "signers_rated": 0,
        "delivery": {
            "promised": 0,
            "delivered": 0,
            "delivered_on_time": 0,
            "delivered_late": 0,
            "overdue_now": 0,
        },
    }


def _add(total: dict[str, Any], r: Mapping[str, Any]) -> None:
    total["filed"] += int(r.get("filed_at") is not None)
    total["assigned"] += int(bool(r.get("unit_id")))
    if r.get("answered_at"):
        total["answered"] += 1
        total["answered_on_time" if r.get("on_time") else "answered_late"] += 1
    total["overdue_now"] += int(bool(r.get("overdue_open")))
    total["rehandled"] += int((r.get("round") or 1) > 1)
    total["closed"] += int(r.get("status") == "closed")
    if r.get("outcome") in OUTCOMES:
        total["outcomes"][r["outcome"]] += 1
    for rating in (r.get("ratings") or {}).values():
        total["signers_rated"] += 1
        for dim in (*DIMENSIONS, "overall"):
            if rating.get(dim) in RATINGS:
                total["ratings"][dim][rating[dim]] += 1
    state = r.get("delivery")
    if state:
        d = total["delivery"]
        d["promised"] += 1
        if state in ("delivered_on_time", "delivered_late"):
            d["delivered"] += 1
            d[state] += 1
        elif state == "overdue":
            d["overdue_now"] += 1


def totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    total = _empty()
    for r in rows:
        _add(total, r)
    return total


def _own_ratings(deputy: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A deputy's line counts the ratings he or she gave, not the co-signers'."""
    own = _empty()
    for r in rows:
        mine = (r.get("ratings") or {}).get(deputy)
        if mine is not None:
            _add(own, {"ratings": {deputy: mine}})
    return {"ratings": own["ratings"], "signers_rated": own["signers_rated"]}


def summarize(
    year: int,
    rows: list[dict[str, Any]],
    unit_names: Mapping[str, str],
    deputy_names: Mapping[str, str],
    topic_names: Mapping[str, str],
) -> dict[str, Any]:
    """The year's totals, and the same per lead unit (with the suggestions each unit
    co-handled), per deputy (led and co-signed) and per topic; each list sorted by id."""
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    co_handled: Counter[str] = Counter()
    by_deputy: dict[str, list[dict[str, Any]]] = defaultdict(list)
    led: Counter[str] = Counter()
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("unit_id"):
            by_unit[str(r["unit_id"])].append(r)
        for co in r.get("co_units") or []:
            co_handled[str(co.get("unit_id"))] += 1
        for i, signer in enumerate(r.get("signer_ids") or []):
            by_deputy[signer].append(r)
            led[signer] += int(i == 0)
        for topic in r.get("topic_ids") or []:
            by_topic[topic].append(r)
    units = sorted(by_unit.keys() | co_handled.keys())
    return {
        "year": year,
        "totals": totals(rows),
        "by_unit": [
            {
                "unit_id": u,
                "unit_name": unit_names.get(u, u),
                "co_handled": co_handled[u],
                **totals(by_unit.get(u, [])),
            }
            for u in units
        ],
        "by_deputy": [
            {
                "deputy_id": dep,
                "deputy_name": deputy_names.get(dep, dep),
                "led": led[dep],
                "co_signed": len(rs) - led[dep],
                **totals(rs),
                **_own_ratings(dep, rs),
            }
            for dep, rs in sorted(by_deputy.items())
        ],
        "by_topic": [
            {"topic_id": t, "topic_title": topic_names.get(t, t), **totals(rs)}
            for t, rs in sorted(by_topic.items())
        ],
    }

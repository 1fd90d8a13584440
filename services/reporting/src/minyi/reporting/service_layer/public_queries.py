"""The public ledger's questions (项目进展与民意公开, issue 19), answered for anyone.

Only what the office published is ever in an answer: projects (their record, which holds no
person's text), published recurring appeals under the title the office wrote, and counts. A
citizen's own text (a linked suggestion's title) only where the citizen agreed, when filing,
that it may be shown (``publish_consent``); no person is named, no contact, no
``citizen_ref``. The office's dashboard reads the map with its own filters through the same
functions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from minyi.contracts.projects import FOCUS_AREAS
from minyi.platform.errors import Invalid, NotFound
from minyi.reporting.adapters.views import LiveViews, ViewQueries
from minyi.reporting.domain import projects as project_rules
from minyi.reporting.domain.dimensions import DIMENSION_FIELDS, Filters, cube_for
from minyi.reporting.domain.geo import MAP_NAME, NO_TOWNSHIP_LABEL, Geography
from minyi.reporting.domain.periods import local_day

# The ranking of published appeals: suggestions in the cluster plus supports (附议), each
# counting one; ties go to more supports, then the cluster id.
RANK_RULE = "排序分 = 该类诉求的意见建议件数 + 附议数（each suggestion and each support count one）"
MAX_DAYS = 3660


def window(today: date, days: int | None) -> Filters:
    """The last ``days`` Beijing days up to ``today`` (None: all time)."""
    if days is None:
        return Filters()
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(
            "days_out_of_range",
            f"days 须在 1 至 {MAX_DAYS} 之间（'days' must be 1…{MAX_DAYS}）",
            field="days",
        )
    return Filters(today - timedelta(days=days - 1), today)


def _project_summary(
    record: dict[str, Any], names: dict[str, str], district_names: dict[str, str], supports: int
) -> dict[str, Any]:
    milestones = project_rules.milestones_of(record)
    status = record.get("status") or "on_plan"
    return {
        "project_id": record.get("project_id"),
        "name": record.get("name"),
        "focus_area": record.get("focus_area"),
        "division_codes": record.get("division_codes") or [],
        "division_names": [district_names.get(c, c) for c in record.get("division_codes") or ()],
        "unit_names": [names.get(u, u) for u in record.get("unit_ids") or ()],
        "budget_yuan": record.get("budget_yuan"),
        "starts_on": record.get("starts_on"),
        "ends_on": record.get("ends_on"),
        "status": status,
        "status_label": project_rules.STATUS_LABELS.get(status, status),
        "status_reason": record.get("status_reason") or "",
        "percent": int(record.get("percent") or 0),
        "milestones_total": len(milestones),
        "milestones_delivered": sum(m["state"] == "delivered" for m in milestones),
        "milestones_overdue": sum(m["state"] == "overdue" for m in milestones),
        "next_due_on": next((m["due_on"] for m in milestones if m["state"] != "delivered"), None),
        "supports": supports,
        "acceptance": record.get("acceptance"),
    }


async def projects(views: LiveViews, division_code: str | None, focus_area: str | None) -> Any:
    """Every registered project, optionally of one division and focus area."""
    async with views.reading() as q:
        records = [
            r
            for r in await q.project_records(focus_area)
            if not division_code or division_code in (r.get("division_codes") or ())
        ]
        names = await q.names("unit")
        supports = await q.support_counts("project", [r["project_id"] for r in records])
        dn = dict(q.district_names)
    rows = [_project_summary(r, names, dn, supports.get(r["project_id"], 0)) for r in records]
    return {
        "projects": rows,
        "statuses": project_rules.STATUS_LABELS,
        # The filters' choices: the programme's focus areas and the city's divisions.
        "focus_areas": list(FOCUS_AREAS),
        "divisions": [{"code": c, "name": n} for c, n in dn.items()],
    }


async def _appeal_rows(q: ViewQueries, ids: list[str] | None) -> list[dict[str, Any]]:
    appeals = await q.published_appeals(ids)
    cids = [a["cluster_id"] for a in appeals]
    sizes = await q.cluster_sizes(cids)
    supports = await q.support_counts("appeal", cids)
    rows = []
    for a in appeals:
        cid = a["cluster_id"]
        n, plus = sizes.get(cid, 0), supports.get(cid, 0)
        rows.append(
            {
                "cluster_id": cid,
                "title": a["title"],
                "focus_area": a["focus_area"],
                "division_codes": a["division_codes"] or [],
                "division_names": [q.district_names.get(c, c) for c in a["division_codes"] or ()],
                "suggestions": n,
                "supports": plus,
                "score": n + plus,
                "published_at": a["published_at"],
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["supports"], str(r["cluster_id"])))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


async def appeals(views: LiveViews) -> Any:
    """The ranking of published recurring appeals (``RANK_RULE``)."""
    async with views.reading() as q:
        return {"appeals": await _appeal_rows(q, None), "rule": RANK_RULE}


async def project(views: LiveViews, pid: str) -> Any:
    """One project's page: record, milestones, progress, inspections, acceptance, linked
    appeals (published ones) and suggestions (counts), and the timeline."""
    async with views.reading() as q:
        record = await q.project_record(pid)
        if record is None:
            raise NotFound("no_such_project", f"没有这个项目（no project {pid!r}）")
        names = await q.names("unit")
        supports = (await q.support_counts("project", [pid])).get(pid, 0)
        links = record.get("links") or {}
        linked_appeals = await _appeal_rows(q, list(links.get("cluster_ids") or ()))
        linked = await q.linked_suggestions(list(links.get("suggestion_ids") or ()))
        dn = dict(q.district_names)
    out = _project_summary(record, names, dn, supports)
    titles = {m["milestone_id"]: m["title"] for m in record.get("milestones") or ()}
    out.update(
        summary=record.get("summary") or "",
        acceptance_by=record.get("acceptance_by"),
        milestones=project_rules.milestones_of(record),
        progress=[
            {
                "percent": p["percent"],
                "note": p["note"],
                "unit_name": names.get(p.get("unit_id") or "", p.get("unit_id")),
                "reported_at": p["reported_at"],
                # Names and sizes only: the files themselves stay with supervision.
                "evidence": [
                    {
                        "name": f["name"],
                        "media_type": f["media_type"],
                        "size_bytes": f["size_bytes"],
                    }
                    for f in p.get("evidence") or ()
                ],
            }
            for p in reversed(record.get("progress") or ())
        ],
        inspections=sorted(
            (record.get("inspections") or {}).values(), key=lambda i: str(i.get("held_on"))
        ),
        completion=record.get("completion"),
        ratings=project_rules.rating_counts(record),
        appeals=linked_appeals,
        suggestions={
            "linked": len(linked),
            "replied": sum(1 for s in linked if s["outcome"]),
            "solved": sum(1 for s in linked if s["outcome"] == "A"),
            # A citizen's own words only where the citizen agreed when filing.
            "published_titles": [s["title"] for s in linked if s["publish_consent"] and s["title"]],
        },
        timeline=[
            {
                **{k: v for k, v in e.items() if k != "event_id"},
                "milestone_title": titles.get(str(e.get("milestone_id"))),
                "status_label": project_rules.STATUS_LABELS.get(str(e.get("status"))),
            }
            for e in record.get("timeline") or ()
        ],
    )
    return out


async def city_map(views: LiveViews, geography: Geography, f: Filters) -> Any:
    """Suggestions per division (with the map's region name), and stations with coordinates."""
    async with views.reading() as q:
        by_district: dict[str, int] = defaultdict(int)
        dim = cube_for(f, "district_code")
        at = DIMENSION_FIELDS[dim].index("district_code")
        for parts, _period, (n,) in await q.counter_rows(dim, f, measures=("n",)):
            by_district[parts[at]] += n
        stations = await q.station_points()
    divisions = [
        {
            "code": d.code,
            "name": d.name,
            "kind": d.kind,
            "map_name": d.map_name,  # None: a zone without a region on the map
            "count": by_district.get(d.code, 0),
        }
        for d in geography.divisions
    ]
    return {
        "map": MAP_NAME,
        "from": f.start,
        "to": f.end,
        "divisions": divisions,
        "unknown_division": by_district.get("", 0),
        "stations": [
            {
                "station_id": s["station_id"],
                "name": s["name"],
                "kind": s["kind"],
                "division_codes": s["division_codes"] or [],
                "lat": s["latitude"],
                "lon": s["longitude"],
            }
            for s in stations
        ],
    }


async def townships(views: LiveViews, geography: Geography, code: str, f: Filters) -> Any:
    """Suggestions per township of one division (none named: 未注明乡镇)."""
    division = geography.division(code)
    if division is None:
        raise NotFound("no_such_division", f"没有这个区县（no division {code!r}）")
    async with views.reading() as q:
        counted: dict[str, int] = defaultdict(int)
        for parts, _period, (n,) in await q.counter_rows(
            "township", Filters(f.start, f.end, district=code, kind=f.kind), measures=("n",)
        ):
            counted[parts[2] if len(parts) > 2 else ""] += n
    rows = [{"township": t, "count": counted.pop(t, 0)} for t in division.townships]
    unnamed = counted.pop("", 0)
    rows += [{"township": t, "count": n} for t, n in sorted(counted.items()) if n]
    rows.append({"township": NO_TOWNSHIP_LABEL, "count": unnamed})
    return {
        "code": division.code,
        "name": division.name,
        "map_name": division.map_name,
        "from": f.start,
        "to": f.end,
        "total": sum(r["count"] for r in rows),
        "townships": rows,
    }


def today(views: LiveViews) -> date:
    return local_day(views.now())

"""Printable QR codes (PNG and SVG, ``segno``) and the iCalendar feed of a station's
reception days (``icalendar``)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import segno
from icalendar import Calendar, Event

from minyi.liaison.domain.reception import Reception


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    # Error correction "M" survives a smudged print; scale 8 prints at about 3 cm.
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=True)
    return out.getvalue()


def reception_calendar(
    station_id: str,
    station_name: str,
    receptions: Sequence[Reception],
    page_url: str,
    now: datetime,
) -> bytes:
    """A feed a phone calendar subscribes to: one event per announced reception."""
    calendar = Calendar()
    calendar.add("prodid", "-//Minyi//liaison//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{station_name} 接待日")
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for r in receptions:
        event = Event()
        event.add("uid", f"{r.id}@minyi.liaison")
        event.add("dtstamp", now)
        event.add("dtstart", r.starts_at)
        event.add("dtend", r.ends_at)
        event.add("summary", f"代表接待日：{r.topic or station_name}")
        event.add("location", r.place)
        event.add("description", f"{station_name}代表接待日，可在线预约：{page_url}")
        event.add("url", page_url)
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed

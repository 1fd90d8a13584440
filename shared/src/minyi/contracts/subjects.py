"""Subjects, the one JetStream stream, and durable consumer names — declared once, here.

Trap: the last service to start wins the stream config (``NatsBroker.start`` updates a
stream whose config differs), so every service must declare exactly this one.
"""

from __future__ import annotations

from datetime import timedelta

STREAM_NAME = "MINYI"
STREAM_SUBJECTS = ["minyi.>"]
# JetStream drops a republished event with the same Nats-Msg-Id inside this window; the
# consumers' inboxes catch anything later.
DUPLICATE_WINDOW = timedelta(minutes=10)
# Reporting rebuilds its views by replaying history, so the stream keeps it (10 years).
MAX_AGE = timedelta(days=3650)

SUGGESTION_FILED = "minyi.suggestion.filed"
SUGGESTION_ASSIGNED = "minyi.suggestion.assigned"
SUGGESTION_ACCEPTED = "minyi.suggestion.accepted"
SUGGESTION_RESOLVED = "minyi.suggestion.resolved"
ALL_EVENTS = "minyi.>"
# Every event about a suggestion (intake follows their lifecycle).
SUGGESTION_EVENTS = "minyi.suggestion.>"

# Liaison (deputies, stations, reception days, bookings, matters raised at receptions).
DEPUTY_REGISTERED = "minyi.deputy.registered"
DEPUTY_UPDATED = "minyi.deputy.updated"
DEPUTY_ENDED = "minyi.deputy.ended"
STATION_REGISTERED = "minyi.station.registered"
STATION_UPDATED = "minyi.station.updated"
STATION_ENDED = "minyi.station.ended"
RECEPTION_SCHEDULED = "minyi.reception.scheduled"
RECEPTION_HELD = "minyi.reception.held"
RECEPTION_CANCELLED = "minyi.reception.cancelled"
BOOKING_MADE = "minyi.booking.made"
BOOKING_PROMOTED = "minyi.booking.promoted"
BOOKING_CANCELLED = "minyi.booking.cancelled"
MATTER_RECORDED = "minyi.matter.recorded"
MATTER_REFERRED = "minyi.matter.referred"


def durable_name(service: str, event: str) -> str:
    """Durable consumer names read ``<service>__<event>`` in ``nats consumer ls``."""
    return f"{service}__{event}"

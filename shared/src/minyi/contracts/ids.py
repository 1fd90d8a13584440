"""Ids of the events and suggestions the services create: UUID version 7 (RFC 9562), whose
first 48 bits are the creation time in milliseconds.

Every store keys rows by these ids (inboxes, outboxes, suggestions, cases, reporting's
timeline and views). Random (version 4) ids put each new row on a random page of those
indexes, so a commit wrote as many pages as it had rows and, once an index outgrew the
page cache, read them first; time-ordered ids put new rows at the end of the index.
Within a millisecond a counter keeps them in order (``uuid-utils``; ``uuid6``'s moved the
timestamp ahead of the clock instead, by a millisecond per id beyond the first).
CPU per suggestion over the four services at 300/s, old and new alternated: 4.93 → 4.85
and 5.22 → 5.11 ms with 25,000 suggestions stored, 5.94 → 5.49 and 7.10 → 6.98 with 60,000
(docs/BENCHMARKS.md, issue 21, eleventh round). The ids stay opaque:
nothing may read the time back out of them (the event's ``time`` says it).
"""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    """A new id, in the canonical 36-character form."""
    return str(uuid_utils.uuid7())

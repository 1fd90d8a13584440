"""Send what is owed to citizens who booked (reminders, freed places, cancellations,
tracking codes). Run by the notice poller; the store is not held while messages go out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from minyi.liaison.service_layer.ports import Uow
from minyi.platform.notifier import Notifier, NotifierError
from minyi.platform.pii_vault import PiiDecryptionError, PiiVault

log = logging.getLogger(__name__)
# How long a claimed notice is this process's to send before another replica may take it.
CLAIM = timedelta(minutes=5)


async def send_due(
    unit_of_work: Callable[[], AbstractAsyncContextManager[Uow]],
    notifier: Notifier,
    vault: PiiVault,
    *,
    batch: int,
    max_attempts: int,
) -> bool:
    """One pass; True when a full batch went out (more may be waiting)."""
    async with unit_of_work() as uow:
        now = uow.now()
        due = await uow.bookings.claim_due_notices(now, batch, now + CLAIM)
    if not due:
        return False
    sent: list[int] = []
    failed: list[tuple[int, int]] = []
    for notice in due:
        try:
            phone = json.loads(vault.decrypt(notice.contact))["phone"]
            await notifier.send(phone, notice.message)
            sent.append(notice.id)
        except (NotifierError, PiiDecryptionError) as exc:
            log.warning("notice %d not sent (attempt %d): %s", notice.id, notice.attempts + 1, exc)
            failed.append((notice.id, notice.attempts + 1))
    async with unit_of_work() as uow:
        now = uow.now()
        for notice_id in sent:
            await uow.bookings.notice_sent(notice_id, now)
        for notice_id, attempts in failed:
            retry_at = now + timedelta(seconds=min(3600, 30 * 2**attempts))
            await uow.bookings.notice_failed(notice_id, retry_at, attempts >= max_attempts)
    return len(due) == batch

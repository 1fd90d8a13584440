"""Send what is owed to citizens who booked (reminders, freed places, cancellations,
tracking codes). Run by the notice poller; the store is not held while messages go out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from minyi.liaison.adapters.notifier import Notifier, NotifierError
from minyi.liaison.service_layer.ports import Uow
from minyi.platform.pii_vault import PiiDecryptionError, PiiVault

log = logging.getLogger(__name__)


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
        due = await uow.bookings.due_notices(uow.now(), batch)
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

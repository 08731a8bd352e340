"""The way out every channel shares: the replies queued on it, each handed to the
channel's own `deliver` (which marks it sending, sent or failed), looked at as soon as
a new one is written (`wake`) and at least every CHECK_EVERY_S for retries come due;
after a crash, first what was caught half-sent (ChannelStore.recover_deliveries)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from cs_tui.domain.channels import GIVE_UP_AFTER, DeliveryState, Outgoing, retry_delay
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import ChannelStore

log = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0
"""How often the queue is looked at without being woken (retries come due)."""
BATCH = 20
"""Replies taken from the queue at a time."""


async def deliver_queued(
    store: ChannelStore, channel: str, deliver: Callable[[Outgoing], Awaitable[None]], wake: asyncio.Event
) -> None:
    """Delivers the channel's queued replies until cancelled."""
    found = await store.recover_deliveries(channel)
    if found:
        log.warning("%s: %d replies were being sent when cs-tui stopped", channel, found)
    while True:
        wake.clear()  # before looking, so that a reply written meanwhile wakes the next look
        due = await store.due_deliveries(channel, limit=BATCH)
        for outgoing in due:
            await deliver(outgoing)
        if len(due) < BATCH:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), CHECK_EVERY_S)


async def try_later(store: ChannelStore, outgoing: Outgoing, reason: str) -> None:
    """A failure that may pass: the reply is tried again after retry_delay, or given up
    on after GIVE_UP_AFTER, saying why."""
    now = utcnow()
    started = outgoing.first_try_at or now
    if now - started >= GIVE_UP_AFTER:
        await store.finish_delivery(
            outgoing.message_id,
            DeliveryState.FAILED,
            reason=f"not sent after trying for {GIVE_UP_AFTER.days} days: {reason}",
        )
        return
    retry_at = now + retry_delay(outgoing.delivery.attempts + 1)
    await store.finish_delivery(
        outgoing.message_id,
        DeliveryState.QUEUED,
        reason=f"{reason}; trying again at {retry_at.astimezone():%H:%M}",
        retry_at=retry_at,
    )

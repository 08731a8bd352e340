"""Who wakes snoozed tickets: whatever process uses a local store (`cs-tui serve`
for its clients, the TUI on a store file) asks it every domain.snooze.WAKE_EVERY_S
to wake the tickets whose time came. Several processes asking at once is safe: the
store wakes each ticket once (Store.wake_snoozed). A client of a served store leaves
it to the server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from cs_tui.domain.snooze import WAKE_EVERY_S
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import Store, StoreError, channel_store

log = logging.getLogger(__name__)


def wakes_here(store: Store) -> bool:
    """Whether the process using `store` wakes its snoozed tickets: yes for a local
    store, no for a served one (HttpStore, or the TUI's outbox around one), whose
    server wakes them."""
    return channel_store(store) is not None


async def keep_waking(
    store: Store, *, every: float = WAKE_EVERY_S, clock: Callable[[], datetime] = utcnow
) -> None:
    """Wake the snoozed tickets whose time came by `clock()`, at once and then every
    `every` seconds, until cancelled. A failure is logged and the next round tries
    again; nothing is raised. Returns at once for a store whose server wakes them
    (wakes_here)."""
    if not wakes_here(store):
        log.debug("snoozed tickets are woken by the server")
        return
    while True:
        try:
            woke = await store.wake_snoozed(clock())
        except StoreError as error:
            log.warning("snoozed tickets not woken this time: %s", error)
        except Exception:
            log.exception("snoozed tickets not woken this time")
        else:
            if woke:
                log.info("snooze ended for %s", ", ".join(f"#{ticket.id}" for ticket in woke))
        await asyncio.sleep(every)

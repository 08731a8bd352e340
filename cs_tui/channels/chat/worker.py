"""A website chat's way out: an agent's reply goes to the visitor when its undo window
ends, by the visitor's own event stream (cs_tui.server.public.chat), which shows a
reply once it is sent. This worker marks it so, one at a time, never twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from cs_tui.domain.channels import ChannelInfo, DeliveryState
from cs_tui.store.base import ChannelStore

Report = Callable[[str, bool], None]
IDLE_S = 5.0
"""Looked at this often even when nothing woke it (a reply whose undo window ended)."""


async def work_chat(store: ChannelStore, info: ChannelInfo, *, wake: asyncio.Event, report: Report) -> None:
    """Sends the chat's replies until cancelled."""
    await store.recover_deliveries(info.name)
    report("answering visitors on the website", True)
    while True:
        wake.clear()
        for outgoing in await store.due_deliveries(info.name, limit=100):
            if not await store.begin_delivery(outgoing.message_id, f"chat.{outgoing.message_id}"):
                continue
            await store.handing_over(outgoing.message_id)
            await store.finish_delivery(outgoing.message_id, DeliveryState.SENT)
        due = await store.due_deliveries(info.name, limit=1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), 0.2 if due else IDLE_S)

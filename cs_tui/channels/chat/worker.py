"""A website chat's way out: an agent's reply goes to the visitor when its undo window
ends, by the visitor's own event stream (cs_tui.server.public.chat), which shows a
reply once it is sent. This worker marks it so, one at a time, never twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cs_tui.channels.queued import deliver_queued
from cs_tui.domain.channels import ChannelInfo, DeliveryState, Outgoing
from cs_tui.store.base import ChannelStore

Report = Callable[[str, bool], None]


async def work_chat(store: ChannelStore, info: ChannelInfo, *, wake: asyncio.Event, report: Report) -> None:
    """Sends the chat's replies until cancelled."""
    report("answering visitors on the website", True)

    async def deliver(outgoing: Outgoing) -> None:
        if await store.begin_delivery(outgoing.message_id, f"chat.{outgoing.message_id}"):
            await store.handing_over(outgoing.message_id)
            await store.finish_delivery(outgoing.message_id, DeliveryState.SENT)

    await deliver_queued(store, info.name, deliver, wake)

"""A web form's worker: nothing to fetch and nothing to send (its posts come to
`cs-tui serve` and its answers go by its mailbox), so it only says so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cs_tui.domain.channels import ChannelInfo
from cs_tui.store.base import ChannelStore

Report = Callable[[str, bool], None]


async def work_form(store: ChannelStore, info: ChannelInfo, *, wake: asyncio.Event, report: Report) -> None:
    """Says where the form takes posts, until cancelled."""
    mailbox = info.settings.get("mailbox", "")
    report(f"taking posts at /public/v1/forms/{info.name}; answered by the mailbox {mailbox}", True)
    await asyncio.Event().wait()

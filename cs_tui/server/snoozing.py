"""Snoozed tickets over HTTP: waking those whose time came. (A snooze itself is a
change of the ticket: `PATCH /tickets/ID` with `snoozed_until`.)"""

from __future__ import annotations

from fastapi import APIRouter

from cs_tui.domain.models import Ticket
from cs_tui.server.auth import Admin
from cs_tui.server.bodies import WakeAt
from cs_tui.server.tickets import Stored

router = APIRouter(tags=["tickets"])


@router.post("/tickets/wake")
async def wake_snoozed(when: WakeAt, store: Stored, agent: Admin) -> list[Ticket]:
    """Wake the snoozed tickets whose time came, now rather than at the server's next
    round (it wakes them every 30 s by itself): each opens again with a system
    message and a `ticket.woke` event. The tickets woken."""
    return await store.wake_snoozed(when.now)

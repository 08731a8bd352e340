"""Waking snoozed tickets over HTTP: HttpStore's wake_snoozed.

`cs-tui serve` wakes its store's snoozed tickets itself, every
domain.snooze.WAKE_EVERY_S: its clients have nothing to do for it, and the TUI on a
served store does not ask (cs_tui.snoozing.wakes_here). The request is there for
admins and scripts that want it done now (`POST /tickets/wake`, admins only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter

from cs_tui.domain.models import Ticket
from cs_tui.domain.timeutil import to_iso
from cs_tui.store.http.client import Client

_tickets = TypeAdapter(list[Ticket])


class _Calling(Protocol):
    _client: Client


class SnoozeWaking:
    """`POST /tickets/wake`, for HttpStore."""

    async def wake_snoozed(self: _Calling, now: datetime | None = None) -> list[Ticket]:
        """The server wakes the tickets whose time came by `now` (default: the
        server's clock); an admin's token only."""
        body: dict[str, Any] = {"now": to_iso(now) if now is not None else None}
        answer = await self._client.call("POST", "/tickets/wake", json=body, idempotent=True)
        return _tickets.validate_python(answer.json())

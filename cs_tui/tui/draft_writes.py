"""The open ticket pane's writes of drafts, one at a time, in the order they are made."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class DraftWrites:
    """Draft saves and deletions, made one at a time in the order asked. Over a slow
    link (a team server) a save sent at one pause in typing can reach the store after
    the save of the next, or after the draft was deleted as its reply went: the store
    would keep older text, and a sent reply would come back as a draft. A save of
    typing still waiting its turn when a newer one for its ticket is asked is left
    out: the newer holds all its text."""

    def __init__(self) -> None:
        self._turn = asyncio.Lock()  # its waiters go in the order they came
        self._newest: dict[int, int] = {}
        """The number of the newest write asked for each ticket with one waiting."""
        self._asked = 0

    @asynccontextmanager
    async def turn(self, ticket_id: int) -> AsyncIterator[bool]:
        """Wait for the writes asked before this one; yields whether this is still
        the newest asked for its ticket."""
        self._asked += 1
        number = self._newest[ticket_id] = self._asked
        try:
            async with self._turn:
                yield self._newest.get(ticket_id) == number
        finally:
            if self._newest.get(ticket_id) == number:
                del self._newest[ticket_id]

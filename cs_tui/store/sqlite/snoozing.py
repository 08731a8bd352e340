"""Waking snoozed tickets in the SQLite store; the rules are cs_tui.domain.snooze's.

Each batch is one write transaction (BEGIN IMMEDIATE, so one writer at a time across
processes) that reads the tickets whose time came and wakes them: however many
processes ask at once, a ticket wakes once, with one system message and one event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from cs_tui.domain.models import AuthorKind, EventKind, NewMessage, Ticket
from cs_tui.domain.snooze import WOKE_NOTE, woken
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.sqlite import rows, writes
from cs_tui.store.sqlite.core import SqliteCore

WAKE_BATCH = 200
"""Tickets woken in one transaction at most, so that other writers wait little."""


class SnoozingStore(SqliteCore):
    async def wake_snoozed(self, now: datetime | None = None) -> list[Ticket]:
        """Every pending ticket whose snooze ended at or before `now` (default: the
        current time) back open, its snooze cleared, with a system message saying so
        and a TICKET_WOKE event; the tickets woken, as they are now."""
        now = now or utcnow()
        woke: list[int] = []
        while True:
            batch = await self._wake_batch(now)
            woke.extend(batch)
            if len(batch) < WAKE_BATCH:
                break
        if not woke:
            return []
        marks = ",".join("?" * len(woke))
        found = await self._fetchall(
            f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM} WHERE t.id IN ({marks}) ORDER BY t.id",
            woke,
        )
        return [rows.ticket(row) for row in found]

    async def _wake_batch(self, now: datetime) -> list[int]:
        async with self._transaction():
            db = self._writer
            due = [
                rows.ticket(row)
                for row in await db.execute_fetchall(
                    f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM}"
                    " WHERE t.snoozed_until IS NOT NULL AND t.snoozed_until <= ? AND t.status = 'pending'"
                    " ORDER BY t.snoozed_until, t.id LIMIT ?",
                    (to_micros(now), WAKE_BATCH),
                )
            ]
            for ticket in due:
                await self._wake(ticket, now)
            return [ticket.id for ticket in due]

    async def _wake(self, ticket: Ticket, now: datetime) -> None:
        """Inside the caller's transaction."""
        after = woken(self.sla, ticket, now)
        await self._writer.execute(
            "UPDATE tickets SET status = ?, active = ?, solved_at = ?, sla_due_at = ?, sla_paused_us = ?,"
            " sla_paused_since = ?, snoozed_until = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            (
                after.status.value,
                int(after.status.is_active),
                writes.micros(after.solved_at),
                writes.micros(after.sla_due_at),
                writes.span_micros(after.sla_paused_for),
                writes.micros(after.sla_paused_since),
                writes.micros(after.snoozed_until),
                to_micros(now),
                ticket.id,
            ),
        )
        note = NewMessage(str(uuid.uuid4()), WOKE_NOTE, AuthorKind.SYSTEM)
        await writes.append_message(self._writer, self.sla, ticket.id, note, actor_id=None, now=now)
        await self._event(EventKind.TICKET_WOKE, ticket.id, None)

"""Merging and splitting tickets in the SQLite store; the rules are
cs_tui.domain.merging's.

Messages move between tickets with their files, delivery states and what a channel
took in, all of which name the message. A message's entry in search_fts is numbered
by its place in its ticket (schema migration 6), and a new message's entry by counting
its ticket's messages: so the entries of both tickets are taken out at their old
places and put in again at their new ones, in the order of the messages' ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from cs_tui.domain.merging import (
    SplitPlan,
    TicketMerge,
    TicketSplit,
    merged_in_note,
    merged_note,
    plan_merge,
    plan_split,
    renumbered,
    split_from_note,
    split_into_note,
)
from cs_tui.domain.models import AuthorKind, EventKind, Message, NewMessage, Ticket
from cs_tui.domain.rules import Progress
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import Conflict, NotFound, invalid_input
from cs_tui.store.sqlite import rows, writes
from cs_tui.store.sqlite.core import SqliteCore

_PLACES = 1 << 24
"""A ticket's entries in search_fts are numbered from its id times this (see above)."""


class MergingStore(SqliteCore):
    async def merge_tickets(
        self,
        merged_id: int,
        into_id: int,
        *,
        expected_version: int,
        into_expected_version: int,
        actor_id: int | None,
    ) -> TicketMerge:
        now = utcnow()
        async with self._transaction():
            db = self._writer
            merged = await _ticket(db, merged_id)
            into = await _ticket(db, into_id)
            _expect(merged, expected_version)
            _expect(into, into_expected_version)
            moving = await _messages(db, merged_id)
            with invalid_input():
                plan = plan_merge(self.sla, merged, into, moving, at=now)
            kept = await _entries(db, into_id)
            if self.ENTRIES_BY_PLACE:
                await _unindex(db, into_id, kept)
                await _unindex(db, merged_id, await _entries(db, merged_id))
            if merged.customer.id != into.customer.id:
                # Their words stay theirs: a customer message names its ticket's customer
                # unless it says who wrote it (rows.MESSAGE_COLUMNS).
                await db.execute(
                    "UPDATE messages SET from_name = coalesce(from_name, ?),"
                    " from_email = coalesce(from_email, ?) WHERE ticket_id = ? AND author_kind = 'customer'",
                    (merged.customer.name, merged.customer.email, merged_id),
                )
            await db.execute("UPDATE messages SET ticket_id = ? WHERE ticket_id = ?", (into_id, merged_id))
            times = await db.execute_fetchall(
                "SELECT id, created_at FROM messages WHERE ticket_id = ?", (into_id,)
            )
            new_ids = await _renumber(
                db, renumbered((row[0], from_micros(row[1])) for row in times), self.DEFER_REFERENCES
            )
            await _move_reads(db, into_id, [entry[0] for entry in kept], new_ids)
            if self.ENTRIES_BY_PLACE:
                await _index(db, into_id)
            await _write_progress(db, into_id, plan.into, now, cc=plan.cc)
            await _write_progress(db, merged_id, plan.merged, now, merged_into=into_id)
            await db.executemany(
                "INSERT INTO ticket_tags(ticket_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(into_id, tag) for tag in plan.added_tags],
            )
            await self._note(merged_id, merged_note(into_id), now)
            await self._note(into_id, merged_in_note(merged_id), now)
            await self._event(EventKind.TICKET_MERGED, merged_id, actor_id)
            await self._event(EventKind.TICKET_MERGED, into_id, actor_id)
            return TicketMerge(
                ticket=await _ticket(db, into_id),
                merged=await _ticket(db, merged_id),
                moved_messages=len(moving),
                added_tags=plan.added_tags,
                added_cc=plan.added_cc,
            )

    async def split_ticket(
        self,
        ticket_id: int,
        message_id: int,
        *,
        and_after: bool = False,
        subject: str | None = None,
        expected_version: int,
        actor_id: int | None,
    ) -> TicketSplit:
        now = utcnow()
        async with self._transaction():
            db = self._writer
            ticket = await _ticket(db, ticket_id)
            _expect(ticket, expected_version)
            messages = await _messages(db, ticket_id)
            with invalid_input():
                plan = plan_split(
                    self.sla, ticket, messages, message_id, and_after=and_after, subject=subject, at=now
                )
            if self.ENTRIES_BY_PLACE:
                await _unindex(db, ticket_id, await _entries(db, ticket_id))
            split_id = await _insert_split(db, ticket, plan, now)
            await db.executemany(
                "UPDATE messages SET ticket_id = ? WHERE id = ?", [(split_id, m.id) for m in plan.moved]
            )
            # What an agent had read of the ticket, they have read of the messages that moved.
            await db.execute(
                "INSERT INTO ticket_reads(agent_id, ticket_id, message_id)"
                " SELECT agent_id, ?, message_id FROM ticket_reads WHERE ticket_id = ?",
                (split_id, ticket_id),
            )
            if self.ENTRIES_BY_PLACE:
                await _index(db, ticket_id)
                await _index(db, split_id)
            await _write_progress(db, ticket_id, plan.ticket, now)
            await self._note(ticket_id, split_into_note(split_id), now)
            await self._note(split_id, split_from_note(ticket_id), now)
            await self._event(EventKind.TICKET_SPLIT, ticket_id, actor_id)
            await self._event(EventKind.TICKET_SPLIT, split_id, actor_id)
            return TicketSplit(
                ticket=await _ticket(db, ticket_id),
                split=await _ticket(db, split_id),
                moved_messages=len(plan.moved),
            )

    async def _note(self, ticket_id: int, text: str, now: datetime) -> None:
        """The helpdesk's own note on the ticket, saying what happened to it."""
        note = NewMessage(str(uuid.uuid4()), text, AuthorKind.SYSTEM)
        await writes.append_message(self._writer, self.sla, ticket_id, note, actor_id=None, now=now)


def _expect(ticket: Ticket, version: int) -> None:
    if ticket.version != version:
        raise Conflict(
            f"ticket #{ticket.id} changed since you loaded it (you saw version {version}, it is now "
            f"{ticket.version}): look at the change and try again",
            ticket,
        )


async def _ticket(db: aiosqlite.Connection, ticket_id: int) -> Ticket:
    found = list(
        await db.execute_fetchall(
            f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM} WHERE t.id = ?", (ticket_id,)
        )
    )
    if not found:
        raise NotFound(f"there is no ticket #{ticket_id}")
    return rows.ticket(found[0])


async def _messages(db: aiosqlite.Connection, ticket_id: int) -> list[Message]:
    found = await db.execute_fetchall(
        f"SELECT {rows.MESSAGE_COLUMNS} FROM {rows.MESSAGE_FROM} WHERE m.ticket_id = ? ORDER BY m.id",
        (ticket_id,),
    )
    return [rows.message(row) for row in found]


async def _entries(db: aiosqlite.Connection, ticket_id: int) -> list[tuple[int, str]]:
    """The ticket's messages as search_fts has them: (id, body), in id order."""
    found = await db.execute_fetchall(
        "SELECT id, body FROM messages WHERE ticket_id = ? ORDER BY id", (ticket_id,)
    )
    return [(int(row[0]), str(row[1])) for row in found]


async def _unindex(db: aiosqlite.Connection, ticket_id: int, entries: Sequence[tuple[int, str]]) -> None:
    """Takes the ticket's message entries out of search_fts, as they were numbered."""
    await db.executemany(
        "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', ?, ?)",
        [(ticket_id * _PLACES + place, body) for place, (_, body) in enumerate(entries, 1)],
    )


async def _index(db: aiosqlite.Connection, ticket_id: int) -> None:
    """Puts the ticket's message entries in search_fts, numbered by place."""
    await db.executemany(
        "INSERT INTO search_fts(rowid, text) VALUES (?, ?)",
        [
            (ticket_id * _PLACES + place, body)
            for place, (_, body) in enumerate(await _entries(db, ticket_id), 1)
        ],
    )


async def _renumber(db: aiosqlite.Connection, ids: Sequence[int], defer_references: str) -> dict[int, int]:
    """Gives the messages `ids` new ids, in this order, above every id there is, with
    what names them (files, deliveries, what a channel took in); old id to new.
    `defer_references`: the statement that has references checked at commit."""
    if not ids:
        return {}
    [(top,)] = await db.execute_fetchall("SELECT max(id) FROM messages")
    moves = [(int(top) + place, old) for place, old in enumerate(ids, 1)]
    # Checked at commit, when every reference names the new id.
    await db.execute(defer_references)
    await db.executemany("UPDATE messages SET id = ? WHERE id = ?", moves)
    for table in ("attachments", "deliveries", "taken_in"):
        await db.executemany(f"UPDATE {table} SET message_id = ? WHERE message_id = ?", moves)
    return {old: new for new, old in moves}


async def _move_reads(
    db: aiosqlite.Connection, ticket_id: int, old_ids: Iterable[int], new_ids: dict[int, int]
) -> None:
    """An agent who had read the ticket up to a message has read it up to that message
    still, under its new id. (A mark is a place in the conversation: a message that
    joined it before that place counts as read, one after it as not.)"""
    if not new_ids:
        return
    old = sorted(old_ids)
    marks = await db.execute_fetchall(
        "SELECT agent_id, message_id FROM ticket_reads WHERE ticket_id = ?", (ticket_id,)
    )
    changes = []
    for agent_id, mark in marks:
        read = [new_ids.get(message_id, message_id) for message_id in old if message_id <= mark]
        if read and max(read) != mark:
            changes.append((max(read), agent_id, ticket_id))
    await db.executemany(
        "UPDATE ticket_reads SET message_id = ? WHERE agent_id = ? AND ticket_id = ?", changes
    )


async def _write_progress(
    db: aiosqlite.Connection,
    ticket_id: int,
    after: Progress,
    now: datetime,
    *,
    cc: Sequence[str] | None = None,
    merged_into: int | None = None,
) -> None:
    """The ticket's status, clocks and count of messages as they are after a merge or
    a split; its Cc when given; the ticket it was merged into when it was."""
    first_response_us = writes.micros(after.first_response_at)
    await db.execute(
        "UPDATE tickets SET status = ?, active = ?, first_response_at = ?, frt_us = ? - created_at,"
        " solved_at = ?, sla_due_at = ?, sla_paused_us = ?, sla_paused_since = ?, snoozed_until = ?,"
        " cc = coalesce(?, cc),"
        " merged_into = coalesce(?, merged_into),"
        " message_count = (SELECT count(*) FROM messages WHERE ticket_id = tickets.id),"
        " updated_at = ?, version = version + 1 WHERE id = ?",
        (
            after.status.value,
            int(after.status.is_active),
            first_response_us,
            first_response_us,
            writes.micros(after.solved_at),
            writes.micros(after.sla_due_at),
            writes.span_micros(after.sla_paused_for),
            writes.micros(after.sla_paused_since),
            writes.micros(after.snoozed_until),
            None if cc is None else " ".join(cc),
            merged_into,
            to_micros(now),
            ticket_id,
        ),
    )


async def _insert_split(db: aiosqlite.Connection, ticket: Ticket, plan: SplitPlan, now: datetime) -> int:
    """The new ticket of a split, without its messages yet; its id."""
    state = plan.split
    first_response_us = writes.micros(state.first_response_at)
    created = await db.execute_fetchall(
        "INSERT INTO tickets(ref, subject, status, active, priority, priority_rank, channel, customer_id,"
        " assignee_id, created_at, updated_at, first_response_at, frt_us, solved_at, sla_due_at,"
        " sla_paused_us, sla_paused_since, message_count, channel_name, cc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            str(uuid.uuid4()),
            plan.subject,
            state.status.value,
            int(state.status.is_active),
            state.priority.value,
            state.priority.rank,
            ticket.channel.value,
            ticket.customer.id,
            ticket.assignee.id if ticket.assignee else None,
            to_micros(state.created_at),
            to_micros(now),
            first_response_us,
            None if first_response_us is None else first_response_us - to_micros(state.created_at),
            writes.micros(state.solved_at),
            writes.micros(state.sla_due_at),
            writes.span_micros(state.sla_paused_for),
            writes.micros(state.sla_paused_since),
            len(plan.moved),
            ticket.channel_name,
            " ".join(ticket.cc),
        ),
    )
    return int(next(iter(created))[0])

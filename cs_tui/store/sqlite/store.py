"""SqliteStore: the embedded store, one file shared safely by several processes."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import (
    UNSET,
    Csat,
    Event,
    EventKind,
    Message,
    MessagePage,
    NewMessage,
    NewTicket,
    Ticket,
    TicketChanges,
    TicketPage,
)
from cs_tui.domain.query import Query, Sort
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.rules import (
    Progress,
    after_change,
    checked_changes,
    checked_message,
    checked_rating,
    checked_ticket,
    snooze_after_change,
    tags_after,
)
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import Conflict, ImportReport, InvalidInput, NotFound, invalid_input
from cs_tui.store.sqlite import bulk, rows, writes
from cs_tui.store.sqlite.channels import ChannelsStore
from cs_tui.store.sqlite.chats import ChatsStore
from cs_tui.store.sqlite.counting import CountingStore, spelled_throughout
from cs_tui.store.sqlite.customers import CustomersStore
from cs_tui.store.sqlite.directory import DirectoryStore
from cs_tui.store.sqlite.inbox import InboxStore
from cs_tui.store.sqlite.merging import MergingStore
from cs_tui.store.sqlite.metrics_sql import read_metrics
from cs_tui.store.sqlite.search import (
    compile_query,
    counted_total,
    cursor_after,
    first_page_counted_sql,
    may_match_many,
    page_sql,
)
from cs_tui.store.sqlite.snoozing import SnoozingStore

MAX_PAGE = 500
HOUR_US = 3_600_000_000
EVENT_POLL_S = 0.1


OPTIMIZE_AFTER = 10_000
"""Imports of at least this many tickets in all, half the store's or more, leave the
full-text index in one segment ('optimize'): they wrote one a batch, and a search
seeks in each (a common word's first page at 100,000 tickets took half as long
again). About 1 s at 100,000 tickets, 8 s at a million; an import in parts that
doubles the store each time costs twice the last one in all."""


class SqliteStore(
    ChannelsStore,
    ChatsStore,
    InboxStore,
    DirectoryStore,
    CustomersStore,
    MergingStore,
    SnoozingStore,
    CountingStore,
):
    """A store in one SQLite file. Open with `await SqliteStore.open(path)`."""

    # Tickets

    async def list_tickets(
        self,
        query: Query | None = None,
        *,
        viewer_id: int | None = None,
        sort: Sort = Sort.UPDATED,
        after: str | None = None,
        limit: int = 50,
        with_total: bool = True,
    ) -> TicketPage:
        limit = max(1, min(limit, MAX_PAGE))
        terms = await self._spelled(query)
        if query is not None and spelled_throughout(query, terms):
            found, counted = await self._search_rows(
                query, terms, viewer_id=viewer_id, sort=sort, after=after, limit=limit
            )
            if not with_total:
                return self._page(found, -1, sort, limit)
            return self._page(found, counted.value, sort, limit, estimated=not counted.exact)
        now_us = to_micros(utcnow())
        if with_total and after is None and await self._search_within_few(query, viewer_id):
            where = compile_query(query, viewer_id=viewer_id, now_us=now_us, terms=terms)
            sql, params = first_page_counted_sql(where, sort)
            found = await self._fetchall(sql, [*params, limit + 1])
            return self._page(found, counted_total(found, sort), sort, limit)
        total = await self._exact_count(query, viewer_id, terms) if with_total else -1
        common = may_match_many(query) and await self._matches_are_common(query, total, viewer_id)
        where = compile_query(query, viewer_id=viewer_id, now_us=now_us, common=common, terms=terms)
        sql, params = page_sql(where, sort, after)
        found = await self._fetchall(sql, [*params, limit + 1])
        return self._page(found, total, sort, limit)

    @staticmethod
    def _page(found: list[Any], total: int, sort: Sort, limit: int, *, estimated: bool = False) -> TicketPage:
        tickets = tuple(rows.ticket(row) for row in found[:limit])
        next_cursor = cursor_after(found[limit - 1], sort) if len(found) > limit else None
        return TicketPage(tickets, total, next_cursor, total_is_estimate=estimated)

    async def _matches_are_common(self, query: Query | None, total: int, viewer_id: int | None) -> bool:
        """Whether the query's matches are at least 1% of all tickets (see compile_query)."""
        if total < 0:
            total = await self.count_tickets(query, viewer_id=viewer_id)
        return total * 100 >= await self._ticket_total()

    async def get_ticket(self, ticket_id: int) -> Ticket:
        async with self._readers.one() as reader:
            return await self._get_ticket(reader, ticket_id)

    async def _get_ticket(self, via: aiosqlite.Connection, ticket_id: int) -> Ticket:
        found = list(
            await via.execute_fetchall(
                f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM} WHERE t.id = ?", (ticket_id,)
            )
        )
        if not found:
            raise NotFound(f"there is no ticket #{ticket_id}")
        return rows.ticket(found[0])

    async def get_messages(
        self, ticket_id: int, *, before: int | None = None, limit: int = 100
    ) -> MessagePage:
        limit = max(1, min(limit, MAX_PAGE))
        found = await self._fetchall(
            f"SELECT {rows.MESSAGE_COLUMNS} FROM {rows.MESSAGE_FROM}"
            " WHERE m.ticket_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?",
            (ticket_id, before if before is not None else 2**63 - 1, limit + 1),
        )
        if not found:
            await self.get_ticket(ticket_id)  # NotFound for a ticket that is not there
        messages = tuple(rows.message(row) for row in reversed(found[:limit]))
        return MessagePage(messages, has_earlier=len(found) > limit)

    async def create_ticket(self, new: NewTicket, *, actor_id: int | None) -> Ticket:
        with invalid_input():
            new = checked_ticket(new)
        ref = new.client_id or str(uuid.uuid4())
        now = utcnow()
        async with self._transaction() as db:
            existing = await db.fetchone("SELECT id FROM tickets WHERE ref = ?", (ref,))
            if existing is not None:
                return await self._get_ticket(self._writer, existing[0])
            ticket_id, _ = await writes.insert_ticket(self._writer, self.sla, new, ref=ref, now=now)
            await self._event(EventKind.TICKET_CREATED, ticket_id, actor_id)
            return await self._get_ticket(self._writer, ticket_id)

    async def add_message(self, ticket_id: int, new: NewMessage, *, actor_id: int | None) -> Message:
        with invalid_input():
            new = checked_message(new, actor_id=actor_id)
        async with self._transaction() as db:
            row = await db.fetchone(
                "SELECT (SELECT id FROM messages WHERE client_id = ?),"
                " (SELECT ticket_id FROM messages WHERE client_id = ?)",
                (new.client_id, new.client_id),
            )
            existing, owner = row
            if existing is not None:
                if owner != ticket_id:
                    raise InvalidInput(f"message {new.client_id} belongs to ticket #{owner}")
                return await self._get_message(self._writer, existing)
            message_id = await writes.append_message(
                self._writer, self.sla, ticket_id, new, actor_id=actor_id, now=utcnow()
            )
            await self._event(EventKind.MESSAGE_ADDED, ticket_id, actor_id)
            return await self._get_message(self._writer, message_id)

    async def _get_message(self, via: aiosqlite.Connection, message_id: int) -> Message:
        found = list(
            await via.execute_fetchall(
                f"SELECT {rows.MESSAGE_COLUMNS} FROM {rows.MESSAGE_FROM} WHERE m.id = ?",
                (message_id,),
            )
        )
        return rows.message(found[0])

    async def update_ticket(
        self, ticket_id: int, changes: TicketChanges, *, expected_version: int, actor_id: int | None
    ) -> Ticket:
        async with self._transaction() as db:
            current = await self._get_ticket(self._writer, ticket_id)
            if current.version != expected_version:
                raise Conflict(
                    f"ticket #{ticket_id} changed since you loaded it (you saw version "
                    f"{expected_version}, it is now {current.version}): look at the change "
                    "and try again",
                    current,
                )
            with invalid_input():
                changes = checked_changes(changes)
                tags_after(current.tags, changes)
            if changes.is_empty:
                return current
            now = utcnow()
            assignee_id = (
                (current.assignee.id if current.assignee else None)
                if changes.assignee_id is UNSET
                else changes.assignee_id
            )
            if assignee_id is not None:
                agent = await db.fetchone("SELECT active FROM agents WHERE id = ?", (assignee_id,))
                if agent is None:
                    raise InvalidInput(f"there is no agent {assignee_id} to assign")
            with invalid_input():
                status, snoozed_until = snooze_after_change(current.status, changes, at=now)
            after = after_change(
                self.sla,
                _progress_of(current),
                status=status,
                priority=changes.priority or current.priority,
                at=now,
                snoozed_until=snoozed_until,
            )
            await self._writer.execute(
                "UPDATE tickets SET status = ?, active = ?, priority = ?, priority_rank = ?,"
                " assignee_id = ?, subject = ?, solved_at = ?, sla_due_at = ?, sla_paused_us = ?,"
                " sla_paused_since = ?, snoozed_until = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                (
                    after.status.value,
                    int(after.status.is_active),
                    after.priority.value,
                    after.priority.rank,
                    assignee_id,
                    changes.subject or current.subject,
                    writes.micros(after.solved_at),
                    writes.micros(after.sla_due_at),
                    writes.span_micros(after.sla_paused_for),
                    writes.micros(after.sla_paused_since),
                    writes.micros(after.snoozed_until),
                    to_micros(now),
                    ticket_id,
                ),
            )
            if changes.add_tags:
                await self._writer.executemany(
                    "INSERT INTO ticket_tags(ticket_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(ticket_id, t) for t in changes.add_tags],
                )
            if changes.remove_tags:
                await self._writer.executemany(
                    "DELETE FROM ticket_tags WHERE ticket_id = ? AND tag = ?",
                    [(ticket_id, t) for t in changes.remove_tags],
                )
            await self._event(EventKind.TICKET_UPDATED, ticket_id, actor_id)
            return await self._get_ticket(self._writer, ticket_id)

    async def rate_ticket(self, ticket_id: int, csat: Csat) -> Ticket:
        with invalid_input():
            csat = checked_rating(csat)
        async with self._transaction():
            cursor = await self._writer.execute(
                "UPDATE tickets SET csat_rating = ?, csat_comment = ?, csat_at = ?,"
                " version = version + 1 WHERE id = ?",
                (csat.rating, csat.comment, to_micros(csat.rated_at), ticket_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(f"there is no ticket #{ticket_id}")
            await self._event(EventKind.TICKET_UPDATED, ticket_id, None)
            return await self._get_ticket(self._writer, ticket_id)

    # Live updates

    async def last_event_id(self) -> int:
        row = await self._fetchone("SELECT coalesce(max(id), 0) FROM events")
        return int(row[0])

    async def events(self, since: int) -> AsyncIterator[Event]:
        last = since
        data_version = await self._data_version()
        while True:
            found = await self._fetchall(
                "SELECT id, kind, ticket_id, actor_id, at, customer_id FROM events WHERE id > ? ORDER BY id"
                " LIMIT 500",
                (last,),
            )
            for row in found:
                last = row[0]
                kind = EventKind.known(row[1])
                if kind is not None:  # else a newer cs-tui's, which this one has no use for
                    yield Event(row[0], kind, row[2], row[3], from_micros(row[4]), row[5])
            if len(found) == 500:
                continue
            # Sleep until this process writes or data_version says another one did.
            while True:
                self._wrote.clear()
                try:
                    await asyncio.wait_for(self._wrote.wait(), EVENT_POLL_S)
                    break
                except TimeoutError:
                    self.check_in_place()  # a store moved or deleted is said at once
                    current = await self._data_version()
                    if current != data_version:
                        data_version = current
                        break

    async def _data_version(self) -> int:
        # Counted per connection: always ask the same one.
        found = list(await self._readers.first.execute_fetchall("PRAGMA data_version"))
        return int(found[0][0])

    # Metrics

    async def metrics(
        self, window: Window, *, viewer_id: int | None = None, now: datetime | None = None
    ) -> Metrics:
        async with self._readers.one() as reader:
            return await read_metrics(reader, window, viewer_id=viewer_id, now=now or utcnow())

    async def new_tickets_per_hour(self, since: datetime, until: datetime) -> list[int]:
        start, end = to_micros(since), to_micros(until)
        hours = max(0, -((start - end) // HOUR_US))
        # Merged tickets count in no figure: taken away, as a small index holds them.
        found = await self._fetchall(
            "SELECT (created_at - ?) / ? AS hour, count(*) FROM tickets"
            " WHERE created_at >= ? AND created_at < ? GROUP BY hour"
            " UNION ALL SELECT (created_at - ?) / ? AS hour, -count(*) FROM tickets INDEXED BY tickets_merged"
            " WHERE merged_into IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY hour",
            (start, HOUR_US, start, end) * 2,
        )
        counts = [0] * hours
        for hour, count in found:
            counts[hour] += count
        return counts

    # Import and export

    async def import_tickets(
        self, records: Iterable[tuple[int, TicketRecord]], *, actor_id: int | None = None
    ) -> ImportReport:
        report = ImportReport()
        reader = bulk.Reader(bulk.batches(records, bulk.BATCH_SIZE))
        writes = bulk.Writes(reader)
        async for batch in reader:
            # With foreign keys on, every inserted row runs as a statement transaction
            # and FTS5 writes an index segment at each one, which makes a large import
            # slower with every ticket already stored. The batch resolves its agents
            # and customers itself, so nothing is lost by not checking them again.
            try:
                async with self._transaction(check_references=False):
                    stored = await bulk.import_batch(self._writer, batch, self.sla, actor_id, writes=writes)
            except sqlite3.Error:
                async with self._transaction(check_references=False):
                    stored = await bulk.import_batch(
                        self._writer, batch, self.sla, actor_id, one_by_one=True, writes=writes
                    )
            report.merge(stored)
        # Counted over imports, as `cs-tui migrate` and the team server import in parts.
        self._imported_unmerged += report.imported
        unmerged = self._imported_unmerged
        if unmerged >= OPTIMIZE_AFTER and unmerged * 2 >= await self._ticket_total():
            async with self._transaction():
                # customer_fts is small, and written a row at a time: left to itself.
                await self._writer.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            self._imported_unmerged = 0
        return report

    async def _ticket_total(self) -> int:
        row = await self._fetchone("SELECT coalesce(sum(n), 0) FROM ticket_counts")
        return int(row[0])

    async def export_tickets(self) -> AsyncIterator[TicketRecord]:
        async with self._readers.one() as reader:
            async for record in bulk.export(reader):
                yield record


def _progress_of(ticket: Ticket) -> Progress:
    return Progress(
        ticket.status,
        ticket.priority,
        ticket.created_at,
        ticket.first_response_at,
        ticket.solved_at,
        ticket.sla_due_at,
        ticket.sla_paused_for,
        ticket.sla_paused_since,
        ticket.snoozed_until,
    )

"""Import on PostgreSQL: the batches SQLite's import builds (cs_tui.store.sqlite.bulk),
each table's rows written by one COPY, so the schema's triggers run once a batch."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, cast

import aiosqlite

from cs_tui.domain.models import AuthorKind
from cs_tui.domain.records import TicketRecord
from cs_tui.store.base import ImportReport
from cs_tui.store.postgres.connection import Connection, db_error, shared
from cs_tui.store.postgres.core import PgCore
from cs_tui.store.sqlite import bulk

BATCH_SIZE = 5000
"""Tickets a transaction: each writes one event, and a transaction may write at most
16,384 (schema_triggers.event_positioned)."""

TICKET_COLUMNS = (*bulk.NEW_TICKET_COLUMNS, "customer_at", "answered_at")
"""A ticket row's columns: bulk.Rows.tickets's, then the reply clocks."""

_CUSTOMER = AuthorKind.CUSTOMER.value
_AGENT = AuthorKind.AGENT.value


class CopyWrites(bulk.Writes):
    """A batch's rows as one statement a table."""

    async def customers(self, db: aiosqlite.Connection, people: list[tuple[str, str, int]]) -> None:
        if not people:
            return
        names, emails, times = zip(*people, strict=True)
        # `addresses` is given as the trigger that follows would make it (the email,
        # the new customer's only identity), so that it does not write each again.
        await _run(
            _raw(db).execute(
                "INSERT INTO customers(name, email, created_at, addresses)"
                " SELECT name, email, at, email FROM unnest($1::text[], $2::text[], $3::bigint[])"
                " AS new(name, email, at)",
                names,
                emails,
                times,
            )
        )

    async def rows(self, db: aiosqlite.Connection, built: bulk.Rows) -> None:
        self.read_next()
        raw = _raw(db)
        clocks = reply_clocks(built.messages)
        tickets = [(*row, *clocks.get(row[0], (None, None))) for row in built.tickets]
        await _run(raw.copy_records_to_table("tickets", records=tickets, columns=TICKET_COLUMNS))
        await _run(raw.copy_records_to_table("ticket_tags", records=built.tags, columns=("ticket_id", "tag")))
        await _run(
            raw.copy_records_to_table("messages", records=built.messages, columns=bulk.NEW_MESSAGE_COLUMNS)
        )
        await _run(raw.copy_records_to_table("events", records=built.events, columns=bulk.NEW_EVENT_COLUMNS))


def reply_clocks(messages: Iterable[tuple[Any, ...]]) -> dict[int, tuple[int | None, int | None]]:
    """Each ticket's customer_at and answered_at as the messages' trigger
    (schema_triggers.reply_clocks_moved) would set them: when the customer last wrote,
    and when the team last answered in public, an auto-reply counting as neither.
    Given with the ticket, they spare a second write of every ticket."""
    clocks: dict[int, tuple[int | None, int | None]] = {}
    for _, _, ticket_id, author_kind, _, _, internal, auto, created_at in messages:
        if auto:
            continue
        customer_at, answered_at = clocks.get(ticket_id, (None, None))
        if author_kind == _CUSTOMER and (customer_at is None or created_at > customer_at):
            customer_at = created_at
        elif author_kind == _AGENT and not internal and (answered_at is None or created_at > answered_at):
            answered_at = created_at
        clocks[ticket_id] = (customer_at, answered_at)
    return clocks


class PostgresImport(PgCore):
    """import_tickets of PostgresStore."""

    async def import_tickets(
        self, records: Iterable[tuple[int, TicketRecord]], *, actor_id: int | None = None
    ) -> ImportReport:
        report = ImportReport()
        reader = bulk.Reader(bulk.batches(records, BATCH_SIZE))
        writes = CopyWrites(reader)
        async for batch in reader:
            try:
                async with self._transaction():
                    stored = await bulk.import_batch(
                        shared(self._writer), batch, self.sla, actor_id, writes=writes
                    )
            except sqlite3.Error:
                async with self._transaction():
                    stored = await bulk.import_batch(
                        shared(self._writer), batch, self.sla, actor_id, one_by_one=True, writes=writes
                    )
            report.merge(stored)
        return report


def _raw(db: aiosqlite.Connection) -> Any:
    return cast(Connection, db).raw


async def _run(statement: Any) -> None:
    """Await a statement, its errors as the DB-API's, which the import catches."""
    try:
        await statement
    except Exception as error:
        raise db_error(error) from error

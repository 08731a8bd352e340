"""Import and export in batches: a few statements per thousand tickets, not per row."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from cs_tui.domain.importing import Repeats, settled, ticket_key
from cs_tui.domain.models import AuthorKind, EventKind, SlaPolicy
from cs_tui.domain.records import MessageRecord, RecordError, TicketRecord, check
from cs_tui.domain.rules import RuleBroken, cleaned_record, imported, normalized_tags
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import ImportProblem, ImportReport
from cs_tui.store.sqlite import rows, writes

BATCH_SIZE = 2000
EXPORT_CHUNK = 500
KEPT_ID_MAX = 2**53 - 1
"""The largest ticket id an import keeps from its file: exact in every JSON reader,
and leaving the store room for numbers of its own after it."""

Numbered = tuple[int, TicketRecord]
Fresh = tuple[int, str, TicketRecord]
"""A line to store: its number, its ticket's ref, its ticket."""


Named = tuple[int, str, TicketRecord, list[str]]
"""A line to store unless its ticket is: its number, its ticket's ref, its ticket with
times that can be, and a note for each time moved."""


@dataclass(slots=True)
class Read:
    """What a batch's lines give without asking the store."""

    problems: list[ImportProblem]
    repeats: list[ImportProblem]
    """The lines that repeat an earlier one, each saying which."""
    named: list[Named]


class Batch(list[Numbered]):
    """Some lines of one import, with the tickets its earlier lines named, so that a
    line repeating one of them is said to, wherever the batches split the file."""

    def __init__(self, lines: Iterable[Numbered], repeats: Repeats) -> None:
        super().__init__(lines)
        self.repeats = repeats
        self._read: Read | None = None

    def read(self) -> Read:
        """The lines cleaned, checked and settled (cs_tui.domain.importing), once."""
        if self._read is None:
            self._read = _read(self, self.repeats)
        return self._read


def batches(records: Iterable[Numbered], size: int) -> Iterator[list[Numbered]]:
    iterator = iter(records)
    repeats = Repeats()
    while batch := list(itertools.islice(iterator, size)):
        yield Batch(batch, repeats)


class Reader:
    """An import's batches, each read (parsed or generated, then cleaned and checked:
    Batch.read) in a thread while the one before is written. The next is begun when
    this one's rows go to the store (Writes.rows), not before: the reading holds the
    GIL, and would slow the building of the rows, which the store waits for."""

    def __init__(self, batches: Iterator[list[Numbered]]) -> None:
        self._batches = batches
        self._next: asyncio.Future[list[Numbered] | None] | None = None

    def read_next(self) -> asyncio.Future[list[Numbered] | None]:
        if self._next is None:
            self._next = asyncio.ensure_future(asyncio.to_thread(_read_one, self._batches))
        return self._next

    async def __anext__(self) -> list[Numbered]:
        upcoming = self.read_next()
        self._next = None
        batch = await upcoming
        if batch is None:
            raise StopAsyncIteration
        return batch

    def __aiter__(self) -> Reader:
        return self


def _read_one(batches: Iterator[list[Numbered]]) -> list[Numbered] | None:
    batch = next(batches, None)
    if isinstance(batch, Batch):
        batch.read()
    return batch


@dataclass(slots=True)
class Rows:
    """A batch's new rows, in the order of the columns `Writes.rows` names."""

    tickets: list[tuple[Any, ...]]
    tags: list[tuple[int, str]]
    messages: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    ids_not_kept: list[ImportProblem]


class Writes:
    """How a batch's new rows are written: here a statement a row, which SQLite runs
    in-process for next to nothing. PostgreSQL's (cs_tui.store.postgres.bulk) writes
    a table's rows in one statement. Given the import's Reader, the next batch is read
    while these rows are written."""

    def __init__(self, reader: Reader | None = None) -> None:
        self._reader = reader

    def read_next(self) -> None:
        if self._reader is not None:
            self._reader.read_next()

    async def customers(self, db: aiosqlite.Connection, people: list[tuple[str, str, int]]) -> None:
        """New customers, each (name, email, created_at)."""
        await insert_all(db, "customers", ("name", "email", "created_at"), people)

    async def rows(self, db: aiosqlite.Connection, built: Rows) -> None:
        self.read_next()
        await insert_all(db, "tickets", NEW_TICKET_COLUMNS, built.tickets)
        await insert_all(db, "ticket_tags", ("ticket_id", "tag"), built.tags)
        await insert_all(db, "messages", NEW_MESSAGE_COLUMNS, built.messages)
        await insert_all(db, "events", NEW_EVENT_COLUMNS, built.events)


NEW_TICKET_COLUMNS = (
    "id", "ref", "subject", "status", "active", "priority", "priority_rank", "channel",
    "customer_id", "assignee_id", "created_at", "updated_at", "first_response_at", "frt_us",
    "solved_at", "sla_due_at", "sla_paused_us", "sla_paused_since", "csat_rating", "csat_comment",
    "csat_at", "message_count", "snoozed_until",
)  # fmt: skip
"""A ticket row's columns, in the order of Rows.tickets."""
NEW_MESSAGE_COLUMNS = (
    "id", "client_id", "ticket_id", "author_kind", "agent_id", "body", "internal", "auto", "created_at",
)  # fmt: skip
"""A message row's columns, in the order of Rows.messages."""
NEW_EVENT_COLUMNS = ("kind", "ticket_id", "actor_id", "at")


async def insert_all(
    db: aiosqlite.Connection, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert the rows in one statement, by way of a temporary table of the same
    columns. A row a statement would cost much more: a trigger writing to a full-text
    index makes each statement a savepoint, and FTS5 writes its pending terms to disk
    at every savepoint, so a row a statement is a segment a row."""
    if not rows:
        return
    names = ", ".join(columns)
    staged = f"temp.import_{table}"
    await db.execute(f"CREATE TEMP TABLE IF NOT EXISTS import_{table}({names})")
    await db.executemany(f"INSERT INTO {staged}({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    try:
        await db.execute(f"INSERT INTO {table}({names}) SELECT {names} FROM {staged} ORDER BY rowid")
    finally:
        await db.execute(f"DELETE FROM {staged}")


SQLITE_WRITES = Writes()


async def import_batch(
    db: aiosqlite.Connection,
    batch: Sequence[Numbered],
    sla: SlaPolicy,
    actor_id: int | None,
    *,
    one_by_one: bool = False,
    writes: Writes = SQLITE_WRITES,
) -> ImportReport:
    """Store one batch inside the caller's transaction, skipping refs already stored
    and lines that repeat an earlier one, with times that cannot be settled
    (cs_tui.domain.importing); each line refused or moved is in the report.

    All at once, the batch takes a few statements; if one of them breaks a
    constraint, the error propagates so the caller can roll back and call again
    with `one_by_one`, which stores each ticket under its own savepoint and reports
    only the guilty lines. (Savepoints are kept out of the fast path: FTS5 writes
    an index segment at each one.)
    """
    read = batch.read() if isinstance(batch, Batch) else _read(batch, Repeats())
    report = ImportReport(
        problems=list(read.problems), warnings=list(read.repeats), repeated=len(read.repeats)
    )
    stored = await _existing(
        db, "SELECT ref FROM tickets WHERE ref IN ({})", [ref for _, ref, _, _ in read.named]
    )
    fresh: list[Fresh] = []
    seen: set[str] = set()
    for line, ref, record, notes in read.named:
        if ref in stored or ref in seen:
            report.skipped += 1
            continue
        seen.add(ref)
        report.warnings.extend(ImportProblem(line, note) for note in notes)
        fresh.append((line, ref, record))
    if not fresh:
        return report
    if not one_by_one:
        try:
            await _store(db, fresh, sla, actor_id, report, writes)
        except (ValueError, OverflowError) as error:
            # What SQLite cannot take (half of a surrogate pair, say) is one
            # ticket's: the caller stores them one by one, and that one is named.
            raise sqlite3.DataError(str(error)) from error
        return report
    for item in fresh:
        try:
            await db.execute("SAVEPOINT one")
            await _store(db, [item], sla, actor_id, report, writes)
            await db.execute("RELEASE one")
        except (sqlite3.Error, ValueError, OverflowError) as error:
            await db.execute("ROLLBACK TO one")
            await db.execute("RELEASE one")
            report.problems.append(ImportProblem(item[0], f"could not be stored: {error}"))
    return report


def _read(lines: Iterable[Numbered], repeats: Repeats) -> Read:
    read = Read([], [], [])
    now = utcnow()
    for line, record in lines:
        try:
            cleaned = cleaned_record(record)  # cleaned first, as every door does
            check(cleaned)
        except (RecordError, RuleBroken) as error:
            read.problems.append(ImportProblem(line, str(error)))
            continue
        if repeat := repeats.of(cleaned, line):
            read.repeats.append(ImportProblem(line, repeat))
            continue
        # Settled here for every line, though stored only for those whose ref is new:
        # the batch is read in a thread, before the store says which refs it has.
        settled_record, notes = settled(cleaned, now)
        read.named.append((line, ticket_key(cleaned), settled_record, notes))
    return read


async def _store(
    db: aiosqlite.Connection,
    fresh: list[Fresh],
    sla: SlaPolicy,
    actor_id: int | None,
    report: ImportReport,
    writes: Writes,
) -> None:
    agents = await _agent_ids(db, fresh)
    customers = await _customer_ids(db, fresh, writes)
    built = await _build(db, fresh, agents, customers, sla, actor_id)
    await writes.rows(db, built)
    report.imported += len(fresh)
    report.warnings.extend(built.ids_not_kept)


async def _existing(db: aiosqlite.Connection, sql: str, values: Sequence[str]) -> set[str]:
    if not values:
        return set()
    found = await db.execute_fetchall(sql.format(",".join("?" * len(values))), tuple(values))
    return {row[0] for row in found}


async def _agent_ids(db: aiosqlite.Connection, fresh: list[Fresh]) -> dict[str, int]:
    wanted: set[str] = set()
    for _, _, record in fresh:
        if record.assignee_email:
            wanted.add(record.assignee_email)
        wanted.update(m.agent_email for m in record.messages if m.agent_email)
    found = {row[1].lower(): row[0] for row in await db.execute_fetchall("SELECT id, email FROM agents")}
    missing = sorted(wanted - found.keys())
    if missing:
        now = to_micros(utcnow())
        await db.executemany(
            "INSERT INTO agents(name, email, created_at) VALUES (?, ?, ?)",
            [(_name_from_email(email), email, now) for email in missing],
        )
        await db.execute("INSERT INTO events(kind, at) VALUES (?, ?)", (EventKind.AGENT_CHANGED.value, now))
        found = {row[1].lower(): row[0] for row in await db.execute_fetchall("SELECT id, email FROM agents")}
    return found


def _name_from_email(email: str) -> str:
    return " ".join(part.capitalize() for part in email.split("@")[0].replace("_", ".").split("."))


async def _customer_ids(db: aiosqlite.Connection, fresh: list[Fresh], writes: Writes) -> dict[str, int]:
    """The customer of each address in the batch: the one with it among their addresses,
    or a new one."""
    people: dict[str, str] = {}
    for _, _, record in fresh:
        email = sanitize_line(record.customer_email).lower()
        people.setdefault(email, sanitize_line(record.customer_name) or email.split("@")[0])
    ids = await _customers_of(db, list(people))
    now = to_micros(utcnow())
    await writes.customers(db, [(name, email, now) for email, name in people.items() if email not in ids])
    ids.update(await _customers_of(db, [email for email in people if email not in ids]))
    return ids


async def _customers_of(db: aiosqlite.Connection, emails: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(emails), 900):
        chunk = emails[start : start + 900]
        found = await db.execute_fetchall(
            "SELECT value, customer_id FROM customer_identities"
            f" WHERE value IN ({','.join('?' * len(chunk))}) AND kind = 'email'",
            tuple(chunk),
        )
        ids.update((row[0], row[1]) for row in found)
    return ids


async def _build(
    db: aiosqlite.Connection,
    fresh: list[Fresh],
    agents: dict[str, int],
    customers: dict[str, int],
    sla: SlaPolicy,
    actor_id: int | None,
) -> Rows:
    found = list(
        await db.execute_fetchall(
            "SELECT (SELECT coalesce(max(id), 0) FROM tickets), (SELECT coalesce(max(id), 0) FROM messages)"
        )
    )
    last_ticket_id, message_id = found[0]
    built = Rows([], [], [], [], [])
    now = to_micros(utcnow())
    ids = await _ticket_ids(db, fresh, last_ticket_id, built.ids_not_kept)
    for (_, ref, record), ticket_id in zip(fresh, ids, strict=True):
        for index, message in enumerate(record.messages):
            message_id += 1
            built.messages.append(_message_row(message_id, f"{ref}#{index}", ticket_id, message, agents))
        state, updated_at = imported(sla, record)
        created_at = to_micros(record.created_at)
        first_response_at = to_micros(state.first_response_at) if state.first_response_at else None
        csat = record.csat
        built.tickets.append(
            (
                ticket_id,
                ref,
                sanitize_line(record.subject) or "(no subject)",
                record.status.value,
                int(record.status.is_active),
                record.priority.value,
                record.priority.rank,
                record.channel.value,
                customers[sanitize_line(record.customer_email).lower()],
                agents.get(record.assignee_email) if record.assignee_email else None,
                created_at,
                to_micros(updated_at),
                first_response_at,
                first_response_at - created_at if first_response_at is not None else None,
                to_micros(state.solved_at) if state.solved_at else None,
                to_micros(state.sla_due_at) if state.sla_due_at else None,
                writes.span_micros(state.sla_paused_for),
                writes.micros(state.sla_paused_since),
                csat.rating if csat else None,
                sanitize(csat.comment) if csat else None,
                to_micros(csat.rated_at) if csat else None,
                len(record.messages),
                writes.micros(state.snoozed_until),
            )
        )
        built.tags.extend((ticket_id, tag) for tag in normalized_tags(record.tags))
        built.events.append((EventKind.TICKET_IMPORTED.value, ticket_id, actor_id, now))
    return built


async def _ticket_ids(
    db: aiosqlite.Connection, fresh: list[Fresh], last_id: int, not_kept: list[ImportProblem]
) -> list[int]:
    """The id of each fresh ticket: the one its line gives where that is free, so that
    export then import gives the same numbers back; else the next after every other,
    with a note of the id not kept."""
    wanted = {record.id for _, _, record in fresh if record.id is not None and 0 < record.id <= KEPT_ID_MAX}
    taken: set[int] = set()
    if wanted:
        found = await db.execute_fetchall(
            f"SELECT id FROM tickets WHERE id IN ({','.join('?' * len(wanted))})", tuple(wanted)
        )
        taken = {row[0] for row in found}
    kept: dict[int, int] = {}
    for index, (_, _, record) in enumerate(fresh):
        if record.id in wanted and record.id not in taken:
            kept[index] = record.id
            taken.add(record.id)
    next_id = max([last_id, *kept.values()])
    ids = []
    for index, (line, _, record) in enumerate(fresh):
        if index in kept:
            ids.append(kept[index])
            continue
        next_id += 1
        ids.append(next_id)
        if record.id is not None:
            why = "another ticket has it" if record.id in wanted else f"an id is 1 to {KEPT_ID_MAX:,}"
            note = f'"id" {record.id} was not kept ({why}); this ticket is #{next_id}'
            not_kept.append(ImportProblem(line, note))
    return ids


def _message_row(
    message_id: int, client_id: str, ticket_id: int, message: MessageRecord, agents: dict[str, int]
) -> tuple[Any, ...]:
    agent_id = agents[message.agent_email] if message.agent_email else None
    return (
        message_id,
        client_id,
        ticket_id,
        message.author_kind.value,
        agent_id,
        sanitize(message.body),
        int(message.internal),
        int(message.auto),
        to_micros(message.created_at),
    )


async def export(reader: aiosqlite.Connection) -> AsyncIterator[TicketRecord]:
    last_id = 0
    while True:
        found = list(
            await reader.execute_fetchall(
                f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM} WHERE t.id > ? ORDER BY t.id LIMIT ?",
                (last_id, EXPORT_CHUNK),
            )
        )
        if not found:
            return
        tickets = [rows.ticket(row) for row in found]
        messages: dict[int, list[MessageRecord]] = {t.id: [] for t in tickets}
        for row in await reader.execute_fetchall(
            "SELECT m.ticket_id, m.author_kind, a.email, m.body, m.internal, m.auto, m.created_at"
            " FROM messages m LEFT JOIN agents a ON a.id = m.agent_id"
            " WHERE m.ticket_id BETWEEN ? AND ? ORDER BY m.ticket_id, m.id",
            (tickets[0].id, tickets[-1].id),
        ):
            messages[row[0]].append(
                MessageRecord(
                    author_kind=AuthorKind(row[1]),
                    agent_email=row[2],
                    body=row[3],
                    internal=bool(row[4]),
                    auto=bool(row[5]),
                    created_at=from_micros(row[6]),
                )
            )
        for ticket in tickets:
            yield TicketRecord(
                id=ticket.id,
                ref=ticket.ref,
                subject=ticket.subject,
                status=ticket.status,
                priority=ticket.priority,
                channel=ticket.channel,
                customer_name=ticket.customer.name,
                customer_email=ticket.customer.email,
                assignee_email=ticket.assignee.email if ticket.assignee else None,
                tags=ticket.tags,
                created_at=ticket.created_at,
                messages=tuple(messages[ticket.id]),
                updated_at=ticket.updated_at,
                solved_at=ticket.solved_at,
                csat=ticket.csat,
                snoozed_until=ticket.snoozed_until,
            )
        last_id = tickets[-1].id

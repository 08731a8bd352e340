"""What only the SQLite store promises: its file format, WAL, and several processes on one file."""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import stat
import sys
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from cs_tui.config import DEFAULT_VIEWS
from cs_tui.domain.models import AuthorKind, EventKind, NewMessage, Ticket
from cs_tui.domain.query import Sort, parse
from cs_tui.store import SCREEN_MEMORY, StoreError, StoreTooNew, open_store
from cs_tui.store.sqlite import SqliteStore
from cs_tui.store.sqlite import counting as sqlite_counting_module
from cs_tui.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from cs_tui.store.sqlite.search import may_match_many

from . import sqlite_writer
from .conftest import sqlite_store
from .helpers import (
    all_messages,
    all_tickets,
    import_records,
    open_ticket,
    reply,
    take_events,
    ticket_record,
)
from .test_queue import SEARCHES, fill_desk

WRITERS = 4


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


async def test_a_store_from_a_newer_cs_tui_is_refused_with_advice_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "cs-tui.db"
    store = await open_store(str(path))
    await open_ticket(store)
    await store.close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()

    with pytest.raises(StoreTooNew) as raised:
        await open_store(str(path))
    assert "upgrade" in str(raised.value).lower()
    assert str(path) in str(raised.value)
    assert user_version(path) == SCHEMA_VERSION + 1, "the newer store was left as it was"


@pytest.mark.parametrize(
    "content",
    [b"ref,subject\n1,Refund belum masuk\n" * 200, bytes(range(256)) * 40],
    ids=["csv", "binary"],
)
async def test_a_file_that_is_not_a_store_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        await open_store(str(path))
    message = str(raised.value)
    assert str(path) in message
    assert "not a cs-tui store" in message
    assert path.read_bytes() == content, "the file was left as it was"


async def test_a_store_in_a_folder_not_there_yet_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "cs-tui.db"
    store = await open_store(f"sqlite:///{path}")
    await open_ticket(store)
    await store.close()
    assert path.exists()
    assert user_version(path) == SCHEMA_VERSION


def as_written_by(version: int, store: Path, path: Path) -> None:
    """The records of `store` in a new file at `path` as the version with `version`
    migrations wrote it: its schema, and its triggers filling what they filled."""
    with closing(sqlite3.connect(path)) as db:
        for script in MIGRATIONS[:version]:
            db.executescript(script)
        db.execute("ATTACH DATABASE ? AS now", (str(store),))
        for table in ("agents", "customers", "tickets", "ticket_tags", "messages", "events"):
            columns = ", ".join(row[1] for row in db.execute(f"PRAGMA main.table_info({table})"))
            db.execute(f"INSERT INTO main.{table} SELECT {columns} FROM now.{table}")
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()


async def test_a_store_from_the_first_version_is_upgraded_in_place(tmp_path: Path) -> None:
    now = tmp_path / "now.db"
    store = await open_store(str(now))
    ticket = await open_ticket(store, "Pesanan belum sampai", body="Nomor resi JX0042 tidak bisa dilacak")
    await store.close()
    path = tmp_path / "cs-tui.db"
    as_written_by(1, now, path)

    store = await open_store(str(path))
    try:
        assert await store.get_ticket(ticket.id) == ticket
        for word in ("belum", "jx0042", "dewi"):  # subject, message, customer
            found = await store.list_tickets(parse(word))
            assert [t.id for t in found.tickets] == [ticket.id], word
    finally:
        await store.close()
    assert user_version(path) == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_active_sla", "tickets_priority_updated", "tickets_frt_bucket"} <= indexes
    assert "tickets_frt_value" not in indexes


async def test_an_upgraded_store_counts_what_agents_answered_as_read(tmp_path: Path) -> None:
    now = tmp_path / "now.db"
    store = await open_store(str(now))
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    rudi = await store.create_agent("Rudi Hartono", "rudi@tokoku.example")
    answered = await open_ticket(store)
    await reply(store, answered.id, ana)
    waiting = await open_ticket(store, "Belum dibalas", email="sri@example.com")
    await store.close()
    path = tmp_path / "cs-tui.db"
    as_written_by(3, now, path)  # before read marks

    store = await open_store(str(path))
    try:
        ids = [answered.id, waiting.id]
        assert await store.unread_tickets(ana.id, ids) == {waiting.id}
        assert await store.unread_tickets(rudi.id, ids) == {answered.id, waiting.id}
    finally:
        await store.close()


async def test_the_store_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "cs-tui.db"
    store = await open_store(str(path))
    await open_ticket(store)
    try:
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        await store.close()


async def test_an_import_line_that_breaks_a_constraint_is_reported_and_the_rest_import(
    tmp_path: Path,
) -> None:
    """Imported messages get client ids from their ticket's ref; one already taken fails
    that line only."""
    store = await open_store(str(tmp_path / "cs-tui.db"))
    try:
        ticket = await open_ticket(store)
        clash = NewMessage("clash#0", "Halo", author_kind=AuthorKind.CUSTOMER)
        await store.add_message(ticket.id, clash, actor_id=None)
        numbered = [(n, ticket_record(ref)) for n, ref in ((1, "a"), (2, "clash"), (3, "b"))]
        report = await store.import_tickets(numbered)
        assert report.imported == 2
        assert [p.line for p in report.problems] == [2]
        assert await store.count_tickets() == 3
    finally:
        await store.close()


async def test_four_processes_writing_at_once_lose_and_double_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cs-tui.db"
    go = tmp_path / "go"
    store = await open_store(str(path))
    try:
        agent = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
        tickets = [(await open_ticket(store, f"Tiket {n}")).id for n in range(3)]
        await import_records(store, [ticket_record("warm-up")])
        since = await store.last_event_id()

        writers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                sqlite_writer.__file__,
                str(path),
                str(writer),
                str(agent.id),
                str(go),
                *map(str, tickets),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for writer in range(WRITERS)
        ]
        go.touch()
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in writers)), timeout=120
        )

        for process, (_, stderr) in zip(writers, outcomes, strict=True):
            errors = stderr.decode(errors="replace")
            assert "locked" not in errors.lower()
            assert process.returncode == 0, errors
            assert errors == ""

        expected = {f"w{w}-{n}" for w in range(WRITERS) for n in range(sqlite_writer.MESSAGES)}
        expected |= {f"shared-{n}" for n in range(sqlite_writer.SHARED)}
        stored: Counter[str] = Counter()
        for ticket_id in tickets:
            thread = await all_messages(store, ticket_id)
            assert (await store.get_ticket(ticket_id)).message_count == len(thread)
            stored.update(m.client_id for m in thread[1:])
            writers_in_turn = [m.client_id.split("-")[0] for m in thread[1:]]
            switches = sum(a != b for a, b in itertools.pairwise(writers_in_turn))
            assert switches > WRITERS, "the writers took turns instead of writing at once"
        assert [client_id for client_id, count in stored.items() if count > 1] == []
        assert set(stored) == expected

        events = await take_events(store, since, len(expected))
        assert [e.kind for e in events] == [EventKind.MESSAGE_ADDED] * len(expected)
        assert await store.last_event_id() == events[-1].id
    finally:
        await store.close()


async def test_a_store_made_in_a_shared_directory_is_writable_by_its_group(tmp_path: Path) -> None:
    shared = tmp_path / "helpdesk"
    shared.mkdir()
    shared.chmod(0o2770)  # the team's directory: group-writable, new files keep its group
    old_umask = os.umask(0o022)  # an agent whose umask keeps others from writing
    try:
        store = await open_store(str(shared / "cs-tui.db"))
        await open_ticket(store)
        await store.close()
    finally:
        os.umask(old_umask)
    for name in ("cs-tui.db", "cs-tui.db-wal", "cs-tui.db-shm"):
        file = shared / name
        if file.exists():
            assert file.stat().st_mode & stat.S_IWGRP, f"{name} is not writable by the group"
    private = tmp_path / "mine"
    private.mkdir(mode=0o700)
    store = await open_store(str(private / "cs-tui.db"))
    await store.close()
    assert not (private / "cs-tui.db").stat().st_mode & stat.S_IWGRP


@pytest.mark.parametrize("text", [text for text in SEARCHES if may_match_many(parse(text))])
async def test_a_search_pages_and_counts_alike_in_one_statement_or_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A search within few tickets gets its first page and count in one statement;
    the same search over many, in two. Both must list and count alike."""
    async with sqlite_store(tmp_path) as store:
        desk = await fill_desk(store)

        async def every_order() -> list[list[Ticket]]:
            return [
                await all_tickets(store, text, viewer_id=desk.ana.id, sort=sort, page_size=3) for sort in Sort
            ]

        together = await every_order()
        monkeypatch.setattr(sqlite_counting_module, "FEW_TO_SEARCH", -1)
        apart = await every_order()
    assert together == apart
    assert Counter(t.subject for t in together[0]) == Counter(SEARCHES[text])


@pytest.mark.parametrize("sort", list(Sort))
async def test_every_view_is_read_in_each_order_without_sorting_its_tickets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort: Sort
) -> None:
    """Each view's page, in every order of the queue, is read from an index in that
    order and ends at the page: a sort of all of a view's tickets is what took All
    open by priority to 82 ms at a million tickets. SQLite plans the same on an empty
    store as on a full one (it keeps no statistics)."""
    async with sqlite_store(tmp_path) as store:
        assert isinstance(store, SqliteStore)
        desk = await fill_desk(store)
        asked: list[tuple[str, list[object]]] = []
        fetch = store._fetchall

        async def noted(sql: str, params: Sequence[object] = ()) -> list[Any]:
            asked.append((sql, list(params)))
            return list(await fetch(sql, params))

        monkeypatch.setattr(store, "_fetchall", noted)
        sorted_in_full = []
        with closing(sqlite3.connect(store.path)) as db:
            for view in DEFAULT_VIEWS:
                asked.clear()
                page = await store.list_tickets(parse(view.query), viewer_id=desk.ana.id, sort=sort)
                assert page.tickets or view.name == "Breaching SLA", f"{view.name}: the desk has its tickets"
                pages = [(sql, params) for sql, params in asked if "ORDER BY" in sql]
                assert pages, f"{view.name}: its page was read"
                plans = [
                    str(row[3])
                    for sql, params in pages
                    for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                ]
                if any("TEMP B-TREE FOR ORDER BY" in step for step in plans):
                    sorted_in_full.append(view.name)
    assert sorted_in_full == []


async def test_a_store_for_one_screen_keeps_sqlite_to_a_few_mb(tmp_path: Path) -> None:
    """The TUI's store: SQLite recycles its caches past SCREEN_MEMORY (a limit on the
    whole process, so it is put back after), and reads the same."""
    path = tmp_path / "cs-tui.db"
    writer = await open_store(str(path))
    await import_records(writer, [ticket_record("T-1", subject="Pesanan belum sampai")])
    await writer.close()
    store = await open_store(str(path), one_screen=True)
    try:
        with closing(sqlite3.connect(":memory:")) as probe:
            assert probe.execute("PRAGMA soft_heap_limit").fetchone()[0] == SCREEN_MEMORY
        page = await store.list_tickets(parse("pesanan"))
        assert [t.subject for t in page.tickets] == ["Pesanan belum sampai"]
    finally:
        await store.close()
        with closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("PRAGMA soft_heap_limit = 0")

"""The SQLite store's plumbing: its connections, reads, and write transactions."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

import aiosqlite

from cs_tui.domain.models import EventKind, SlaPolicy
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.sqlite import connection
from cs_tui.store.sqlite.search import TextIndex

READERS = 4
"""Reads running at once at most, each on a connection of its own."""
CHECKPOINT_AFTER_S = 2.0
"""How soon after a write its pages are copied from the write-ahead log into the store
file (a checkpoint), away from the writer: done by the writer as it commits (SQLite's
default), one write in a few hundred waited ~100 ms for it."""

log = logging.getLogger(__name__)


class Readers:
    """Connections for reads, one per read running, opened as reads overlap (up to
    `most`): a long read, a search over half the store, does not hold up the reads
    behind it. A connection that is not needed is never opened."""

    def __init__(self, path: Path, first: aiosqlite.Connection, most: int) -> None:
        self.first = first
        self._path = path
        self._most = max(1, most)
        self._opened = [first]
        self._opening = 0
        self._idle = [first]
        self._waiting: deque[asyncio.Future[aiosqlite.Connection]] = deque()

    @asynccontextmanager
    async def one(self) -> AsyncIterator[aiosqlite.Connection]:
        reader = await self._take()
        try:
            yield reader
        except asyncio.CancelledError:
            # Nobody wants what it was reading any more (a search typed over, say):
            # stop SQLite now, rather than let the next user of this connection wait
            # for a long read to finish. Nothing else runs on it until it is given back.
            await reader.interrupt()
            raise
        finally:
            self._give(reader)

    async def _take(self) -> aiosqlite.Connection:
        if self._idle:
            return self._idle.pop()
        if len(self._opened) + self._opening < self._most:
            self._opening += 1
            try:
                reader = await connection.connect(self._path)
            finally:
                self._opening -= 1
            self._opened.append(reader)
            return reader
        waiter: asyncio.Future[aiosqlite.Connection] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._give(waiter.result())  # handed over as the caller gave up
            raise

    def _give(self, reader: aiosqlite.Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(reader)
                return
        self._idle.append(reader)

    async def close(self) -> None:
        for reader in self._opened:
            await reader.close()


class SqliteCore:
    """Reads go to connections of their own, so they never see a write half done;
    writes go one at a time through the writer."""

    ENTRIES_BY_PLACE = True
    """search_fts numbers a ticket's message entries by their place in it (merging.py):
    moving messages between tickets renumbers them."""
    DEFER_REFERENCES = "PRAGMA defer_foreign_keys = ON"
    """Has the transaction's references checked at its commit."""
    TEXT: ClassVar[TextIndex | None] = None
    """The indexes of words and names, when they are not this schema's FTS5 tables."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: Readers, sla: SlaPolicy) -> None:
        self.path = path
        self._file_id = connection.file_id(path)
        """The file opened as the store: a write checks it is still the one at `path`."""
        self.sla = sla
        self._writer = writer
        self._readers = readers
        self._write_lock = asyncio.Lock()
        self._wrote = asyncio.Event()
        self._checkpoint: asyncio.Task[None] | None = None
        self._imported_unmerged = 0
        """Tickets imported since the full-text index was last left in one segment
        (see store.OPTIMIZE_AFTER)."""

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        sla: SlaPolicy | None = None,
        readers: int = READERS,
        memory_limit: int | None = None,
    ) -> Self:
        """`readers`: how many reads may run at once (see Readers). `memory_limit`:
        bytes of memory SQLite keeps to, recycling its page caches before going over
        (SQLite's soft heap limit: it holds for every SQLite connection in the process)."""
        path = Path(path).expanduser()  # noqa: ASYNC240 - no I/O
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        writer = await connection.connect(path)
        try:
            await connection.prepare(writer, path)
            if new:
                connection.share_with_group(path)
            await writer.execute("PRAGMA wal_autocheckpoint = 0")  # see CHECKPOINT_AFTER_S
            if memory_limit is not None:
                await writer.execute(f"PRAGMA soft_heap_limit = {int(memory_limit)}")
            first = await connection.connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, Readers(path, first, readers), sla or SlaPolicy.default())

    async def close(self) -> None:
        if self._checkpoint is not None and not self._checkpoint.done():
            self._checkpoint.cancel()
            await asyncio.gather(self._checkpoint, return_exceptions=True)
            await self._copy_back()
        await self._readers.close()
        await self._writer.close()

    def _written(self) -> None:
        """A write transaction committed."""
        self._wrote.set()
        if self._checkpoint is None or self._checkpoint.done():
            self._checkpoint = asyncio.get_running_loop().create_task(self._checkpoint_soon())

    async def _checkpoint_soon(self) -> None:
        await asyncio.sleep(CHECKPOINT_AFTER_S)
        await self._copy_back()

    async def _copy_back(self) -> None:
        """A checkpoint that waits for nobody: what readers still need stays in the log
        for the next one."""
        try:
            async with self._readers.one() as reader:
                await reader.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:  # the next write tries again
            log.warning("checkpoint of %s failed: %s", self.path, error)

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        async with self._readers.one() as reader:
            return list(await reader.execute_fetchall(sql, tuple(params)))

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = await self._fetchall(sql, params)
        return found[0] if found else None

    def check_in_place(self) -> None:
        """StoreUnwritable when the store's file was moved, deleted or replaced since it
        was opened (see connection.check_in_place)."""
        connection.check_in_place(self.path, self._file_id)

    def _transaction(self, *, check_references: bool = True) -> _Transaction:
        return _Transaction(self, check_references=check_references)

    async def _event(
        self, kind: EventKind, ticket_id: int | None, actor_id: int | None, *, customer_id: int | None = None
    ) -> None:
        await self._writer.execute(
            "INSERT INTO events(kind, ticket_id, actor_id, at, customer_id) VALUES (?, ?, ?, ?, ?)",
            (kind.value, ticket_id, actor_id, to_micros(utcnow()), customer_id),
        )


class _Transaction:
    """`async with store._transaction() as db`: one write transaction at a time per
    process (the lock) and per file (BEGIN IMMEDIATE)."""

    def __init__(self, store: SqliteCore, *, check_references: bool) -> None:
        self._store = store
        self._check_references = check_references
        self._context: Any = None

    async def __aenter__(self) -> _Transaction:
        await self._store._write_lock.acquire()
        try:
            if not self._check_references:
                # A pragma SQLite only takes outside a transaction; see import_tickets.
                await self._store._writer.execute("PRAGMA foreign_keys = OFF")
            self._store.check_in_place()
            self._context = connection.write_transaction(self._store._writer, self._store.path)
            await self._context.__aenter__()
        except BaseException:
            self._store._write_lock.release()
            raise
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self._context.__aexit__(*exc_info)
        finally:
            if not self._check_references:
                await self._store._writer.execute("PRAGMA foreign_keys = ON")
            self._store._write_lock.release()
            if exc_info[0] is None:
                self._store._written()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = list(await self._store._writer.execute_fetchall(sql, tuple(params)))
        return found[0] if found else None

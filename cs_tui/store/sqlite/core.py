"""The SQLite store's plumbing: its two connections, reads, and write transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self

import aiosqlite

from cs_tui.domain.models import EventKind, SlaPolicy
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.sqlite import connection


class SqliteCore:
    """Reads go to their own connection, so they never see a write half done;
    writes go one at a time through the writer."""

    def __init__(
        self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection, sla: SlaPolicy
    ) -> None:
        self.path = path
        self.sla = sla
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._wrote = asyncio.Event()

    @classmethod
    async def open(cls, path: Path | str, *, sla: SlaPolicy | None = None) -> Self:
        path = Path(path).expanduser()  # noqa: ASYNC240 - no I/O
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        writer = await connection.connect(path)
        try:
            await connection.prepare(writer, path)
            if new:
                connection.share_with_group(path)
            reader = await connection.connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader, sla or SlaPolicy.default())

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return list(await self._reader.execute_fetchall(sql, tuple(params)))

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = await self._fetchall(sql, params)
        return found[0] if found else None

    def _transaction(self, *, check_references: bool = True) -> _Transaction:
        return _Transaction(self, check_references=check_references)

    async def _event(self, kind: EventKind, ticket_id: int | None, actor_id: int | None) -> None:
        await self._writer.execute(
            "INSERT INTO events(kind, ticket_id, actor_id, at) VALUES (?, ?, ?, ?)",
            (kind.value, ticket_id, actor_id, to_micros(utcnow())),
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
            self._context = connection.write_transaction(self._store._writer)
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
                self._store._wrote.set()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = list(await self._store._writer.execute_fetchall(sql, tuple(params)))
        return found[0] if found else None

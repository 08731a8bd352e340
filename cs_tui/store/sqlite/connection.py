"""Opening a SQLite store file: pragmas, migrations, and write transactions that
wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from cs_tui.store.base import StoreTooNew, StoreUnavailable, StoreUnwritable
from cs_tui.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from cs_tui.store.sqlite.terms import CREATE_TERMS_TABLE

BUSY_TIMEOUT_MS = 10_000
# How long a writer keeps trying to get the write lock before giving up. Other
# processes hold it for milliseconds at a time; only a stuck one holds it this long.
WRITE_PATIENCE_S = 60.0

_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -8000",
)


def is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


async def connect(path: Path) -> aiosqlite.Connection:
    """A connection in autocommit mode; transactions are begun explicitly."""
    try:
        connection = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.OperationalError as error:
        raise StoreUnavailable(
            f"cannot open the store at {path}: {error}. Check the path and its permissions."
        ) from error
    try:
        for pragma in _PRAGMAS:
            await connection.execute(pragma)
        await connection.execute(CREATE_TERMS_TABLE)
    except sqlite3.DatabaseError as error:
        # Close it, or its thread keeps the process from exiting.
        await connection.close()
        raise write_fault(path, error) or not_a_store(path, error) from error
    return connection


def write_fault(path: Path, error: sqlite3.Error) -> StoreUnwritable | None:
    """What keeps the store from being written, in words, when `error` is that."""
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
        return StoreUnwritable(
            f"the store {path} cannot be written: the file or its folder is read-only for you. "
            "Ask whoever looks after it for write access (see docs/shared-server.md)"
        )
    if name == "SQLITE_FULL":
        return StoreUnwritable(f"the store {path} cannot be written: its disk is full. Free some space")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return StoreUnwritable(
            f"the store {path} cannot be written ({error}): check that its disk is there "
            f"and not full (df -h {path.parent})"
        )
    return None


FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """Which file `path` names (device and inode); None when there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def check_in_place(path: Path, opened: FileId | None) -> None:
    """StoreUnwritable when the file opened as the store is no longer at `path`: what
    is written then goes to a file nobody will open again."""
    if opened is None:
        return
    now = file_id(path)
    if now == opened:
        return
    if now is None:
        raise StoreUnwritable(
            f"the store {path} is gone: it was moved or deleted while cs-tui had it open, so "
            "nothing more can be written to it. Put it back, or restart cs-tui on the store's new place"
        )
    raise StoreUnwritable(
        f"the store {path} was replaced by another file while cs-tui had it open. "
        "Restart cs-tui to open the new one"
    )


def share_with_group(path: Path) -> None:
    """A store made in a directory its group may write to (a team's shared directory)
    is writable by that group too, whatever the umask of whoever made it; SQLite gives
    its -wal and -shm files the same mode."""
    if not path.parent.stat().st_mode & stat.S_IWGRP:
        return
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            file.chmod(file.stat().st_mode | stat.S_IRGRP | stat.S_IWGRP)


def not_a_store(path: Path, error: sqlite3.DatabaseError) -> StoreUnavailable:
    return StoreUnavailable(f"{path} is not a cs-tui store ({error}). Point --store at another file.")


async def prepare(connection: aiosqlite.Connection, path: Path) -> None:
    """Switch to WAL and bring the schema up to date, refusing a newer store."""
    try:
        async with connection.execute("PRAGMA journal_mode = WAL") as cursor:
            await cursor.fetchone()
        version = await user_version(connection)
        if version > SCHEMA_VERSION:
            raise StoreTooNew(
                f"the store at {path} was written by a newer cs-tui (schema {version}; "
                f"this cs-tui knows up to {SCHEMA_VERSION}). Upgrade cs-tui: "
                "pip install --upgrade cs-tui"
            )
        if version == SCHEMA_VERSION:
            return
        async with write_transaction(connection, path):
            # Another process may have migrated while we waited for the lock.
            version = await user_version(connection)
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    await connection.execute(statement)
                await connection.execute(f"PRAGMA user_version = {number}")
    except sqlite3.DatabaseError as error:
        raise write_fault(path, error) or not_a_store(path, error) from error


async def user_version(connection: aiosqlite.Connection) -> int:
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


@asynccontextmanager
async def write_transaction(connection: aiosqlite.Connection, path: Path) -> AsyncIterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; StoreUnwritable when the
    store `path` cannot be written.

    IMMEDIATE takes the write lock up front, so a transaction never has to upgrade
    a read lock (the case busy_timeout cannot help with). While another process
    holds the lock we keep waiting, up to WRITE_PATIENCE_S.

    A caller cancelled meanwhile (a UI job replaced by a newer one) does not leave the
    connection inside a transaction nobody will end: SQLite runs each statement to
    its end in its own thread whatever happens to the caller, so we wait for it and
    end the transaction before passing the cancellation on.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WRITE_PATIENCE_S
    while True:
        try:
            await _to_the_end(connection, "BEGIN IMMEDIATE")
            break
        except asyncio.CancelledError:
            if connection.in_transaction:
                await _to_the_end(connection, "ROLLBACK")
            raise
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise write_fault(path, error) or StoreUnavailable(
                    f"the store {path} cannot be written: {error}"
                ) from error
            if loop.time() > deadline:
                raise StoreUnavailable(
                    "the store is busy: another process has held it for over a minute. "
                    "Try again; if it persists, look for a stuck cs-tui process."
                ) from error
            await asyncio.sleep(0.01)
    try:
        yield
        await _to_the_end(connection, "COMMIT")
    except BaseException as error:
        if connection.in_transaction:
            await _to_the_end(connection, "ROLLBACK")
        fault = write_fault(path, error) if isinstance(error, sqlite3.Error) else None
        if fault is not None:
            raise fault from error
        raise


async def _to_the_end(connection: aiosqlite.Connection, sql: str) -> None:
    """Run `sql`; if the caller is cancelled meanwhile, still wait until SQLite is
    done with it (then pass the cancellation on)."""
    running = asyncio.ensure_future(connection.execute(sql))
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await running
        raise

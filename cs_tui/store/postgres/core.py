"""The PostgreSQL store's plumbing: a pool of connections, migrations applied on
open, write transactions, and the wake-up other processes hear when one commits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlparse

import asyncpg

from cs_tui.domain.models import SlaPolicy
from cs_tui.store.base import InvalidInput, StoreTooNew, StoreUnavailable
from cs_tui.store.postgres.connection import Connection, db_error
from cs_tui.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION
from cs_tui.store.postgres.search import PostgresText, WordGuesses

POOL_SIZE = 10
"""Connections one process keeps at most: reads run side by side on them."""
WAKE_CHANNEL = "cs_tui_events"
"""The channel of the NOTIFY that tells other processes there are new events."""
WAKE_EVERY_S = 0.05
"""A process sends at most one wake-up in this time, however many writes it commits:
a NOTIFY takes a lock every committing transaction waits for, so it is kept out of
the writes themselves."""
WRITE_LOCK = 7_301_770_300
"""The advisory lock every write transaction holds, in every process: writes go one
at a time, as in SQLite, so that what a write reads before it writes (a ticket's
version, the snoozes due, a ref already stored) is still so when it commits. A write
holds it for a millisecond or two; reads never wait for it."""
MIGRATION_LOCK = 7_301_770_301
"""The advisory lock a process holds while it brings the schema up to date."""

log = logging.getLogger(__name__)


def shown(url: str) -> str:
    """The store's URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@")).geturl()


POOLING = "pooling"


def pooling(url: str) -> tuple[str, bool]:
    """The URL without cs-tui's own `pooling` parameter, and whether it said
    `transaction`; any other value is refused."""
    parsed = urlparse(url)
    kept = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k != POOLING]
    said = [v for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k == POOLING]
    if any(value not in ("transaction", "session") for value in said):
        raise InvalidInput(
            f"{POOLING}={said[0]!r} in the store's URL is not one cs-tui knows: "
            "say pooling=transaction behind pgbouncer's transaction mode, or leave it out"
        )
    return parsed._replace(query=urlencode(kept)).geturl(), "transaction" in said


SESSION_SETTINGS = {
    # Compiling a query to machine code pays off over minutes, not for a queue page
    # of a few milliseconds, which it made 10 ms slower.
    "jit": "off",
    # Every query reads a few rows by an index; a parallel plan is chosen only where
    # the planner misjudges a rare word (a seq scan of the customers in workers, 50 ms
    # where their index takes a tenth of one), and its workers take cores from the
    # other agents' requests.
    "max_parallel_workers_per_gather": "0",
}
"""Set on each connection as it opens. A transaction pooler (pgbouncer) refuses
settings it does not know at sign-in: behind one, the database is given them
(docs/postgresql.md, "Pooling")."""


class Readers:
    """Connections for reads, taken from the pool for as long as a read runs."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def one(self) -> AsyncIterator[Connection]:
        async with self._pool.acquire() as raw:
            yield Connection(raw)


async def _keep_session(connection: asyncpg.Connection[Any]) -> None:
    """What the pool does to a connection given back, besides rolling back a transaction
    left open: nothing. Its default sends RESET ALL, UNLISTEN and the like each time, a
    second round trip for every read, where these connections keep no state of a
    session (no SET, no LISTEN, advisory locks only for a transaction)."""


class PgCore:
    """Reads run on pooled connections, each seeing only committed writes; writes go
    one at a time, in this process (a lock) and among all (WRITE_LOCK), each in a
    transaction of its own."""

    ENTRIES_BY_PLACE = False
    """The words of a message are in its own row (`tsv`), which moves with it."""
    DEFER_REFERENCES = "SET CONSTRAINTS ALL DEFERRED"
    TEXT = PostgresText()

    def __init__(self, url: str, pool: asyncpg.Pool, sla: SlaPolicy) -> None:
        self.url = url
        self.sla = sla
        self._pool = pool
        self._readers = Readers(pool)
        self._write_lock = asyncio.Lock()
        self._woken: set[asyncio.Event] = set()
        """One per reader of events here, set when there may be new ones."""
        self._writer: Connection = _NO_TRANSACTION
        self._waking: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self.pooled = False
        """Connections come through a transaction pooler, where LISTEN hears nothing."""
        self._word_guesses = WordGuesses()

    @classmethod
    async def open(cls, url: str, *, sla: SlaPolicy | None = None, pool_size: int = POOL_SIZE) -> Self:
        """`url` may end in `?pooling=transaction` when it names a pooler that gives
        each transaction any server connection (pgbouncer's transaction mode): no
        statement is then kept prepared, and wake-ups are looked for, not listened to
        (see store.EVENT_POLL_S)."""
        dsn, pooled = pooling(url)
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=pool_size,
                statement_cache_size=0 if pooled else 100,
                server_settings={} if pooled else SESSION_SETTINGS,
                reset=_keep_session,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StoreUnavailable(
                f"cannot open the store at {shown(url)}: {error}. Check that PostgreSQL is running there, "
                "that the database exists and that the user may sign in (see docs/postgresql.md)"
            ) from error
        try:
            await _migrate(pool, url)
        except BaseException:
            await pool.close()
            raise
        opened = cls(dsn, pool, sla or SlaPolicy.default())
        opened.pooled = pooled
        return opened

    async def close(self) -> None:
        if self._waking is not None and not self._waking.done():
            await asyncio.gather(self._waking, return_exceptions=True)
        if self._listener is not None:
            await self._listener.close()
        await self._pool.close()

    def check_in_place(self) -> None:
        """Nothing to check: the server keeps the store where it is."""

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        async with self._readers.one() as reader:
            return await reader.execute_fetchall(sql, params)

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = await self._fetchall(sql, params)
        return found[0] if found else None

    def _transaction(self, *, check_references: bool = True) -> _Transaction:
        return _Transaction(self)

    def _written(self) -> None:
        """A write transaction committed: wake this process's listeners now, and the
        other processes' soon."""
        self._wake_all()
        if self._waking is None or self._waking.done():
            self._waking = asyncio.get_running_loop().create_task(self._wake_others())

    def _wake_all(self) -> None:
        for woken in self._woken:
            woken.set()

    async def _wake_others(self) -> None:
        await asyncio.sleep(WAKE_EVERY_S)
        try:
            async with self._pool.acquire() as raw:
                await raw.execute(f"NOTIFY {WAKE_CHANNEL}")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # They find the events when they next look, a second later at most.
            log.warning("could not wake the other processes: %s", error)


class _NoTransaction(Connection):
    def __init__(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the store's writer is used outside a write transaction")


_NO_TRANSACTION = _NoTransaction()


class _Transaction:
    """`async with store._transaction() as db`: a transaction on a pooled connection,
    one at a time per process."""

    def __init__(self, store: PgCore) -> None:
        self._store = store
        self._raw: Any = None
        self._transaction: Any = None

    async def __aenter__(self) -> _Transaction:
        store = self._store
        await store._write_lock.acquire()
        try:
            self._raw = await store._pool.acquire()
            self._transaction = self._raw.transaction()
            await self._transaction.start()
            await self._raw.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
        except BaseException as error:
            store._write_lock.release()
            if self._raw is not None:
                await asyncio.shield(store._pool.release(self._raw))
            if isinstance(error, asyncpg.PostgresError):
                raise db_error(error) from error
            raise
        store._writer = Connection(self._raw)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        store = self._store
        try:
            if exc_info[0] is None:
                try:
                    await self._transaction.commit()
                except asyncpg.PostgresError as error:
                    raise db_error(error) from error
            else:
                # A write given up on part way (its task cancelled) may have left the
                # connection busy: the pool resets or closes it as it takes it back.
                with contextlib.suppress(Exception):
                    await self._transaction.rollback()
        finally:
            store._writer = _NO_TRANSACTION
            store._write_lock.release()
            await asyncio.shield(store._pool.release(self._raw))
        if exc_info[0] is None:
            store._written()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        found = await self._store._writer.execute_fetchall(sql, params)
        return found[0] if found else None


async def _migrate(pool: asyncpg.Pool, url: str) -> None:
    """Bring the schema up to date, refusing a store newer than this program."""
    async with pool.acquire() as raw, raw.transaction():
        await raw.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        version = await raw.fetchval("SELECT max(version) FROM schema_version") or 0
        if version > SCHEMA_VERSION:
            raise StoreTooNew(
                f"the store at {shown(url)} was written by a newer cs-tui (schema {version}; "
                f"this cs-tui knows up to {SCHEMA_VERSION}). Upgrade cs-tui: pip install --upgrade cs-tui"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await raw.execute(script)
            await raw.execute("DELETE FROM schema_version")
            await raw.execute("INSERT INTO schema_version VALUES ($1)", number)

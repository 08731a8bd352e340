"""The PostgreSQL demo stores the scale bench reads: databases bench_demo_N on a server,
filled by the real `cs-tui demo`, kept between runs (or a throwaway cluster's, kept
for none), and the scratch copies that its replies write to."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bench.demo_stores import ROOT, SEED, BuildFailed, _demo_fingerprint
from cs_tui.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION

SETTINGS = ("shared_buffers", "fsync", "synchronous_commit", "max_wal_size", "work_mem")
"""The server's settings that weigh on the figures, shown with them."""


@dataclass(frozen=True, slots=True)
class PgServer:
    base: str
    """postgresql://USER@HOST:PORT, without a database."""
    keeps: bool
    """Whether its demo databases are kept for the next run (not on a throwaway cluster)."""

    def url(self, database: str) -> str:
        return f"{self.base}/{database}"

    def describe(self) -> str:
        """The server's version and settings, in one line."""
        return asyncio.run(_describe(self))


@dataclass(frozen=True, slots=True)
class PgDemo:
    tickets: int
    database: str
    url: str
    size_bytes: int
    fill_s: float | None
    """Wall time of `cs-tui demo` when it filled this database."""
    settle_s: float | None
    """Wall time of the VACUUM ANALYZE after the fill (see `_settle`)."""
    filled_now: bool
    filled_at: str | None


class NotAServer(Exception):
    """--postgres was not the URL of a server without a database."""


@contextmanager
def postgres_server(url: str | None) -> Iterator[PgServer]:
    """The server at `url` (postgresql://USER@HOST:PORT), or without one a throwaway
    cluster of the tests' (tests/pgserver.py), stopped and deleted on exit."""
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or parts.path.strip("/") or parts.query:
            raise NotAServer(f"--postgres takes postgresql://USER@HOST:PORT without a database, not {url!r}")
        yield PgServer(url.rstrip("/"), keeps=True)
        return
    import pytest

    from tests.pgserver import SUPERUSER, cluster

    try:
        with cluster() as made:
            yield PgServer(f"postgresql://{SUPERUSER}@127.0.0.1:{made.port}", keeps=False)
    except pytest.skip.Exception as skipped:
        raise NotAServer(f"no PostgreSQL to start a throwaway cluster with: {skipped}") from None


def pg_demo(server: PgServer, tickets: int, *, rebuild: bool = False, prefix: str = "bench_demo") -> PgDemo:
    """The demo database of this many tickets (`prefix`_N), filled first unless the
    server keeps a complete one of this schema (its version and a hash of its SQL) and
    this version of the demo data (noted in the database's comment when it was filled),
    or `rebuild` is asked for."""
    name = f"{prefix}_{tickets}"
    if not rebuild:
        noted = asyncio.run(_complete_notes(server, name, tickets))
        if noted is not None:
            size = asyncio.run(_size(server, name))
            fill_s, settle_s = noted.get("fill_s"), noted.get("settle_s")
            return PgDemo(
                tickets, name, server.url(name), size, fill_s, settle_s, False, noted.get("filled_at")
            )
    asyncio.run(
        _admin_do(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    )
    # What the data is made by, as it is filled: code changed meanwhile makes other data.
    demo, schema_sql = _demo_fingerprint(), _schema_fingerprint()
    fill_s = _fill(server.url(name), tickets)
    settle_s = asyncio.run(_settle(server.url(name)))
    if asyncio.run(_count(server.url(name))) != tickets:
        raise BuildFailed(f"cs-tui demo left {name} without {tickets:,} tickets")
    filled_at = datetime.now(UTC).isoformat(timespec="seconds")
    notes = {
        "tickets": tickets,
        "seed": SEED,
        "schema": SCHEMA_VERSION,
        "schema_sql": schema_sql,
        "demo": demo,
        "fill_s": round(fill_s, 2),
        "settle_s": round(settle_s, 2),
        "filled_at": filled_at,
    }
    note = json.dumps(notes).replace("'", "''")
    asyncio.run(_admin_do(server, f"COMMENT ON DATABASE \"{name}\" IS '{note}'"))
    size = asyncio.run(_size(server, name))
    return PgDemo(tickets, name, server.url(name), size, fill_s, settle_s, True, filled_at)


@asynccontextmanager
async def scratch_database(server: PgServer, demo: PgDemo) -> AsyncIterator[str]:
    """A copy of the demo database to write to, dropped on exit, so timed replies
    never change the kept one; its URL. Nothing may be connected to the demo's."""
    copy = f"bench_scratch_{demo.tickets}"
    # FILE_COPY copies the files after a checkpoint; the default (PostgreSQL 15's
    # WAL_LOG) writes the whole database to the WAL, minutes at a million tickets.
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        strategy = " STRATEGY FILE_COPY" if admin.get_server_version().major >= 15 else ""
        await admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{demo.database}"{strategy}')
    finally:
        await admin.close()
    try:
        yield server.url(copy)
    finally:
        await _admin_do(server, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def _fill(url: str, tickets: int) -> float:
    command = [sys.executable, "-m", "cs_tui", "demo", "--no-open"]
    command += ["--tickets", str(tickets), "--seed", str(SEED), "--store", url]
    started = time.perf_counter()
    # The demo's progress goes to stderr; stdout stays the benchmark's report.
    result = subprocess.run(command, cwd=ROOT, stdout=sys.stderr, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise BuildFailed(f"`{' '.join(command[1:])}` exited with {result.returncode}")
    return elapsed


async def _settle(url: str) -> float:
    """VACUUM ANALYZE the new database: what autovacuum does on its own a minute or so
    after a fill, done at once so that a fresh database and a kept one are measured in
    the same state (statistics for the planner, the visibility map set)."""
    connection = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        await connection.execute("VACUUM (ANALYZE)")
        return time.perf_counter() - started
    finally:
        await connection.close()


async def _admin_do(server: PgServer, *statements: str) -> None:
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


async def _complete_notes(server: PgServer, name: str, tickets: int) -> dict[str, Any] | None:
    """The notes of the kept database `name` if it is complete and current, else None."""
    if not server.keeps:
        return None
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
        )
    finally:
        await admin.close()
    try:
        noted = json.loads(comment) if comment else None
    except ValueError:
        return None
    current = {
        "tickets": tickets,
        "seed": SEED,
        "schema": SCHEMA_VERSION,
        "schema_sql": _schema_fingerprint(),
        "demo": _demo_fingerprint(),
    }
    if not isinstance(noted, dict) or any(noted.get(key) != value for key, value in current.items()):
        return None
    try:
        if await _count(server.url(name)) != tickets or await _schema(server.url(name)) != SCHEMA_VERSION:
            return None
    except asyncpg.PostgresError:
        return None
    return noted


def _schema_fingerprint() -> str:
    """A hash of the schema's SQL: a migration changed in place (as one may be before
    it is released) changes the indexes the figures depend on, and the version does
    not say so."""
    return hashlib.sha256("\n".join(MIGRATIONS).encode()).hexdigest()[:16]


async def _count(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM tickets"))
    finally:
        await connection.close()


async def _schema(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT max(version) FROM schema_version"))
    finally:
        await connection.close()


async def _size(server: PgServer, name: str) -> int:
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        return int(await admin.fetchval("SELECT pg_database_size($1)", name))
    finally:
        await admin.close()


async def _describe(server: PgServer) -> str:
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        version = await admin.fetchval("SHOW server_version")
        settings = [f"{name} {await admin.fetchval(f'SHOW {name}')}" for name in SETTINGS]
    finally:
        await admin.close()
    where = "kept databases" if server.keeps else "throwaway cluster"
    return (
        f"PostgreSQL {version.split()[0]} at {urlsplit(server.base).netloc} ({where}; {', '.join(settings)})"
    )

"""A real PostgreSQL for the tests: Debian's `postgresql` package, a throwaway
cluster made in a temporary directory and started on a loopback port, as the
`postgres` user when the tests run as root (PostgreSQL refuses to run as root).
`.ci/run` installs the package; where it is missing or cannot start, the test says
so and is skipped.

Each test gets a database of its own, copied from a template that already holds the
schema (CREATE DATABASE ... TEMPLATE takes a few tens of milliseconds)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cs_tui.store import Store, open_store
from cs_tui.store.postgres import core
from cs_tui.store.postgres.schema import MIGRATIONS

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SUPERUSER = "postgres"


@dataclass(frozen=True, slots=True)
class Cluster:
    port: int
    root: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def _binary(name: str) -> Path | None:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return folder / name
    found = shutil.which(name)
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(command: list[str], owner: pwd.struct_passwd | None) -> list[str]:
    if owner is None:
        return command
    return ["su", owner.pw_name, "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of its own, stopped and deleted on exit."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("needs PostgreSQL (Debian's postgresql package; .ci/run installs it)")
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL refuses to run as root, and there is no postgres user to run it as")
    root = Path(tempfile.mkdtemp(prefix="cs-tui-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", _free_port()
    made = subprocess.run(
        _as_owner([str(initdb), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8"], owner),
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL's initdb failed: {made.stderr.decode(errors='replace')[-500:]}")
    # No autovacuum: its ANALYZE takes a transaction id, and while it runs every event
    # written after it waits (events are given once every older transaction has
    # ended), so a test reading last_event_id() would find an older one at random.
    options = (
        f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off -c max_connections=300 -c autovacuum=off"
    )
    started = subprocess.run(
        _as_owner(
            [str(pg_ctl), "-D", str(data), "-l", str(root / "log"), "-w", "-o", options, "start"], owner
        ),
        capture_output=True,
        check=False,
    )
    if started.returncode != 0:
        log = (root / "log").read_text(errors="replace")[-500:] if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {started.stderr.decode(errors='replace')[-300:]} {log}")
    try:
        yield Cluster(port, root)
    finally:
        subprocess.run(
            _as_owner([str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
            capture_output=True,
            check=False,
        )
        for _ in range(50):
            if not (data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


_shared: Cluster | None = None
_shared_context: Any = None
_refused: str | None = None


def shared_cluster() -> Cluster:
    """The test session's cluster, started on first use (see stop_shared)."""
    global _shared, _shared_context, _refused
    if _refused is not None:
        pytest.skip(_refused)
    if _shared is None:
        context = cluster()
        try:
            _shared = context.__enter__()
        except pytest.skip.Exception as skipped:
            _refused = str(skipped)
            raise
        _shared_context = context
    return _shared


def stop_shared() -> None:
    global _shared, _shared_context
    if _shared_context is not None:
        _shared_context.__exit__(None, None, None)
    _shared = _shared_context = None


TEMPLATE = "cs_tui_template"


async def _admin(found: Cluster) -> asyncpg.Connection:
    return await asyncpg.connect(found.url())


async def fresh_database(name: str, *, blank: bool = False) -> str:
    """A new database `name` holding an up-to-date empty store (or, `blank`, nothing
    yet); its URL."""
    found = shared_cluster()
    admin = await _admin(found)
    try:
        if not blank and not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEMPLATE):
            await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
            store = await open_store(found.url(TEMPLATE))
            await store.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"' + ("" if blank else f' TEMPLATE "{TEMPLATE}"'))
    finally:
        await admin.close()
    return found.url(name)


async def drop_database(name: str) -> None:
    admin = await _admin(shared_cluster())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def store_at_migration(url: str, version: int) -> AsyncIterator[Store]:
    """A store whose schema stops at `version`, as an older cs-tui left it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core, "MIGRATIONS", MIGRATIONS[:version])
        patch.setattr(core, "SCHEMA_VERSION", version)
        store = await open_store(url)
        try:
            yield store
        finally:
            await store.close()

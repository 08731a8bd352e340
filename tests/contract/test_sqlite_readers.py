"""Reads on the SQLite store run side by side: a long one does not hold up the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from cs_tui.domain.models import AuthorKind, NewMessage, Ticket
from cs_tui.store.sqlite import SqliteStore, core

from .helpers import open_ticket

LONG_READ = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT count(*) FROM n"
)
"""A read that keeps SQLite busy for a good while (as a search over half of a big
store does), ending by itself."""
ENDLESS_READ = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
"""A read that never ends by itself."""


@asynccontextmanager
async def store_with_a_ticket(
    place: Path, readers: int = core.READERS
) -> AsyncIterator[tuple[SqliteStore, Ticket]]:
    """A store in a new file with one ticket, closed after; a read still running then
    (a test that failed) is stopped first, so that closing does not wait on it."""
    store = await SqliteStore.open(place / "cs-tui.db", readers=readers)
    try:
        yield store, await open_ticket(store)
    finally:
        for reader in store._readers._opened:
            await reader.interrupt()
        await store.close()


async def finish_order(store: SqliteStore, ticket_id: int) -> list[str]:
    done: list[str] = []

    async def long_read() -> None:
        await store._fetchall(LONG_READ)
        done.append("long read")

    async def open_the_ticket() -> None:
        await store.get_ticket(ticket_id)
        await store.get_messages(ticket_id)
        done.append("ticket")

    long = asyncio.create_task(long_read())
    await asyncio.sleep(0.05)  # the long read is running
    await asyncio.gather(open_the_ticket(), long)
    return done


@pytest.mark.parametrize(("readers", "first"), [(4, "ticket"), (1, "long read")])
async def test_a_ticket_opens_while_a_long_read_runs(tmp_path: Path, readers: int, first: str) -> None:
    async with store_with_a_ticket(tmp_path, readers) as (store, ticket):
        assert (await finish_order(store, ticket.id))[0] == first


async def test_a_read_given_up_while_waiting_for_a_connection_loses_none(tmp_path: Path) -> None:
    async with store_with_a_ticket(tmp_path, readers=1) as (store, ticket):
        long = asyncio.create_task(store._fetchall(LONG_READ))
        await asyncio.sleep(0.05)
        given_up = asyncio.create_task(store.get_ticket(ticket.id))
        await asyncio.sleep(0.01)
        given_up.cancel()
        await long
        # The one connection came back: reads still work, one after the other.
        found = await asyncio.wait_for(store.get_ticket(ticket.id), 10)
        assert found.id == ticket.id


async def test_what_is_written_reaches_the_store_file_soon_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes go to the write-ahead log first; a checkpoint off the writer's path copies
    them into the store file, so the log does not grow while the store is open."""
    monkeypatch.setattr(core, "CHECKPOINT_AFTER_S", 0.05)
    path = tmp_path / "cs-tui.db"
    async with store_with_a_ticket(tmp_path) as (store, ticket):
        before = path.stat().st_size
        for number in range(100):
            await store.add_message(
                ticket.id,
                NewMessage(f"long-{number}", "Rincian pesanan " * 400, AuthorKind.CUSTOMER),
                actor_id=None,
            )
        for _ in range(100):
            if path.stat().st_size >= before + 100 * 6_000:
                break
            await asyncio.sleep(0.05)
        assert path.stat().st_size >= before + 100 * 6_000, "the messages are still only in the log"


async def test_a_read_given_up_while_running_stops_and_frees_its_connection(tmp_path: Path) -> None:
    async with store_with_a_ticket(tmp_path, readers=1) as (store, ticket):
        endless = asyncio.create_task(store._fetchall(ENDLESS_READ))
        await asyncio.sleep(0.05)  # running on the one connection
        endless.cancel()
        await asyncio.gather(endless, return_exceptions=True)
        # Left running, the endless read would keep this waiting for ever (30 s here).
        assert (await asyncio.wait_for(store.get_ticket(ticket.id), 30)).id == ticket.id

"""Reads on the SQLite store run side by side: a long one does not hold up the rest."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cs_tui.domain.models import AuthorKind, NewMessage
from cs_tui.store.sqlite import SqliteStore, core

from .helpers import open_ticket

LONG_READ = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT count(*) FROM n"
)
"""A read that keeps SQLite busy for a good while (as a search over half of a big
store does), ending by itself."""
ENDLESS_READ = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
"""A read that never ends by itself."""


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
    store = await SqliteStore.open(tmp_path / "cs-tui.db", readers=readers)
    try:
        ticket = await open_ticket(store)
        assert (await finish_order(store, ticket.id))[0] == first
    finally:
        await store.close()


async def test_a_read_given_up_while_waiting_for_a_connection_loses_none(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "cs-tui.db", readers=1)
    try:
        ticket = await open_ticket(store)
        long = asyncio.create_task(store._fetchall(LONG_READ))
        await asyncio.sleep(0.05)
        given_up = asyncio.create_task(store.get_ticket(ticket.id))
        await asyncio.sleep(0.01)
        given_up.cancel()
        await long
        # The one connection came back: reads still work, one after the other.
        found = await asyncio.wait_for(store.get_ticket(ticket.id), 10)
        assert found.id == ticket.id
    finally:
        await store.close()


async def test_what_is_written_reaches_the_store_file_soon_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes go to the write-ahead log first; a checkpoint off the writer's path copies
    them into the store file, so the log does not grow while the store is open."""
    monkeypatch.setattr(core, "CHECKPOINT_AFTER_S", 0.05)
    path = tmp_path / "cs-tui.db"
    store = await SqliteStore.open(path)
    try:
        ticket = await open_ticket(store)
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
    finally:
        await store.close()


async def test_a_read_given_up_while_running_stops_and_frees_its_connection(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "cs-tui.db", readers=1)
    try:
        ticket = await open_ticket(store)
        endless = asyncio.create_task(store._fetchall(ENDLESS_READ))
        await asyncio.sleep(0.05)  # running on the one connection
        endless.cancel()
        await asyncio.gather(endless, return_exceptions=True)
        # Left running, the endless read would keep this waiting for ever (30 s here).
        assert (await asyncio.wait_for(store.get_ticket(ticket.id), 30)).id == ticket.id
    finally:
        for reader in store._readers._opened:  # should the test fail: end the read
            await reader.interrupt()
        await store.close()

"""Opening a PostgreSQL store: migrations, a store newer than the program, and a
connection through a transaction pooler."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from cs_tui.domain.models import Channel, NewTicket
from cs_tui.store import InvalidInput, StoreTooNew, open_store


async def test_a_store_written_by_a_newer_cs_tui_is_refused_saying_to_upgrade(pg_url: str) -> None:
    raw = await asyncpg.connect(pg_url)
    try:
        await raw.execute("UPDATE schema_version SET version = 999")
    finally:
        await raw.close()
    with pytest.raises(StoreTooNew, match=r"newer cs-tui .*Upgrade cs-tui"):
        await open_store(pg_url)


async def test_opening_again_keeps_what_was_written(pg_url: str) -> None:
    store = await open_store(pg_url)
    made = await store.create_ticket(
        NewTicket("Paket belum sampai", "dewi@example.com", "Halo", "Dewi"), actor_id=None
    )
    await store.close()
    again = await open_store(pg_url)
    try:
        assert (await again.get_ticket(made.id)).subject == "Paket belum sampai"
    finally:
        await again.close()


async def test_through_a_transaction_pooler_events_still_arrive(pg_url: str) -> None:
    pooled = f"{pg_url}?pooling=transaction"
    listener, writer = await open_store(pooled), await open_store(pooled)
    heard: list[int | None] = []
    arrived = asyncio.Event()

    async def listen() -> None:
        async for event in listener.events(await listener.last_event_id()):
            heard.append(event.ticket_id)
            arrived.set()

    listening = asyncio.create_task(listen())
    try:
        await asyncio.sleep(0.3)
        made = await writer.create_ticket(
            NewTicket(
                "Ongkir", f"{uuid.uuid4().hex[:8]}@example.com", "Berapa?", "Budi", channel=Channel.CHAT
            ),
            actor_id=None,
        )
        async with asyncio.timeout(5):
            while made.id not in heard:
                arrived.clear()
                await arrived.wait()
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await listener.close()
        await writer.close()


async def test_a_pooling_mode_cs_tui_does_not_know_is_refused(pg_url: str) -> None:
    with pytest.raises(InvalidInput, match="pooling=transaction"):
        await open_store(f"{pg_url}?pooling=statement")

"""Events are given in one order to every listener, none skipped, however the
transactions that wrote them commit: an id from a sequence is taken when a
transaction writes, not when it commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from cs_tui.domain.models import Event
from cs_tui.store import Store, open_store

WAIT_S = 5.0


@pytest.fixture
async def listeners(pg_url: str) -> AsyncIterator[list[Store]]:
    """Two stores on one database, as two servers."""
    stores = [await open_store(pg_url), await open_store(pg_url)]
    try:
        yield stores
    finally:
        for store in stores:
            await store.close()


class Heard:
    """What a listener has been given, from now on."""

    def __init__(self, store: Store, since: int) -> None:
        self.events: list[Event] = []
        self._arrived = asyncio.Event()
        self._task = asyncio.create_task(self._listen(store, since))

    async def _listen(self, store: Store, since: int) -> None:
        async for event in store.events(since):
            self.events.append(event)
            self._arrived.set()

    async def until(self, count: int) -> list[int | None]:
        async with asyncio.timeout(WAIT_S):
            while len(self.events) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return [event.ticket_id for event in self.events]

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def _write_event(connection: asyncpg.Connection, marker: int) -> None:
    await connection.execute(
        "INSERT INTO events(kind, ticket_id, at) VALUES ('ticket.updated', $1, 0)", marker
    )


async def _heard(listeners: list[Store]) -> list[Heard]:
    since = await listeners[0].last_event_id()
    return [Heard(store, since) for store in listeners]


async def test_an_event_committed_before_an_earlier_one_waits_for_it(
    pg_url: str, listeners: list[Store]
) -> None:
    heard = await _heard(listeners)
    first, second = await asyncpg.connect(pg_url), await asyncpg.connect(pg_url)
    try:
        async with first.transaction():
            await _write_event(first, 1)
            async with second.transaction():
                await _write_event(second, 2)
            # The second is committed, but the first may still come before it.
            await asyncio.sleep(0.5)
            assert [each.events for each in heard] == [[], []]
        for each in heard:
            assert await each.until(2) == [1, 2]
    finally:
        await first.close()
        await second.close()
        for each in heard:
            await each.stop()


async def test_an_event_written_late_by_an_older_transaction_is_not_skipped(
    pg_url: str, listeners: list[Store]
) -> None:
    heard = await _heard(listeners)
    older, younger = await asyncpg.connect(pg_url), await asyncpg.connect(pg_url)
    try:
        await older.execute("BEGIN")
        await older.fetchval("SELECT pg_current_xact_id()")  # the older transaction
        await younger.execute("BEGIN")
        await _write_event(younger, 2)  # the lower id
        await _write_event(older, 1)  # the higher id
        await older.execute("COMMIT")
        for each in heard:
            assert await each.until(1) == [1]
        await younger.execute("COMMIT")
        for each in heard:
            assert await each.until(2) == [1, 2]
            assert len(each.events) == 2
    finally:
        await older.close()
        await younger.close()
        for each in heard:
            await each.stop()


async def test_a_listener_that_starts_later_resumes_after_the_event_it_names(
    pg_url: str, listeners: list[Store]
) -> None:
    since = await listeners[0].last_event_id()
    writer = await asyncpg.connect(pg_url)
    try:
        for marker in (1, 2, 3):
            await _write_event(writer, marker)
    finally:
        await writer.close()
    first = Heard(listeners[0], since)
    assert await first.until(3) == [1, 2, 3]
    await first.stop()
    later = Heard(listeners[1], first.events[0].id)
    assert await later.until(2) == [2, 3]
    await later.stop()

"""PostgresStore: the store for a team past one machine, in one PostgreSQL database
that several `cs-tui serve` processes share.

Its helpdesk rules and most of its SQL are the SQLite store's (the two schemas have
the same tables and the same derived columns); what differs is said here: search
(a `simple` tsvector), live events across processes, and the plumbing in core.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg

from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import Event, EventKind
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import NotFound
from cs_tui.store.files import sha256
from cs_tui.store.postgres.bulk import PostgresImport
from cs_tui.store.postgres.connection import shared
from cs_tui.store.postgres.core import WAKE_CHANNEL, log
from cs_tui.store.postgres.queue import PostgresQueue
from cs_tui.store.sqlite.metrics_sql import read_metrics
from cs_tui.store.sqlite.store import HOUR_US, SqliteStore

EVENT_POLL_S = 1.0
"""How often a process looks for events when nothing woke it: only when a wake-up
was lost (the listening connection dropped, say)."""
POOLED_POLL_S = 0.25
"""How often it looks through a transaction pooler, where it hears no wake-up."""
UNFINISHED_POLL_S = 0.02
"""How soon to look again when an event waits for an older transaction to finish."""
EVENT_BATCH = 500


class PostgresStore(PostgresImport, PostgresQueue, SqliteStore):  # type: ignore[misc]
    """A store in a PostgreSQL database. Open with `await PostgresStore.open(url)`."""

    # Metrics

    async def metrics(
        self, window: Window, *, viewer_id: int | None = None, now: datetime | None = None
    ) -> Metrics:
        # The metrics' statements differ from call to call only in the window they read.
        async with self._readers.one() as reader, reader.generic_plans():
            return await read_metrics(shared(reader), window, viewer_id=viewer_id, now=now or utcnow())

    # Live updates

    async def last_event_id(self) -> int:
        row = await self._fetchone(
            "SELECT coalesce(max(position), 0) FROM events"
            " WHERE xid < pg_snapshot_xmin(pg_current_snapshot())"
        )
        return int(row[0])

    async def events(self, since: int) -> AsyncIterator[Event]:
        """Every event after `since`, in order, none skipped. An event's id is its
        position (see the schema's events table): an event is given once every
        transaction older than its own has finished, when no event can come before it."""
        woken = asyncio.Event()
        self._woken.add(woken)
        try:
            last = since
            while True:
                await self._listen()
                woken.clear()
                found = await self._fetchall(
                    "SELECT position, kind, ticket_id, actor_id, at, customer_id FROM events"
                    " WHERE position > ? AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                    " ORDER BY position LIMIT ?",
                    (last, EVENT_BATCH),
                )
                for row in found:
                    last = row[0]
                    kind = EventKind.known(row[1])
                    if kind is not None:  # else a newer cs-tui's, which this one has no use for
                        yield Event(row[0], kind, row[2], row[3], from_micros(row[4]), row[5])
                if len(found) == EVENT_BATCH:
                    continue
                if not await self._all_seen(last):
                    await asyncio.sleep(UNFINISHED_POLL_S)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), POOLED_POLL_S if self.pooled else EVENT_POLL_S)
        finally:
            self._woken.discard(woken)

    async def _all_seen(self, last: int) -> bool:
        """Whether no event after `last` waits for an older transaction to finish. (The
        last position, from the end of its index: asked whether any event lies past
        `last`, the planner reads the whole table to find none.)"""
        row = await self._fetchone("SELECT coalesce(max(position), 0) FROM events")
        return int(row[0]) <= last

    async def _listen(self) -> None:
        """Hear the other processes' wake-ups on a connection of its own (a pooled
        one forgets what it listens to when it goes back to the pool)."""
        if self.pooled or (self._listener is not None and not self._listener.is_closed()):
            return
        try:
            listener = await asyncpg.connect(self.url)
            await listener.add_listener(WAKE_CHANNEL, lambda *_: self._wake_all())
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("cannot hear the other processes' writes, looking every %ss: %s", EVENT_POLL_S, error)
            return
        self._listener = listener

    # Files

    async def _keep_blobs(self, blobs: list[bytes]) -> list[str]:
        """Keeps files in the database, where every server finds them; their digests."""
        digests = [sha256(blob) for blob in blobs]
        if blobs:
            async with self._readers.one() as connection:
                await connection.executemany(
                    "INSERT INTO files(sha256, data) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    list(zip(digests, blobs, strict=True)),
                )
        return digests

    async def _kept_file(self, digest: str) -> bytes:
        row = await self._fetchone("SELECT data FROM files WHERE sha256 = ?", (digest,))
        if row is None:
            raise NotFound(f"the file {digest[:12]}… is not in the store")
        return bytes(row[0])

    async def new_tickets_per_hour(self, since: datetime, until: datetime) -> list[int]:
        start, end = to_micros(since), to_micros(until)
        hours = max(0, -((start - end) // HOUR_US))
        found = await self._fetchall(
            "SELECT (created_at - ?) / ? AS hour, count(*) FROM tickets"
            " WHERE created_at >= ? AND created_at < ? AND merged_into IS NULL GROUP BY hour",
            (start, HOUR_US, start, end),
        )
        counts = [0] * hours
        for hour, count in found:
            counts[hour] += count
        return counts

"""A channel's inbox in the SQLite store: webhook deliveries kept as they came, so
that the webhook answers at once and the channel's worker takes each in after, in
order, never losing one; and a reply's delivery moved on as the app reports it."""

from __future__ import annotations

from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.messaging import RECEIVED_KEPT, delivery_advances
from cs_tui.domain.models import EventKind
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.base import NotFound
from cs_tui.store.sqlite.core import SqliteCore


class InboxStore(SqliteCore):
    async def keep_received(self, channel: str, raw: bytes) -> int:
        now = utcnow()
        async with self._transaction() as db:
            row = await db.fetchone("SELECT cursor FROM channels WHERE name = ?", (channel,))
            if row is None:
                raise NotFound(f"there is no channel named {channel}")
            kept = await db.fetchone(
                "INSERT INTO received(channel, raw, received_at) VALUES (?, ?, ?) RETURNING id",
                (channel, raw, to_micros(now)),
            )
            cursor = row[0] if isinstance(row[0], str) and row[0].isdigit() else "0"
            await self._writer.execute(
                "DELETE FROM received WHERE channel = ? AND id <= ? AND received_at < ?",
                (channel, int(cursor), to_micros(now - RECEIVED_KEPT)),
            )
            await self._event(EventKind.CHANNEL_RECEIVED, None, None)
            return int(kept[0])

    async def received(self, channel: str, after: int, limit: int) -> list[tuple[int, bytes]]:
        found = await self._fetchall(
            "SELECT id, raw FROM received WHERE channel = ? AND id > ? ORDER BY id LIMIT ?",
            (channel, after, limit),
        )
        return [(int(row[0]), bytes(row[1])) for row in found]

    async def received_done(self, channel: str, received_id: int) -> None:
        async with self._transaction():
            await self._writer.execute(
                "UPDATE channels SET cursor = ? WHERE name = ?", (str(received_id), channel)
            )

    async def delivery_seen(
        self, channel: str, external_id: str, state: DeliveryState, reason: str = ""
    ) -> bool:
        async with self._transaction() as db:
            row = await db.fetchone(
                "SELECT d.message_id, d.state, m.ticket_id FROM messages m"
                " JOIN deliveries d ON d.message_id = m.id WHERE m.external_id = ? AND d.channel = ?",
                (external_id, channel),
            )
            if row is None or not delivery_advances(DeliveryState(row[1]), state):
                return False
            await self._writer.execute(
                "UPDATE deliveries SET state = ?, reason = ?, retry_at = NULL WHERE message_id = ?",
                (state.value, reason if state is DeliveryState.FAILED else "", row[0]),
            )
            await self._event(EventKind.DELIVERY_CHANGED, row[2], None)
            return True

"""What a website chat needs of the SQLite store besides taking messages in: the key
its visitors' tokens are signed with, the ticket a visitor's conversation is on now,
what the visitor is doing (here, typing, gone), whether anyone of the team is, and a
transcript of the chat mailed where the visitor asks."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from cs_tui.domain.chat import VisitorState
from cs_tui.domain.models import AuthorKind, EventKind, NewMessage
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import NotFound
from cs_tui.store.sqlite import writes
from cs_tui.store.sqlite.core import SqliteCore


class ChatsStore(SqliteCore):
    async def channel_key(self, channel: str) -> bytes:
        row = await self._fetchone("SELECT key FROM channel_keys WHERE channel = ?", (channel,))
        if row is not None:
            return bytes(row[0])
        async with self._transaction() as db:
            if not await db.fetchone("SELECT 1 FROM channels WHERE name = ?", (channel,)):
                raise NotFound(f"there is no channel named {channel}")
            await self._writer.execute(
                "INSERT INTO channel_keys(channel, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (channel, secrets.token_bytes(32)),
            )
            row = await db.fetchone("SELECT key FROM channel_keys WHERE channel = ?", (channel,))
            return bytes(row[0])

    async def conversation_ticket(self, conversation: str) -> int | None:
        row = await self._fetchone(
            "SELECT id FROM tickets WHERE conversation = ? ORDER BY id DESC LIMIT 1", (conversation,)
        )
        return None if row is None else int(row[0])

    async def visitor_said(self, ticket_id: int, *, typing: bool | None = None, left: bool = False) -> None:
        now = to_micros(utcnow())
        async with self._transaction() as db:
            before = await db.fetchone(
                "SELECT typing_at, left_at FROM visitors WHERE ticket_id = ?", (ticket_id,)
            )
            was_typing, was_gone = (
                (before[0] is not None, before[1] is not None) if before else (False, False)
            )
            is_typing = (was_typing if typing is None else typing) and not left
            await self._writer.execute(
                "INSERT INTO visitors(ticket_id, seen_at, typing_at, left_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(ticket_id) DO UPDATE SET seen_at = excluded.seen_at,"
                " typing_at = excluded.typing_at, left_at = excluded.left_at",
                (ticket_id, now, now if is_typing else None, now if left else None),
            )
            if before is None or (is_typing, left) != (was_typing, was_gone):
                # Only a change wakes those watching; being still there does not.
                await self._event(EventKind.VISITOR_CHANGED, ticket_id, None)

    async def visitor_states(self, ticket_ids: Sequence[int]) -> dict[int, VisitorState]:
        if not ticket_ids:
            return {}
        found = await self._fetchall(
            "SELECT ticket_id, seen_at, typing_at, left_at FROM visitors"
            f" WHERE ticket_id IN ({','.join('?' * len(ticket_ids))})",
            tuple(ticket_ids),
        )
        return {
            row[0]: VisitorState(
                from_micros(row[1]),
                None if row[2] is None else from_micros(row[2]),
                None if row[3] is None else from_micros(row[3]),
            )
            for row in found
        }

    async def customer_read(self, ticket_id: int, up_to: int) -> None:
        async with self._transaction():
            read = await self._writer.execute(
                "UPDATE deliveries SET state = 'read' WHERE state IN ('sent', 'delivered') AND message_id IN"
                " (SELECT id FROM messages WHERE ticket_id = ? AND id <= ? AND author_kind = 'agent')",
                (ticket_id, up_to),
            )
            if read.rowcount:
                await self._event(EventKind.DELIVERY_CHANGED, ticket_id, None)

    async def agents_seen_since(self, since: datetime) -> int:
        row = await self._fetchone(
            "SELECT count(*) FROM (SELECT agent_id FROM presence WHERE seen_at >= ?"
            " UNION SELECT actor_id FROM events WHERE actor_id IS NOT NULL AND id >"
            " (SELECT coalesce(max(id), 0) - 5000 FROM events) AND at >= ?) seen",
            (to_micros(since), to_micros(since)),
        )
        return int(row[0]) if row else 0

    async def queue_transcript(self, ticket_id: int, mailbox: str, to: str, body: str) -> int:
        said = "\n".join((str(ticket_id), mailbox, to, body)).encode()
        client_id = f"transcript:{hashlib.sha256(said).hexdigest()[:40]}"
        async with self._transaction() as db:
            sent = await db.fetchone("SELECT id FROM messages WHERE client_id = ?", (client_id,))
            if sent is not None:
                return int(sent[0])
            kind = await db.fetchone("SELECT kind FROM channels WHERE name = ?", (mailbox,))
            if kind is None or kind[0] != "email":
                raise NotFound(f"there is no mailbox named {mailbox}")
            message = NewMessage(client_id, body, author_kind=AuthorKind.SYSTEM, auto=True)
            message_id = await writes.append_message(
                self._writer,
                self.sla,
                ticket_id,
                message,
                actor_id=None,
                now=utcnow(),
                parts=writes.MailParts(from_email=to),  # whom it goes to: channels.ADDRESSED
                deliver=True,
                deliver_by=mailbox,
            )
            await self._event(EventKind.MESSAGE_ADDED, ticket_id, None)
            return message_id

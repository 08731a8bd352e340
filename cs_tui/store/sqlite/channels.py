"""Channels in the SQLite store: their settings, what goes out by them and how it
went, who works each one, and the files beside the store. What they take in is
intake.py's."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from cs_tui.domain.channels import (
    AttachmentInfo,
    ChannelInfo,
    Delivery,
    DeliveryState,
    Outgoing,
    unknown_outcome,
)
from cs_tui.domain.messaging import TemplateError, WhatsAppTemplate
from cs_tui.domain.models import EventKind
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import InvalidInput, NotFound
from cs_tui.store.sqlite import writes
from cs_tui.store.sqlite.intake import IntakeStore

REPLY_ADDRESS = """coalesce((
    SELECT coalesce(r.from_email, c.email) FROM messages r WHERE r.ticket_id = t.id AND r.id < m.id
    AND r.author_kind = 'customer' AND (r.from_email IS NULL OR r.from_email IN (
        SELECT value FROM customer_identities WHERE customer_id = c.id AND kind = 'email'))
    ORDER BY r.id DESC LIMIT 1), c.email)"""
"""Where reply `m` on ticket `t` of customer `c` goes: the address the customer last
wrote from on the ticket before it (one of theirs: a second address, or one of a
customer merged into them), else their primary one."""
ADDRESSED = "CASE WHEN m.author_kind = 'system' THEN m.from_email END"
"""A message of the helpdesk's own that names whom it goes to (a chat's transcript,
mailed where the visitor asked) goes there."""


class ChannelsStore(IntakeStore):
    # Set-up

    async def add_channel(self, name: str, kind: str, settings: dict[str, str]) -> ChannelInfo:
        now = utcnow()
        async with self._transaction() as db:
            if await db.fetchone("SELECT 1 FROM channels WHERE name = ?", (name,)):
                raise InvalidInput(
                    f"there is already a channel named {name}: pick another name, "
                    f"or `cs-tui channel remove {name}` first",
                    "name",
                )
            await self._writer.execute(
                "INSERT INTO channels(name, kind, settings, created_at) VALUES (?, ?, ?, ?)",
                (name, kind, json.dumps(settings), to_micros(now)),
            )
            await self._event(EventKind.CHANNEL_CHANGED, None, None)
        return ChannelInfo(name, kind, dict(settings), now)

    async def list_channels(self) -> list[ChannelInfo]:
        found = await self._fetchall("SELECT name, kind, settings, created_at FROM channels ORDER BY name")
        return [_channel(row) for row in found]

    async def get_channel(self, name: str) -> ChannelInfo:
        row = await self._fetchone(
            "SELECT name, kind, settings, created_at FROM channels WHERE name = ?", (name,)
        )
        if row is None:
            raise NotFound(f"there is no channel named {name}: `cs-tui channel list` shows those there are")
        return _channel(row)

    async def remove_channel(self, name: str) -> None:
        async with self._transaction() as db:
            if not await db.fetchone("SELECT 1 FROM channels WHERE name = ?", (name,)):
                raise NotFound(
                    f"there is no channel named {name}: `cs-tui channel list` shows those there are"
                )
            waiting = await self._writer.execute_fetchall(
                "UPDATE deliveries SET state = 'failed', reason = ?, retry_at = NULL"
                " WHERE channel = ? AND state IN ('queued', 'sending')"
                " RETURNING (SELECT ticket_id FROM messages WHERE id = message_id)",
                (f"the channel {name} was removed before this went out", name),
            )
            await self._writer.execute("DELETE FROM channels WHERE name = ?", (name,))
            await self._writer.execute("DELETE FROM leases WHERE channel = ?", (name,))
            await self._writer.execute("DELETE FROM received WHERE channel = ?", (name,))
            for ticket_id in sorted({row[0] for row in waiting}):
                await self._event(EventKind.DELIVERY_CHANGED, ticket_id, None)
            await self._event(EventKind.CHANNEL_CHANGED, None, None)

    async def reply_templates(self, channel: str) -> tuple[WhatsAppTemplate, ...]:
        row = await self._fetchone("SELECT kind, settings FROM channels WHERE name = ?", (channel,))
        if row is None or row[0] != "whatsapp":
            return ()
        found = []
        for text in str(json.loads(row[1]).get("templates") or "").split(","):
            if text.strip():
                with contextlib.suppress(TemplateError):  # set up by an older version: left out
                    found.append(WhatsAppTemplate.parse(text))
        return tuple(found)

    # Delivery

    async def due_deliveries(self, channel: str, *, limit: int = 20) -> list[Outgoing]:
        async with self._readers.one() as reader:
            found = list(
                await reader.execute_fetchall(
                    "SELECT d.message_id, m.ticket_id, d.channel, m.body, coalesce(a.name, ''), c.name,"
                    f" coalesce({ADDRESSED}, {REPLY_ADDRESS}),"
                    " t.subject, t.cc, d.state, d.reason, d.attempts, d.retry_at,"
                    " m.external_id,"
                    " d.first_try_at, m.author_kind = 'system', t.conversation"
                    " FROM deliveries d JOIN messages m ON m.id = d.message_id"
                    " JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.customer_id"
                    " LEFT JOIN agents a ON a.id = m.agent_id"
                    " WHERE d.channel = ? AND d.state = 'queued' AND d.retry_at <= ?"
                    " ORDER BY d.retry_at, d.message_id LIMIT ?",
                    (channel, to_micros(utcnow()), limit),
                )
            )
            return [await _outgoing(reader, row) for row in found]

    async def begin_delivery(self, message_id: int, external_id: str) -> bool:
        async with self._transaction():
            began = await self._writer.execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, handed_at = NULL,"
                " first_try_at = coalesce(first_try_at, ?) WHERE message_id = ? AND state = 'queued'",
                (to_micros(utcnow()), message_id),
            )
            if began.rowcount == 0:
                return False
            await self._writer.execute(
                "UPDATE messages SET external_id = coalesce(external_id, ?) WHERE id = ?",
                (external_id, message_id),
            )
            return True

    async def handing_over(self, message_id: int) -> None:
        async with self._transaction():
            await self._writer.execute(
                "UPDATE deliveries SET handed_at = ? WHERE message_id = ?", (to_micros(utcnow()), message_id)
            )

    async def finish_delivery(
        self,
        message_id: int,
        state: DeliveryState,
        *,
        reason: str = "",
        retry_at: datetime | None = None,
        external_id: str | None = None,
    ) -> None:
        async with self._transaction():
            if external_id is not None:
                await self._writer.execute(
                    "UPDATE messages SET external_id = ? WHERE id = ?", (external_id, message_id)
                )
            found = await self._writer.execute_fetchall(
                "UPDATE deliveries SET state = ?, reason = ?, retry_at = ?, handed_at = NULL"
                " WHERE message_id = ? RETURNING (SELECT ticket_id FROM messages WHERE id = message_id)",
                (state.value, reason, writes.micros(retry_at), message_id),
            )
            for row in found:
                await self._event(EventKind.DELIVERY_CHANGED, row[0], None)

    async def recover_deliveries(self, channel: str) -> int:
        async with self._transaction():
            try:
                kind = await self._channel_kind(channel)
            except NotFound:
                kind = ""  # removed meanwhile: its replies are failed already, saying so
            requeued = await self._writer.execute_fetchall(
                "UPDATE deliveries SET state = 'queued', retry_at = ?"
                " WHERE channel = ? AND state = 'sending' AND handed_at IS NULL"
                " RETURNING (SELECT ticket_id FROM messages WHERE id = message_id)",
                (to_micros(utcnow()), channel),
            )
            unknown = await self._writer.execute_fetchall(
                "UPDATE deliveries SET state = 'failed', reason = ?, retry_at = NULL, handed_at = NULL"
                " WHERE channel = ? AND state = 'sending'"
                " RETURNING (SELECT ticket_id FROM messages WHERE id = message_id)",
                (unknown_outcome(kind), channel),
            )
            tickets = sorted({row[0] for row in [*requeued, *unknown]})
            for ticket_id in tickets:
                await self._event(EventKind.DELIVERY_CHANGED, ticket_id, None)
            return len(list(requeued)) + len(list(unknown))

    # Who works each channel

    async def take_lease(self, channel: str, holder: str, seconds: float) -> bool:
        now = to_micros(utcnow())
        async with self._transaction():
            found = await self._writer.execute_fetchall(
                "INSERT INTO leases(channel, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(channel) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at < ? RETURNING holder",
                (channel, holder, now + int(seconds * 1_000_000), now),
            )
            return bool(list(found))

    async def drop_lease(self, channel: str, holder: str) -> None:
        async with self._transaction():
            await self._writer.execute(
                "DELETE FROM leases WHERE channel = ? AND holder = ?", (channel, holder)
            )

    async def lease_holder(self, channel: str) -> str | None:
        row = await self._fetchone(
            "SELECT holder FROM leases WHERE channel = ? AND expires_at >= ?", (channel, to_micros(utcnow()))
        )
        return None if row is None else str(row[0])

    # Files

    async def attachment(self, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
        row = await self._fetchone(
            "SELECT id, message_id, filename, content_type, size, sha256 FROM attachments WHERE id = ?",
            (attachment_id,),
        )
        if row is None:
            raise NotFound(f"there is no attachment {attachment_id}")
        info = AttachmentInfo(*row)
        return info, await self._kept_file(info.sha256)

    async def raw_message(self, message_id: int) -> bytes | None:
        row = await self._fetchone("SELECT raw_sha256 FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise NotFound(f"there is no message {message_id}")
        if row[0] is None:
            return None
        return await self._kept_file(row[0])


def _channel(row: Sequence[Any]) -> ChannelInfo:
    return ChannelInfo(row[0], row[1], json.loads(row[2]), from_micros(row[3]))


async def _outgoing(reader: aiosqlite.Connection, row: Sequence[Any]) -> Outgoing:
    (message_id, ticket_id, channel, body, agent_name, customer_name, customer_email, subject, cc) = row[:9]
    earlier = list(
        await reader.execute_fetchall(
            "SELECT external_id, author_kind FROM messages"
            " WHERE ticket_id = ? AND id < ? AND external_id IS NOT NULL AND internal = 0 ORDER BY id",
            (ticket_id, message_id),
        )
    )
    customer_ids = [external for external, author in earlier if author == "customer"]
    return Outgoing(
        message_id=message_id,
        ticket_id=ticket_id,
        channel=channel,
        body=body,
        agent_name=agent_name,
        customer_name=customer_name,
        customer_email=customer_email,
        subject=subject,
        cc=tuple(cc.split()),
        thread_ids=tuple(external for external, _ in earlier),
        reply_to_id=customer_ids[-1] if customer_ids else None,
        delivery=Delivery(DeliveryState(row[9]), row[10], row[11], writes.time(row[12]), row[13], channel),
        first_try_at=writes.time(row[14]),
        acknowledgement=bool(row[15]),
        conversation=row[16],
    )

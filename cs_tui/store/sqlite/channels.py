"""Channels in the SQLite store: their settings, what they take in (threaded, once,
with its cursor in the same transaction), what they could not read, what goes out
and how it went, who works each one, and the files beside the store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from cs_tui.domain import templates
from cs_tui.domain.channels import (
    AttachmentInfo,
    ChannelInfo,
    Delivery,
    DeliveryState,
    Inbound,
    Outgoing,
    Quarantined,
    TakenIn,
)
from cs_tui.domain.intake import acknowledges, checked_inbound, merged_cc
from cs_tui.domain.models import AuthorKind, Channel, EventKind, NewMessage, NewTicket, Status
from cs_tui.domain.threads import Thread, subject_numbers, thread_of
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import InvalidInput, NotFound
from cs_tui.store.files import FileStore, sha256
from cs_tui.store.sqlite import rows, writes
from cs_tui.store.sqlite.core import SqliteCore

_KIND_CHANNEL = {
    "email": Channel.EMAIL,
    "whatsapp": Channel.WHATSAPP,
    "chat": Channel.CHAT,
    "form": Channel.WEB,
}
UNKNOWN_OUTCOME = (
    "cs-tui stopped while the mail server was taking this reply, so it may or may not have gone "
    "out; it is not sent again by itself, so as never to send it twice. Ask the customer, or "
    "send it again"
)


def files_beside(path: Path) -> FileStore:
    """Where a store file keeps its attachments: `cs-tui.db` -> `cs-tui-files/`."""
    return FileStore(path.with_name(f"{path.stem}-files"))


class ChannelsStore(SqliteCore):
    @property
    def files(self) -> FileStore:
        return files_beside(self.path)

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
            for ticket_id in sorted({row[0] for row in waiting}):
                await self._event(EventKind.DELIVERY_CHANGED, ticket_id, None)
            await self._event(EventKind.CHANNEL_CHANGED, None, None)

    # Intake

    async def channel_cursor(self, name: str) -> str | None:
        row = await self._fetchone("SELECT cursor FROM channels WHERE name = ?", (name,))
        if row is None:
            raise NotFound(f"there is no channel named {name}")
        return row[0]  # type: ignore[no-any-return]

    async def take_in(
        self, channel: str, inbound: Inbound, *, cursor: str | None, acknowledgement: str | None = None
    ) -> TakenIn:
        inbound = checked_inbound(inbound)
        raw_digest, file_digests = await asyncio.to_thread(self._keep_files, inbound)
        now = utcnow()
        if inbound.received_at is not None:
            now = min(inbound.received_at, now)
        async with self._transaction() as db:
            kind = await self._channel_kind(channel)
            keys = [f"sha:{inbound.raw_sha256}"] + (
                [f"id:{inbound.external_id}"] if inbound.external_id else []
            )
            seen = await db.fetchone(
                "SELECT k.message_id, m.ticket_id FROM taken_in k JOIN messages m ON m.id = k.message_id"
                f" WHERE k.channel = ? AND k.key IN ({','.join('?' * len(keys))}) LIMIT 1",
                (channel, *keys),
            ) or await self._same_mail_elsewhere(inbound)
            if seen is not None:
                await self._writer.executemany(
                    "INSERT OR IGNORE INTO taken_in(channel, key, message_id) VALUES (?, ?, ?)",
                    [(channel, key, seen[0]) for key in keys],
                )
                await self._move_cursor(channel, cursor)
                return TakenIn(seen[1], seen[0], new_ticket=False, duplicate=True)
            parts = writes.MailParts(inbound.external_id, inbound.quoted, raw_digest)
            taken = await self._bounce(channel, inbound, parts, now) if inbound.bounced_id else None
            if taken is None:
                taken = await self._thread_in(channel, kind, inbound, parts, now, acknowledgement)
            await self._writer.executemany(
                "INSERT INTO attachments(message_id, filename, content_type, size, sha256)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (taken.message_id, each.filename, each.content_type, len(each.data), digest)
                    for each, digest in zip(inbound.files, file_digests, strict=True)
                ],
            )
            await self._writer.executemany(
                "INSERT OR IGNORE INTO taken_in(channel, key, message_id) VALUES (?, ?, ?)",
                [(channel, key, taken.message_id) for key in keys],
            )
            await self._move_cursor(channel, cursor)
            return taken

    async def _same_mail_elsewhere(self, inbound: Inbound) -> Any:
        """The message this mail already is, taken in by another mailbox: the same
        Message-ID from the same sender (a customer who wrote to two of the shop's
        addresses at once), or None."""
        if not inbound.external_id:
            return None
        found = await self._writer.execute_fetchall(
            "SELECT m.id, m.ticket_id FROM messages m JOIN tickets t ON t.id = m.ticket_id"
            " JOIN customers c ON c.id = t.customer_id WHERE m.external_id = ?"
            " AND m.author_kind = 'customer' AND coalesce(m.from_email, c.email) = ? LIMIT 1",
            (inbound.external_id, inbound.sender_email),
        )
        return next(iter(found), None)

    def _keep_files(self, inbound: Inbound) -> tuple[str | None, list[str]]:
        files = self.files
        raw = files.put(inbound.raw) if inbound.raw else None
        return raw, [files.put(each.data) for each in inbound.files]

    async def _channel_kind(self, channel: str) -> str:
        row = await self._writer.execute_fetchall("SELECT kind FROM channels WHERE name = ?", (channel,))
        found = next(iter(row), None)
        if found is None:
            raise NotFound(f"there is no channel named {channel}")
        return str(found[0])

    async def _move_cursor(self, channel: str, cursor: str | None) -> None:
        if cursor is not None:
            await self._writer.execute("UPDATE channels SET cursor = ? WHERE name = ?", (cursor, channel))

    async def _bounce(
        self, channel: str, inbound: Inbound, parts: writes.MailParts, now: datetime
    ) -> TakenIn | None:
        """A bounce of a reply of ours: a note on that reply's ticket, and the reply
        marked bounced when the mailer has given up. None when no reply of ours
        has the id the bounce names (it is taken in as other automatic mail)."""
        found = list(
            await self._writer.execute_fetchall(
                "SELECT m.id, m.ticket_id FROM messages m JOIN deliveries d ON d.message_id = m.id"
                " WHERE m.external_id = ?",
                (inbound.bounced_id,),
            )
        )
        if not found:
            return None
        reply_id, ticket_id = found[0]
        note = NewMessage(
            f"in:{channel}:{inbound.raw_sha256}",
            inbound.body,
            author_kind=AuthorKind.SYSTEM,
            internal=True,
            auto=True,
        )
        message_id = await writes.append_message(
            self._writer, self.sla, ticket_id, note, actor_id=None, now=now, parts=parts
        )
        if inbound.bounce_permanent:
            await self._writer.execute(
                "UPDATE deliveries SET state = 'bounced', reason = ?, retry_at = NULL WHERE message_id = ?",
                (inbound.bounce_reason or "the receiving server returned it", reply_id),
            )
            await self._event(EventKind.DELIVERY_CHANGED, ticket_id, None)
        await self._event(EventKind.MESSAGE_ADDED, ticket_id, None)
        return TakenIn(ticket_id, message_id, new_ticket=False)

    async def _thread_in(
        self,
        channel: str,
        kind: str,
        inbound: Inbound,
        parts: writes.MailParts,
        now: datetime,
        acknowledgement: str | None,
    ) -> TakenIn:
        thread = await self._thread(inbound)
        if thread.ticket_id is not None:
            ticket_id = thread.ticket_id
            customer_email, cc = next(
                iter(
                    await self._writer.execute_fetchall(
                        "SELECT c.email, t.cc FROM tickets t JOIN customers c ON c.id = t.customer_id"
                        " WHERE t.id = ?",
                        (ticket_id,),
                    )
                )
            )
            if inbound.sender_email != customer_email:
                parts = writes.MailParts(
                    parts.external_id,
                    parts.quoted,
                    parts.raw_sha256,
                    inbound.sender_name,
                    inbound.sender_email,
                )
            message = NewMessage(
                f"in:{channel}:{inbound.raw_sha256}",
                inbound.body,
                author_kind=AuthorKind.CUSTOMER,
                auto=inbound.automatic is not None,
            )
            message_id = await writes.append_message(
                self._writer, self.sla, ticket_id, message, actor_id=None, now=now, parts=parts
            )
            if inbound.automatic is None:
                joined = merged_cc(tuple(cc.split()), customer_email, inbound)
                await self._writer.execute(
                    "UPDATE tickets SET cc = ? WHERE id = ?", (" ".join(joined), ticket_id)
                )
            await self._event(EventKind.MESSAGE_ADDED, ticket_id, None)
            return TakenIn(ticket_id, message_id, new_ticket=False)
        new = NewTicket(
            inbound.subject,
            inbound.sender_email,
            inbound.body,
            customer_name=inbound.sender_name,
            channel=_KIND_CHANNEL.get(kind, Channel.EMAIL),
            tags=("automatic",) if inbound.automatic else (),
        )
        ticket_id, message_id = await writes.insert_ticket(
            self._writer,
            self.sla,
            new,
            ref=f"{channel}:{inbound.external_id or inbound.raw_sha256}",
            now=now,
            auto=inbound.automatic is not None,
            channel_name=channel,
            cc=inbound.cc,
            linked_to=thread.linked_to,
            parts=parts,
        )
        if acknowledgement:
            await self._acknowledge(channel, ticket_id, inbound, acknowledgement, now)
        await self._event(EventKind.TICKET_CREATED, ticket_id, None)
        return TakenIn(ticket_id, message_id, new_ticket=True, linked_to=thread.linked_to)

    async def _thread(self, inbound: Inbound) -> Thread:
        ids = [*inbound.in_reply_to, *inbound.references]
        of_message: dict[str, int] = {}
        if ids:
            found = await self._writer.execute_fetchall(
                "SELECT external_id, ticket_id FROM messages"
                f" WHERE external_id IN ({','.join('?' * len(ids))})",
                ids,
            )
            of_message = {row[0]: row[1] for row in found}
        numbers = [*of_message.values(), *subject_numbers(inbound.subject)]
        tickets: dict[int, tuple[Status, str]] = {}
        on_ticket: set[int] = set()
        if numbers:
            found = await self._writer.execute_fetchall(
                "SELECT t.id, t.status, t.subject, c.email, t.cc FROM tickets t"
                f" JOIN customers c ON c.id = t.customer_id WHERE t.id IN ({','.join('?' * len(numbers))})",
                numbers,
            )
            for ticket_id, status, subject, email, cc in found:
                tickets[ticket_id] = (Status(status), subject)
                if inbound.sender_email == email or inbound.sender_email in cc.split():
                    on_ticket.add(ticket_id)
        return thread_of(
            in_reply_to=inbound.in_reply_to,
            references=inbound.references,
            subject=inbound.subject,
            ticket_of_message=of_message.get,
            ticket=tickets.get,
            sender_is_on=on_ticket.__contains__,
        )

    async def _acknowledge(
        self, channel: str, ticket_id: int, inbound: Inbound, text: str, now: datetime
    ) -> None:
        sent = await self._writer.execute_fetchall(
            "SELECT count(*) FROM deliveries d JOIN messages m ON m.id = d.message_id"
            " JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.customer_id"
            " WHERE d.channel = ? AND m.author_kind = 'system' AND m.auto = 1 AND NOT m.internal"
            " AND c.email = ? AND m.created_at >= ?",
            (channel, inbound.sender_email, to_micros(now - timedelta(days=1))),
        )
        if not acknowledges(inbound, sent_in_past_day=int(next(iter(sent))[0])):
            return
        ticket = rows.ticket(
            next(
                iter(
                    await self._writer.execute_fetchall(
                        f"SELECT {rows.TICKET_COLUMNS} FROM {rows.TICKET_FROM} WHERE t.id = ?", (ticket_id,)
                    )
                )
            )
        )
        body = templates.render(text, templates.context_for(ticket, None)).text
        message = NewMessage(f"ack:{ticket_id}", body, author_kind=AuthorKind.SYSTEM, auto=True)
        await writes.append_message(
            self._writer, self.sla, ticket_id, message, actor_id=None, now=now, deliver=True
        )

    async def quarantine(self, channel: str, raw: bytes, reason: str, *, cursor: str | None) -> int:
        async with self._transaction():
            found = await self._writer.execute_fetchall(
                "INSERT INTO quarantine(channel, reason, raw, raw_sha256, received_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(channel, raw_sha256) DO UPDATE SET reason = excluded.reason,"
                " attempts = attempts + 1 RETURNING id",
                (channel, reason, raw, sha256(raw), to_micros(utcnow())),
            )
            await self._move_cursor(channel, cursor)
            await self._event(EventKind.CHANNEL_CHANGED, None, None)
            return int(next(iter(found))[0])

    async def list_quarantined(self, channel: str | None = None) -> list[Quarantined]:
        found = await self._fetchall(
            "SELECT id, channel, reason, length(raw), received_at, attempts FROM quarantine"
            " WHERE ? IS NULL OR channel = ? ORDER BY id",
            (channel, channel),
        )
        return [Quarantined(row[0], row[1], row[2], row[3], from_micros(row[4]), row[5]) for row in found]

    async def quarantined_raw(self, quarantined_id: int) -> tuple[str, bytes]:
        row = await self._fetchone("SELECT channel, raw FROM quarantine WHERE id = ?", (quarantined_id,))
        if row is None:
            raise NotFound(f"nothing is kept under {quarantined_id}: `cs-tui quarantine list` shows what is")
        return row[0], bytes(row[1])

    async def release_quarantined(self, quarantined_id: int, *, reason: str | None = None) -> None:
        async with self._transaction():
            if reason is None:
                done = await self._writer.execute("DELETE FROM quarantine WHERE id = ?", (quarantined_id,))
            else:
                done = await self._writer.execute(
                    "UPDATE quarantine SET reason = ?, attempts = attempts + 1 WHERE id = ?",
                    (reason, quarantined_id),
                )
            if done.rowcount == 0:
                raise NotFound(
                    f"nothing is kept under {quarantined_id}: `cs-tui quarantine list` shows what is"
                )
            await self._event(EventKind.CHANNEL_CHANGED, None, None)

    # Delivery

    async def due_deliveries(self, channel: str, *, limit: int = 20) -> list[Outgoing]:
        async with self._readers.one() as reader:
            found = list(
                await reader.execute_fetchall(
                    "SELECT d.message_id, m.ticket_id, d.channel, m.body, coalesce(a.name, ''), c.name,"
                    " c.email, t.subject, t.cc, d.state, d.reason, d.attempts, d.retry_at, m.external_id,"
                    " d.first_try_at, m.author_kind = 'system'"
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
    ) -> None:
        async with self._transaction():
            found = await self._writer.execute_fetchall(
                "UPDATE deliveries SET state = ?, reason = ?, retry_at = ?, handed_at = NULL"
                " WHERE message_id = ? RETURNING (SELECT ticket_id FROM messages WHERE id = message_id)",
                (state.value, reason, writes.micros(retry_at), message_id),
            )
            for row in found:
                await self._event(EventKind.DELIVERY_CHANGED, row[0], None)

    async def recover_deliveries(self, channel: str) -> int:
        async with self._transaction():
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
                (UNKNOWN_OUTCOME, channel),
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
        return info, await asyncio.to_thread(self.files.get, info.sha256)

    async def raw_message(self, message_id: int) -> bytes | None:
        row = await self._fetchone("SELECT raw_sha256 FROM messages WHERE id = ?", (message_id,))
        if row is None:
            raise NotFound(f"there is no message {message_id}")
        if row[0] is None:
            return None
        return await asyncio.to_thread(self.files.get, row[0])


def _channel(row: Sequence[Any]) -> ChannelInfo:
    return ChannelInfo(row[0], row[1], json.loads(row[2]), from_micros(row[3]))


async def _outgoing(reader: aiosqlite.Connection, row: Sequence[Any]) -> Outgoing:
    (message_id, ticket_id, channel, body, agent_name, customer_name, customer_email, subject, cc) = row[:9]
    earlier = list(
        await reader.execute_fetchall(
            "SELECT external_id, author_kind FROM messages"
            " WHERE ticket_id = ? AND id < ? AND external_id IS NOT NULL AND NOT internal ORDER BY id",
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
    )

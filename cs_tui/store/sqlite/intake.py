"""What channels take in, in the SQLite store: a message threaded onto its ticket
(or opening one) once, with its files and raw bytes and the channel's cursor in the
same transaction; a bounce on the reply that bounced; the acknowledgement of a new
ticket; and what could not be read, kept raw."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from cs_tui.domain import templates
from cs_tui.domain.channels import Inbound, Quarantined, TakenIn
from cs_tui.domain.customers import Identity, IdentityKind
from cs_tui.domain.intake import acknowledges, checked_inbound, merged_cc
from cs_tui.domain.models import AuthorKind, Channel, EventKind, NewMessage, NewTicket, Status
from cs_tui.domain.threads import MERGES_FOLLOWED, Thread, subject_numbers, thread_of
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import NotFound
from cs_tui.store.files import FileStore, files_beside, sha256
from cs_tui.store.sqlite import rows, writes
from cs_tui.store.sqlite.core import SqliteCore

_KIND_CHANNEL = {
    "email": Channel.EMAIL,
    "whatsapp": Channel.WHATSAPP,
    "chat": Channel.CHAT,
    "form": Channel.WEB,
    "messenger": Channel.SOCIAL,
    "instagram": Channel.SOCIAL,
}


class IntakeStore(SqliteCore):
    @property
    def files(self) -> FileStore:
        return files_beside(self.path)

    async def channel_cursor(self, name: str) -> str | None:
        row = await self._fetchone("SELECT cursor FROM channels WHERE name = ?", (name,))
        if row is None:
            raise NotFound(f"there is no channel named {name}")
        return row[0]  # type: ignore[no-any-return]

    async def take_in(
        self, channel: str, inbound: Inbound, *, cursor: str | None, acknowledgement: str | None = None
    ) -> TakenIn:
        inbound = checked_inbound(inbound)
        raw_digest, file_digests = await self._keep_files(inbound)
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
                    "INSERT INTO taken_in(channel, key, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
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
                "INSERT INTO taken_in(channel, key, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
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
            (inbound.external_id, inbound.sender),
        )
        return next(iter(found), None)

    async def _keep_files(self, inbound: Inbound) -> tuple[str | None, list[str]]:
        """Keeps the raw message and its files; their digests."""
        raw = [inbound.raw] if inbound.raw else []
        digests = await self._keep_blobs([*raw, *(each.data for each in inbound.files)])
        return (digests[0] if raw else None), digests[len(raw) :]

    async def _keep_blobs(self, blobs: list[bytes]) -> list[str]:
        """Keeps files by their content; their digests, in order."""

        def keep(files: FileStore) -> list[str]:
            return [files.put(blob) for blob in blobs]

        return await asyncio.to_thread(keep, self.files)

    async def _kept_file(self, digest: str) -> bytes:
        """A file kept by _keep_files, by its digest."""
        return await asyncio.to_thread(self.files.get, digest)

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
            customer_email, customer_id, cc = next(
                iter(
                    await self._writer.execute_fetchall(
                        "SELECT c.email, c.id, t.cc FROM tickets t"
                        " JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
                        (ticket_id,),
                    )
                )
            )
            own = await self._identities(customer_id)
            if inbound.sender != customer_email:
                # Someone on Cc, or the customer from another of their addresses (whose
                # name is the customer's own): the message keeps which address wrote.
                by_customer = inbound.sender in own
                parts = writes.MailParts(
                    parts.external_id,
                    parts.quoted,
                    parts.raw_sha256,
                    None if by_customer else inbound.sender_name,
                    inbound.sender,
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
                joined = [a for a in merged_cc(tuple(cc.split()), customer_email, inbound) if a not in own]
                await self._writer.execute(
                    "UPDATE tickets SET cc = ? WHERE id = ?", (" ".join(joined), ticket_id)
                )
            await self._event(EventKind.MESSAGE_ADDED, ticket_id, None)
            return TakenIn(ticket_id, message_id, new_ticket=False)
        new = NewTicket(
            inbound.subject,
            inbound.sender,
            inbound.body,
            customer_name=inbound.sender_name,
            channel=_KIND_CHANNEL.get(inbound.came_by or kind, Channel.EMAIL),
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
            conversation=inbound.conversation,
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
        in_conversation = None
        if inbound.conversation:
            latest = await self._writer.execute_fetchall(
                "SELECT id FROM tickets WHERE conversation = ? ORDER BY id DESC LIMIT 1",
                (inbound.conversation,),
            )
            in_conversation = next((row[0] for row in latest), None)
        numbers = [*of_message.values(), *subject_numbers(inbound.subject)]
        if in_conversation is not None:
            numbers.append(in_conversation)
        tickets: dict[int, tuple[Status, str]] = {}
        on_ticket: set[int] = set()
        merged: dict[int, int] = {}
        asked: set[int] = set()
        while numbers:  # and the tickets those merged away lead to
            asked.update(numbers)
            found = await self._writer.execute_fetchall(
                "SELECT t.id, t.status, t.subject, c.addresses, t.cc, t.merged_into FROM tickets t"
                f" JOIN customers c ON c.id = t.customer_id WHERE t.id IN ({','.join('?' * len(numbers))})",
                numbers,
            )
            for ticket_id, status, subject, addresses, cc, merged_into in found:
                tickets[ticket_id] = (Status(status), subject)
                if inbound.sender in (*rows.addresses_of(addresses), *cc.split()):
                    on_ticket.add(ticket_id)
                if merged_into is not None:
                    merged[ticket_id] = merged_into
            numbers = sorted({n for n in merged.values() if n not in asked})[:MERGES_FOLLOWED]
        return thread_of(
            in_reply_to=inbound.in_reply_to,
            references=inbound.references,
            subject=inbound.subject,
            ticket_of_message=of_message.get,
            ticket=tickets.get,
            sender_is_on=on_ticket.__contains__,
            merged_into=merged.get,
            in_conversation=in_conversation,
        )

    async def _identities(self, customer_id: int) -> set[str]:
        """Every address of the customer's, as Identity.format writes it."""
        found = await self._writer.execute_fetchall(
            "SELECT kind, value FROM customer_identities WHERE customer_id = ?", (customer_id,)
        )
        return {Identity(IdentityKind(kind), value).format() for kind, value in found}

    async def _acknowledge(
        self, channel: str, ticket_id: int, inbound: Inbound, text: str, now: datetime
    ) -> None:
        sent = await self._writer.execute_fetchall(
            "SELECT count(*) FROM deliveries d JOIN messages m ON m.id = d.message_id"
            " JOIN tickets t ON t.id = m.ticket_id"
            " WHERE d.channel = ? AND m.author_kind = 'system' AND m.auto = 1 AND m.internal = 0"
            " AND t.customer_id = (SELECT customer_id FROM tickets WHERE id = ?) AND m.created_at >= ?",
            (channel, ticket_id, to_micros(now - timedelta(days=1))),
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
            " WHERE CAST(? AS TEXT) IS NULL OR channel = ? ORDER BY id",
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

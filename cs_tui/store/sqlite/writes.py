"""The writes a ticket's life is made of, inside a transaction the caller holds:
opening a ticket with its first message, and adding a message with what it changes
(status, first response, SLA and its clock, and a reply's delivery through the
ticket's channel).
The store's own methods and the channels' intake both use them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.customers import IdentityKind, parse_identity
from cs_tui.domain.models import AuthorKind, NewMessage, NewTicket, Priority, SlaPolicy, Status
from cs_tui.domain.rules import Progress, after_message, goes_out, progress
from cs_tui.domain.timeutil import from_micros, to_micros
from cs_tui.store.base import NotFound


@dataclass(frozen=True, slots=True)
class MailParts:
    """What a message taken in from a channel carries besides its text."""

    external_id: str | None = None
    quoted: str = ""
    raw_sha256: str | None = None
    from_name: str | None = None
    from_email: str | None = None
    """Who wrote it, when not the ticket's customer (someone on Cc), or the address the
    customer wrote from, when not their primary one."""


async def upsert_customer(db: aiosqlite.Connection, name: str, address: str, now: int) -> tuple[int, str]:
    """The customer with this address among theirs (an email, or `kind:value` as
    domain.customers.Identity.format writes it; a phone number is the same person on
    WhatsApp and on the phone), created on first sight with the name given (a customer
    with no name yet takes it); their id and primary address."""
    identity = parse_identity(address)
    address = identity.format()
    kinds, values = [identity.kind.value], [identity.value]
    if identity.kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        digits = identity.value.removeprefix("+")
        kinds, values = ["phone", "whatsapp"], [digits, f"+{digits}"]
    found = list(
        await db.execute_fetchall(
            "SELECT c.id, c.name, c.email FROM customer_identities i JOIN customers c ON c.id = i.customer_id"
            f" WHERE i.value IN ({','.join('?' * len(values))}) AND i.kind IN ({','.join('?' * len(kinds))})"
            " ORDER BY i.id LIMIT 1",
            (*values, *kinds),
        )
    )
    if found:
        customer_id, known_name, primary = found[0]
        if not known_name and name:
            await db.execute("UPDATE customers SET name = ? WHERE id = ?", (name, customer_id))
        return int(customer_id), str(primary)
    fallback = identity.value.split("@")[0] if identity.kind is IdentityKind.EMAIL else ""
    created = await db.execute_fetchall(
        "INSERT INTO customers(name, email, created_at) VALUES (?, ?, ?) RETURNING id",
        (name or fallback, address, now),
    )
    customer_id = int(next(iter(created))[0])
    if identity.kind is not IdentityKind.EMAIL:
        # The insert's trigger took the address for an email: it is the kind it is.
        await db.execute(
            "UPDATE customer_identities SET kind = ?, value = ? WHERE customer_id = ?",
            (identity.kind.value, identity.value, customer_id),
        )
        await db.execute("UPDATE customers SET addresses = ? WHERE id = ?", (identity.value, customer_id))
    return customer_id, address


async def insert_ticket(
    db: aiosqlite.Connection,
    sla: SlaPolicy,
    new: NewTicket,
    *,
    ref: str,
    now: datetime,
    auto: bool = False,
    channel_name: str | None = None,
    cc: Sequence[str] = (),
    linked_to: int | None = None,
    parts: MailParts = MailParts(),
    conversation: str | None = None,
) -> tuple[int, int]:
    """Opens a ticket with the customer's first message; (ticket id, message id)."""
    customer_id, primary = await upsert_customer(db, new.customer_name, new.customer_email, to_micros(now))
    if new.customer_email != primary and parts.from_email is None:
        # One of the customer's other addresses: the message says which, and the
        # replies on the ticket go to it (see channels.REPLY_ADDRESS).
        parts = replace(parts, from_email=new.customer_email)
    state = progress(
        sla, status=Status.NEW, priority=new.priority, created_at=now, first_response_at=None, solved_at=None
    )
    cursor = await db.execute(
        "INSERT INTO tickets(ref, subject, status, active, priority, priority_rank, channel,"
        " customer_id, created_at, updated_at, sla_due_at, sla_paused_us, sla_paused_since,"
        " message_count, channel_name, cc, linked_to, conversation)"
        " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
        (
            ref,
            new.subject,
            state.status.value,
            new.priority.value,
            new.priority.rank,
            new.channel.value,
            customer_id,
            to_micros(now),
            to_micros(now),
            micros(state.sla_due_at),
            span_micros(state.sla_paused_for),
            micros(state.sla_paused_since),
            channel_name,
            " ".join(cc),
            linked_to,
            conversation,
        ),
    )
    ticket_id = await returned_id(cursor)
    if new.tags:
        await db.executemany(
            "INSERT INTO ticket_tags(ticket_id, tag) VALUES (?, ?)", [(ticket_id, t) for t in new.tags]
        )
    cursor = await db.execute(
        "INSERT INTO messages(client_id, ticket_id, author_kind, body, auto, created_at, external_id,"
        " quoted, raw_sha256, from_name, from_email) VALUES (?, ?, 'customer', ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (f"{ref}#0", ticket_id, new.body, int(auto), to_micros(now), *_parts(parts)),
    )
    return ticket_id, await returned_id(cursor)


async def append_message(
    db: aiosqlite.Connection,
    sla: SlaPolicy,
    ticket_id: int,
    new: NewMessage,
    *,
    actor_id: int | None,
    now: datetime,
    parts: MailParts = MailParts(),
    deliver: bool | None = None,
    deliver_by: str | None = None,
) -> int:
    """Adds a checked message to a ticket and moves the ticket on as the rules say
    (domain.rules.after_message). A public agent reply on a ticket that came in
    through a channel is queued to go out by it (`deliver` True queues any message,
    an automatic acknowledgement; False none), or by `deliver_by` (a chat's
    transcript goes by a mailbox). The new message's id."""
    row = next(
        iter(
            await db.execute_fetchall(
                "SELECT status, priority, created_at, first_response_at, solved_at, channel_name,"
                " sla_paused_us, sla_paused_since, snoozed_until FROM tickets WHERE id = ?",
                (ticket_id,),
            )
        ),
        None,
    )
    if row is None:
        raise NotFound(f"there is no ticket #{ticket_id}")
    status, priority, created_at, first_response_at, solved_at, channel_name, *clock = row
    paused_us, paused_since, snoozed_until = clock
    before = Progress(
        Status(status),
        Priority(priority),
        from_micros(created_at),
        time(first_response_at),
        time(solved_at),
        None,
        span(paused_us),
        time(paused_since),
        time(snoozed_until),
    )
    after = after_message(sla, before, new, now)
    cursor = await db.execute(
        "INSERT INTO messages(client_id, ticket_id, author_kind, agent_id, body, internal,"
        " auto, created_at, external_id, quoted, raw_sha256, from_name, from_email)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            new.client_id,
            ticket_id,
            new.author_kind.value,
            actor_id if new.author_kind is AuthorKind.AGENT else None,
            new.body,
            int(new.internal),
            int(new.auto),
            to_micros(now),
            *_parts(parts),
        ),
    )
    message_id = await returned_id(cursor)
    first_response_us = micros(after.first_response_at)
    await db.execute(
        "UPDATE tickets SET status = ?, active = ?, updated_at = ?, first_response_at = ?,"
        " frt_us = ? - created_at, solved_at = ?, sla_due_at = ?, sla_paused_us = ?, sla_paused_since = ?,"
        " snoozed_until = ?, message_count = message_count + 1, version = version + 1 WHERE id = ?",
        (
            after.status.value,
            int(after.status.is_active),
            to_micros(now),
            first_response_us,
            first_response_us,
            micros(after.solved_at),
            micros(after.sla_due_at),
            span_micros(after.sla_paused_for),
            micros(after.sla_paused_since),
            micros(after.snoozed_until),
            ticket_id,
        ),
    )
    if deliver is None:
        deliver = goes_out(new)
    if (deliver_by or channel_name) and deliver:
        await db.execute(
            "INSERT INTO deliveries(message_id, channel, state, retry_at) VALUES (?, ?, ?, ?)",
            (message_id, deliver_by or channel_name, DeliveryState.QUEUED.value, to_micros(now)),
        )
    return message_id


def _parts(parts: MailParts) -> tuple[str | None, str, str | None, str | None, str | None]:
    return parts.external_id, parts.quoted, parts.raw_sha256, parts.from_name, parts.from_email


async def returned_id(cursor: Any) -> int:
    """The id an INSERT ... RETURNING id gave."""
    row = await cursor.fetchone()
    return int(row[0])


def micros(at: datetime | None) -> int | None:
    return to_micros(at) if at is not None else None


def time(value: int | None) -> datetime | None:
    return from_micros(value) if value is not None else None


_MICROSECOND = timedelta(microseconds=1)


def span_micros(delta: timedelta) -> int:
    """A span of time as the store keeps it: whole microseconds."""
    return delta // _MICROSECOND


def span(micros: int) -> timedelta:
    return timedelta(microseconds=micros)

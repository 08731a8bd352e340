"""Columns to read and rows to models, shared by the SQLite store's modules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from cs_tui.domain.channels import AttachmentInfo, Delivery, DeliveryState
from cs_tui.domain.customers import CustomerRecord, Identity, IdentityKind
from cs_tui.domain.models import (
    Agent,
    AuthorKind,
    CannedActions,
    CannedResponse,
    Channel,
    Csat,
    Customer,
    Message,
    Priority,
    Role,
    Status,
    Ticket,
)
from cs_tui.domain.timeutil import from_micros

Row = Sequence[Any]

TICKET_COLUMNS = """
    t.id, t.ref, t.subject, t.status, t.priority, t.channel,
    c.id, c.name, c.email,
    a.id, a.name, a.email, a.role, a.active,
    (SELECT group_concat(tag, ' ') FROM ticket_tags WHERE ticket_id = t.id),
    t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.sla_due_at, t.version,
    t.csat_rating, t.csat_comment, t.csat_at, t.message_count, t.cc, t.linked_to, t.channel_name,
    t.sla_paused_us, t.sla_paused_since, c.addresses, t.merged_into, t.snoozed_until,
    t.customer_at, t.answered_at, t.conversation
"""
TICKET_FROM = """
    tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.id = t.assignee_id
"""

MESSAGE_COLUMNS = """
    m.id, m.client_id, m.ticket_id, m.author_kind, m.agent_id, m.body, m.internal, m.auto,
    m.created_at,
    CASE m.author_kind WHEN 'agent' THEN a.name WHEN 'customer' THEN coalesce(m.from_name, c.name)
        ELSE 'System' END,
    CASE m.author_kind WHEN 'agent' THEN a.email WHEN 'customer' THEN coalesce(m.from_email, c.email)
        ELSE '' END,
    m.quoted, d.state, d.reason, d.attempts, d.retry_at, m.external_id, d.channel,
    (SELECT json_group_array(json_array(f.id, f.filename, f.content_type, f.size, f.sha256))
     FROM attachments f WHERE f.message_id = m.id)
"""
MESSAGE_FROM = """
    messages m LEFT JOIN agents a ON a.id = m.agent_id
    JOIN tickets mt ON mt.id = m.ticket_id JOIN customers c ON c.id = mt.customer_id
    LEFT JOIN deliveries d ON d.message_id = m.id
"""

AGENT_COLUMNS = "id, name, email, role, active, token_hash IS NOT NULL"

CUSTOMER_COLUMNS = "c.id, c.name, c.email, c.addresses"

RECORD_COLUMNS = """
    c.id, c.name, c.email, c.notes, c.tags, c.created_at, coalesce(c.updated_at, c.created_at),
    c.version,
    (SELECT count(*) FROM tickets WHERE customer_id = c.id),
    (SELECT count(*) FROM tickets WHERE customer_id = c.id AND active = 1),
    (SELECT json_group_array(json_array(kind, value)) FROM (
        SELECT kind, value FROM customer_identities WHERE customer_id = c.id ORDER BY id) i),
    (SELECT json_group_array(merged_id) FROM customer_merges WHERE into_id = c.id)
"""

CANNED_COLUMNS = """
    id, title, body, shortcut, tags, language, action_status, action_priority, action_tags,
    usage_count, updated_at
"""


def _time(value: int | None) -> Any:
    return from_micros(value) if value is not None else None


def ticket(row: Row) -> Ticket:
    assignee = Agent(row[9], row[10], row[11], Role(row[12]), bool(row[13])) if row[9] is not None else None
    csat = Csat(row[21], from_micros(row[23]), row[22] or "") if row[21] is not None else None
    return Ticket(
        id=row[0],
        ref=row[1],
        subject=row[2],
        status=Status(row[3]),
        priority=Priority(row[4]),
        channel=Channel(row[5]),
        customer=Customer(row[6], row[7], row[8], addresses_of(row[30])),
        assignee=assignee,
        tags=tuple(sorted(row[14].split())) if row[14] else (),
        created_at=from_micros(row[15]),
        updated_at=from_micros(row[16]),
        first_response_at=_time(row[17]),
        solved_at=_time(row[18]),
        sla_due_at=_time(row[19]),
        version=row[20],
        csat=csat,
        message_count=row[24],
        cc=tuple(row[25].split()) if row[25] else (),
        linked_to=row[26],
        channel_name=row[27],
        sla_paused_for=timedelta(microseconds=row[28]),
        sla_paused_since=_time(row[29]),
        merged_into=row[31],
        snoozed_until=_time(row[32]),
        customer_wrote_at=_time(row[33]),
        answered_at=_time(row[34]),
        conversation=row[35],
    )


def message(row: Row) -> Message:
    return Message(
        id=row[0],
        client_id=row[1],
        ticket_id=row[2],
        author_kind=AuthorKind(row[3]),
        agent_id=row[4],
        body=row[5],
        internal=bool(row[6]),
        auto=bool(row[7]),
        created_at=from_micros(row[8]),
        author_name=row[9] or "",
        author_email=row[10] or "",
        quoted=row[11] or "",
        delivery=_delivery(row[12:18]),
        attachments=_attachments(row[0], row[18]),
    )


def _delivery(row: Row) -> Delivery | None:
    if row[0] is None:
        return None
    return Delivery(DeliveryState(row[0]), row[1], row[2], _time(row[3]), row[4], row[5])


def _attachments(message_id: int, listed: str | None) -> tuple[AttachmentInfo, ...]:
    if not listed or listed == "[]":
        return ()
    return tuple(AttachmentInfo(f[0], message_id, f[1], f[2], f[3], f[4]) for f in json.loads(listed))


def agent(row: Row) -> Agent:
    return Agent(row[0], row[1], row[2], Role(row[3]), bool(row[4]), bool(row[5]))


def split_words(text: str) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def canned(row: Row) -> CannedResponse:
    return CannedResponse(
        id=row[0],
        title=row[1],
        body=row[2],
        shortcut=row[3],
        tags=split_words(row[4]),
        language=row[5],
        actions=CannedActions(
            status=Status(row[6]) if row[6] else None,
            priority=Priority(row[7]) if row[7] else None,
            add_tags=split_words(row[8]),
        ),
        usage_count=row[9],
        updated_at=from_micros(row[10]),
    )


def addresses_of(addresses: str | None) -> tuple[str, ...]:
    """A customer's addresses as the store keeps them: one a line."""
    return tuple(addresses.split("\n")) if addresses else ()


def customer(row: Row) -> Customer:
    """A customer from CUSTOMER_COLUMNS."""
    return Customer(row[0], row[1], row[2], addresses_of(row[3]))


def record(row: Row) -> CustomerRecord:
    """A customer's record from RECORD_COLUMNS."""
    return CustomerRecord(
        id=row[0],
        name=row[1],
        email=row[2],
        identities=tuple(Identity(IdentityKind(kind), value) for kind, value in json.loads(row[10])),
        notes=row[3],
        tags=split_words(row[4]),
        created_at=from_micros(row[5]),
        updated_at=from_micros(row[6]),
        version=row[7],
        ticket_count=row[8],
        open_count=row[9],
        merged_ids=tuple(sorted(json.loads(row[11]))),
    )

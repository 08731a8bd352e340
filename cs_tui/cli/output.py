"""Printing: JSON for scripts, plain tables for people. Customer text is sanitised
again here and printed as plain text, never as markup."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cs_tui.domain.channels import Delivery
from cs_tui.domain.models import Message, Ticket
from cs_tui.domain.snooze import until_words
from cs_tui.domain.text import file_size, safe_json, sanitize, sanitize_line
from cs_tui.domain.timeutil import duration, to_iso, utcnow


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "ref": ticket.ref,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "channel": ticket.channel.value,
        "customer": {"name": ticket.customer.name, "email": ticket.customer.email},
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "tags": list(ticket.tags),
        "created_at": to_iso(ticket.created_at),
        "updated_at": to_iso(ticket.updated_at),
        "snoozed_until": to_iso(ticket.snoozed_until) if ticket.snoozed_until else None,
        "merged_into": ticket.merged_into,
    }


def snoozed_words(ticket: Ticket, now: datetime | None = None) -> str:
    """When a snoozed ticket comes back, in local time: "tomorrow 09:00
    (2026-12-10 09:00+07:00)"; empty for a ticket not snoozed."""
    if ticket.snoozed_until is None:
        return ""
    local = ticket.snoozed_until.astimezone()
    words = until_words(ticket.snoozed_until, now=now or utcnow())
    return f"{words} ({local.isoformat(sep=' ', timespec='minutes')})"


def conversation_json(ticket: Ticket, messages: Sequence[Message]) -> dict[str, Any]:
    """`ticket show --json`: the ticket as `ticket list` gives it, where its replies
    go (its mailbox and Cc, the ticket it follows up) and its messages."""
    return ticket_json(ticket) | {
        "mailbox": ticket.channel_name,
        "cc": list(ticket.cc),
        "linked_to": ticket.linked_to,
        "messages": [{"id": message.id} | message_json(message) for message in messages],
    }


def message_json(message: Message) -> dict[str, Any]:
    author = {"customer": "customer", "system": "system"}.get(
        message.author_kind.value, f"agent:{message.author_email}"
    )
    return {
        "author": author,
        "body": message.body,
        "internal": message.internal,
        "auto": message.auto,
        "created_at": to_iso(message.created_at),
        "quoted": message.quoted,
        "delivery": delivery_json(message.delivery),
        "attachments": [
            {"id": each.id, "filename": each.filename, "content_type": each.content_type, "size": each.size}
            for each in message.attachments
        ],
    }


def delivery_json(delivery: Delivery | None) -> dict[str, Any] | None:
    """How a reply is on its way: null for what is not sent anywhere."""
    if delivery is None:
        return None
    return {
        "state": delivery.state.value,
        "reason": delivery.reason,
        "attempts": delivery.attempts,
        "retry_at": to_iso(delivery.retry_at) if delivery.retry_at else None,
        "message_id": delivery.external_id,
    }


def print_json(data: Any) -> None:
    """JSON for scripts, that a terminal can show as well."""
    sys.stdout.write(safe_json(data, indent=2) + "\n")


def shown(text: str) -> Text:
    """Stored text for a person to read: one line, cleaned again, never markup."""
    return Text(sanitize_line(text))


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def age(moment: datetime, now: datetime | None = None) -> str:
    """A short age like 5m, 3h, 2d."""
    return duration((now or utcnow()) - moment)


def queue_table(tickets: tuple[Ticket, ...], *, total: int) -> Table:
    now = utcnow()
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True, min_width=4)
    table.add_column("pri", no_wrap=True, min_width=6)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("subject", ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column("customer", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("assignee", no_wrap=True, overflow="ellipsis", max_width=12)
    table.add_column("age", justify="right", no_wrap=True, min_width=3)
    table.add_column("SLA", justify="right", no_wrap=True, min_width=8)
    for ticket in tickets:
        sla = "paused" if ticket.sla_paused else ""
        if ticket.sla_due_at is not None:
            left = (ticket.sla_due_at - now).total_seconds()
            sla = f"{duration(left)}" if left >= 0 else f"late {duration(-left)}"
        table.add_row(
            str(ticket.id),
            ticket.priority.value,
            ticket.status.value.replace("_", " "),
            shown(ticket.subject),
            shown(ticket.customer.name),
            shown(ticket.assignee.name) if ticket.assignee else "-",
            age(ticket.created_at, now),
            Text(sla, style="red" if sla.startswith("late") else ""),
        )
    return table


def print_ticket(ticket: Ticket, messages: tuple[Message, ...], *, earlier: bool) -> None:
    out = console()
    out.print(Text(f"#{ticket.id}  {sanitize_line(ticket.subject)}", style="bold"))
    assignee = ticket.assignee.name if ticket.assignee else "unassigned"
    tags = f" · tags: {', '.join(ticket.tags)}" if ticket.tags else ""
    came = f"{ticket.channel.value} ({ticket.channel_name})" if ticket.channel_name else ticket.channel.value
    cc = f" · cc {', '.join(ticket.cc)}" if ticket.cc else ""
    out.print(
        shown(
            f"{ticket.status.value.replace('_', ' ')} · {ticket.priority.value} · {came}"
            f" · {assignee} · {ticket.customer.name} <{ticket.customer.email}>{cc}{tags}"
        )
    )
    if ticket.snoozed_until is not None:
        out.print(Text(f"snoozed until {snoozed_words(ticket)}: open again then", style="dim"))
    if ticket.merged_into is not None:
        out.print(Text(f"merged into #{ticket.merged_into}, where its conversation goes on", style="dim"))
    if earlier:
        out.print(Text("(earlier messages not shown; use --json for all)", style="dim"))
    for message in messages:
        label = {"customer": "", "reply": "", "note": " (internal note)", "system": ""}[message.kind]
        flag = " (automatic)" if message.auto else ""
        heading = (
            f"\n{sanitize_line(message.author_name)}{label}{flag} · {to_iso(message.created_at)}"
            f" · message {message.id}"
        )
        out.print(Text(heading, style="yellow" if message.internal else "bold"))
        out.print(Text(sanitize(message.body)))
        _print_mail_parts(out, message)


def _print_mail_parts(out: Console, message: Message) -> None:
    """What a message carries besides its text: quoted history, files, delivery."""
    if message.quoted:
        lines = message.quoted.count("\n") + 1
        out.print(Text(f"(and {lines} quoted lines; --json shows them)", style="dim"))
    for each in message.attachments:
        size = file_size(each.size)
        out.print(shown(f"attached: {each.filename} ({size}, {each.content_type}), id {each.id}"))
    if message.delivery is not None:
        state = message.delivery.state
        said = f"{state.value}: {message.delivery.reason}" if message.delivery.reason else state.value
        out.print(Text(f"delivery: {sanitize_line(said)}", style="red" if state.needs_the_agent else "dim"))

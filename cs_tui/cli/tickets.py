"""`cs-tui ticket list/show/new/reply`, for people and for scripts."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Any

from cs_tui.cli import merging, snoozing
from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import (
    console,
    conversation_json,
    message_json,
    print_json,
    print_ticket,
    queue_table,
    ticket_json,
)
from cs_tui.domain.counts import count_text
from cs_tui.domain.models import AuthorKind, Channel, Message, NewMessage, NewTicket, Priority
from cs_tui.domain.query import Sort, parse

DEFAULT_QUERY = "status:new,open,pending,on_hold"


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    ticket = commands.add_parser(
        "ticket",
        parents=[common],
        help="list, show, open and reply to tickets",
        description="List, show, open and reply to tickets.",
    )
    actions = ticket.add_subparsers(title="actions", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list",
        parents=[common],
        help="tickets matching a search",
        description="List tickets, most recently active first.",
        epilog="search syntax: status:open,pending priority:urgent assignee:me|none|EMAIL "
        "tag:refund channel:email breaching:yes snoozed:yes customer:NAME|EMAIL -tag:spam and free words",
    )
    listing.add_argument(
        "--query",
        "-q",
        default=DEFAULT_QUERY,
        help=f'the search (default: "{DEFAULT_QUERY}"; "" for every ticket)',
    )
    listing.add_argument("--limit", type=_positive, default=50, help="at most this many (default 50)")
    listing.add_argument(
        "--sort",
        choices=[s.value for s in Sort],
        default=Sort.UPDATED.value,
        help="order (default: updated, most recent activity first)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.add_argument(
        "--count", action="store_true", help="print how many tickets match, counted exactly, and no list"
    )
    listing.set_defaults(handler=list_tickets)

    show = actions.add_parser("show", parents=[common], help="one ticket with its conversation")
    show.add_argument("id", type=_ticket_id, help="the ticket number, as 1042 or #1042")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=show_ticket)

    new = actions.add_parser(
        "new",
        parents=[common],
        help="open a ticket for a customer",
        description="Open a ticket with the customer's first message; prints its number.",
    )
    new.add_argument("--subject", required=True)
    new.add_argument("--customer", required=True, metavar="EMAIL", help="the customer's email")
    new.add_argument("--name", default="", help="the customer's name")
    new.add_argument("--priority", choices=[p.value for p in Priority], default="normal")
    new.add_argument("--channel", choices=[c.value for c in Channel], default="email")
    new.add_argument("--tag", action="append", default=[], help="a tag (repeat for more)")
    new.add_argument("--body", required=True, help="the customer's message; - reads standard input")
    new.add_argument("--json", action="store_true", help="print the ticket as JSON")
    new.set_defaults(handler=new_ticket)

    reply = actions.add_parser(
        "reply",
        parents=[common],
        help="reply to the customer, or add an internal note",
        description="Add a public reply (or with --internal, a note only agents see) as you.",
    )
    reply.add_argument("id", type=_ticket_id, help="the ticket number")
    reply.add_argument("--body", required=True, help="the text; - reads standard input")
    reply.add_argument("--internal", action="store_true", help="an internal note, not sent to the customer")
    reply.add_argument("--json", action="store_true", help="print the stored message as JSON")
    reply.set_defaults(handler=reply_ticket)

    snoozing.register(actions, common, _ticket_id)
    merging.register(actions, common, _ticket_id)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _ticket_id(text: str) -> int:
    try:
        return int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ticket number like 1042") from None


def _body(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    return text


async def show_queue(args: argparse.Namespace, context: Context) -> int:
    """What plain `cs-tui` prints: the open queue."""
    args.query, args.limit, args.sort, args.json = DEFAULT_QUERY, 40, Sort.UPDATED.value, False
    args.count = False
    return await list_tickets(args, context)


async def list_tickets(args: argparse.Namespace, context: Context) -> int:
    query = parse(args.query)
    store = await context.store()
    viewer = (await context.agent()).id if query.mentions_me else None
    if args.count:
        # Exact, where a queue page's total may be an estimate past 1,000.
        count = await store.count_tickets(query, viewer_id=viewer)
        if args.json:
            print_json({"count": count})
        else:
            print(count)
        return 0
    page = await store.list_tickets(query, viewer_id=viewer, sort=Sort(args.sort), limit=args.limit)
    if args.json:
        print_json([ticket_json(t) for t in page.tickets])
        return 0
    out = console()
    if not page.tickets:
        out.print(f"No tickets match {args.query!r} in {context.store_label}.")
        return 0
    out.print(queue_table(page.tickets, total=page.total))
    shown = len(page.tickets)
    total = count_text(page.total, estimate=page.total_is_estimate)
    out.print(f"\n1-{shown} of {total} tickets matching {args.query!r}", style="dim")
    return 0


async def show_ticket(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    ticket = await store.get_ticket(args.id)
    if args.json:
        messages: list[Message] = []
        before = None
        while True:
            page = await store.get_messages(ticket.id, before=before, limit=500)
            messages[:0] = page.messages
            if not page.has_earlier or not page.messages:
                break
            before = page.messages[0].id
        print_json(conversation_json(ticket, messages))
        return 0
    page = await store.get_messages(ticket.id, limit=50)
    print_ticket(ticket, page.messages, earlier=page.has_earlier)
    return 0


async def new_ticket(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    ticket = await store.create_ticket(
        NewTicket(
            subject=args.subject,
            customer_email=args.customer,
            customer_name=args.name,
            body=_body(args.body),
            priority=Priority(args.priority),
            channel=Channel(args.channel),
            tags=tuple(args.tag),
        ),
        actor_id=(await context.agent()).id,
    )
    if args.json:
        print_json(ticket_json(ticket))
    else:
        print(ticket.id)
    return 0


async def reply_ticket(args: argparse.Namespace, context: Context) -> int:
    body = _body(args.body)
    if not body.strip():
        raise UsageError("the reply is empty: pass the text with --body")
    store = await context.store()
    agent = await context.agent()
    message = await store.add_message(
        args.id,
        NewMessage(str(uuid.uuid4()), body, AuthorKind.AGENT, internal=args.internal),
        actor_id=agent.id,
    )
    if args.json:
        print_json(message_json(message) | {"id": message.id, "ticket_id": message.ticket_id})
    else:
        what = "note added to" if args.internal else "replied to"
        console().print(f"{agent.name} {what} #{message.ticket_id}")
    return 0

"""`cs-tui ticket merge B --into A` and `cs-tui ticket split ID --message M`: two
tickets about one matter made one, and a matter of its own moved off a ticket into a
new one (the rules: cs_tui.domain.merging)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.text import Text

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json, shown, ticket_json
from cs_tui.domain.merging import TicketMerge, TicketSplit, check_merge
from cs_tui.domain.models import Ticket
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import to_iso


def register(actions: Any, common: argparse.ArgumentParser, ticket_id: Any) -> None:
    """`ticket merge` and `ticket split`, among the `ticket` actions; `ticket_id` reads a
    ticket number."""
    merge = actions.add_parser(
        "merge",
        parents=[common],
        help="merge a ticket into another about the same matter",
        description="Two tickets about one matter made one: the first's messages join the"
        " conversation of the ticket named with --into, in the order they were written, its tags"
        " and customer join that ticket's, and it is closed, saying where it went. It shows both"
        " tickets and asks first on a terminal; elsewhere give --yes.",
    )
    merge.add_argument("merged", type=ticket_id, metavar="ID", help="the ticket to merge in (it is closed)")
    merge.add_argument("--into", type=ticket_id, required=True, metavar="ID", help="the ticket to keep")
    merge.add_argument("--yes", "-y", action="store_true", help="merge without asking")
    merge.add_argument("--json", action="store_true", help="print both tickets after the merge as JSON")
    merge.set_defaults(handler=merge_tickets)

    split = actions.add_parser(
        "split",
        parents=[common],
        help="move a message (and those after it) off a ticket into a new one",
        description="Move a message the customer wrote off a ticket into a new ticket of the same"
        " customer, with --and-after every message after it too. `cs-tui ticket show ID` gives"
        " each message's number. The ticket's first message stays.",
    )
    split.add_argument("id", type=ticket_id, help="the ticket number, as 1042 or #1042")
    split.add_argument(
        "--message", type=_message_id, required=True, metavar="MESSAGE_ID", help="the message to split off"
    )
    split.add_argument("--and-after", action="store_true", help="every message after it goes too")
    split.add_argument("--subject", help="the new ticket's subject (default: the ticket's own)")
    split.add_argument("--json", action="store_true", help="print both tickets after the split as JSON")
    split.set_defaults(handler=split_ticket)


def _message_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a message number like 57 (ticket show lists them)")
    return int(text)


# merge


async def merge_tickets(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    merged = await store.get_ticket(args.merged)
    into = await store.get_ticket(args.into)
    try:
        check_merge(merged, into)  # before asking a question that has no good answer
    except RuleBroken as refusal:
        raise UsageError(str(refusal)) from None
    if not args.yes and not _confirmed(merged, into):
        print("Not merged.", file=sys.stderr)
        return 1
    actor = await context.agent()
    done = await store.merge_tickets(
        merged.id,
        into.id,
        expected_version=merged.version,
        into_expected_version=into.version,
        actor_id=actor.id,
    )
    if args.json:
        print_json(merge_json(done))
        return 0
    out = console()
    moved = f"{done.moved_messages} message{'' if done.moved_messages == 1 else 's'}"
    out.print(shown(f"Merged #{merged.id} into #{into.id}: {moved} moved, and #{merged.id} is closed."))
    if done.added_tags:
        out.print(shown("Tags added: " + ", ".join(done.added_tags)))
    if done.added_cc:
        out.print(shown("Now on Cc: " + ", ".join(done.added_cc)))
    out.print(shown(f"#{into.id} is {done.ticket.status.value.replace('_', ' ')}."))
    return 0


def _confirmed(merged: Ticket, into: Ticket) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("a merge cannot be undone: give --yes to merge without being asked")
    out = console()
    for ticket in (merged, into):
        out.print(Text(f"#{ticket.id}  {sanitize_line(ticket.subject)}", style="bold"))
        out.print(shown(f"  {_summary(ticket)}"))
    question = (
        f"Merge #{merged.id} into #{into.id}? Its {merged.message_count} messages join #{into.id}'s"
        f" conversation, and #{merged.id} is closed. [y/N] "
    )
    try:
        answer = input(question)
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def _summary(ticket: Ticket) -> str:
    assignee = ticket.assignee.name if ticket.assignee else "unassigned"
    tags = f" · tags: {', '.join(ticket.tags)}" if ticket.tags else ""
    return (
        f"{ticket.status.value.replace('_', ' ')} · {ticket.priority.value} · {assignee}"
        f" · {ticket.customer.name} <{ticket.customer.email}> · {ticket.message_count} messages"
        f" · opened {to_iso(ticket.created_at)}{tags}"
    )


def merge_json(done: TicketMerge) -> dict[str, Any]:
    return {
        "ticket": ticket_json(done.ticket),
        "merged": ticket_json(done.merged),
        "moved_messages": done.moved_messages,
        "added_tags": list(done.added_tags),
        "added_cc": list(done.added_cc),
    }


# split


async def split_ticket(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    ticket = await store.get_ticket(args.id)
    actor = await context.agent()
    done = await store.split_ticket(
        ticket.id,
        args.message,
        and_after=args.and_after,
        subject=args.subject,
        expected_version=ticket.version,
        actor_id=actor.id,
    )
    if args.json:
        print_json(split_json(done))
        return 0
    moved = f"{done.moved_messages} message{'' if done.moved_messages == 1 else 's'}"
    out = console()
    out.print(shown(f"Split {moved} off #{ticket.id} into #{done.split.id}: {done.split.subject}"))
    out.print(
        shown(
            f"#{done.split.id} is {done.split.status.value.replace('_', ' ')};"
            f" #{ticket.id} is {done.ticket.status.value.replace('_', ' ')}."
        )
    )
    return 0


def split_json(done: TicketSplit) -> dict[str, Any]:
    return {
        "ticket": ticket_json(done.ticket),
        "split": ticket_json(done.split),
        "moved_messages": done.moved_messages,
    }

"""`cs-tui ticket snooze ID --until WHEN` and `--off`: set a ticket aside until a
time (pending until then, open again after), or bring it back now."""

from __future__ import annotations

import argparse
from typing import Any

from cs_tui.cli.context import Context
from cs_tui.cli.output import console, print_json, snoozed_words, ticket_json
from cs_tui.domain.models import Status, TicketChanges
from cs_tui.domain.snooze import parse_until
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import invalid_input

WHEN_HELP = (
    'when it comes back, in your local time: "2h", "30m", "3d", "tomorrow" (09:00), '
    '"tomorrow 14:00", "monday", "monday 10:30", "17:00", "2026-12-10", "2026-12-10 09:00"; '
    'Indonesian too: "besok", "besok jam 14", "senin", "lusa", "2 jam"'
)


def register(actions: Any, common: argparse.ArgumentParser, ticket_id: Any) -> None:
    """`ticket snooze`, among the `ticket` actions; `ticket_id` reads a ticket number."""
    snooze = actions.add_parser(
        "snooze",
        parents=[common],
        help="set a ticket aside until a time, or bring it back",
        description="Snooze a ticket: it is pending until the time you give, then open again, "
        "with a note in its conversation and a notice to its assignee. --off brings it back now.",
    )
    snooze.add_argument("id", type=ticket_id, help="the ticket number, as 1042 or #1042")
    when = snooze.add_mutually_exclusive_group(required=True)
    when.add_argument("--until", metavar="WHEN", help=WHEN_HELP)
    when.add_argument("--off", action="store_true", help="end the snooze: the ticket is open again")
    snooze.add_argument("--json", action="store_true", help="print the ticket as JSON")
    snooze.set_defaults(handler=snooze_ticket)


async def snooze_ticket(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    ticket = await store.get_ticket(args.id)
    if args.off:
        if ticket.snoozed_until is not None:
            changes = TicketChanges(status=Status.OPEN, snoozed_until=None)
            agent = await context.agent()
            ticket = await store.update_ticket(
                ticket.id, changes, expected_version=ticket.version, actor_id=agent.id
            )
            said = f"#{ticket.id} is open again: its snooze is over."
        else:
            said = f"#{ticket.id} is not snoozed: nothing changed."
    else:
        with invalid_input():
            until = parse_until(args.until, now=utcnow())
        agent = await context.agent()
        ticket = await store.update_ticket(
            ticket.id, TicketChanges(snoozed_until=until), expected_version=ticket.version, actor_id=agent.id
        )
        said = f"#{ticket.id} is snoozed until {snoozed_words(ticket)}; it comes back open then."
    if args.json:
        print_json(ticket_json(ticket))
    else:
        console().print(said, markup=False)
    return 0

"""`cs-tui customer list/show/edit/merge`: customers' records, for people and scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json, queue_table, shown, ticket_json
from cs_tui.domain.customers import (
    CustomerChanges,
    CustomerMerge,
    CustomerRecord,
    CustomerSummary,
    Identity,
    parse_identity,
)
from cs_tui.domain.models import Customer, Ticket, is_email_address
from cs_tui.domain.query import Sort, of_customer
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.domain.timeutil import to_iso
from cs_tui.store.base import NotFound, Store

SEVERAL_SHOWN = 8
"""Of the customers a name could mean, those named when it means several."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    customer = commands.add_parser(
        "customer",
        parents=[common],
        help="customers' records: list, show, edit, merge",
        description="Customers' records: their addresses, shared notes, tags and tickets.",
    )
    actions = customer.add_subparsers(title="actions", metavar="ACTION", required=True)
    who = "a customer's number (12 or #12), an address of theirs, or a part of a name that means one customer"

    listing = actions.add_parser(
        "list",
        parents=[common],
        help="customers in name order",
        description="List customers in name order, with their tickets (all, and still open).",
    )
    listing.add_argument(
        "--query",
        "-q",
        default="",
        help="what customer: takes in a search: a part of a name or an address (budi, @tokoku),"
        " a whole address, or #12",
    )
    listing.add_argument("--limit", type=_positive, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=list_customers)

    show = actions.add_parser("show", parents=[common], help="a customer's record and tickets")
    show.add_argument("customer", metavar="ID_OR_EMAIL", help=who)
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=show_customer)

    edit = actions.add_parser(
        "edit",
        parents=[common],
        help="change a customer's name, addresses, tags or notes",
        description="Change a customer's record. Addresses are emails or phone numbers, or"
        " kind:value for others (whatsapp:+6281234567890, instagram:tokobudi).",
    )
    edit.add_argument("customer", metavar="ID_OR_EMAIL", help=who)
    edit.add_argument("--name", help="the customer's name")
    edit.add_argument("--add-address", action="append", default=[], metavar="A", help="repeat for more")
    edit.add_argument("--remove-address", action="append", default=[], metavar="A", help="repeat for more")
    edit.add_argument("--tag", action="append", default=[], help="add a tag (repeat for more)")
    edit.add_argument("--untag", action="append", default=[], metavar="TAG", help="take a tag off")
    notes = edit.add_mutually_exclusive_group()
    notes.add_argument("--notes", metavar="TEXT", help="the whole new text of the shared notes")
    notes.add_argument("--notes-file", metavar="F", help="the notes from a file (- is standard input)")
    edit.add_argument("--json", action="store_true", help="print the record as JSON")
    edit.set_defaults(handler=edit_customer)

    merge = actions.add_parser(
        "merge",
        parents=[common],
        help="merge a customer entered twice into the other",
        description="The same person entered twice: the tickets, addresses, tags and notes of"
        " the first go to the one named with --into, and the first is gone (its number leads to"
        " the other). It asks first on a terminal; elsewhere give --yes.",
    )
    merge.add_argument("merged", metavar="ID_OR_EMAIL", help="the customer to merge in: " + who)
    merge.add_argument("--into", required=True, metavar="ID_OR_EMAIL", help="the customer to keep")
    merge.add_argument("--yes", "-y", action="store_true", help="merge without asking")
    merge.add_argument("--json", action="store_true", help="print what the merge did as JSON")
    merge.set_defaults(handler=merge_customers)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


async def customer_named(store: Store, spec: str) -> Customer:
    """The one customer `spec` names: by number, by one of their addresses, or by a part
    of a name or an address that fits exactly one customer. NotFound when it fits
    nobody; UsageError, naming them, when it fits several."""
    spec = spec.strip()
    number = spec.removeprefix("#")
    if number.isdigit() and len(number) <= 18:
        return await store.get_customer(int(number))
    if is_email_address(spec.lower()):
        found = await store.find_customer(spec)
        if found is None:
            raise NotFound(
                f"no customer has the address {spec}; `cs-tui customer list -q {spec}` looks wider"
            )
        return found
    page = await store.list_customers(spec, limit=SEVERAL_SHOWN)
    if page.total == 1:
        return page.customers[0].customer
    if page.total == 0:
        raise NotFound(f"no customer's name or address has {spec!r} in it; `cs-tui customer list` shows them")
    listed = "; ".join(_who(summary.customer) for summary in page.customers)
    more = f" and {page.total - len(page.customers):,} more" if page.total > len(page.customers) else ""
    raise UsageError(f"{spec!r} could be {listed}{more}: give the customer's number or address")


def _who(customer: Customer) -> str:
    return sanitize_line(f"{customer.name} <{customer.email}> ({customer.id})")


# list


async def list_customers(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    page = await store.list_customers(args.query, limit=args.limit)
    if args.json:
        print_json([summary_json(summary) for summary in page.customers])
        return 0
    out = console()
    if not page.customers:
        what = f" matching {args.query!r}" if args.query else ""
        out.print(f"No customers{what} in {context.store_label}.")
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold", expand=True)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("name", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("email", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("also", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("tickets", justify="right", no_wrap=True)
    table.add_column("open", justify="right", no_wrap=True)
    table.add_column("tags", no_wrap=True, max_width=24, overflow="ellipsis")
    for summary in page.customers:
        customer = summary.customer
        others = [a for a in customer.addresses if a != customer.email]
        table.add_row(
            str(customer.id),
            shown(customer.name),
            shown(customer.email),
            shown(", ".join(others)) if others else "-",
            str(summary.ticket_count),
            str(summary.open_count),
            shown(", ".join(summary.tags)) if summary.tags else "-",
        )
    out.print(table)
    matching = f" matching {args.query!r}" if args.query else ""
    out.print(f"\n1-{len(page.customers)} of {page.total:,} customers{matching}", style="dim")
    return 0


def summary_json(summary: CustomerSummary) -> dict[str, Any]:
    customer = summary.customer
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "addresses": list(customer.known_addresses),
        "tags": list(summary.tags),
        "ticket_count": summary.ticket_count,
        "open_count": summary.open_count,
    }


# show


async def show_customer(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    record = await store.get_customer_record((await customer_named(store, args.customer)).id)
    tickets = await _tickets_of(store, record.id)
    if args.json:
        print_json(record_json(record) | {"tickets": [ticket_json(ticket) for ticket in tickets]})
        return 0
    print_record(record)
    out = console()
    if tickets:
        out.print()
        out.print(queue_table(tuple(tickets), total=len(tickets)))
    return 0


async def _tickets_of(store: Store, customer_id: int) -> list[Ticket]:
    """Every ticket of the customer, most recently active first."""
    tickets: list[Ticket] = []
    after = None
    while True:
        page = await store.list_tickets(of_customer(customer_id), sort=Sort.UPDATED, after=after, limit=500)
        tickets.extend(page.tickets)
        if page.next_cursor is None:
            return tickets
        after = page.next_cursor


def record_json(record: CustomerRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "email": record.email,
        "addresses": [identity.value for identity in record.identities],
        "identities": [{"kind": i.kind.value, "value": i.value} for i in record.identities],
        "notes": record.notes,
        "tags": list(record.tags),
        "created_at": to_iso(record.created_at),
        "updated_at": to_iso(record.updated_at),
        "version": record.version,
        "ticket_count": record.ticket_count,
        "open_count": record.open_count,
        "merged_ids": list(record.merged_ids),
    }


def print_record(record: CustomerRecord) -> None:
    out = console()
    out.print(Text(sanitize_line(f"{record.name}  (customer {record.id})"), style="bold"))
    addresses = [f"{record.email} (primary)", *(i.format() for i in record.other_identities)]
    out.print(shown(" · ".join(addresses)))
    tickets = "1 ticket" if record.ticket_count == 1 else f"{record.ticket_count:,} tickets"
    facts = [f"{tickets}, {record.open_count:,} open", f"since {record.created_at.date().isoformat()}"]
    if record.tags:
        facts.insert(0, "tags: " + ", ".join(record.tags))
    if record.merged_ids:
        facts.append("merged in: " + ", ".join(map(str, record.merged_ids)))
    out.print(shown(" · ".join(facts)), style="dim")
    if record.notes:
        out.print(Text("\nNotes", style="bold"))
        out.print(Text(sanitize(record.notes)))


# edit


async def edit_customer(args: argparse.Namespace, context: Context) -> int:
    changes = CustomerChanges(
        name=args.name,
        notes=_notes(args),
        add_tags=tuple(args.tag),
        remove_tags=tuple(args.untag),
        add_identities=_addresses(args.add_address, "--add-address"),
        remove_identities=_addresses(args.remove_address, "--remove-address"),
    )
    if changes.is_empty:
        raise UsageError(
            "nothing to change: give --name, --add-address, --remove-address, --tag, --untag, --notes"
            " or --notes-file"
        )
    store = await context.store()
    customer = await customer_named(store, args.customer)
    current = await store.get_customer_record(customer.id)
    actor = await context.agent()
    record = await store.update_customer(
        current.id, changes, expected_version=current.version, actor_id=actor.id
    )
    if args.json:
        print_json(record_json(record))
    else:
        console().print(shown(f"{record.name} (customer {record.id}) changed."))
        print_record(record)
    return 0


def _notes(args: argparse.Namespace) -> str | None:
    if args.notes_file is None:
        return args.notes  # type: ignore[no-any-return]
    if args.notes_file == "-":
        return sys.stdin.read()
    try:
        return Path(args.notes_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the notes from {args.notes_file}: {error}") from None


def _addresses(typed: list[str], option: str) -> tuple[Identity, ...]:
    try:
        return tuple(parse_identity(each) for each in typed)
    except RuleBroken as error:
        raise UsageError(f"{option}: {error}") from None


# merge


async def merge_customers(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    merged = await store.get_customer_record((await customer_named(store, args.merged)).id)
    into = await store.get_customer_record((await customer_named(store, args.into)).id)
    if merged.id == into.id:
        raise UsageError(f"{args.merged!r} and {args.into!r} are one customer already: {_who(into.customer)}")
    if not args.yes and not _confirmed(merged, into):
        print("Not merged.", file=sys.stderr)
        return 1
    actor = await context.agent()
    done = await store.merge_customers(merged.id, into.id, actor_id=actor.id)
    if args.json:
        print_json(merge_json(done))
        return 0
    out = console()
    out.print(shown(f"Merged {_who(merged.customer)} into {_who(done.customer.customer)}."))
    moved = ", ".join(f"#{ticket_id}" for ticket_id in done.moved_tickets)
    out.print(shown(f"Tickets moved: {moved}" if moved else "No tickets moved."))
    out.print(shown("Addresses added: " + ", ".join(i.format() for i in done.added_identities)))
    if done.added_tags:
        out.print(shown("Tags added: " + ", ".join(done.added_tags)))
    if merged.notes:
        out.print("Their notes were added to the notes.")
    return 0


def _confirmed(merged: CustomerRecord, into: CustomerRecord) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("a merge cannot be undone: give --yes to merge without being asked")
    question = (
        f"Merge {_who(merged.customer)}, {merged.ticket_count} tickets, into"
        f" {_who(into.customer)}, {into.ticket_count} tickets? Its tickets, addresses, tags and"
        f" notes go to customer {into.id}, and customer {merged.id} is gone. [y/N] "
    )
    try:
        answer = input(question)
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def merge_json(done: CustomerMerge) -> dict[str, Any]:
    return {
        "customer": record_json(done.customer),
        "merged_id": done.merged_id,
        "moved_tickets": list(done.moved_tickets),
        "added_addresses": [identity.value for identity in done.added_identities],
        "added_tags": list(done.added_tags),
    }

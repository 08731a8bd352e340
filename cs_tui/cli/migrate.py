"""`cs-tui migrate --from URL --to URL`: a whole store copied into another (SQLite to
PostgreSQL and back, or into another file) through the Store protocol, in batches
that each commit, so that a stopped run is finished by running it again; at the end
both stores' exports are compared."""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.migrate_check import Comparison, ReadAhead, compare_exports, first_tickets
from cs_tui.cli.migrate_setup import Tally, copy_agents, copy_canned, copy_channels, copy_customers
from cs_tui.domain.text import sanitize_line
from cs_tui.store import Store, copying, is_remote, open_store
from cs_tui.store import sqlite_path as store_file

BATCH = 2000
"""Tickets copied in one transaction of the target: what a stop loses at most."""
PROGRESS_EVERY_S = 5.0
CHECKED_FIRST = 500
"""A target that holds tickets must hold the source's first ones (by number) first."""
PROBLEMS_SHOWN = 10

NOT_CARRIED = (
    "message and customer numbers (ticket numbers are kept), and which customers were merged into which",
    "drafts, read marks (moved tickets show as unread), presence, and the history of live events",
    "mail kept aside (quarantine) and the chat widget's visitors (their open chats go on, as new"
    " messages join their tickets)",
)
"""What a move leaves behind. Said in the command's help, at the end of every run, and in the docs."""

_DIFFERENCES = (
    "`cs-tui export --store URL` of each store shows them whole (a warning above may say why)."
    " A ticket changed in the target, or in the source after it was copied, is not copied again:"
    " to start over, move into an empty store."
)

DESCRIPTION = """\
Copy a whole store into another: from a SQLite file into a PostgreSQL database (or
back, or into another file). First agents with their roles and tokens, canned
responses with how often they were used, and channels with how far each has read;
then the tickets as `cs-tui export` writes them, with their numbers, in batches of
--batch tickets that each commit; then customers' notes, tags and addresses; then
what the export has no place for: each ticket's mailbox or conversation, Cc, links
and merges, its messages' mail ids, attachments and delivery state. Stopped half
way, the same command again finishes the job, copying nothing twice. At the end
it compares `cs-tui export` of both stores and says whether they are the same
(exit 0) or what differs (exit 1).

Stop everything that writes to the source first (cs-tui serve, cs-tui channel run,
the TUI on the store file). The target must be empty or one an unfinished move
from the same source went to; a PostgreSQL database must exist (createdb NAME)."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    migrate = commands.add_parser(
        "migrate",
        help="copy a whole store into another (SQLite, PostgreSQL), then check the copy",
        description=DESCRIPTION,
        epilog="not carried:\n" + "\n".join(_bullets(NOT_CARRIED)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the store to copy: a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE",
    )
    migrate.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the store to copy into, as --from",
    )
    migrate.add_argument(
        "--batch",
        type=_batch_size,
        default=BATCH,
        metavar="N",
        help=f"tickets a transaction (default {BATCH})",
    )
    migrate.set_defaults(handler=run_migrate)


def _batch_size(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= number <= 100_000:
        raise argparse.ArgumentTypeError("a batch is 1 to 100,000 tickets")
    return number


def _bullets(lines: tuple[str, ...] | list[str], *, first: str = "  - ") -> list[str]:
    indent = " " * len(first)
    return [textwrap.fill(line, 88, initial_indent=first, subsequent_indent=indent) for line in lines]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def label(url: str) -> str:
    """A store's URL for messages: a file's path, or the URL without its password."""
    path = store_file(url)
    if path is not None:
        return str(path)
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return parsed._replace(netloc=parsed.netloc.replace(f":{parsed.password}@", ":***@")).geturl()


def _check_urls(source: str, target: str) -> None:
    for url in (source, target):
        if is_remote(url):
            raise UsageError(
                f"{url} is a team server: migrate copies between the stores themselves (a file or a "
                "PostgreSQL database); run it where it can open the server's store, with the server stopped"
            )
    source_path, target_path = store_file(source), store_file(target)
    if source_path is not None and not source_path.exists():
        raise UsageError(f"there is no store at {source_path}")
    same_file = (
        source_path is not None and target_path is not None and source_path.resolve() == target_path.resolve()
    )
    if same_file or source == target:
        raise UsageError("--from and --to name the same store")


async def run_migrate(args: argparse.Namespace, context: Context) -> int:
    _check_urls(args.source, args.target)
    source = await open_store(args.source)
    try:
        target = await open_store(args.target)
        try:
            return await _migrate(source, target, label(args.source), label(args.target), args.batch)
        except (asyncio.CancelledError, KeyboardInterrupt):
            say(
                "Stopped before the end. What was copied stays; the same command again finishes "
                "the job, copying nothing twice."
            )
            raise
        finally:
            await target.close()
    finally:
        await source.close()


@dataclass(slots=True)
class TicketsCopied:
    copied: int = 0
    there: int = 0
    """Tickets the target had already (an earlier run copied them)."""
    problems: list[str] = field(default_factory=list)


class Progress:
    """Counts on standard error as a long step goes: after its first batch, then every
    few seconds."""

    def __init__(self, what: str, total: int) -> None:
        self.what = what
        self.total = total
        self._last: float | None = None
        self._said = -1

    def __call__(self, done: int, extra: str = "", *, final: bool = False) -> None:
        now = time.monotonic()
        if done == self._said or (
            not final and self._last is not None and now - self._last < PROGRESS_EVERY_S
        ):
            return
        self._last, self._said = now, done
        say(f"  {self.what} {done:,} of {self.total:,}{extra}")


async def copy_tickets(source: Store, target: Store, total: int, batch: int) -> TicketsCopied:
    """Every ticket, in batches read from the source while the last one is written."""
    found = TicketsCopied()
    progress = Progress("tickets", total)
    done = 0
    async with ReadAhead(source.export_tickets(), batch) as ahead:
        async for chunk in ahead.chunks():
            report = await target.import_tickets(enumerate(chunk, start=1))
            for problem in sorted(report.problems + report.warnings, key=lambda p: p.line):
                record = chunk[problem.line - 1]
                found.problems.append(f"ticket #{record.id}: {sanitize_line(problem.message)}")
            found.copied += report.imported
            found.there += report.skipped
            done += len(chunk)
            progress(done, f" ({found.there:,} there already)" if found.there else "")
    if done:
        progress(done, final=True)
    return found


async def copy_ticket_details(source: Store, target: Store, total: int, tally: Tally) -> None:
    """What a ticket's export has no place for (copying.copy_details): mailboxes and
    conversations, Cc, links and merges, mail ids, attachments, delivery state."""
    if not (copying.keeps_details(source) and copying.keeps_details(target)):
        return
    say("  mailboxes, Cc, links, merges, attachments and delivery state…")
    copied = await copying.copy_details(source, target, progress=Progress("tickets' details", total))
    tally.said.append(
        f"details: {copied.tickets:,} tickets with a mailbox, conversation, Cc, link or merge;"
        f" {copied.messages:,} messages with a mail id, sender or quoted text; {copied.files:,} files"
    )
    tally.problems.extend(copied.problems)


async def _check_target(source: Store, target: Store, source_label: str, target_label: str) -> int:
    """How many tickets the target has from an earlier run; UsageError when it holds
    other tickets."""
    theirs = await first_tickets(target, CHECKED_FIRST)
    if not theirs:
        return 0
    ours = await first_tickets(source, CHECKED_FIRST)
    there = await target.count_tickets(None)
    for index, ticket in enumerate(theirs):
        if index >= len(ours) or ours[index] != ticket:
            raise UsageError(
                f"{target_label} already holds {there:,} tickets, and they are not copies of "
                f"{source_label}'s (its ticket #{ticket[0]} is not the source's): move into an empty store "
                "(a new file, or a new PostgreSQL database: createdb NAME), or give as --to the store an "
                "unfinished move from this source went to"
            )
    return there


async def _migrate(source: Store, target: Store, source_label: str, target_label: str, batch: int) -> int:
    started = time.monotonic()
    first_event = await source.last_event_id()
    there = await _check_target(source, target, source_label, target_label)
    total = await source.count_tickets(None)
    earlier = f" ({there:,} there from an earlier run)" if there else ""
    say(f"Moving {source_label} into {target_label}: {total:,} tickets{earlier}.")
    tally = Tally()
    await copy_agents(source, target, tally)
    await copy_canned(source, target, tally)
    await copy_channels(source, target, tally)
    tickets = await copy_tickets(source, target, total, batch)
    say("  customers' notes, tags and addresses…")
    await copy_customers(source, target, tally)
    await copy_ticket_details(source, target, total, tally)
    copied_s = time.monotonic() - started
    say("Checking: both stores' exports, ticket by ticket…")
    comparison = await compare_exports(source, target, progress=Progress("checked", total))
    changed = await source.last_event_id() != first_event
    _summary(tickets, tally, comparison, copied_s, time.monotonic() - started - copied_s, changed=changed)
    return 0 if comparison.same and not tally.problems and not tickets.problems else 1


def _summary(
    tickets: TicketsCopied,
    tally: Tally,
    comparison: Comparison,
    copied_s: float,
    checked_s: float,
    *,
    changed: bool,
) -> None:
    said = [
        f"tickets: {tickets.copied:,} copied"
        + (f", {tickets.there:,} there already" if tickets.there else "")
    ]
    say(f"Copied in {copied_s:.1f} s:")
    for line in said + tally.said:
        say(f"  {line}")
    problems = tickets.problems + tally.problems
    for problem in problems[:PROBLEMS_SHOWN]:
        say(f"  warning: {problem}")
    if len(problems) > PROBLEMS_SHOWN:
        say(f"  warning: and {len(problems) - PROBLEMS_SHOWN:,} more")
    if comparison.same:
        say(f"Checked in {checked_s:.1f} s: both stores export the same {comparison.alike:,} tickets.")
    else:
        say(
            f"Checked in {checked_s:.1f} s: the exports differ: {comparison.said()}"
            f" ({comparison.alike:,} alike)."
        )
        for difference in comparison.shown:
            say(f"  {difference}")
        for line in _bullets([_DIFFERENCES], first="  "):
            say(line)
    if changed:
        say(
            "The source changed while it was copied (something wrote to it): stop what writes to it "
            "(cs-tui serve, cs-tui channel run, the TUI) and move it again into an empty store."
        )
    say("Not carried:")
    for line in _bullets(NOT_CARRIED):
        say(line)

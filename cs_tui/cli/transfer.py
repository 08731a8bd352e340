"""`cs-tui import FILE` and `cs-tui export [FILE]`: tickets as JSON Lines."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, TextIO, cast

from cs_tui.cli.context import Context, UsageError
from cs_tui.domain.records import RecordError, TicketRecord, parse_line
from cs_tui.store.base import ImportProblem


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    importing = commands.add_parser(
        "import",
        parents=[common],
        help="add tickets from a JSON Lines file",
        description="Add tickets from a JSON Lines file (one ticket a line; - reads standard "
        "input). Tickets whose ref the store has are skipped, so importing twice adds nothing. "
        "A bad line is reported with its number and the others import.",
    )
    importing.add_argument("file", help="the file, or - for standard input")
    importing.set_defaults(handler=import_tickets)

    exporting = commands.add_parser(
        "export",
        parents=[common],
        help="write every ticket as JSON Lines",
        description="Write every ticket with its messages as JSON Lines, by id.",
    )
    exporting.add_argument("file", nargs="?", default="-", help="the file (default: standard output)")
    exporting.set_defaults(handler=export_tickets)


def _open(path: str, mode: str, stack: ExitStack) -> TextIO:
    if path == "-":
        return sys.stdin if "r" in mode else sys.stdout
    try:
        handle = stack.enter_context(open(path, mode, encoding="utf-8"))  # noqa: SIM115
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from error
    return cast(TextIO, handle)


def _parsed(lines: TextIO, problems: list[ImportProblem]) -> Iterator[tuple[int, TicketRecord]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, parse_line(line)
        except RecordError as error:
            problems.append(ImportProblem(number, str(error)))


async def import_tickets(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    problems: list[ImportProblem] = []
    with ExitStack() as stack:
        source = _open(args.file, "r", stack)
        try:
            report = await store.import_tickets(
                _parsed(source, problems), actor_id=(await context.agent()).id
            )
        except UnicodeDecodeError as error:
            raise UsageError(f"{args.file} is not UTF-8 text: {error.reason}") from error
    problems = sorted(problems + report.problems, key=lambda p: p.line)
    for problem in problems:
        print(f"{args.file}:{problem.line}: {problem.message}", file=sys.stderr)
    summary = f"imported {report.imported:,} tickets"
    if report.skipped:
        summary += f", skipped {report.skipped:,} already in the store"
    if problems:
        summary += f"; {len(problems):,} lines with problems (listed above), the rest imported"
    print(summary, file=sys.stderr)
    return 1 if problems else 0


async def export_tickets(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    count = 0
    with ExitStack() as stack:
        target = _open(args.file, "w", stack)
        async for record in store.export_tickets():
            target.write(record.to_line() + "\n")
            count += 1
        target.flush()
    if args.file != "-":
        print(f"exported {count:,} tickets to {args.file}", file=sys.stderr)
    return 0

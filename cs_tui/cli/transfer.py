"""`cs-tui import FILE` and `cs-tui export [FILE]`: tickets as JSON Lines."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any, BinaryIO, TextIO, cast

from cs_tui.cli.context import Context, UsageError
from cs_tui.domain.importing import read_lines
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import ImportProblem


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    importing = commands.add_parser(
        "import",
        parents=[common],
        help="add tickets from a JSON Lines file",
        description="Add tickets from a JSON Lines file (one ticket a line; - reads standard "
        "input). Tickets whose ref the store has are skipped, so importing twice adds nothing. "
        "A bad line is reported with its number and the others import; a line taken in with "
        "something moved or left out (a time that cannot be, an unknown field) is warned about.",
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


SAME_WARNING_SHOWN = 3
"""Lines shown with one same warning (a field on every line, say); the rest are counted."""


def _open(path: str, mode: str, stack: ExitStack) -> TextIO:
    if path == "-":
        return sys.stdin if "r" in mode else sys.stdout
    try:
        handle = stack.enter_context(open(path, mode, encoding="utf-8"))  # noqa: SIM115
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from error
    return cast(TextIO, handle)


def _open_bytes(path: str, stack: ExitStack) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return stack.enter_context(open(path, "rb"))
    except OSError as error:
        raise UsageError(f"cannot open {path}: {error.strerror}") from error


def _parsed(
    source: BinaryIO, problems: list[ImportProblem], warnings: list[ImportProblem]
) -> Iterator[tuple[int, TicketRecord]]:
    for line in read_lines(source.readline):
        warnings.extend(ImportProblem(line.number, note) for note in line.warnings)
        if line.record is not None:
            yield line.number, line.record
        else:
            problems.append(ImportProblem(line.number, line.error or "not a ticket"))


async def import_tickets(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    problems: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    with ExitStack() as stack:
        source = _open_bytes(args.file, stack)
        report = await store.import_tickets(
            _parsed(source, problems, warnings), actor_id=(await context.agent()).id
        )
    problems = sorted(problems + report.problems, key=lambda p: p.line)
    warnings = sorted(warnings + report.warnings, key=lambda w: w.line)
    _print_lines(args.file, problems, warnings)
    summary = f"imported {_count(report.imported, 'ticket')}, skipped {report.skipped:,} already in the store"
    if report.repeated:
        summary += f", left out {report.repeated:,} repeating an earlier line"
    summary += f", refused {_count(len(problems), 'line')}" + (" (listed above)" if problems else "")
    if warnings:
        summary += f"; {_count(len(warnings), 'warning')} (listed above)"
    print(summary, file=sys.stderr)
    return 1 if problems else 0


def _print_lines(path: str, problems: list[ImportProblem], warnings: list[ImportProblem]) -> None:
    """Each problem and warning by line, in the file's order; a warning said on many
    lines alike is shown on the first few, then counted."""
    said = [(problem.line, "", problem.message) for problem in problems]
    seen: Counter[str] = Counter(warning.message for warning in warnings)
    shown: Counter[str] = Counter()
    for warning in warnings:
        shown[warning.message] += 1
        if shown[warning.message] <= SAME_WARNING_SHOWN:
            said.append((warning.line, "warning: ", warning.message))
    for line, kind, message in sorted(said, key=lambda item: item[0]):
        print(f"{path}:{line}: {kind}{sanitize_line(message)}", file=sys.stderr)
    for message, count in seen.items():
        if count > SAME_WARNING_SHOWN:
            more = count - SAME_WARNING_SHOWN
            print(
                f"{path}: warning: the same on {_count(more, 'more line')}: {sanitize_line(message)}",
                file=sys.stderr,
            )


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


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

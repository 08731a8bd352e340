"""What an import does with the lines of a file: reads them one by one, each bad
line said with its number and never stopping the others; knows a line that repeats
an earlier one; and settles times that cannot be, so that no figure goes negative."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from cs_tui.domain import limits
from cs_tui.domain.models import Status
from cs_tui.domain.records import BOM, RecordError, TicketRecord, parse_line
from cs_tui.domain.timeutil import to_iso


@dataclass(frozen=True, slots=True)
class ReadLine:
    """One line of an import file, read: its ticket, or why it is not one, and what
    was left out or mended in it."""

    number: int
    record: TicketRecord | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def read_lines(
    readline: Callable[[int], bytes], *, line_limit: int = limits.IMPORT_LINE_BYTES
) -> Iterator[ReadLine]:
    """Every line of an import file that is not blank, read with `readline` (a binary
    file's), numbered from 1. A line past `line_limit` bytes is never held whole."""
    number = 0
    while raw := readline(line_limit + 1):
        number += 1
        if len(raw) > line_limit and not raw.endswith(b"\n"):
            length = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = readline(1 << 20)
                length += len(raw)
            length -= len(raw) - len(raw.rstrip(b"\r\n"))
            refusal = limits.over("the line", length, line_limit, "bytes")
            yield ReadLine(number, error=f"{refusal}: shorten the ticket's longest messages")
            continue
        try:
            text = raw.decode("utf-8").removeprefix(BOM).rstrip("\r\n")
        except UnicodeDecodeError as error:
            yield ReadLine(
                number,
                error=f"not UTF-8 text: byte 0x{raw[error.start]:02x} at byte {error.start + 1} of the line; "
                "save the file as UTF-8",
            )
            continue
        if not text.strip():
            continue
        notes: list[str] = []
        try:
            yield ReadLine(number, parse_line(text, notes), warnings=tuple(notes))
        except RecordError as error:
            yield ReadLine(number, error=str(error), warnings=tuple(notes))


def ticket_key(record: TicketRecord) -> str:
    """What makes two lines the same ticket, of a record cleaned for the store: its ref,
    or for one without a ref a ref made from its customer, creation time, subject and
    first message, so that importing the same file twice still adds nothing."""
    if record.ref:
        return record.ref
    first_body = record.messages[0].body if record.messages else ""
    identity = "\n".join((record.customer_email, to_iso(record.created_at), record.subject, first_body))
    return "import:" + hashlib.sha256(identity.encode()).hexdigest()[:20]


class Repeats:
    """The line of one import that first named each ticket: a later line naming the
    same ticket repeats it, and is not imported."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def of(self, record: TicketRecord, line: int) -> str | None:
        """Why `line` is not imported when an earlier line is the same ticket as its
        (cleaned) record; None when it is the first (or the same line, read again)."""
        first = self._first.setdefault(ticket_key(record), line)
        if first == line:
            return None
        if record.ref:
            return f'"ref" {record.ref!r} repeats line {first} of this file; only line {first} is imported'
        return (
            f"the same ticket as line {first} of this file (same customer, creation time, subject "
            f"and first message); only line {first} is imported"
        )


def settled(record: TicketRecord, now: datetime) -> tuple[TicketRecord, list[str]]:
    """`record` with times that can be, and a note for each time moved. Nothing is
    refused, so nothing is lost: a time after `now` (the import) is taken as `now`, or
    for the ticket's creation as its first message; a message or a rating before the
    ticket was created, as its creation; a solved or updated time before it, as its
    last message or change."""
    notes: list[str] = []

    def not_after_now(
        moment: datetime, name: str, instead: datetime = now, what: str = "the import"
    ) -> datetime:
        if moment <= now:
            return moment
        notes.append(f'"{name}" {to_iso(moment)} is in the future; taken as {to_iso(instead)}, {what}')
        return instead

    def not_before_creation(moment: datetime, name: str, instead: datetime, what: str) -> datetime:
        if moment >= created_at:
            return moment
        notes.append(
            f'"{name}" {to_iso(moment)} is before the ticket was created; taken as {to_iso(instead)}, {what}'
        )
        return instead

    past = [message.created_at for message in record.messages if message.created_at <= now]
    if past:
        created_at = not_after_now(record.created_at, "created_at", min(past), "its first message")
    else:
        created_at = not_after_now(record.created_at, "created_at")
    future = [n for n, message in enumerate(record.messages) if message.created_at > now]
    early = [n for n, message in enumerate(record.messages) if message.created_at < created_at]
    if future:
        notes.append(f"{_which(record, future)} in the future; taken as {to_iso(now)}, the import")
    if early:
        notes.append(
            f"{_which(record, early)} before the ticket was created; "
            f"taken as {to_iso(created_at)}, its creation"
        )
    messages = tuple(
        replace(message, created_at=min(max(message.created_at, created_at), now))
        for message in record.messages
    )
    last_message_at = max([created_at, *(message.created_at for message in messages)])
    solved_at = record.solved_at  # an active ticket's is not read, nor said
    last_change_at = last_message_at
    if solved_at is not None and not record.status.is_active:
        solved_at = not_after_now(solved_at, "solved_at")
        solved_at = not_before_creation(solved_at, "solved_at", last_message_at, "its last message")
        last_change_at = max(last_message_at, solved_at)
    updated_at = record.updated_at
    if updated_at is not None:
        updated_at = not_after_now(updated_at, "updated_at")
        updated_at = not_before_creation(updated_at, "updated_at", last_change_at, "its last change")
    csat = record.csat
    if csat is not None:
        rated_at = not_after_now(csat.rated_at, "csat.rated_at")
        rated_at = not_before_creation(rated_at, "csat.rated_at", created_at, "its creation")
        csat = replace(csat, rated_at=rated_at)
    snoozed_until = record.snoozed_until
    if snoozed_until is not None and record.status is not Status.PENDING:
        notes.append(f'"snoozed_until" left out: only a pending ticket is snoozed, not a {record.status} one')
        snoozed_until = None
    if not notes:
        return record, notes
    record = replace(record, created_at=created_at, messages=messages, csat=csat, snoozed_until=snoozed_until)
    return replace(record, solved_at=solved_at, updated_at=updated_at), notes


def _which(record: TicketRecord, numbers: list[int]) -> str:
    """The messages at `numbers`, named for a note: the first, and how many more."""
    first = numbers[0]
    named = f'"messages[{first}].created_at" {to_iso(record.messages[first].created_at)}'
    if len(numbers) == 1:
        return f"{named} is"
    return f"{len(numbers):,} messages ({named} and {len(numbers) - 1:,} more) are"

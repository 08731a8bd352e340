"""The JSON Lines import/export format: one ticket with its messages a line.

    {"ref", "subject", "status", "priority", "channel", "customer": {"name", "email"},
     "assignee": EMAIL|null, "tags", "created_at",
     "messages": [{"author": "customer"|"agent:EMAIL"|"system", "body", "internal",
                   "auto", "created_at"}]}

Export adds "id", "updated_at", "solved_at", when rated "csat", and when snoozed
"snoozed_until"; import accepts them back so that a round trip keeps every ticket as
it was.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cs_tui.domain import limits
from cs_tui.domain.models import (
    RATINGS,
    AuthorKind,
    Channel,
    Csat,
    Priority,
    Status,
    is_email_address,
    normalize_tag,
)
from cs_tui.domain.text import safe_json, sanitize_line
from cs_tui.domain.timeutil import parse_iso, to_iso

E = TypeVar("E", Status, Priority, Channel)


class RecordError(ValueError):
    """A line that is not a valid ticket; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    author_kind: AuthorKind
    agent_email: str | None
    body: str
    created_at: datetime
    internal: bool = False
    auto: bool = False

    @property
    def author(self) -> str:
        if self.author_kind is AuthorKind.AGENT:
            return f"agent:{self.agent_email}"
        return self.author_kind.value


@dataclass(frozen=True, slots=True)
class TicketRecord:
    ref: str | None
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    customer_name: str
    customer_email: str
    assignee_email: str | None
    tags: tuple[str, ...]
    created_at: datetime
    messages: tuple[MessageRecord, ...]
    id: int | None = None
    updated_at: datetime | None = None
    solved_at: datetime | None = None
    csat: Csat | None = None
    snoozed_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {}
        if self.id is not None:
            line["id"] = self.id
        line |= {
            "ref": self.ref,
            "subject": self.subject,
            "status": self.status.value,
            "priority": self.priority.value,
            "channel": self.channel.value,
            "customer": {"name": self.customer_name, "email": self.customer_email},
            "assignee": self.assignee_email,
            "tags": list(self.tags),
            "created_at": to_iso(self.created_at),
            "updated_at": to_iso(self.updated_at) if self.updated_at else None,
            "solved_at": to_iso(self.solved_at) if self.solved_at else None,
        }
        if self.csat is not None:
            line["csat"] = {
                "rating": self.csat.rating,
                "comment": self.csat.comment,
                "rated_at": to_iso(self.csat.rated_at),
            }
        if self.snoozed_until is not None:
            line["snoozed_until"] = to_iso(self.snoozed_until)
        line["messages"] = [
            {
                "author": m.author,
                "body": m.body,
                "internal": m.internal,
                "auto": m.auto,
                "created_at": to_iso(m.created_at),
            }
            for m in self.messages
        ]
        return line

    def to_line(self) -> str:
        return safe_json(self.to_json())


FIELDS: dict[str, tuple[str, ...]] = {
    "": (
        *("id", "ref", "subject", "status", "priority", "channel", "customer", "assignee", "tags"),
        *("created_at", "updated_at", "solved_at", "csat", "snoozed_until", "messages"),
    ),
    "customer.": ("name", "email"),
    "csat.": ("rating", "rated_at", "comment"),
    "messages[].": ("author", "body", "internal", "auto", "created_at"),
}
"""The fields of the format, by where they sit."""

BOM = "\ufeff"


def parse_line(text: str, notes: list[str] | None = None) -> TicketRecord:
    """Parse one line; raise RecordError naming the field that is wrong. What is left
    out or mended (an unknown field, a broken character) is added to `notes`."""
    text = text.removeprefix(BOM)
    _within_depth(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = error.msg.removesuffix(" at")
        raise RecordError(f"not valid JSON: {message} at column {error.colno}") from None
    except ValueError as error:  # an integer of 5,000 digits, say
        raise RecordError(f"not valid JSON: {str(error).split(';')[0]}") from None
    if not isinstance(data, dict):
        raise RecordError("expected a JSON object with a ticket's fields")
    if "\\u" in text:
        data = _mended(data, notes if notes is not None else [])
    return from_json(data, notes)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _within_depth(text: str) -> None:
    """RecordError when the JSON nests deeper than the import takes, found by counting
    brackets outside strings: never by recursion, which a deep line would exhaust."""
    if text.count("[") + text.count("{") <= limits.IMPORT_LINE_DEPTH:
        return
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    if refusal := limits.over("the nesting", deepest, limits.IMPORT_LINE_DEPTH, "levels"):
        raise RecordError(f"{refusal}: a ticket nests only a few levels deep")


_UNPAIRED = re.compile("[\ud800-\udfff]")


def _mended(data: Any, notes: list[str]) -> Any:
    """`data` with every half of a UTF-16 pair (\\ud83d alone, say: an emoji cut in two)
    replaced by U+FFFD, which a store can keep; one note says how many there were."""
    count = 0

    def mend(value: Any) -> Any:
        nonlocal count
        if isinstance(value, str):
            mended, found = _UNPAIRED.subn("\ufffd", value)
            count += found
            return mended
        if isinstance(value, list):
            return [mend(item) for item in value]
        if isinstance(value, dict):
            return {mend(key): mend(item) for key, item in value.items()}
        return value

    mended = mend(data)  # the depth is bounded before: this recursion cannot run deep
    if count:
        what = "a broken character" if count == 1 else f"{count:,} broken characters"
        notes.append(f"{what} (half of a UTF-16 pair, as \\ud83d) kept as \ufffd")
    return mended


def unknown_fields(data: Mapping[str, Any]) -> list[str]:
    """A note for each field of a ticket line that the format does not have, which is
    left out: naming it, and the field it may be a typo of."""
    found: dict[str, list[str]] = {}

    def look(part: Any, where: str, shown: str | None = None) -> None:
        if not isinstance(part, Mapping):
            return
        known = FIELDS[where]
        for key in part:
            if key not in known:
                found.setdefault(f"{where}\0{key}", []).append(shown or where)

    look(data, "")
    look(data.get("customer"), "customer.")
    look(data.get("csat"), "csat.")
    messages = data.get("messages")
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        look(message, "messages[].", f"messages[{index}].")
    notes = []
    for name, places in found.items():
        where, key = name.split("\0", 1)
        near = difflib.get_close_matches(key[:100], FIELDS[where], n=1)
        shown = sanitize_line(key)[:40] + ("..." if len(key) > 40 else "")
        more = f" (and in {len(places) - 1:,} more messages)" if len(places) > 1 else ""
        hint = f'; did you mean "{places[0]}{near[0]}"?' if near else ""
        notes.append(f'"{places[0]}{shown}"{more} is not a field of the import format and was left out{hint}')
    if len(notes) > 5:
        notes[5:] = [f"and {len(notes) - 5:,} more fields that the format does not have were left out"]
    return notes


def check(record: TicketRecord) -> None:
    """Raise RecordError when a record breaks a rule that parse_line enforces, for
    records that reach a store without having been a line."""
    if not record.subject.strip():
        raise RecordError('"subject" is missing or empty')
    if not is_email_address(record.customer_email):
        raise RecordError(f'"customer.email" is not an email address: {record.customer_email!r}')
    if record.assignee_email is not None and "@" not in record.assignee_email:
        raise RecordError('"assignee" must be an agent\'s email address or null')
    for index, message in enumerate(record.messages):
        where = f"messages[{index}]."
        if message.author_kind is AuthorKind.AGENT and "@" not in (message.agent_email or ""):
            raise RecordError(
                f'"{where}author" is {message.author!r}; use "customer", "system" or "agent:EMAIL"'
            )
        if message.internal and message.author_kind is AuthorKind.CUSTOMER:
            raise RecordError(f'"{where}internal" is true, but only agents write internal notes')
    if record.csat is not None and record.csat.rating not in RATINGS:
        raise RecordError(f'"csat" rating is {record.csat.rating}; a rating is 1 to 5')


def from_json(data: Mapping[str, Any], notes: list[str] | None = None) -> TicketRecord:
    """A ticket from one line's JSON; RecordError naming the field that is wrong. The
    fields the format does not have are left out, each with a note in `notes`."""
    if notes is not None:
        notes.extend(unknown_fields(data))
    customer = data.get("customer")
    if not isinstance(customer, Mapping):
        raise RecordError('"customer" must be an object like {"name": "...", "email": "..."}')
    messages = data.get("messages", [])
    if not isinstance(messages, list):
        raise RecordError('"messages" must be a list')
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RecordError('"tags" must be a list of strings')
    created_at = _time(data, "created_at")
    ref = data.get("ref")
    if ref is not None and not isinstance(ref, str | int):
        raise RecordError('"ref" must be a string')
    record_id = data.get("id")
    if record_id is not None and (not isinstance(record_id, int) or isinstance(record_id, bool)):
        raise RecordError('"id" must be an integer')
    assignee = data.get("assignee")
    if assignee is not None and (not isinstance(assignee, str) or "@" not in assignee):
        raise RecordError('"assignee" must be an agent\'s email address or null')
    return TicketRecord(
        ref=str(ref) if ref is not None and str(ref).strip() else None,
        subject=_text(data, "subject", required=True),
        status=_choice(data, "status", Status, Status.NEW),
        priority=_choice(data, "priority", Priority, Priority.NORMAL),
        channel=_choice(data, "channel", Channel, Channel.EMAIL),
        customer_name=_text(customer, "name", where="customer."),
        customer_email=_email(customer),
        assignee_email=assignee.strip().lower() if assignee else None,
        tags=tuple(dict.fromkeys(t for t in map(normalize_tag, tags) if t)),
        created_at=created_at,
        messages=tuple(_message(m, i) for i, m in enumerate(messages)),
        id=record_id,
        updated_at=_time(data, "updated_at") if data.get("updated_at") else None,
        solved_at=_time(data, "solved_at") if data.get("solved_at") else None,
        csat=_csat(data.get("csat")),
        snoozed_until=_time(data, "snoozed_until") if data.get("snoozed_until") else None,
    )


def _text(data: Mapping[str, Any], key: str, *, required: bool = False, where: str = "") -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordError(f'"{where}{key}" must be a string')
    if required and not value.strip():
        raise RecordError(f'"{where}{key}" is missing or empty')
    return value


def _email(customer: Mapping[str, Any]) -> str:
    email = sanitize_line(_text(customer, "email", required=True, where="customer."))
    if not is_email_address(email):
        raise RecordError(f'"customer.email" is not an email address: {email!r}')
    return email.lower()


def _choice(data: Mapping[str, Any], key: str, kind: type[E], default: E) -> E:
    value = data.get(key)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(kind.__members__.values())
        raise RecordError(f'"{key}" is {value!r}; use one of {choices}') from None


def _time(data: Mapping[str, Any], key: str, where: str = "") -> datetime:
    value = data.get(key)
    if not isinstance(value, str):
        raise RecordError(f'"{where}{key}" must be an ISO 8601 time like 2026-11-03T09:15:00Z')
    try:
        return parse_iso(value)
    except ValueError:
        raise RecordError(
            f'"{where}{key}" is not an ISO 8601 time: {value!r} (write 2026-11-03T09:15:00Z)'
        ) from None


def _message(data: Any, index: int) -> MessageRecord:
    where = f"messages[{index}]."
    if not isinstance(data, Mapping):
        raise RecordError(f'"messages[{index}]" must be an object')
    author = data.get("author")
    agent_email = None
    if author in ("customer", "system"):
        author_kind = AuthorKind(author)
    elif isinstance(author, str) and author.startswith("agent:") and "@" in author:
        author_kind = AuthorKind.AGENT
        agent_email = author.removeprefix("agent:").strip().lower()
    else:
        raise RecordError(f'"{where}author" is {author!r}; use "customer", "system" or "agent:EMAIL"')
    for flag in ("internal", "auto"):
        if not isinstance(data.get(flag, False), bool):
            raise RecordError(f'"{where}{flag}" must be true or false')
    if data.get("internal") and author_kind is AuthorKind.CUSTOMER:
        raise RecordError(f'"{where}internal" is true, but only agents write internal notes')
    return MessageRecord(
        author_kind=author_kind,
        agent_email=agent_email,
        body=_text(data, "body", where=where),
        created_at=_time(data, "created_at", where),
        internal=bool(data.get("internal", False)),
        auto=bool(data.get("auto", False)),
    )


def _csat(data: Any) -> Csat | None:
    if data is None:
        return None
    if not isinstance(data, Mapping) or data.get("rating") not in RATINGS:
        raise RecordError('"csat" must be like {"rating": 1-5, "rated_at": "...", "comment": ""}')
    return Csat(
        rating=int(data["rating"]),
        rated_at=_time(data, "rated_at", "csat."),
        comment=_text(data, "comment", where="csat."),
    )

"""The search syntax of the queue's `/` and of `--query`.

    status:open,pending priority:urgent assignee:me|none|EMAIL tag:refund
    channel:email breaching:yes snoozed:yes customer:NAME|EMAIL|#ID -tag:spam "exact phrase" words

Filters are ANDed; the values of one filter are ORed; `-` negates a filter or a
word. `customer:` takes a part of a customer's name or of one of their addresses,
a whole address (exact), or a customer's number (domain.customers.customer_term).
Free words match subject, message bodies, customer name and email; only their
letters and digits are searched for, so a query of nothing else is refused rather
than let find every ticket. A query has at most limits.QUERY_TERMS terms (words,
phrases and filters) and limits.QUERY_CHARS
characters. Also the queue's orders (Sort), which views and `--sort` name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cs_tui.domain import limits
from cs_tui.domain.customers import customer_term
from cs_tui.domain.models import Channel, Priority, Status, normalize_tag


class Sort(enum.StrEnum):
    """Queue orders. Each has an index, so paging never sorts the whole table."""

    UPDATED = "updated"
    """Most recent activity first."""
    CREATED = "created"
    """Newest first."""
    OLDEST = "oldest"
    """Oldest first."""
    SLA = "sla"
    """Nearest SLA deadline first; tickets without one (solved or closed, or pending or
    on hold, whose SLA clock stands still) last."""
    PRIORITY = "priority"
    """Urgent first, then most recent activity."""


class Field(enum.StrEnum):
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"
    TAG = "tag"
    CHANNEL = "channel"
    BREACHING = "breaching"
    CUSTOMER = "customer"
    SNOOZED = "snoozed"


_CHOICES: dict[Field, tuple[str, ...]] = {
    Field.STATUS: tuple(Status),
    Field.PRIORITY: tuple(Priority),
    Field.CHANNEL: tuple(Channel),
    Field.BREACHING: ("yes", "no"),
    Field.SNOOZED: ("yes", "no"),
}


class QueryError(ValueError):
    """A query that cannot be run; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int, length: int = 1) -> None:
        self.message = message
        self.position = position
        self.length = max(length, 1)
        super().__init__(f"{message} (at character {position + 1})")


@dataclass(frozen=True, slots=True)
class Filter:
    field: Field
    values: tuple[str, ...]
    negated: bool = False

    def format(self) -> str:
        return f"{'-' if self.negated else ''}{self.field}:{','.join(map(_quote, self.values))}"


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    negated: bool = False

    def format(self) -> str:
        return f"{'-' if self.negated else ''}{_quote(self.text)}"


@dataclass(frozen=True, slots=True)
class Query:
    filters: tuple[Filter, ...] = ()
    words: tuple[Word, ...] = ()

    def format(self) -> str:
        return " ".join([f.format() for f in self.filters] + [w.format() for w in self.words])

    def values_of(self, field: Field) -> tuple[str, ...] | None:
        """The allowed values when the query has exactly one positive filter on `field`."""
        matches = [f for f in self.filters if f.field is field]
        if len(matches) == 1 and not matches[0].negated:
            return matches[0].values
        return None

    @property
    def mentions_me(self) -> bool:
        """True when the query needs to know who is asking (assignee:me)."""
        return any(f.field is Field.ASSIGNEE and "me" in f.values for f in self.filters)

    def __bool__(self) -> bool:
        return bool(self.filters or self.words)


def _quote(text: str) -> str:
    if text and not any(c.isspace() or c in '",:' for c in text) and not text.startswith("-"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_quoted(source: str, start: int) -> tuple[str, int]:
    """Read a "..." string starting at the quote; return its text and the end offset."""
    out: list[str] = []
    i = start + 1
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise QueryError('unclosed quote: add a closing "', start, len(source) - start)


def _read_bare(source: str, start: int, stop: str) -> tuple[str, int]:
    i = start
    while i < len(source) and not source[i].isspace() and source[i] not in stop:
        i += 1
    return source[start:i], i


def parse(source: str) -> Query:
    """Parse the search syntax; raise QueryError saying what is wrong and where."""
    if len(source) > limits.QUERY_CHARS:
        raise QueryError(
            f"a search is at most {limits.QUERY_CHARS:,} characters; this one has {len(source):,}",
            limits.QUERY_CHARS,
            len(source) - limits.QUERY_CHARS,
        )
    filters: list[Filter] = []
    words: list[Word] = []
    i = 0
    while i < len(source):
        if source[i].isspace():
            i += 1
            continue
        start = i
        if len(filters) + len(words) == limits.QUERY_TERMS:
            raise QueryError(
                f"a search has at most {limits.QUERY_TERMS} terms (words, phrases and filters):"
                " leave some out, or quote words that go together as one phrase",
                start,
                len(source) - start,
            )
        negated = source[i] == "-" and i + 1 < len(source) and not source[i + 1].isspace()
        if negated:
            i += 1
        if source[i] == '"':
            text, i = _read_quoted(source, i)
            if text.strip():
                words.append(Word(" ".join(text.split()), negated))
            continue
        name, i = _read_bare(source, i, ':"')
        if i < len(source) and source[i] == ":":
            filters.append(_parse_filter(source, start, name, i + 1, negated))
            i = _skip_values(source, i + 1)
            continue
        if i < len(source) and source[i] == '"':
            raise QueryError("a quote inside a word: put the whole phrase in quotes", i)
        words.append(Word(name, negated))
    if words and not filters and not any(map(has_letters, words)):
        first = len(source) - len(source.lstrip())
        raise QueryError(
            "nothing to search for: a search needs a letter or a digit (emoji and"
            " punctuation are not searched for)",
            first,
            len(source.rstrip()) - first,
        )
    return Query(tuple(filters), tuple(words))


def has_letters(word: Word) -> bool:
    """Whether a free word narrows a search at all: the indexes keep letters and digits
    alone, so one of emoji or punctuation finds every ticket."""
    return any(c.isalnum() for c in word.text)


def _skip_values(source: str, i: int) -> int:
    while i < len(source) and not source[i].isspace():
        if source[i] == '"':
            _, i = _read_quoted(source, i)
        else:
            i += 1
    return i


def _parse_filter(source: str, start: int, name: str, i: int, negated: bool) -> Filter:
    try:
        field = Field(name.lower())
    except ValueError:
        known = ", ".join(f"{f}:" for f in Field)
        raise QueryError(
            f"unknown filter '{name}:'; use one of {known} or quote the word to search for it",
            start + negated,
            len(name) + 1,
        ) from None
    values: list[str] = []
    while True:
        value_start = i
        if i < len(source) and source[i] == '"':
            value, i = _read_quoted(source, i)
        else:
            value, i = _read_bare(source, i, ',"')
        if not value.strip():
            raise QueryError(f"'{field}:' needs a value, as in {_example(field)}", value_start)
        values.append(_check_value(field, value.strip(), value_start))
        if i < len(source) and source[i] == ",":
            i += 1
            continue
        if i < len(source) and not source[i].isspace():
            raise QueryError(f"unexpected '{source[i]}' after '{field}:' value", i)
        return Filter(field, tuple(dict.fromkeys(values)), negated)


def _check_value(field: Field, value: str, position: int) -> str:
    choices = _CHOICES.get(field)
    if choices is not None:
        normal = value.lower().replace("-", "_") if field is Field.STATUS else value.lower()
        if normal not in choices:
            raise QueryError(
                f"unknown {field} '{value}'; use one of {', '.join(choices)}", position, len(value)
            )
        return normal
    if field is Field.TAG:
        return normalize_tag(value)
    if field is Field.ASSIGNEE:
        return value.lower() if value.lower() in ("me", "none") else value
    if field is Field.CUSTOMER:
        try:
            return customer_term(value)
        except ValueError as error:
            raise QueryError(str(error), position, len(value)) from None
    return value


def _example(field: Field) -> str:
    return {
        Field.STATUS: "status:open,pending",
        Field.PRIORITY: "priority:urgent",
        Field.ASSIGNEE: "assignee:me, assignee:none or assignee:ana@shop.example",
        Field.TAG: "tag:refund",
        Field.CHANNEL: "channel:email",
        Field.BREACHING: "breaching:yes",
        Field.CUSTOMER: "customer:budi, customer:@tokoku or customer:budi@example.com",
        Field.SNOOZED: "snoozed:yes",
    }[field]


def of_customer(customer_id: int, narrowed_by: Query | None = None) -> Query:
    """The tickets of one customer (`customer:#ID`), narrowed by another query's terms:
    the list on the customer's record."""
    own = Filter(Field.CUSTOMER, (f"#{customer_id}",))
    if narrowed_by is None:
        return Query((own,))
    return Query((own, *narrowed_by.filters), narrowed_by.words)

"""The search syntax and the queue's orders turned into SQL over the tickets table
(alias `t`).

Every value is a bound parameter; free words go to FTS5 as quoted phrases, so
nothing a user types is read as SQL or as FTS query syntax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cs_tui.domain.customers import term_customer_id, term_is_address
from cs_tui.domain.models import ACTIVE_STATUSES, Status
from cs_tui.domain.query import Field, Filter, Query, Sort, Word, has_letters
from cs_tui.store.base import InvalidInput
from cs_tui.store.sqlite import rows

# (expression, direction) per sort; the last key is always the id, so keys are unique.
_SORT_KEYS: dict[Sort, tuple[tuple[str, str], ...]] = {
    Sort.UPDATED: (("t.updated_at", "DESC"), ("t.id", "DESC")),
    Sort.CREATED: (("t.created_at", "DESC"), ("t.id", "DESC")),
    Sort.OLDEST: (("t.created_at", "ASC"), ("t.id", "ASC")),
    Sort.SLA: (("coalesce(t.sla_due_at, 9223372036854775807)", "ASC"), ("t.id", "ASC")),
    Sort.PRIORITY: (("t.priority_rank", "DESC"), ("t.updated_at", "DESC"), ("t.id", "DESC")),
}
MAX_INTEGER = 2**63 - 1
"""SQLite's largest INTEGER."""
_COLUMN = {Field.STATUS: "t.status", Field.PRIORITY: "t.priority", Field.CHANNEL: "t.channel"}
_ACTIVE = {s.value for s in ACTIVE_STATUSES}


class TextIndex(Protocol):
    """A store's indexes of words and of customers' names and addresses, when they
    are not SQLite's (PostgreSQL's: postgres.search)."""

    def word(self, word: Word, *, common: bool) -> tuple[str, list[Any]] | None:
        """A clause on the ticket `t` matching the word; `common` as compile_query's.
        None for a word that narrows nothing."""

    def customers(self, term: str) -> tuple[str, list[Any]]:
        """A SELECT of the ids of the customers a `customer:` term means."""


@dataclass(slots=True)
class Where:
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "TRUE"


def compile_query(
    query: Query | None,
    *,
    viewer_id: int | None,
    now_us: int,
    common: bool = False,
    terms: Mapping[str, str] | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    each: bool = False,
    text: TextIndex | None = None,
) -> Where:
    """`common`: the query matches many tickets, so the queue should walk its order's
    index and check each ticket's tags and words, rather than start from the tickets
    with those tags or words and sort them all, which is right when they are few.
    `terms`: a word's full-text query spelled out as the index's terms (see terms.py),
    by the word's text. `spans`: the first and last ticket ids the words are looked for
    in; a ticket outside them matches no word (so only for tickets inside them).
    `each`: each ticket's words are looked up in its own entries (ticket_has_word),
    for a few tickets among many matches. `text`: the store's text indexes when they
    are not this schema's FTS5 tables."""
    where = Where()
    if query is None:
        return where
    for item in query.filters:
        active_only = item.field is Field.STATUS and not item.negated and set(item.values) <= _ACTIVE
        if active_only and set(item.values) == _ACTIVE:
            # `active` is the status being one of these (every write sets both): the
            # indexes that lead with it answer alone, as PostgreSQL's do not hold the status.
            where.clauses.append("t.active = 1")
            continue
        clause, params = _filter(item, viewer_id=viewer_id, now_us=now_us, common=common, text=text)
        if item.negated:
            clause = f"NOT coalesce({clause}, FALSE)"
        where.clauses.append(clause)
        where.params.extend(params)
        if active_only:
            # Lets SQLite walk the (active, updated_at) index for the usual views.
            where.clauses.append("t.active = 1")
    for word in query.words:
        if text is not None:
            found = text.word(word, common=common)
            if found is not None:
                where.clauses.append(f"NOT ({found[0]})" if word.negated else found[0])
                where.params.extend(found[1])
            continue
        match = fts_phrase(word)
        if match is None:
            continue
        if each:
            clause, params = ticket_has_word((terms or {}).get(word.text, match), match)
        else:
            tickets, params = word_tickets((terms or {}).get(word.text, match), match, spans)
            # `+t.id` keeps SQLite from starting at the matches (see `common`).
            clause = f"{'+' if common else ''}t.id IN ({tickets})"
        where.clauses.append(f"NOT ({clause})" if word.negated else clause)
        where.params.extend(params)
    return where


_WORD_SOURCES = (
    "SELECT rowid >> 24 AS id FROM search_fts WHERE search_fts MATCH ?",
    "SELECT tc.id FROM customer_fts JOIN tickets tc"
    " ON tc.customer_id = customer_fts.rowid WHERE customer_fts MATCH ?",
)
"""Tickets with a word in their subject or a message (search_fts numbers its entries by
ticket: see schema), and tickets of customers with it in their name or address."""
WORD_TICKETS = " UNION ALL ".join(_WORD_SOURCES)
"""The tickets with a word, some more than once."""
ENTRIES_PER_TICKET = 1 << 24
"""search_fts numbers a ticket's entries from its id times this."""


def word_tickets(
    search: str, customers: str, spans: Sequence[tuple[int, int]] | None = None
) -> tuple[str, list[Any]]:
    """The SELECT of WORD_TICKETS and its parameters: `search` is the word's query of
    search_fts, `customers` of customer_fts; with spans (first and last ticket ids),
    only tickets in them, each span's entries read on their own."""
    if spans is None:
        return WORD_TICKETS, [search, customers]
    entries = " UNION ALL ".join(f"{_WORD_SOURCES[0]} AND rowid BETWEEN ? AND ?" for _ in spans)
    in_spans = " OR ".join("tc.id BETWEEN ? AND ?" for _ in spans)
    params: list[Any] = []
    for first, last in spans:
        params += [search, first * ENTRIES_PER_TICKET, (last + 1) * ENTRIES_PER_TICKET - 1]
    params.append(customers)
    params += [bound for span in spans for bound in span]
    return f"{entries} UNION ALL {_WORD_SOURCES[1]} AND ({in_spans})", params


def ticket_has_word(search: str, customers: str) -> tuple[str, list[Any]]:
    """A clause on the ticket `t`: it is among WORD_TICKETS (`search` and `customers`
    as word_tickets' are), looked up in its own entries alone, one seek into the index
    for each ticket, where word_tickets would gather all of the word's tickets first."""
    first = f"t.id * {ENTRIES_PER_TICKET}"
    sql = (
        f"(EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH ?"
        f" AND rowid BETWEEN {first} AND {first} + {ENTRIES_PER_TICKET - 1})"
        " OR t.customer_id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?))"
    )
    return sql, [search, customers]


def customers_meant(term: str) -> tuple[str, list[Any]]:
    """A SELECT of the ids of the customers a `customer:` term (domain.customers.
    customer_term) means: by number; by a whole address, among each one's addresses;
    else by a part of a name or an address, from the trigram index (a quoted phrase
    of the term, matched anywhere in the name or the addresses)."""
    customer_id = term_customer_id(term)
    if customer_id is not None:
        return "SELECT CAST(? AS INTEGER)", [customer_id]
    if term_is_address(term):
        return "SELECT customer_id FROM customer_identities WHERE value = ?", [term.lower()]
    phrase = '"' + term.replace("\x00", "").replace('"', '""') + '"'
    return "SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?", [phrase]


def fts_phrase(word: Word) -> str | None:
    """An FTS5 phrase matching the word as a prefix ("refu" finds "refund")."""
    if not has_letters(word):
        return None
    # FTS5 reads a NUL as the end of the query text; no stored text has one.
    text = word.text.replace("\x00", "")
    return '"' + text.replace('"', '""') + '"*'


def _filter(
    item: Filter, *, viewer_id: int | None, now_us: int, common: bool = False, text: TextIndex | None = None
) -> tuple[str, list[Any]]:
    values = list(item.values)
    marks = ",".join("?" * len(values))
    match item.field:
        case Field.STATUS | Field.PRIORITY | Field.CHANNEL:
            return f"{_COLUMN[item.field]} IN ({marks})", values
        case Field.TAG if common:
            return (
                f"EXISTS (SELECT 1 FROM ticket_tags WHERE ticket_id = t.id AND tag IN ({marks}))",
                values,
            )
        case Field.TAG:
            return f"t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag IN ({marks}))", values
        case Field.CUSTOMER:
            # The customers first, each term from an index, then their tickets by the
            # customer index: never a look at every ticket's customer.
            parts = [(text.customers if text else customers_meant)(term) for term in values]
            union = " UNION ".join(sql for sql, _ in parts)
            return f"t.customer_id IN ({union})", [p for _, params in parts for p in params]
        case Field.BREACHING:
            # Only a ticket waiting on the team has a deadline (rules.progress): one
            # pending or on hold has none, so it never breaches and sorts last.
            clauses = [
                "t.sla_due_at <= ?" if v == "yes" else "(t.sla_due_at IS NULL OR t.sla_due_at > ?)"
                for v in values
            ]
            return "(" + " OR ".join(clauses) + ")", [now_us] * len(values)
        case Field.SNOOZED:
            # Only a pending ticket has a snooze (rules.snooze_kept).
            clauses = [f"t.snoozed_until IS {'NOT ' if v == 'yes' else ''}NULL" for v in values]
            return "(" + " OR ".join(clauses) + ")", []
        case Field.ASSIGNEE:
            return _assignee(values, viewer_id)
    raise AssertionError(item.field)


def _assignee(values: list[str], viewer_id: int | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for value in values:
        if value == "me":
            if viewer_id is None:
                raise InvalidInput("assignee:me needs to know who you are", "agent")
            clauses.append("t.assignee_id = ?")
            params.append(viewer_id)
        elif value == "none":
            clauses.append("t.assignee_id IS NULL")
        else:
            clauses.append(
                "t.assignee_id IN (SELECT id FROM agents WHERE email = ? OR name = ? COLLATE NOCASE)"
            )
            params.extend((value, value))
    return "(" + " OR ".join(clauses) + ")", params


def counter_filter(query: Query | None) -> tuple[set[str], str | None] | None:
    """When a query needs only status and assignee, the statuses and the assignee
    ("me", "none" or None for anyone) it counts, so the count can come from the
    ticket_counts table instead of the tickets themselves."""
    if query is None or query.words:
        return None
    statuses = {s.value for s in Status}
    assignee: str | None = None
    for item in query.filters:
        if item.negated:
            return None
        if item.field is Field.STATUS:
            statuses &= set(item.values)
        elif item.field is Field.ASSIGNEE and len(item.values) == 1 and assignee is None:
            if item.values[0] not in ("me", "none"):
                return None
            assignee = item.values[0]
        else:
            return None
    return statuses, assignee


def counter_sql(query: Query | None, viewer_id: int | None) -> tuple[str, list[Any]] | None:
    """The count of a query of statuses and an assignee alone from the ticket_counts
    table (see counter_filter), or None for any other query."""
    counted = counter_filter(query)
    if counted is None or (counted[1] == "me" and viewer_id is None):
        return None
    statuses, assignee = counted
    marks = ",".join("?" * len(statuses)) or "NULL"
    sql = f"SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN ({marks})"
    params: list[Any] = sorted(statuses)
    if assignee is not None:
        sql += " AND assignee_id = ?"
        params.append(viewer_id if assignee == "me" else 0)
    return sql, params


def tag_only(query: Query | None) -> tuple[str, ...] | None:
    """The tags of a query that is one tag filter and nothing else, whose count the
    ticket_tags index gives without visiting a ticket."""
    if query is None or query.words or len(query.filters) != 1:
        return None
    [item] = query.filters
    if item.field is not Field.TAG or item.negated:
        return None
    return tuple(item.values)


def words_only(query: Query | None, terms: Mapping[str, str] | None = None) -> list[tuple[str, str]] | None:
    """The full-text queries (of search_fts and of customer_fts, as compile_query's) of
    a query that is words and nothing else, whose count comes from the full-text
    indexes without visiting a ticket."""
    if query is None or query.filters or not query.words or any(w.negated for w in query.words):
        return None
    phrases = [(word.text, fts_phrase(word)) for word in query.words]
    return [((terms or {}).get(text, p), p) for text, p in phrases if p is not None] or None


def count_words_sql(queries: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """How many tickets have every one of the words (see words_only)."""
    one = " UNION ".join(_WORD_SOURCES)
    each = " INTERSECT ".join(f"SELECT id FROM ({one})" for _ in queries)
    return f"SELECT count(*) FROM ({each})", [p for pair in queries for p in pair]


def may_match_many(query: Query | None) -> bool:
    """Whether the query has a tag or a word, whose matches may be few or many."""
    return query is not None and (
        bool(query.words) or any(f.field is Field.TAG and not f.negated for f in query.filters)
    )


def page_sql(
    where: Where, sort: Sort, after: str | None, *, size: int | None = None
) -> tuple[str, list[Any]]:
    """One page of the queue in `sort` order after the cursor `after`, its size the last
    parameter (left to the caller), or `size` written into the statement: PostgreSQL
    keeps one plan of a statement for every value of its parameters once that plan
    costs what one made for the values would, and it cannot tell the cost of a LIMIT
    it does not know. Each row ends with its sort keys (see cursor_after)."""
    keys = _SORT_KEYS[sort]
    clauses, params = _after(where, sort, after)
    sql = (
        f"SELECT {rows.TICKET_COLUMNS}, {', '.join(e for e, _ in keys)} FROM {rows.TICKET_FROM}"
        f" WHERE {' AND '.join(clauses) or 'TRUE'} ORDER BY {_order(keys)}"
        f" LIMIT {'?' if size is None else int(size)}"
    )
    return sql, params


def candidates_sql(
    where: Where, sort: Sort, after: str | None, *, keyed: bool = False
) -> tuple[str, list[Any]]:
    """The ids of the tickets page_sql would list, as far as its size (the last
    parameter, left to the caller); `keyed`: each with its sort keys after it, as
    page_sql's rows end (see cursor_after)."""
    keys = _SORT_KEYS[sort]
    clauses, params = _after(where, sort, after)
    columns = ", ".join(["t.id", *(expression for expression, _ in keys if keyed)])
    sql = (
        f"SELECT {columns} FROM tickets t WHERE {' AND '.join(clauses) or 'TRUE'}"
        f" ORDER BY {_order(keys)} LIMIT ?"
    )
    return sql, params


def _after(where: Where, sort: Sort, after: str | None) -> tuple[list[str], list[Any]]:
    """The clauses and parameters of `where`, and those of the cursor `after`."""
    keys = _SORT_KEYS[sort]
    clauses, params = list(where.clauses), list(where.params)
    if after is not None:
        values = _decode_cursor(after, len(keys))
        direction = "<" if keys[0][1] == "DESC" else ">"
        columns = ", ".join(expression for expression, _ in keys)
        clauses.append(f"({columns}) {direction} ({', '.join('?' * len(keys))})")
        params.extend(values)
    return clauses, params


FEW_TO_SEARCH = 5_000
"""A search whose other filters leave at most this many tickets gets its first page and
its count in one statement (see first_page_counted_sql)."""


def filters_of_search(query: Query | None) -> Query | None:
    """The filters around a query's words and tags, when the ticket_counts table counts
    them (a bound on what the query can match); None otherwise."""
    if query is None or not may_match_many(query):
        return None
    around = Query(tuple(f for f in query.filters if f.field is not Field.TAG or f.negated))
    return around if counter_filter(around) is not None else None


def first_page_counted_sql(where: Where, sort: Sort) -> tuple[str, list[Any]]:
    """The first page of the queue in `sort` order, each row as page_sql's with the
    count of every match before its sort keys; the page size is the last parameter.
    It gathers a word's or a tag's tickets once for both, where page and count each
    would: for a search within few tickets (a status view), half the work; for many,
    more (it orders every match)."""
    keys = _SORT_KEYS[sort]
    named = ", ".join(f"{expression} AS k{i}" for i, (expression, _) in enumerate(keys))
    outer = ", ".join(f"m.k{i} {direction}" for i, (_, direction) in enumerate(keys))
    columns = ", ".join(f"m.k{i}" for i in range(len(keys)))
    sql = (
        f"SELECT {rows.TICKET_COLUMNS}, m.total, {columns}"
        f" FROM (SELECT t.id, {named}, count(*) OVER () AS total FROM tickets t"
        f" WHERE {where.sql()} ORDER BY {_order(keys)} LIMIT ?) m"
        f" JOIN {rows.TICKET_FROM} WHERE t.id = m.id ORDER BY {outer}"
    )
    return sql, list(where.params)


def _order(keys: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{expression} {direction}" for expression, direction in keys)


def counted_total(found: list[Any], sort: Sort) -> int:
    """The count of every match, from the rows of first_page_counted_sql."""
    return int(found[0][-len(_SORT_KEYS[sort]) - 1]) if found else 0


def cursor_after(row: Any, sort: Sort) -> str:
    """The cursor for the page after `row`, a row of page_sql."""
    return ":".join(str(v) for v in row[-len(_SORT_KEYS[sort]) :])


def _decode_cursor(cursor: str, size: int) -> list[int]:
    try:
        values = [int(part) for part in cursor.split(":")]
    except ValueError:
        values = []
    if len(values) != size or any(abs(value) > MAX_INTEGER for value in values):
        raise InvalidInput(f"{cursor!r} is not a page cursor from this queue order")
    return values

"""Whether one ticket matches a search, in plain Python: the answer a store's search
gives for that ticket, for a screen that follows live events without asking the
store again (the notice of a new ticket in one of the agent's views).

Free words are matched as the stores' full-text indexes match them: the text is cut
into words at every character that is not a letter or a digit, case and accents
are ignored, the words of a phrase must follow each other in one field (the
subject, one message, the customer's name or address), and the last one may be the
start of a longer word ("refu" finds "refund"). A word with no letter or digit in
it narrows nothing (the parser refuses a query of such words alone).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from cs_tui.domain.customers import term_matches
from cs_tui.domain.models import Ticket
from cs_tui.domain.query import Field, Filter, Query

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ticket_matches(
    query: Query | None, ticket: Ticket, *, bodies: Iterable[str], viewer_id: int, now: datetime
) -> bool:
    """Whether `ticket`, whose messages say `bodies`, is among the tickets `query`
    finds for agent `viewer_id` at `now`."""
    if query is None:
        return True
    for item in query.filters:
        if filter_matches(item, ticket, viewer_id=viewer_id, now=now) == item.negated:
            return False
    if not query.words:
        return True
    customer = ticket.customer
    fields = [words_of(text) for text in (ticket.subject, *bodies, customer.name, customer.email)]
    for word in query.words:
        phrase = words_of(word.text)
        if phrase and _in_any(phrase, fields) == word.negated:  # an empty one narrows nothing
            return False
    return True


def filter_matches(item: Filter, ticket: Ticket, *, viewer_id: int, now: datetime) -> bool:
    """Whether the ticket has one of the filter's values (its negation aside)."""
    values = item.values
    match item.field:
        case Field.STATUS:
            return ticket.status.value in values
        case Field.PRIORITY:
            return ticket.priority.value in values
        case Field.CHANNEL:
            return ticket.channel.value in values
        case Field.TAG:
            return any(tag in values for tag in ticket.tags)
        case Field.CUSTOMER:
            return any(term_matches(term, ticket.customer) for term in values)
        case Field.BREACHING:
            return ("yes" if ticket.is_breaching(now) else "no") in values
        case Field.SNOOZED:
            return ("yes" if ticket.snoozed_until is not None else "no") in values
        case Field.ASSIGNEE:
            return any(_assignee_is(value, ticket, viewer_id) for value in values)
    raise AssertionError(item.field)


def _assignee_is(value: str, ticket: Ticket, viewer_id: int) -> bool:
    assignee = ticket.assignee
    if value == "me":
        return assignee is not None and assignee.id == viewer_id
    if value == "none":
        return assignee is None
    # An agent by address or name; case is ignored in the letters A-Z alone, as the
    # stores compare them (SQLite's NOCASE).
    wanted = value.translate(_ASCII_LOWER)
    return assignee is not None and wanted in (
        assignee.email.translate(_ASCII_LOWER),
        assignee.name.translate(_ASCII_LOWER),
    )


def words_of(text: str) -> list[str]:
    """The words a search sees in `text`: runs of letters and digits, in lower case
    and without accents ("Pesanan-Budi's" -> pesanan, budi, s)."""
    folded = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    words: list[str] = []
    start = None
    for i, c in enumerate(plain):
        if c.isalnum():
            if start is None:
                start = i
        elif start is not None:
            words.append(plain[start:i])
            start = None
    if start is not None:
        words.append(plain[start:])
    return words


def _in_any(phrase: Sequence[str], fields: Iterable[Sequence[str]]) -> bool:
    """Whether the phrase's words follow each other in one field, its last word as a prefix."""
    *whole, last = phrase
    size = len(phrase)
    for words in fields:
        for start in range(len(words) - size + 1):
            if list(words[start : start + size - 1]) == whole and words[start + size - 1].startswith(last):
                return True
    return False

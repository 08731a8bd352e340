"""Free words and customer names in PostgreSQL's indexes: what SQLite's FTS5 tables
find, found through the `tsv` columns (a `simple` tsvector with a GIN index: English
and Indonesian stemmers each mangle the other language) and pg_trgm.

The schema's cs_phrase makes a word's query on the server, splitting it as cs_words
split the text (accents off, lower case, punctuation a space): its tokens in a row,
the last one as a prefix, as FTS5 reads `"word"*`."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cs_tui.domain.customers import term_customer_id, term_is_address
from cs_tui.domain.query import Word, has_letters

_WORD_TICKETS = (
    "SELECT ticket_id FROM messages WHERE tsv @@ cs_phrase(?)"
    " UNION ALL SELECT id FROM tickets WHERE tsv @@ cs_phrase(?)"
    " UNION ALL SELECT tc.id FROM customers c JOIN tickets tc ON tc.customer_id = c.id"
    " WHERE c.tsv @@ cs_phrase(?)"
)
"""The tickets with a word in a message, in their subject, or in their customer's name
or address, some more than once."""
_MESSAGES_HAVE = (
    "coalesce((SELECT TRUE FROM messages m WHERE m.ticket_id = t.id AND m.tsv @@ (SELECT cs_phrase(?))"
    " LIMIT 1), FALSE)"
)
"""Whether one of the ticket `t`'s messages has the word (a phrase: its tokens in a row)."""
_WORD_OF_TICKET = (
    "(t.tsv @@ (SELECT cs_phrase(?))"
    f" OR CASE WHEN t.words IS NULL THEN {_MESSAGES_HAVE}"
    " ELSE t.words @@ (SELECT replace(cs_phrase(?)::text, '<->', '&')::tsquery)"
    f" AND ((SELECT numnode(cs_phrase(?)) = 1) OR {_MESSAGES_HAVE}) END"
    " OR {customer})"
)
"""Whether the ticket `t` has the word: asked of each ticket as the queue's order walks
them, which finds a page of a common word's tickets after a few of them. The ticket's
`words` (its messages' lexemes, schema_words) answer a word of one token; for a
phrase, which needs the words' places, they say whether all its tokens are there,
and only then are the messages read. A ticket whose words are too many to keep has
its messages read. (Written as scalar subqueries, not EXISTS, which the planner would
turn into a hash of every message with the word, read before the first ticket. The
word's query is made once, in a subquery of its own: in a generic plan of the
prepared statement, `cs_phrase(?)` was made again for every message, ten times
slower.)"""
_CUSTOMER_READ = (
    "coalesce((SELECT TRUE FROM customers c WHERE c.id = t.customer_id"
    " AND c.tsv @@ (SELECT cs_phrase(?))), FALSE)"
)
"""The ticket's customer has the word: their row read, for each ticket walked."""
_CUSTOMER_AMONG = "t.customer_id IN (SELECT c.id FROM customers c WHERE c.tsv @@ (SELECT cs_phrase(?)))"
"""The ticket's customer is among those with the word, their ids gathered (and
hashed) once a statement."""
SHORTEST_PART = 3
"""A part of a name is found from three characters (SQLite's trigram index's rule)."""


@dataclass(frozen=True, slots=True)
class PostgresText:
    """The text indexes of the PostgreSQL schema, as search.compile_query asks them."""

    few_customers: bool = False
    """The planner expects few customers to have the words in their name or address
    (a word of the conversations, `pesanan`): a ticket walked past is looked up among
    their ids, gathered once, instead of its customer's row being read (4 µs a
    ticket, four times the rest of its check). Where many have them (a mail domain), gathering
    all their ids costs more than the walk, which finds its matches soon."""

    def word(self, word: Word, *, common: bool) -> tuple[str, list[Any]] | None:
        """A clause on the ticket `t` matching the word, or None for a word that
        narrows nothing (only punctuation or emoji)."""
        if not has_letters(word):
            return None
        text = word.text.replace("\x00", "")
        if common:
            customer = _CUSTOMER_AMONG if self.few_customers else _CUSTOMER_READ
            return _WORD_OF_TICKET.format(customer=customer), [text] * 6
        return f"t.id IN ({_WORD_TICKETS})", [text] * 3

    @staticmethod
    def customers(term: str) -> tuple[str, list[Any]]:
        """A SELECT of the ids of the customers a `customer:` term means (as SQLite's
        customers_meant): by number, by a whole address, else by a part of a name or
        of an address, from the trigram indexes."""
        customer_id = term_customer_id(term)
        if customer_id is not None:
            return "SELECT CAST(? AS BIGINT)", [customer_id]
        if term_is_address(term):
            return "SELECT customer_id FROM customer_identities WHERE value = ?", [term.lower()]
        text = term.replace("\x00", "").lower()
        if len(text) < SHORTEST_PART:
            return "SELECT id FROM customers WHERE FALSE", []
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return (
            "SELECT id FROM customers WHERE lower(name) LIKE ? OR lower(addresses) LIKE ?",
            [pattern, pattern],
        )


GUESS_KEPT_S = 60.0
"""How long the planner's guess at a search's words is kept (WordGuesses)."""
GUESSES_KEPT = 256
"""How many searches' guesses are kept at most, the least recently asked dropped."""


@dataclass(frozen=True, slots=True)
class WordGuess:
    """The planner's guess at how many tickets have the words, and at how many
    customers have them in their name or address."""

    tickets: int
    customers: int


class WordGuesses:
    """The planner's guesses at searches' words, kept for GUESS_KEPT_S. Asking the
    planner costs a statement (0.7 ms at a million tickets, a seventh of a common
    word's page), and an agent's queue asks the same search again at every change
    to it. A guess only chooses how a search is counted and paged, never what it
    finds, and moves only as the table's statistics do (ANALYZE): one a minute old
    chooses as well."""

    def __init__(self, kept_s: float = GUESS_KEPT_S, most: int = GUESSES_KEPT) -> None:
        self._kept_s = kept_s
        self._most = most
        self._guesses: OrderedDict[tuple[Word, ...], tuple[float, WordGuess]] = OrderedDict()

    def get(self, words: tuple[Word, ...]) -> WordGuess | None:
        found = self._guesses.get(words)
        if found is None:
            return None
        made, guess = found
        if time.monotonic() - made > self._kept_s:
            del self._guesses[words]
            return None
        self._guesses.move_to_end(words)
        return guess

    def put(self, words: tuple[Word, ...], guess: WordGuess) -> None:
        self._guesses[words] = (time.monotonic(), guess)
        self._guesses.move_to_end(words)
        while len(self._guesses) > self._most:
            self._guesses.popitem(last=False)

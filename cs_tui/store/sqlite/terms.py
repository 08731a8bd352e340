"""A searched word spelled out as the full-text index's own terms, so that FTS5 reads
its matches lazily rather than gathering all of them before the first.

A word is searched as a prefix ("pesanan" finds "pesanannya"). Given a prefix, FTS5
first merges the entries of every term that starts with it into one list, whatever
LIMIT follows: for a word in half the tickets, all of its entries before one row.
The same word as `"pesanan" OR "pesanannya"` (the terms the index holds that start
with it) finds the same entries, and reads them only as far as they are wanted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cs_tui.domain.query import Word

TERMS_TABLE = "temp.search_terms"
CREATE_TERMS_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TERMS_TABLE} USING fts5vocab(main, search_fts, instance)"
)
"""Each connection's view of search_fts's terms, in order. Its `instance` rows are
read lazily: the first term at or after a given one is found without counting
anything (the `row` kind counts each term's entries, all of them)."""
MOST_TERMS = 16
"""A prefix with more terms than this is left to FTS5: a list of them would cost
about what the merge does."""
_LAST_CHARACTER = "\U0010ffff"
"""Sorts after any character a term can go on with."""


def plain_tokens(word: Word) -> tuple[str, ...] | None:
    """The word's tokens as the index's tokenizer (unicode61, diacritics removed)
    writes them, when they are plain: ASCII letters and digits, which it only
    lower-cases, between spaces. The last is the prefix of the terms searched (a
    phrase, "pesanan saya", finds its tokens in a row, the last as a prefix). None for
    other words (an accented letter, punctuation), which are searched as FTS5 prefix
    queries."""
    tokens = word.text.split(" ")
    if all(token.isascii() and token.isalnum() for token in tokens):
        return tuple(token.lower() for token in tokens)
    return None


def plain_token(word: Word) -> str | None:
    """The index term a word (or a phrase's last token) is the prefix of, when the
    word is plain (plain_tokens)."""
    tokens = plain_tokens(word)
    return tokens[-1] if tokens else None


def terms_sql(prefixes: list[str]) -> tuple[str, list[Any]]:
    """A SELECT of (the prefix's place in `prefixes`, a term starting with it), at
    most MOST_TERMS + 1 terms a prefix, each found by one step in the index from the
    term before it (a term never holds a control character, so `term || char(1)` is
    the first string after it that is not a longer term starting with it)."""
    parts: list[str] = []
    ctes: list[str] = []
    params: list[Any] = []
    for place, prefix in enumerate(prefixes):
        start, end = len(params) + 1, len(params) + 2
        params.extend((prefix, prefix + _LAST_CHARACTER))
        ctes.append(
            f"found{place}(term) AS ("
            f"SELECT (SELECT term FROM {TERMS_TABLE} WHERE term >= ?{start} AND term <= ?{end} LIMIT 1)"
            f" UNION ALL SELECT (SELECT term FROM {TERMS_TABLE}"
            f" WHERE term >= found{place}.term || char(1) AND term <= ?{end} LIMIT 1)"
            f" FROM found{place} WHERE found{place}.term IS NOT NULL LIMIT {MOST_TERMS + 1})"
        )
        parts.append(f"SELECT {place}, term FROM found{place} WHERE term IS NOT NULL")
    return f"WITH RECURSIVE {', '.join(ctes)} {' UNION ALL '.join(parts)}", params


def spelled_out(words: list[Word], found: Iterable[tuple[int, str]]) -> dict[str, str]:
    """The full-text query of each word whose terms `found` (rows of terms_sql, for
    each word's plain_token) lists in full, by the word's text: its terms ORed, each
    quoted, after the tokens before it for a phrase ("pesanan saya" OR "pesanan
    sayang"). A word of no term or of too many is left out (its prefix query finds the
    same)."""
    terms: dict[int, list[str]] = {}
    for place, term in found:
        terms.setdefault(place, []).append(term)
    spelled: dict[str, str] = {}
    for place, word in enumerate(words):
        listed = terms.get(place, [])
        before = " ".join((plain_tokens(word) or ())[:-1])
        if 0 < len(listed) <= MOST_TERMS:
            phrases = (f"{before} {term}" if before else term for term in listed)
            spelled[word.text] = " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in phrases)
    return spelled

"""How much the helpdesk takes, at every door alike: a store refuses more, with a
message that names the limit. They are set well above anything a customer or an
agent writes, and low enough that no screen, index or query chokes on what they let
in. docs/limits.md lists them."""

from __future__ import annotations

SUBJECT_CHARS = 1_000
"""A ticket's subject, after it is folded to one line."""
BODY_CHARS = 1_000_000
"""A message: about 250 pages of text. Mail bigger than this is nearly all quoted
history or markup, which the mail reader strips first."""
NAME_CHARS = 200
"""A customer's or an agent's name, a canned response's title."""
EMAIL_CHARS = 254
"""An address, as RFC 5321 bounds it."""
TAG_CHARS = 100
"""One tag."""
TAGS_PER_TICKET = 50
"""Tags on one ticket (or on one canned response, or added by one, or on a customer)."""
NOTES_CHARS = 20_000
"""A customer's shared notes: a few pages, read at a glance on the customer's record."""
ADDRESSES_PER_CUSTOMER = 50
"""Addresses and channel identities of one customer (a WhatsApp number, a second email)."""
IMPORT_LINE_BYTES = 64 * 1024 * 1024
"""One line of a JSON Lines import: a whole ticket with its messages."""
IMPORT_LINE_DEPTH = 32
"""How deep the JSON of one import line may nest (a ticket needs 4)."""
QUERY_CHARS = 2_000
"""A search query."""
QUERY_TERMS = 64
"""Words, phrases and filters in one search query."""
REQUEST_BYTES = 16 * 1024 * 1024
"""One request body to `cs-tui serve` (an import batch is sent in several)."""


def over(what: str, count: int, limit: int, unit: str = "characters") -> str | None:
    """The refusal when `count` is past `limit`, in words; None when within it."""
    if count <= limit:
        return None
    return f"{what} is {count:,} {unit}; the limit is {limit:,}"

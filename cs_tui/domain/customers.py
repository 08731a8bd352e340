"""A customer's record: the addresses and channel identities they write from, the
team's shared notes and tags; what a `customer:` search term means; and the
helpdesk's rules for changing a record and for merging two."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from cs_tui.domain import limits
from cs_tui.domain.models import Customer, is_email_address
from cs_tui.domain.rules import RuleBroken, normalized_tags, within, within_tag_count
from cs_tui.domain.text import sanitize, sanitize_line


class IdentityKind(enum.StrEnum):
    """Where a customer can be reached: their address on one kind of channel."""

    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    CHAT = "chat"
    """A website visitor who left no address: their chat session's visitor id."""


@dataclass(frozen=True, slots=True)
class Identity:
    """One address a customer writes from: an email, a WhatsApp number, an account."""

    kind: IdentityKind
    value: str

    def format(self) -> str:
        """As a person types it: an email alone, anything else as kind:value."""
        return self.value if self.kind is IdentityKind.EMAIL else f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as their record shows them. Versioned as tickets are: a change names
    the version it was made against, and a stale one is refused (a Conflict)."""

    id: int
    name: str
    email: str
    """The primary address: where replies go when the customer wrote from no other."""
    identities: tuple[Identity, ...]
    """Every address, the primary email among them, in the order they were added."""
    notes: str
    """The team's shared notes on the customer, any agent may edit."""
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    ticket_count: int = 0
    open_count: int = 0
    """Of the tickets, those still active (not solved or closed)."""
    merged_ids: tuple[int, ...] = ()
    """Customers merged into this one: their ids still lead here."""

    @property
    def customer(self) -> Customer:
        return Customer(self.id, self.name, self.email, tuple(i.value for i in self.identities))

    @property
    def other_identities(self) -> tuple[Identity, ...]:
        """The identities besides the primary email."""
        primary = Identity(IdentityKind.EMAIL, self.email)
        return tuple(identity for identity in self.identities if identity != primary)


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """A customer as a list shows one."""

    customer: Customer
    tags: tuple[str, ...]
    ticket_count: int
    open_count: int


@dataclass(frozen=True, slots=True)
class CustomerPage:
    """Customers in name order, with the total that matched."""

    customers: tuple[CustomerSummary, ...]
    total: int
    next_cursor: str | None
    """Pass back as `after` for the page that follows; None on the last page."""


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    """A change to a customer's record; what is left out stays as it is."""

    name: str | None = None
    notes: str | None = None
    """The whole new text of the shared notes."""
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_identities: tuple[Identity, ...] = ()
    remove_identities: tuple[Identity, ...] = ()

    @property
    def is_empty(self) -> bool:
        return (
            self.name is None
            and self.notes is None
            and not (self.add_tags or self.remove_tags or self.add_identities or self.remove_identities)
        )


@dataclass(frozen=True, slots=True)
class CustomerMerge:
    """What merging one customer into another did."""

    customer: CustomerRecord
    """The customer kept, as they are after the merge."""
    merged_id: int
    """The customer merged in, whose id now leads to `customer`."""
    moved_tickets: tuple[int, ...]
    added_identities: tuple[Identity, ...]
    added_tags: tuple[str, ...]


# Identities

_PHONE_MARKS = str.maketrans("", "", " -.()/")
_PHONE = re.compile(r"\+?[0-9]{4,20}")
_BSUID = re.compile(r"[A-Z]{2}\.[0-9]{5,40}")
"""WhatsApp's business-scoped user id (`ID.1502576394655843`): a customer who hides
their number behind a username is known by it."""


def parse_identity(text: str) -> Identity:
    """An identity as a person types it: `kind:value` ("whatsapp:+62 812-3456-7890"),
    or an email or a phone number alone; RuleBroken when it is none of these."""
    text = sanitize_line(text)
    kind, colon, value = text.partition(":")
    if colon and kind.lower() in set(IdentityKind):
        return checked_identity(Identity(IdentityKind(kind.lower()), value))
    if "@" in text:
        return checked_identity(Identity(IdentityKind.EMAIL, text))
    if _PHONE.fullmatch(text.translate(_PHONE_MARKS)):
        return checked_identity(Identity(IdentityKind.PHONE, text))
    kinds = ", ".join(IdentityKind)
    raise RuleBroken(
        f"{text[:80]!r} is not an email address or a phone number; give another kind of"
        f" address as kind:value, the kind one of {kinds}",
        "identity",
    )


def checked_identity(identity: Identity) -> Identity:
    """An identity as the store keeps it: an email or an account in lower case, a phone
    number as digits with maybe a leading +; RuleBroken when it is not one."""
    kind = IdentityKind(identity.kind)
    value = sanitize_line(identity.value)
    if kind is IdentityKind.EMAIL:
        value = value.lower()
        if not is_email_address(value):
            raise RuleBroken(f"{value[:80]!r} is not an email address", "identity")
    elif kind is IdentityKind.WHATSAPP and _BSUID.fullmatch(value):
        pass
    elif kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
        value = value.translate(_PHONE_MARKS)
        if not _PHONE.fullmatch(value):
            raise RuleBroken(
                f"{identity.value[:80]!r} is not a phone number (digits, maybe a leading +)", "identity"
            )
    else:
        value = value.lower().removeprefix("@")
        if not value or " " in value:
            raise RuleBroken(f"a {kind} address is one word: the account's name or id", "identity")
    return Identity(kind, within(f"the {kind} address", value, limits.EMAIL_CHARS, "identity"))


# Changing a record


def checked_customer_changes(changes: CustomerChanges) -> CustomerChanges:
    """A change to a record, cleaned: the name on one line, the notes without escape
    sequences, tags normalised and identities as kept. What is both added and
    removed is only added. RuleBroken for a blank name or past a limit."""
    name = changes.name
    if name is not None:
        name = within("the customer's name", sanitize_line(name), limits.NAME_CHARS, "name")
        if not name:
            raise RuleBroken("a customer needs a name", "name")
    notes = changes.notes
    if notes is not None:
        notes = within("the notes", sanitize(notes).rstrip(), limits.NOTES_CHARS, "notes")
    add_tags = normalized_tags(changes.add_tags)
    add = tuple(dict.fromkeys(checked_identity(i) for i in changes.add_identities))
    return replace(
        changes,
        name=name,
        notes=notes,
        add_tags=add_tags,
        remove_tags=tuple(t for t in normalized_tags(changes.remove_tags) if t not in add_tags),
        add_identities=add,
        remove_identities=tuple(
            i for i in dict.fromkeys(checked_identity(i) for i in changes.remove_identities) if i not in add
        ),
    )


def tags_after(tags: tuple[str, ...], changes: CustomerChanges) -> tuple[str, ...]:
    """A customer's tags after a checked change; RuleBroken when too many."""
    kept = set(tags) - set(changes.remove_tags)
    return within_tag_count(tuple(sorted(kept | set(changes.add_tags))))


def identities_after(record: CustomerRecord, changes: CustomerChanges) -> tuple[tuple[Identity, ...], str]:
    """The customer's identities after a checked change, and their primary email: the
    same, or when that one goes, the first email left. RuleBroken for an identity to
    remove that is not theirs, when no email would be left, or past the limit."""
    have = list(record.identities)
    for gone in changes.remove_identities:
        if gone not in have:
            raise RuleBroken(f"{record.name} has no address {gone.format()}", "remove_identities")
        have.remove(gone)
    have.extend(new for new in changes.add_identities if new not in have)
    emails = [identity.value for identity in have if identity.kind is IdentityKind.EMAIL]
    if not emails:
        raise RuleBroken(
            f"{record.name} needs an email address, which replies go to: add another before removing"
            f" {record.email}",
            "remove_identities",
        )
    refusal = limits.over("the number of addresses", len(have), limits.ADDRESSES_PER_CUSTOMER, "addresses")
    if refusal:
        raise RuleBroken(refusal, "add_identities")
    return tuple(have), record.email if record.email in emails else emails[0]


def merged_notes(into: CustomerRecord, merged: CustomerRecord) -> str:
    """The notes of a customer another was merged into: theirs, then the other's under
    a line saying whose they were. A merge loses nothing, so the notes may pass the
    limit; an edit must bring them back within it."""
    if not merged.notes.strip():
        return into.notes
    theirs = f"(from {merged.name} <{merged.email}>, merged in)\n{merged.notes}"
    return f"{into.notes}\n\n{theirs}" if into.notes.strip() else theirs


# What a `customer:` term means

TERM_MIN_CHARS = 3
"""A `customer:` term that is a part of a name or an address has at least this many
characters: fewer would match half the customers (and no index finds them)."""


def customer_term(value: str) -> str:
    """A `customer:` value as a search keeps it: `#ID` (one customer), a whole email
    address (the customer with that address: exact, case aside), or a part of a name
    or an address. ValueError saying what is wrong with it."""
    value = value.strip()
    if value.startswith("#"):
        digits = value[1:]
        if not digits.isdigit() or len(digits) > 18:
            raise ValueError(f"'customer:{value}' is not a customer's number, such as customer:#12")
        return f"#{int(digits)}"
    if is_email_address(value.lower()):
        return value.lower()
    if len(value) < TERM_MIN_CHARS:
        raise ValueError(
            f"'customer:{value}' is too short: give {TERM_MIN_CHARS} or more characters of a name"
            " or an address, as in customer:budi or customer:@tokoku"
        )
    return value


def term_customer_id(term: str) -> int | None:
    """The customer a `customer:#ID` term names; None for any other term."""
    return int(term[1:]) if term.startswith("#") else None


def term_is_address(term: str) -> bool:
    """Whether a `customer:` term is a whole email address, which matches exactly."""
    return not term.startswith("#") and is_email_address(term)


def term_matches(term: str, customer: Customer) -> bool:
    """Whether a `customer:` term (see customer_term) means this customer: by number;
    a whole address, when it is one of theirs; else a part of their name or of one of
    their addresses, ignoring case."""
    wanted = term_customer_id(term)
    if wanted is not None:
        return customer.id == wanted
    addresses = customer.known_addresses
    if term_is_address(term):
        return term.lower() in (address.lower() for address in addresses)
    part = term.lower()
    # The addresses as one text, one a line, as the store's index holds them.
    return part in customer.name.lower() or part in "\n".join(addresses).lower()

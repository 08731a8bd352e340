"""The helpdesk's rules for what a channel takes in: a message from outside made fit
for the store (cleaned, within the limits, never refused for its size or for what
it lacks, since the raw message is kept beside it), and when it is answered
automatically."""

from __future__ import annotations

from dataclasses import replace

from cs_tui.domain import limits
from cs_tui.domain.channels import ACKNOWLEDGEMENTS_PER_DAY, Inbound
from cs_tui.domain.customers import Identity, IdentityKind, checked_identity
from cs_tui.domain.models import is_email_address
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize, sanitize_line

MAX_CC = 20
"""Addresses a ticket copies its replies to, at most: a mail to a whole list is not
a conversation to copy everyone on."""
NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text: see the attachments or the whole message)"


def checked_inbound(inbound: Inbound) -> Inbound:
    """`inbound` as the store takes it: one-line subject and name, text cleaned and
    cut at the store's limit (saying so), Cc only real addresses other than the
    sender's. Raises ValueError when there is no address to answer, the one thing
    a message cannot be taken in without."""
    sender = answerable(inbound.sender)
    subject = sanitize_line(inbound.subject)[: limits.SUBJECT_CHARS] or NO_SUBJECT
    body = _cut(sanitize(inbound.body).strip("\n"))
    cc = tuple(
        address
        for address in dict.fromkeys(sanitize_line(each).lower() for each in inbound.cc)
        if address != sender and is_email_address(address) and len(address) <= limits.EMAIL_CHARS
    )[:MAX_CC]
    return replace(
        inbound,
        sender=sender,
        conversation=sanitize_line(inbound.conversation or "") or None,
        sender_name=sanitize_line(inbound.sender_name)[: limits.NAME_CHARS],
        subject=subject,
        body=body or NO_TEXT,
        quoted=_cut(sanitize(inbound.quoted)),
        cc=cc,
        bounce_reason=sanitize_line(inbound.bounce_reason),
    )


def answerable(address: str) -> str:
    """A sender's address as the store keeps it: an email in lower case, or another
    kind as `kind:value` (domain.customers.checked_identity). ValueError when there is
    none a reply could go to."""
    text = sanitize_line(address)
    kind, colon, value = text.partition(":")
    try:
        if colon and kind.lower() in set(IdentityKind) and kind.lower() != IdentityKind.EMAIL:
            return checked_identity(Identity(IdentityKind(kind.lower()), value)).format()
        return checked_identity(Identity(IdentityKind.EMAIL, text)).format()
    except RuleBroken:
        raise ValueError(f"it has no sender address that can be answered (From: {text[:80]!r})") from None


def _cut(text: str) -> str:
    if len(text) <= limits.BODY_CHARS:
        return text
    note = f"\n\n… cut at {limits.BODY_CHARS:,} characters; the whole message is kept as it came"
    return text[: limits.BODY_CHARS - len(note)] + note


def acknowledges(inbound: Inbound, *, sent_in_past_day: int) -> bool:
    """Whether a new ticket's sender gets the automatic acknowledgement: never a
    machine (that is how loops start), and at most ACKNOWLEDGEMENTS_PER_DAY a day."""
    return inbound.automatic is None and sent_in_past_day < ACKNOWLEDGEMENTS_PER_DAY


def merged_cc(ticket_cc: tuple[str, ...], customer_email: str, inbound: Inbound) -> tuple[str, ...]:
    """A ticket's Cc after a mail on it: what it had, the mail's Cc, and its sender when
    that is not the customer (someone on Cc answering): everyone in the conversation
    gets the replies, the customer in To, never in Cc."""
    joined = [*ticket_cc, *inbound.cc, inbound.sender]
    return tuple(address for address in dict.fromkeys(joined) if address != customer_email)[:MAX_CC]

"""Which ticket a customer's mail belongs to: the helpdesk's threading rule, the same
for every mailbox and every store.

1. By its In-Reply-To, then its References, against every Message-ID a ticket has
   (the mails received on it and the replies sent from it). A match by References
   alone also needs the same subject: a customer who starts a new question by
   answering an old mail is a new ticket, not a false merge.
2. A message of a conversation its channel keeps (a website chat, a WhatsApp
   number), which has no Message-IDs, by the conversation's latest ticket.
3. Else by the ticket number the replies carry in their subject, `[#123]`, when the
   sender is someone on that ticket (its customer or a Cc): anyone can type a
   number, and a stranger's mail must not land in another customer's ticket.
4. Else a new ticket.

A ticket merged into another leads there (domain.merging): the mail joins the
conversation it became part of. A reply to a solved ticket reopens it; to a closed
one it opens a new ticket that links to the old one, as closed means no more changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cs_tui.domain.models import Status

MERGES_FOLLOWED = 20
"""How many merges a mail follows to the ticket its ticket became part of, at most."""
_TAG = re.compile(r"\[#(\d{1,15})\]")
# What mail clients put before a subject, in English, Indonesian and a few others
# customers' phones are set to: Re, Fwd, Balas (reply), Teruskan (forward), AW, WG, SV.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|balas|bls|teruskan|trs|aw|wg|sv|vs|tr|rv)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a mail goes: `ticket_id` None for a new ticket; `reopen` when it joins a
    solved ticket, which the customer's message reopens (rules.status_after_message);
    `linked_to` the closed ticket a new one follows up."""

    ticket_id: int | None
    reopen: bool = False
    linked_to: int | None = None


def subject_tag(ticket_id: int) -> str:
    """What a reply's subject carries so that a client that drops the headers still
    threads: `[#123]`."""
    return f"[#{ticket_id}]"


def subject_numbers(subject: str) -> tuple[int, ...]:
    """The ticket numbers a subject carries as `[#123]`, in order."""
    return tuple(int(number) for number in _TAG.findall(subject))


def bare_subject(subject: str) -> str:
    """A subject without Re:/Fwd:/Balas: prefixes and ticket tags, to compare two."""
    text = _TAG.sub(" ", subject)
    while True:
        stripped = _PREFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def thread_of(
    *,
    in_reply_to: Sequence[str],
    references: Sequence[str],
    subject: str,
    ticket_of_message: Callable[[str], int | None],
    ticket: Callable[[int], tuple[Status, str] | None],
    sender_is_on: Callable[[int], bool] = lambda _ticket_id: True,
    merged_into: Callable[[int], int | None] = lambda _ticket_id: None,
    in_conversation: int | None = None,
) -> Thread:
    """Where a mail goes. `ticket_of_message` is the ticket a Message-ID belongs to,
    if any; `ticket` a ticket's status and subject, None when there is no such one;
    `sender_is_on` whether the sender is the ticket's customer or on its Cc;
    `merged_into` the ticket a ticket was merged into, if it was; `in_conversation`
    the latest ticket of the message's conversation, for a channel that keeps one."""
    found: int | None = None
    for message_id in in_reply_to:
        found = ticket_of_message(message_id)
        if found is not None:
            break
    else:
        for message_id in reversed(references):  # the nearest first
            candidate = ticket_of_message(message_id)
            if candidate is None:
                continue
            known = ticket(candidate)
            if known is not None and bare_subject(known[1]) == bare_subject(subject):
                found = candidate
                break
    if found is None:
        found = in_conversation
    if found is None:
        for number in subject_numbers(subject):
            if ticket(number) is not None and sender_is_on(number):
                found = number
                break
    if found is None:
        return Thread(None)
    for _ in range(MERGES_FOLLOWED):
        onward = merged_into(found)
        if onward is None:
            break
        found = onward
    known = ticket(found)
    if known is None:
        return Thread(None)
    status = known[0]
    if status is Status.CLOSED:
        return Thread(None, linked_to=found)
    return Thread(found, reopen=status is Status.SOLVED)

"""Merging two tickets about one matter, and splitting one ticket in two: what may be
merged or split, and what each does to the tickets' status, first response, SLA,
tags and participants. Every store applies these and keeps no rules of its own.

Merging ticket B into ticket A, as Zendesk, Zammad and FreeScout do:

- B's messages move to A, with their files and delivery states, and join A's
  conversation in the order they were written (renumbered: a conversation is read by
  message id); B is closed, its only message "Merged into #A", and leads to A from
  then on (`Ticket.merged_into`); A says "#B merged into this ticket".
- A keeps its number, subject, creation time, priority, assignee, channel and SLA
  targets. B's tags join A's; B's customer (when another one) and B's Cc join A's
  Cc, so replies on A reach them too.
- A's first response is the first public, hand-written agent reply of the merged
  conversation since A was opened: a reply on B answered the same matter and counts
  for A, but not one written before A existed.
- A's status: A waits on the team when either did (new or open; new until it has a
  first response, open after); else A waits as it did (pending, on hold), or as B did
  when A was solved; solved when both were. A's SLA deadline follows from that, as
  after any change of status (rules.after_change).
- B counts in no figure from then on (FRT, resolution, CSAT, new tickets): the
  matter is A's, and counted once, as A.
- Refused: a ticket into itself; into a ticket itself merged away (merge into the
  one it leads to); a ticket already merged; a closed ticket, or into one (closed
  means no more changes: a customer who writes again opens a follow-up); a ticket
  with a reply still on its way out to its customer, when the other ticket's customer
  is another one (it would go to them instead).

Splitting message M of ticket A (alone, or with every message after it) off into a
new ticket C:

- C has A's customer, channel and mailbox, Cc, priority and assignee, and the
  subject given or A's; no tags. C says "Split from #A", A says "Split into #C".
- C opens with M: it was created when M was written, and its status, first response
  and SLA are what its messages make of a new ticket, message by message
  (rules.after_message).
- A keeps its status (an agent may have set it, which its messages cannot tell),
  but its first response is read again from the messages it keeps: an open ticket
  whose only answers went to C is new again, waiting for one, with the
  first-response deadline again.
- M must be a message the customer wrote (a ticket opens with the customer's words;
  not an automatic mail), and not A's first message, which opens A and stays: so a
  split never takes every message. A merged or closed ticket is not split.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from cs_tui.domain import limits
from cs_tui.domain.models import (
    AuthorKind,
    Message,
    NewMessage,
    SlaPolicy,
    Status,
    Ticket,
    TicketChanges,
)
from cs_tui.domain.rules import Progress, RuleBroken, after_change, after_message, checked_changes, progress


@dataclass(frozen=True, slots=True)
class TicketMerge:
    """What merging one ticket into another did."""

    ticket: Ticket
    """The ticket merged into, as it is after the merge (with the other's messages)."""
    merged: Ticket
    """The ticket merged in: closed, leading to `ticket` (its merged_into)."""
    moved_messages: int
    """How many messages moved over."""
    added_tags: tuple[str, ...]
    added_cc: tuple[str, ...]
    """Addresses now copied on the replies: the other ticket's customer and Cc."""


@dataclass(frozen=True, slots=True)
class TicketSplit:
    """What splitting messages off a ticket into a new one did."""

    ticket: Ticket
    """The ticket split, as it is after (without the messages that moved)."""
    split: Ticket
    """The new ticket, with the messages that moved."""
    moved_messages: int


def merged_note(into_id: int) -> str:
    """The system note on the ticket merged in."""
    return f"Merged into #{into_id}"


def merged_in_note(merged_id: int) -> str:
    """The system note on the ticket merged into."""
    return f"#{merged_id} merged into this ticket"


def split_into_note(split_id: int) -> str:
    """The system note on the ticket split."""
    return f"Split into #{split_id}"


def split_from_note(ticket_id: int) -> str:
    """The system note on the new ticket."""
    return f"Split from #{ticket_id}"


def progress_of(ticket: Ticket) -> Progress:
    """The clocks a ticket's metrics and SLA are read from."""
    return Progress(
        status=ticket.status,
        priority=ticket.priority,
        created_at=ticket.created_at,
        first_response_at=ticket.first_response_at,
        solved_at=ticket.solved_at,
        sla_due_at=ticket.sla_due_at,
        sla_paused_for=ticket.sla_paused_for,
        sla_paused_since=ticket.sla_paused_since,
        snoozed_until=ticket.snoozed_until,
    )


def first_response_since(messages: Iterable[Message], since: datetime) -> datetime | None:
    """When the first public, hand-written agent reply among `messages` was written, at
    or after `since` (a ticket's creation: a reply before it did not answer it)."""
    return min(
        (m.created_at for m in messages if m.counts_as_first_response and m.created_at >= since),
        default=None,
    )


# Merging


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What a merge makes of the two tickets."""

    into: Progress
    """The ticket merged into: its status, first response and SLA after."""
    merged: Progress
    """The ticket merged in, closed."""
    tags: tuple[str, ...]
    """The tags of the ticket merged into, after."""
    cc: tuple[str, ...]
    """Its Cc, after."""
    added_tags: tuple[str, ...]
    added_cc: tuple[str, ...]


def check_merge(merged: Ticket, into: Ticket) -> None:
    """RuleBroken, saying what to do, when `merged` cannot be merged into `into`."""
    if merged.id == into.id:
        raise RuleBroken(
            f"#{merged.id} cannot be merged into itself: name the other ticket about the same matter",
            "into",
        )
    if merged.merged_into is not None:
        raise RuleBroken(
            f"#{merged.id} was merged into #{merged.merged_into} already: there is nothing left to merge"
        )
    if into.merged_into is not None:
        raise RuleBroken(
            f"#{into.id} was itself merged into #{into.merged_into}: merge into #{into.merged_into} instead",
            "into",
        )
    if merged.status is Status.CLOSED:
        raise RuleBroken(f"#{merged.id} is closed and stays as it is: a closed ticket is not merged")
    if into.status is Status.CLOSED:
        raise RuleBroken(
            f"#{into.id} is closed and stays as it is: merge into a ticket that is not closed",
            "into",
        )


def status_after_merge(into: Status, merged: Status, *, answered: bool) -> Status:
    """The status of the ticket merged into: waiting on the team when either ticket was
    (new until `answered`, open after), else waiting as it was (pending, on hold), or as
    the merged one was when it was solved; solved when both were."""
    waiting_on_team = (Status.NEW, Status.OPEN)
    if into is Status.OPEN:
        return into
    if into is Status.NEW or merged in waiting_on_team:
        return Status.OPEN if answered else Status.NEW
    if into.is_active or not merged.is_active:
        return into
    return merged


def cc_after_merge(into: Ticket, merged: Ticket) -> tuple[str, ...]:
    """The Cc of the ticket merged into: its own, then the merged ticket's customer
    (when another one) and Cc; never its own customer, nor anyone twice."""
    seen = {address.lower() for address in into.customer.known_addresses}
    joining = [*into.cc]
    if merged.customer.id != into.customer.id:
        joining.append(merged.customer.email)
    joining.extend(merged.cc)
    cc: list[str] = []
    for address in joining:
        if address.lower() not in seen:
            seen.add(address.lower())
            cc.append(address)
    return tuple(cc)


def plan_merge(
    sla: SlaPolicy, merged: Ticket, into: Ticket, merged_messages: Sequence[Message], *, at: datetime
) -> MergePlan:
    """What merging `merged` (with its messages) into `into` at `at` makes of both;
    RuleBroken when it cannot be done (check_merge, or too many tags together)."""
    check_merge(merged, into)
    on_their_way = [m for m in merged_messages if m.delivery is not None and not m.delivery.state.is_final]
    if on_their_way and merged.customer.id != into.customer.id:
        raise RuleBroken(
            f"a reply on #{merged.id} is still on its way to {merged.customer.name}: merge once it has"
            " gone out, or it would go to the other ticket's customer"
        )
    tags = tuple(sorted(set(into.tags) | set(merged.tags)))
    if limits.over("tags", len(tags), limits.TAGS_PER_TICKET):
        raise RuleBroken(
            f"#{into.id} and #{merged.id} have {len(tags)} tags together, and a ticket takes at most "
            f"{limits.TAGS_PER_TICKET}: take some off first",
            "tags",
        )
    answers = [
        t for t in (into.first_response_at, first_response_since(merged_messages, into.created_at)) if t
    ]
    first_response_at = min(answers, default=None)
    status = status_after_merge(into.status, merged.status, answered=first_response_at is not None)
    before = replace(progress_of(into), first_response_at=first_response_at)
    cc = cc_after_merge(into, merged)
    return MergePlan(
        into=after_change(sla, before, status=status, priority=into.priority, at=at),
        merged=after_change(sla, progress_of(merged), status=Status.CLOSED, priority=merged.priority, at=at),
        tags=tags,
        cc=cc,
        added_tags=tuple(tag for tag in tags if tag not in into.tags),
        added_cc=tuple(address for address in cc if address not in into.cc),
    )


def renumbered(messages: Iterable[tuple[int, datetime]]) -> tuple[int, ...]:
    """Of a merged conversation's messages, as (id, written at), those that take new
    ids, in this order and each above every id there is, so that the conversation read
    by id is in the order it was written: every message from the first one out of
    order on (a new id is always higher, so all after it must move too). None for
    messages written live, whose ids follow time already."""
    ordered = sorted(messages, key=lambda each: (each[1], each[0]))
    highest = 0
    for place, (message_id, _) in enumerate(ordered):
        if message_id < highest:
            return tuple(each[0] for each in ordered[place:])
        highest = message_id
    return ()


# Splitting


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """What a split makes of the ticket and the new one."""

    moved: tuple[Message, ...]
    """The messages that go to the new ticket, oldest first."""
    ticket: Progress
    """The ticket split, after."""
    split: Progress
    """The new ticket."""
    subject: str
    """The new ticket's subject."""


def check_split(ticket: Ticket, messages: Sequence[Message], message_id: int) -> Message:
    """The message to split off from (of `messages`, the ticket's whole conversation,
    oldest first); RuleBroken, saying what to do, when it cannot be split off."""
    if ticket.merged_into is not None:
        raise RuleBroken(
            f"#{ticket.id} was merged into #{ticket.merged_into}, where its messages are: "
            f"split #{ticket.merged_into} instead"
        )
    if ticket.status is Status.CLOSED:
        raise RuleBroken(f"#{ticket.id} is closed and stays as it is: a closed ticket is not split")
    found = next((m for m in messages if m.id == message_id), None)
    if found is None:
        raise RuleBroken(
            f"#{ticket.id} has no message {message_id}: name one of its own messages by its id",
            "message_id",
        )
    if found is messages[0]:
        raise RuleBroken(
            f"message {message_id} opens #{ticket.id}, so it stays there: split from a later message"
            " the customer wrote",
            "message_id",
        )
    if found.author_kind is not AuthorKind.CUSTOMER or found.auto:
        what = {
            AuthorKind.AGENT: "is an agent's",
            AuthorKind.SYSTEM: "is the helpdesk's own note",
            AuthorKind.CUSTOMER: "is an automatic mail",
        }[found.author_kind]
        raise RuleBroken(
            f"message {message_id} {what}: a ticket opens with the customer's words, so split from"
            " a message the customer wrote",
            "message_id",
        )
    return found


def plan_split(
    sla: SlaPolicy,
    ticket: Ticket,
    messages: Sequence[Message],
    message_id: int,
    *,
    and_after: bool,
    subject: str | None,
    at: datetime,
) -> SplitPlan:
    """What splitting message `message_id` (and, with `and_after`, every one after it)
    off `ticket` at `at` makes of it and of the new ticket; RuleBroken when it cannot
    be done (check_split, or a subject the rules refuse)."""
    start = check_split(ticket, messages, message_id)
    if subject is not None:
        subject = checked_changes(TicketChanges(subject=subject)).subject
    moved = tuple(m for m in messages if m.id == start.id or (and_after and m.id > start.id))
    moving = {m.id for m in moved}
    kept = [m for m in messages if m.id not in moving]

    first_response_at = first_response_since(kept, ticket.created_at)
    status = ticket.status
    if status is Status.OPEN and ticket.first_response_at is not None and first_response_at is None:
        status = Status.NEW
    before = replace(progress_of(ticket), first_response_at=first_response_at)
    after = after_change(sla, before, status=status, priority=ticket.priority, at=at)

    split = progress(
        sla,
        status=Status.NEW,
        priority=ticket.priority,
        created_at=start.created_at,
        first_response_at=None,
        solved_at=None,
    )
    for message in moved[1:]:
        written = NewMessage("", message.body, message.author_kind, message.internal, message.auto)
        split = after_message(sla, split, written, message.created_at)
    return SplitPlan(moved, after, split, subject or ticket.subject)

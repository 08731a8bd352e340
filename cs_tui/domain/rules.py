"""The helpdesk's rules for writes: what a new ticket, a message and a ticket change
may be (checked and cleaned of untrusted characters), and what each does to a
ticket's status, first response, solved time and SLA deadline (whose clock stands
still while the ticket is pending or on hold). Every store applies these and keeps no
rules of its own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cs_tui.domain import limits, templates
from cs_tui.domain.models import (
    RATINGS,
    UNSET,
    AuthorKind,
    CannedResponse,
    Csat,
    Draft,
    NewMessage,
    NewTicket,
    Priority,
    SlaPolicy,
    Status,
    TicketChanges,
    Unset,
    is_email_address,
    is_first_response,
    normalize_tag,
)
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.text import sanitize, sanitize_line


class RuleBroken(ValueError):
    """A write the helpdesk's rules refuse; the message says why, in the helpdesk's
    words. `field` names what is wrong, for a front end's own hint (the CLI names
    the option that sets it)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def within(what: str, text: str, limit: int, field: str = "") -> str:
    """`text`, or RuleBroken naming the limit when it has more than `limit` characters."""
    refusal = limits.over(what, len(text), limit)
    if refusal:
        raise RuleBroken(refusal, field)
    return text


def normalized_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as the store keeps them: normalised, without blanks or repeats, sorted;
    RuleBroken for a tag past its length or more tags than one ticket takes."""
    normalized = tuple(sorted({tag for tag in map(normalize_tag, tags) if tag}))
    for tag in normalized:
        within(f"tag {tag[:20]!r}...", tag, limits.TAG_CHARS, "tags")
    return within_tag_count(normalized)


def within_tag_count(tags: tuple[str, ...]) -> tuple[str, ...]:
    """`tags`, or RuleBroken when one ticket would have more than it takes."""
    refusal = limits.over("the number of tags", len(tags), limits.TAGS_PER_TICKET, "tags")
    if refusal:
        raise RuleBroken(refusal, "tags")
    return tags


def tags_after(tags: Iterable[str], changes: TicketChanges) -> tuple[str, ...]:
    """A ticket's tags after a checked change; RuleBroken when they would be too many."""
    kept = set(tags) - set(changes.remove_tags)
    return within_tag_count(tuple(sorted(kept | set(changes.add_tags))))


def _subject(subject: str) -> str:
    subject = sanitize_line(subject)
    if not subject:
        raise RuleBroken("a ticket needs a subject", "subject")
    return within("the subject", subject, limits.SUBJECT_CHARS, "subject")


def _body(body: str, what: str = "the message") -> str:
    return within(what, sanitize(body), limits.BODY_CHARS, "body")


def _name(name: str, what: str = "the name") -> str:
    return within(what, sanitize_line(name), limits.NAME_CHARS, "name")


def _address(email: str, field: str = "email") -> str:
    email = sanitize_line(email).lower()
    if not is_email_address(email):
        raise RuleBroken(f"{email[:80]!r} is not an email address", field)
    return within("the address", email, limits.EMAIL_CHARS, field)


def checked_ticket(new: NewTicket) -> NewTicket:
    """A new ticket, cleaned; RuleBroken when it cannot be opened."""
    subject = _subject(new.subject)
    email = _address(new.customer_email, "customer_email")
    body = _body(new.body)
    if not body.strip():
        raise RuleBroken("a ticket needs a first message from the customer", "body")
    return replace(
        new,
        subject=subject,
        customer_email=email,
        customer_name=_name(new.customer_name, "the customer's name"),
        body=body,
        tags=normalized_tags(new.tags),
    )


def checked_message(new: NewMessage, *, actor_id: int | None) -> NewMessage:
    """A message to add, cleaned; RuleBroken when it cannot be added. `actor_id` is
    who writes it: an agent's message needs one."""
    body = _body(new.body)
    if not body.strip():
        raise RuleBroken("the message is empty: write something first", "body")
    if not new.client_id:
        raise RuleBroken("a message needs a client id, which makes sending it twice store it once")
    if new.author_kind is AuthorKind.AGENT and actor_id is None:
        raise RuleBroken("an agent's message needs the agent who writes it", "agent")
    return replace(new, body=body)


def checked_changes(changes: TicketChanges) -> TicketChanges:
    """A ticket change, cleaned: a subject on one line, tags normalised, and a tag
    both added and removed only added. RuleBroken for a blank subject."""
    subject = None if changes.subject is None else _subject(changes.subject)
    add = normalized_tags(changes.add_tags)
    remove = tuple(tag for tag in normalized_tags(changes.remove_tags) if tag not in add)
    return replace(changes, subject=subject, add_tags=add, remove_tags=remove)


def checked_rating(csat: Csat) -> Csat:
    """A CSAT rating, its comment cleaned; RuleBroken unless it is 1 to 5."""
    if csat.rating not in RATINGS:
        raise RuleBroken("a satisfaction rating is a whole number from 1 to 5", "rating")
    return replace(csat, comment=_body(csat.comment, "the comment"))


def checked_agent(name: str, email: str) -> tuple[str, str]:
    """An agent's name and address, cleaned; RuleBroken when either is missing."""
    name = _name(name, "the agent's name")
    if not name:
        raise RuleBroken("an agent needs a name", "name")
    return name, _address(email)


def checked_canned(canned: CannedResponse) -> CannedResponse:
    """A canned response, every field cleaned; RuleBroken without a title or a body,
    or with a placeholder the helpdesk does not know."""
    title = _name(canned.title, "the title")
    body = _body(canned.body)
    if not title:
        raise RuleBroken("a canned response needs a title", "title")
    if not body.strip():
        raise RuleBroken(f"canned response {title!r} has an empty body", "body")
    try:
        templates.check(body)
    except templates.TemplateError as error:
        raise RuleBroken(f"canned response {title!r}: {error}", "body") from error
    actions = replace(canned.actions, add_tags=normalized_tags(canned.actions.add_tags))
    return replace(
        canned,
        title=title,
        body=body,
        shortcut=sanitize_line(canned.shortcut),
        tags=normalized_tags(canned.tags),
        language=sanitize_line(canned.language),
        actions=actions,
    )


def checked_draft(draft: Draft) -> Draft:
    """A draft as kept: pasted escape sequences and control characters dropped."""
    return replace(draft, body=_body(draft.body, "the draft"))


def cleaned_record(record: TicketRecord) -> TicketRecord:
    """An imported ticket with every text cleaned as the other doors clean them:
    subjects, names and addresses on one line, bodies without escapes, tags normalised;
    RuleBroken when a text is past its limit."""

    def address(email: str | None) -> str | None:
        return within("an address", sanitize_line(email).lower(), limits.EMAIL_CHARS) if email else email

    messages = tuple(
        replace(m, agent_email=address(m.agent_email), body=_body(m.body, f"message {number}"))
        for number, m in enumerate(record.messages, 1)
    )
    return replace(
        record,
        ref=within("the ref", sanitize_line(record.ref), limits.NAME_CHARS) if record.ref else record.ref,
        subject=_subject(record.subject),
        customer_name=_name(record.customer_name, "the customer's name"),
        customer_email=address(record.customer_email) or "",
        assignee_email=address(record.assignee_email),
        tags=normalized_tags(record.tags),
        messages=messages,
        csat=replace(record.csat, comment=_body(record.csat.comment, "the comment")) if record.csat else None,
    )


def goes_out(new: NewMessage) -> bool:
    """Whether a message is sent to the customer by the ticket's channel: a public
    agent reply is; a note, the customer's own message and the helpdesk's system
    messages are not."""
    return new.author_kind is AuthorKind.AGENT and not new.internal


def status_after_message(status: Status, new: NewMessage) -> Status:
    """A customer writing reopens a pending or solved ticket; the first public agent
    reply moves a new ticket to open. Closed tickets stay closed. Automatic mail (an
    auto-reply, a bounce, a list) changes nothing: it is not the customer writing."""
    if new.author_kind is AuthorKind.CUSTOMER and new.auto:
        return status
    if new.author_kind is AuthorKind.CUSTOMER and status in (Status.PENDING, Status.SOLVED):
        return Status.OPEN
    if status is Status.NEW and is_first_response(new.author_kind, internal=new.internal, auto=new.auto):
        return Status.OPEN
    return status


def solved_at_after(status: Status, solved_at: datetime | None, now: datetime) -> datetime | None:
    """A ticket is solved when it first leaves the active statuses (solved, or closed
    straight away); moving between solved and closed keeps that time, reopening clears it."""
    if status.is_active:
        return None
    return solved_at or now


@dataclass(frozen=True, slots=True)
class Progress:
    """What a ticket's clocks say: the times its metrics and its SLA are read from.

    The SLA clock stands still while the ticket waits on someone else (pending, on
    hold: see sla_clock_after); `sla_paused_for` is how long it stood still in
    stretches that ended, `sla_paused_since` when the current one began.
    `snoozed_until`: when a snoozed ticket comes back open (see snooze_after_change)."""

    status: Status
    priority: Priority
    created_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    sla_due_at: datetime | None
    sla_paused_for: timedelta = timedelta()
    sla_paused_since: datetime | None = None
    snoozed_until: datetime | None = None


def progress(
    sla: SlaPolicy,
    *,
    status: Status,
    priority: Priority,
    created_at: datetime,
    first_response_at: datetime | None,
    solved_at: datetime | None,
    sla_paused_for: timedelta = timedelta(),
    sla_paused_since: datetime | None = None,
    snoozed_until: datetime | None = None,
) -> Progress:
    """A ticket's progress with its SLA deadline worked out (SlaPolicy.due_at): none
    while pending or on hold, else the target from creation plus the time paused. A
    snooze lasts only while the ticket is pending (snooze_kept)."""
    due = sla.due_at(
        priority=priority,
        status=status,
        created_at=created_at,
        first_response_at=first_response_at,
        paused_for=sla_paused_for,
    )
    return Progress(
        status,
        priority,
        created_at,
        first_response_at,
        solved_at,
        due,
        sla_paused_for,
        sla_paused_since,
        snooze_kept(status, snoozed_until),
    )


def sla_clock_after(before: Progress, status: Status, at: datetime) -> tuple[timedelta, datetime | None]:
    """The SLA clock once the ticket's status is `status` at `at`, as (time paused in
    stretches that ended, paused since). It stops when the ticket goes pending or on
    hold, keeps stopped between the two, and runs again when the ticket leaves them
    (reopened, or solved: a solved ticket has no deadline, but one reopened later
    counts its time solved), the stretch it stood still added to the time paused."""
    if status.pauses_sla:
        return before.sla_paused_for, before.sla_paused_since or at
    if before.sla_paused_since is None:
        return before.sla_paused_for, None
    # Never less than nothing, should another process's clock be behind this one's.
    stretch = max(at - before.sla_paused_since, timedelta())
    return before.sla_paused_for + stretch, None


def after_message(sla: SlaPolicy, before: Progress, new: NewMessage, at: datetime) -> Progress:
    """The ticket once `new` is added at `at`: its status (status_after_message), its
    first response (the first public, hand-written agent reply), solved time and SLA
    (a customer reopening a pending ticket starts its clock again, and ends its snooze)."""
    status = status_after_message(before.status, new)
    first_response_at = before.first_response_at
    if first_response_at is None and is_first_response(new.author_kind, internal=new.internal, auto=new.auto):
        first_response_at = at
    paused_for, paused_since = sla_clock_after(before, status, at)
    return progress(
        sla,
        status=status,
        priority=before.priority,
        created_at=before.created_at,
        first_response_at=first_response_at,
        solved_at=solved_at_after(status, before.solved_at, at),
        sla_paused_for=paused_for,
        sla_paused_since=paused_since,
        snoozed_until=before.snoozed_until,
    )


def after_change(
    sla: SlaPolicy,
    before: Progress,
    *,
    status: Status,
    priority: Priority,
    at: datetime,
    snoozed_until: datetime | Unset | None = UNSET,
) -> Progress:
    """The ticket once its status or priority is set at `at`, and its snooze
    (`snoozed_until`, from snooze_after_change; UNSET keeps the one it had): a snooze
    lasts only while the ticket stays pending."""
    paused_for, paused_since = sla_clock_after(before, status, at)
    return progress(
        sla,
        status=status,
        priority=priority,
        created_at=before.created_at,
        first_response_at=before.first_response_at,
        solved_at=solved_at_after(status, before.solved_at, at),
        sla_paused_for=paused_for,
        sla_paused_since=paused_since,
        snoozed_until=before.snoozed_until if isinstance(snoozed_until, Unset) else snoozed_until,
    )


SNOOZE_AT_MOST_DAYS = 365
"""How far ahead a ticket can be snoozed: a year."""


def snooze_kept(status: Status, snoozed_until: datetime | None) -> datetime | None:
    """A snooze lasts while the ticket is pending: any other status ends it (reopened,
    solved, put on hold, or the customer writing, which reopens a pending ticket)."""
    return snoozed_until if status is Status.PENDING else None


def checked_snooze(until: datetime, now: datetime) -> datetime:
    """A time to snooze a ticket until, in UTC: RuleBroken unless it is ahead of `now`
    and at most a year ahead."""
    if until.tzinfo is None:
        raise RuleBroken("a snooze needs a time with its time zone", "snoozed_until")
    if until <= now:
        raise RuleBroken("that time has passed: snooze until a time ahead", "snoozed_until")
    if until - now > timedelta(days=SNOOZE_AT_MOST_DAYS):
        raise RuleBroken(f"a ticket can be snoozed at most {SNOOZE_AT_MOST_DAYS} days ahead", "snoozed_until")
    return until.astimezone(UTC)


def snooze_after_change(
    status: Status, changes: TicketChanges, *, at: datetime
) -> tuple[Status, datetime | Unset | None]:
    """The status a ticket of `status` takes from `changes` made at `at`, and what
    becomes of its snooze (for after_change). Snoozing (a time) sets it pending until
    then (checked_snooze); RuleBroken for a closed ticket, which stays closed, or with
    another status in the same change. None ends the snooze, UNSET leaves it."""
    wanted = changes.status or status
    if not isinstance(changes.snoozed_until, datetime):
        return wanted, changes.snoozed_until
    if changes.status not in (None, Status.PENDING):
        raise RuleBroken(
            f"a snoozed ticket is pending until its time, not {changes.status.value}: leave the status out",
            "status",
        )
    if status is Status.CLOSED:
        raise RuleBroken("a closed ticket stays closed: it cannot be snoozed", "snoozed_until")
    return Status.PENDING, checked_snooze(changes.snoozed_until, at)


def imported(sla: SlaPolicy, record: TicketRecord) -> tuple[Progress, datetime]:
    """An imported ticket's progress, read from its messages, and the time it last
    changed. A ticket that arrives solved or closed without a solved time was solved
    at its last message.

    The file does not say which statuses a ticket went through, so no time before the
    import counts as paused, but for a ticket that arrives pending or on hold: its
    clock stopped when it last changed (the last change a ticket waiting on someone
    else had is, as far as anyone can tell, the one that set it waiting)."""
    first_response_at = next(
        (
            m.created_at
            for m in record.messages
            if is_first_response(m.author_kind, internal=m.internal, auto=m.auto)
        ),
        None,
    )
    last_message_at = max([record.created_at, *(m.created_at for m in record.messages)])
    solved_at = None
    if not record.status.is_active:
        solved_at = record.solved_at or last_message_at
    updated_at = record.updated_at or max(last_message_at, solved_at or last_message_at)
    state = progress(
        sla,
        status=record.status,
        priority=record.priority,
        created_at=record.created_at,
        first_response_at=first_response_at,
        solved_at=solved_at,
        sla_paused_since=updated_at if record.status.pauses_sla else None,
        snoozed_until=record.snoozed_until,
    )
    return state, updated_at

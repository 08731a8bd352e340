"""The helpdesk's nouns: tickets, messages, customers, agents, canned responses, drafts.
(The events are events.py's, imported from here as well.)"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cs_tui.domain.channels import AttachmentInfo, Delivery
from cs_tui.domain.events import Event as Event
from cs_tui.domain.events import EventKind as EventKind
from cs_tui.domain.text import sanitize_line


class Status(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """True while the ticket still needs work (not solved or closed)."""
        return self not in (Status.SOLVED, Status.CLOSED)

    @property
    def pauses_sla(self) -> bool:
        """True while the ticket waits on someone other than the team (pending: on the
        customer; on hold: on a third party): its SLA clock stands still."""
        return self in (Status.PENDING, Status.ON_HOLD)


ACTIVE_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s.is_active)


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for urgent, for sorting by importance."""
        return list(Priority).index(self)


class Channel(enum.StrEnum):
    EMAIL = "email"
    CHAT = "chat"
    WEB = "web"
    PHONE = "phone"
    SOCIAL = "social"
    WHATSAPP = "whatsapp"


class Role(enum.StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


class AuthorKind(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class MessageKind(enum.StrEnum):
    """What a message is, as an agent reads the thread."""

    CUSTOMER = "customer"
    REPLY = "reply"
    NOTE = "note"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str
    email: str
    """The address replies go to when the customer wrote from no other (the primary)."""
    addresses: tuple[str, ...] = ()
    """Every address and channel identity the customer is known by (the primary
    email among them: see domain.customers), in the order they were added."""

    @property
    def first_name(self) -> str:
        return first_name_of(self.name)

    @property
    def known_addresses(self) -> tuple[str, ...]:
        """`addresses`, or the primary email alone for a customer read without them."""
        return self.addresses or (self.email,)


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    name: str
    email: str
    role: Role = Role.AGENT
    active: bool = True
    has_token: bool = field(default=False, compare=False)
    """Whether the agent can sign in to `cs-tui serve` (the token itself is never kept)."""

    @property
    def first_name(self) -> str:
        return first_name_of(self.name)


def first_name_of(name: str) -> str:
    """The first word of a full name ("Budi Santoso" -> "Budi"); empty for an empty name."""
    parts = name.split()
    return parts[0] if parts else ""


RATINGS = range(1, 6)
"""CSAT ratings: 1 (bad) to 5 (great)."""


@dataclass(frozen=True, slots=True)
class Csat:
    """A customer's satisfaction rating of a ticket, 1 (bad) to 5 (great)."""

    rating: int
    rated_at: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    ref: str | None
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    customer: Customer
    assignee: Agent | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    sla_due_at: datetime | None
    """The next SLA deadline still to meet; None once solved or closed, and while the
    SLA clock stands still (pending, on hold)."""
    version: int
    csat: Csat | None = None
    message_count: int = 0
    cc: tuple[str, ...] = ()
    """Who else the customer wrote to, copied on replies."""
    linked_to: int | None = None
    """The closed ticket this one follows up."""
    channel_name: str | None = None
    """The configured channel (a mailbox) it came in through, which replies go out by."""
    sla_paused_for: timedelta = timedelta()
    """How long the SLA clock stood still (pending, on hold) in stretches that have
    ended: the deadline is that much later than the target from creation."""
    sla_paused_since: datetime | None = None
    """When the SLA clock stopped, while the ticket is pending or on hold; None while
    it runs (and once solved or closed)."""
    merged_into: int | None = None
    """The ticket this one was merged into (it is closed, its messages are there), or
    None. A merged ticket counts in no figure: its conversation is the other's."""
    snoozed_until: datetime | None = None
    """When a snoozed ticket comes back open (it is pending until then), or None: not
    snoozed. Any other status, or the customer writing, ends a snooze (rules.py)."""
    customer_wrote_at: datetime | None = None
    """When the customer last wrote: Meta's reply windows close a day after it."""
    answered_at: datetime | None = None
    """When the team last answered in public (a hand-written reply)."""
    conversation: str | None = None
    """The conversation a channel keeps with the customer (a live chat, a WhatsApp
    number), by which replies reach them; None for mail, a web form, and a chat's
    message left while nobody was there, which are answered by email."""

    @property
    def conversation_kind(self) -> str | None:
        """The kind of channel the conversation is on ("whatsapp", "chat"), or None."""
        return self.conversation.partition(":")[0] if self.conversation else None

    @property
    def replies_by(self) -> Channel | None:
        """How a public reply reaches the customer: by the ticket's own channel when a
        conversation carries it, else by email through the mailbox it came by; None
        when it came through no channel (the reply stays in cs-tui)."""
        if self.channel_name is None:
            return None
        return self.channel if self.conversation is not None else Channel.EMAIL

    @property
    def waiting_since(self) -> datetime | None:
        """Since when the customer waits on the team for an answer to what they last
        wrote; None when answered, or when the ticket waits on the customer."""
        if not self.status.is_active or self.status.pauses_sla or self.customer_wrote_at is None:
            return None
        if self.answered_at is not None and self.answered_at >= self.customer_wrote_at:
            return None
        return self.customer_wrote_at

    @property
    def awaiting_first_response(self) -> bool:
        return self.first_response_at is None and self.status.is_active

    @property
    def first_response_s(self) -> float | None:
        if self.first_response_at is None:
            return None
        return (self.first_response_at - self.created_at).total_seconds()

    @property
    def sla_paused(self) -> bool:
        """Whether the SLA clock stands still: the ticket waits on the customer or a
        third party (pending, on hold), so it has no running deadline."""
        return self.status.pauses_sla

    def is_breaching(self, now: datetime) -> bool:
        """Past its SLA deadline while waiting on the team (new or open); a ticket
        pending or on hold cannot breach, nor a solved or closed one."""
        waiting_on_us = self.status.is_active and not self.status.pauses_sla
        return waiting_on_us and self.sla_due_at is not None and self.sla_due_at <= now


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    client_id: str
    ticket_id: int
    author_kind: AuthorKind
    author_name: str
    """The customer's or agent's name at the time of reading; "System" for system messages."""
    agent_id: int | None
    body: str
    internal: bool
    auto: bool
    created_at: datetime
    author_email: str = ""
    quoted: str = ""
    """The history a mail quoted under what was written now, folded in the conversation."""
    delivery: Delivery | None = None
    """How a reply is on its way to the customer; None for what is not sent anywhere."""
    attachments: tuple[AttachmentInfo, ...] = ()

    @property
    def kind(self) -> MessageKind:
        if self.author_kind is AuthorKind.CUSTOMER:
            return MessageKind.CUSTOMER
        if self.author_kind is AuthorKind.SYSTEM:
            return MessageKind.SYSTEM
        return MessageKind.NOTE if self.internal else MessageKind.REPLY

    @property
    def counts_as_first_response(self) -> bool:
        return is_first_response(self.author_kind, internal=self.internal, auto=self.auto)


def is_first_response(author_kind: AuthorKind, *, internal: bool, auto: bool) -> bool:
    """Only a public, hand-written agent reply answers the customer."""
    return author_kind is AuthorKind.AGENT and not internal and not auto


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a caller supplies to open a ticket; the store assigns id, times and version."""

    subject: str
    customer_email: str
    body: str
    customer_name: str = ""
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.EMAIL
    tags: tuple[str, ...] = ()
    client_id: str | None = None
    """Makes creation idempotent: the same client id opens the ticket once."""


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to add to a ticket. The client id makes sending it twice store it once."""

    client_id: str
    body: str
    author_kind: AuthorKind = AuthorKind.AGENT
    internal: bool = False
    auto: bool = False


class Unset(enum.Enum):
    """Marks a field a change leaves alone (None is a real value for the assignee)."""

    UNSET = "unset"


UNSET = Unset.UNSET


@dataclass(frozen=True, slots=True)
class TicketChanges:
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | Unset | None = UNSET
    subject: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    snoozed_until: datetime | Unset | None = UNSET
    """Snooze the ticket: pending until then, when it comes back open (a time); end its
    snooze, leaving its status as it is (None); or leave it alone (UNSET)."""

    @property
    def is_empty(self) -> bool:
        return (
            self.status is None
            and self.priority is None
            and self.assignee_id is UNSET
            and self.subject is None
            and not self.add_tags
            and not self.remove_tags
            and self.snoozed_until is UNSET
        )


@dataclass(frozen=True, slots=True)
class CannedActions:
    """What applying a canned response does to the ticket besides inserting text."""

    status: Status | None = None
    priority: Priority | None = None
    add_tags: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.status is None and self.priority is None and not self.add_tags

    def changes_for(self, tags: tuple[str, ...]) -> TicketChanges:
        """The change they make to a ticket with these tags (tags it has are not added again)."""
        add = tuple(tag for tag in self.add_tags if tag not in tags)
        return TicketChanges(status=self.status, priority=self.priority, add_tags=add)

    def then(self, later: CannedActions) -> CannedActions:
        """These actions and then `later`'s (two canned responses in one reply): the
        later status and priority win, the tags add up."""
        return CannedActions(
            later.status or self.status,
            later.priority or self.priority,
            tuple(dict.fromkeys((*self.add_tags, *later.add_tags))),
        )


@dataclass(frozen=True, slots=True)
class CannedResponse:
    id: int | None
    title: str
    body: str
    shortcut: str = ""
    tags: tuple[str, ...] = ()
    language: str = ""
    actions: CannedActions = field(default_factory=CannedActions)
    usage_count: int = 0
    updated_at: datetime | None = None


class DraftKind(enum.StrEnum):
    REPLY = "reply"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Draft:
    agent_id: int
    ticket_id: int
    body: str
    kind: DraftKind = DraftKind.REPLY
    updated_at: datetime | None = None


class Activity(enum.StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True, slots=True)
class Presence:
    """An agent on a ticket, as their session last said."""

    session: str
    agent: Agent
    ticket_id: int
    activity: Activity
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class SlaTarget:
    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """First-response and resolution targets per priority."""

    targets: dict[Priority, SlaTarget]

    @classmethod
    def default(cls) -> SlaPolicy:
        hour = timedelta(hours=1)
        return cls(
            {
                Priority.URGENT: SlaTarget(1 * hour, 8 * hour),
                Priority.HIGH: SlaTarget(2 * hour, 24 * hour),
                Priority.NORMAL: SlaTarget(8 * hour, 48 * hour),
                Priority.LOW: SlaTarget(24 * hour, 5 * 24 * hour),
            }
        )

    def due_at(
        self,
        *,
        priority: Priority,
        status: Status,
        created_at: datetime,
        first_response_at: datetime | None,
        paused_for: timedelta = timedelta(),
    ) -> datetime | None:
        """The next deadline a ticket must meet: its target from creation, moved later by
        the time its clock stood still (`paused_for`). None when it has none running:
        solved or closed, or pending or on hold (its clock stands still)."""
        if not status.is_active or status.pauses_sla:
            return None
        target = self.targets[priority]
        if first_response_at is None:
            return created_at + target.first_response + paused_for
        return created_at + target.resolution + paused_for


@dataclass(frozen=True, slots=True)
class TicketPage:
    """One window of the queue, in the order asked for, with the total that matched."""

    tickets: tuple[Ticket, ...]
    total: int
    next_cursor: str | None
    """Pass back as `after` for the page that follows; None on the last page."""
    total_is_estimate: bool = False
    """The total is an estimate: only ever past 1,000 (ARCHITECTURE.md, "Counts")."""


@dataclass(frozen=True, slots=True)
class MessagePage:
    """Messages oldest first; `before` pages further back into long threads."""

    messages: tuple[Message, ...]
    has_earlier: bool


def normalize_tag(tag: str) -> str:
    """Tags are lower case words; inner spaces become dashes ("Late Delivery" -> "late-delivery").
    Escape sequences and control characters are dropped, as from every text."""
    return "-".join(sanitize_line(tag).lower().split())


# One address (RFC 5322's addr-spec, loosely): no space, and none of the characters
# that make a header a list of addresses or a display name ("a@x, b@y", "<a@x>").
_SPECIALS = r"\s\"(),:;<>@\[\\\]"
_ADDRESS = re.compile(rf"[^{_SPECIALS}]+@[^{_SPECIALS}.][^{_SPECIALS}]*")


def is_email_address(text: str) -> bool:
    """Loosely one address, something@somewhere: mail servers decide the rest, but a
    reply to it can never go to a second address."""
    return _ADDRESS.fullmatch(text) is not None and not text.endswith(".")

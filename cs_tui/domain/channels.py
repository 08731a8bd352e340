"""What channels bring in and send out, as every store and every channel sees it:
a message taken in (with the id that makes taking it twice store it once), a reply's
delivery state, and the rules of when a failed delivery is tried again."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"
    """Waiting to go out (first, or again after a temporary failure)."""
    SENDING = "sending"
    """Handed to the channel's server right now; see docs/email.md for what a crash
    in this state means."""
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    BOUNCED = "bounced"

    @property
    def is_final(self) -> bool:
        return self not in (DeliveryState.QUEUED, DeliveryState.SENDING)

    @property
    def needs_the_agent(self) -> bool:
        """The customer did not get it: the agent must know at once."""
        return self in (DeliveryState.FAILED, DeliveryState.BOUNCED)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a reply is on its way to the customer. `reason` says, in words, why it
    failed, bounced or waits; `external_id` is the id it goes out under (a mail's
    Message-ID), fixed before the first try so that a retry is the same message."""

    state: DeliveryState
    reason: str = ""
    attempts: int = 0
    retry_at: datetime | None = None
    external_id: str | None = None
    channel: str = ""


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """A file a message came with, stored by the hash of its content."""

    id: int
    message_id: int
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class InboundFile:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message from a customer, read by its channel, to be taken in: the store
    threads it (domain.threads), stores it once and moves the channel's cursor in
    the same transaction. `external_id` (a mail's Message-ID) and `raw_sha256` are
    how a message taken in twice is known."""

    external_id: str | None
    raw_sha256: str
    sender: str
    """Who to answer: an email address, or another kind of address as a customer's
    record writes it (domain.customers.Identity.format: `whatsapp:6281234567890`)."""
    sender_name: str
    subject: str
    body: str
    quoted: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    automatic: str | None = None
    """Why a machine sent it, or None: a person did."""
    files: tuple[InboundFile, ...] = ()
    raw: bytes = field(default=b"", repr=False)
    received_at: datetime | None = None
    """When it was written, for a message from the past (a mail import); None: now."""
    bounced_id: str | None = None
    """For a bounce: the external id of our message that did not arrive."""
    bounce_reason: str = ""
    bounce_permanent: bool = True
    conversation: str | None = None
    """The conversation a channel keeps with the sender (a website chat, a WhatsApp
    number on one of the shop's numbers), which has no Message-IDs: the message joins
    the conversation's latest ticket, as a mail joins the ticket it answers
    (domain.threads)."""
    came_by: str | None = None
    """The kind of channel it came in by when that is not the channel's own: a web
    form (`form`) or a chat's away message (`chat`) taken in by a mailbox, whose
    answers go by mail. The ticket's channel says where it came from."""


@dataclass(frozen=True, slots=True)
class TakenIn:
    """What taking a message in did: the ticket and message, whether it opened a
    ticket (and which closed one it follows up), or that it was there already."""

    ticket_id: int
    message_id: int
    new_ticket: bool
    duplicate: bool = False
    linked_to: int | None = None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A configured channel: its kind's settings, never a secret (only where one
    is read from)."""

    name: str
    kind: str
    settings: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A message its channel could not read, kept raw to retry."""

    id: int
    channel: str
    reason: str
    size: int
    received_at: datetime
    attempts: int = 1
    """How often it was tried: when it came, and each retry since."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply due to go out, with what its channel needs to address it."""

    message_id: int
    ticket_id: int
    channel: str
    body: str
    agent_name: str
    customer_name: str
    customer_email: str
    subject: str
    cc: tuple[str, ...]
    thread_ids: tuple[str, ...]
    """The external ids of the ticket's earlier messages, oldest first."""
    reply_to_id: str | None
    """The customer's latest message's external id: what this reply answers."""
    delivery: Delivery
    first_try_at: datetime | None = None
    acknowledgement: bool = False
    """An automatic answer to a new ticket, not an agent's reply: it goes out marked
    as automatic, to the customer alone."""
    conversation: str | None = None
    """The ticket's conversation on its channel (Inbound.conversation): for a chat or
    a Meta channel, whom the reply goes to."""


ACKNOWLEDGEMENTS_PER_DAY = 3
"""At most this many automatic acknowledgements to one address in 24 hours: a sender
that opens ticket after ticket (a script, a loop with a machine that passed the
checks) hears from us a few times, not endlessly."""

LEASE_S = 15.0
"""A channel's lease lasts this long unless renewed; its holder renews it every
LEASE_S / 3, so another process takes over within LEASE_S of the holder's death."""


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the `attempt`-th failed try (1 for the first): 30 s,
    2 min, 10 min, 30 min, then every hour. A customer is waiting, so the first
    tries come sooner than an MTA's queue (Postfix starts at 5 min and doubles to
    about an hour); a server down for maintenance gets hourly tries until
    GIVE_UP_AFTER."""
    schedule = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
    if attempt <= len(schedule):
        return schedule[max(attempt, 1) - 1]
    return timedelta(hours=1)


GIVE_UP_AFTER = timedelta(days=2)
"""After this long since its first try a reply is given up on and the agent told why,
as an MTA bounces mail its queue could not deliver (Postfix after 5 days)."""


_TAKER = {"email": "the mail server", "whatsapp": "Meta", "messenger": "Meta", "instagram": "Meta"}


def unknown_outcome(kind: str) -> str:
    """Why a reply caught while its channel's server was taking it is not sent again,
    for the agent: it may have gone out, and sending it twice is worse."""
    taker = _TAKER.get(kind, "the channel")
    return (
        f"cs-tui stopped while {taker} was taking this reply, so it may or may not have gone "
        "out; it is not sent again by itself, so as never to send it twice. Ask the customer, or "
        "send it again"
    )

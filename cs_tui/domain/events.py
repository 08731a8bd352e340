"""The events every write appends: what kind of write each was, and which kinds
change a ticket or bring a new one (what the live screen follows)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class EventKind(enum.StrEnum):
    """What a write was, as an Event names it."""

    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    TICKET_IMPORTED = "ticket.imported"
    MESSAGE_ADDED = "message.added"
    DELIVERY_CHANGED = "delivery.changed"
    """A reply was sent, failed or bounced: the conversation shows it."""
    CHANNEL_CHANGED = "channel.changed"
    """A channel was set up or removed, or what it could not read changed (its
    quarantine)."""
    CANNED_CHANGED = "canned.changed"
    AGENT_CHANGED = "agent.changed"
    CUSTOMER_CHANGED = "customer.changed"
    """A customer's record changed (name, addresses, notes, tags), or another customer
    was merged into it or into another: the event's customer_id says which. Tickets
    that moved in a merge have TICKET_UPDATED events of their own."""
    TICKET_MERGED = "ticket.merged"
    """A ticket was merged into another: one event for each of the two, as both
    changed (one closed, the other with its messages)."""
    TICKET_SPLIT = "ticket.split"
    """Messages of a ticket were split off into a new one: one event for each of the
    two. The new ticket is no news to the team, so it does not count as opened."""
    TICKET_WOKE = "ticket.woke"
    """A snoozed ticket's time came: it is open again, with a system message saying so
    (its assignee is told)."""
    PRESENCE_CHANGED = "presence.changed"
    """An agent opened or left a ticket, or started or stopped replying to it."""
    VISITOR_CHANGED = "visitor.changed"
    """A chat's visitor started or stopped typing, came back or left."""
    CHANNEL_RECEIVED = "channel.received"
    """A channel's webhook kept a delivery in the channel's inbox (a Meta channel's):
    the process that works the channel takes it in at once."""

    @property
    def changes_tickets(self) -> bool:
        """Whether a ticket's state, messages or numbers changed (what queues show)."""
        return self in _TICKET_KINDS

    @property
    def opens_ticket(self) -> bool:
        """Whether the event brought a ticket that was not there before."""
        return self in (EventKind.TICKET_CREATED, EventKind.TICKET_IMPORTED)

    @classmethod
    def known(cls, text: str) -> EventKind | None:
        """The kind `text` names; None for a kind of a newer cs-tui than this one."""
        try:
            return cls(text)
        except ValueError:
            return None


_TICKET_KINDS = frozenset(
    {
        EventKind.TICKET_CREATED,
        EventKind.TICKET_UPDATED,
        EventKind.TICKET_IMPORTED,
        EventKind.MESSAGE_ADDED,
        EventKind.DELIVERY_CHANGED,
        EventKind.TICKET_MERGED,
        EventKind.TICKET_SPLIT,
        EventKind.TICKET_WOKE,
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    """One write, as seen by everyone watching the store. Ids only ever grow."""

    id: int
    kind: EventKind
    ticket_id: int | None
    actor_id: int | None
    at: datetime
    customer_id: int | None = None
    """The customer a CUSTOMER_CHANGED event is about."""

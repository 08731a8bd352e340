"""The Store protocol: everything the TUI, the server and the channels ask of
storage, and the small set of errors every implementation raises."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import (
    Activity,
    Agent,
    CannedResponse,
    Csat,
    Customer,
    Draft,
    Event,
    Message,
    MessagePage,
    NewMessage,
    NewTicket,
    Presence,
    Role,
    SlaPolicy,
    Ticket,
    TicketChanges,
    TicketPage,
)
from cs_tui.domain.query import Query, Sort
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.rules import RuleBroken


class StoreError(Exception):
    """Base of the errors a store raises; the message says what to do."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    """A write named a version that is no longer current; `current` is what is."""

    def __init__(self, message: str, current: Ticket) -> None:
        super().__init__(message)
        self.current = current


class Unauthorized(StoreError):
    pass


class TokenRefused(Unauthorized):
    """The server does not take this token (wrong, or revoked): no retry helps, only
    a new token does. Not StoreUnavailable, so nothing waits for it to come back."""


class StoreUnavailable(StoreError):
    pass


class StoreUnwritable(StoreError):
    """The store can be read but not written: its file is read-only, its disk is full,
    or it was moved, deleted or replaced while in use. Nothing was written; the
    message says why and what to do. Not StoreUnavailable: no outbox keeps a write for
    it, since it takes a person to mend and the file at that place may by then be
    another store; the TUI keeps the agent's text instead."""


class Queued(StoreError):
    """The store could not be reached, so the write waits (in an OutboxStore's outbox)
    and is made, once, when the store is back: nothing is lost. `what` is "reply",
    "note" or "change"."""

    def __init__(self, message: str, ticket_id: int, what: str) -> None:
        super().__init__(message)
        self.ticket_id = ticket_id
        self.what = what


class StoreTooNew(StoreUnavailable):
    """The store was written by a newer cs-tui than this one."""


class InvalidInput(StoreError):
    """A write or a query the store cannot take. `field` names what is wrong when one
    field is (a front end's hint: the CLI names its option); the message says why."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@contextmanager
def invalid_input() -> Iterator[None]:
    """A refusal by the helpdesk's rules (cs_tui.domain.rules), as InvalidInput."""
    try:
        yield
    except RuleBroken as broken:
        raise InvalidInput(str(broken), broken.field) from None


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    message: str


@dataclass(slots=True)
class ImportReport:
    imported: int = 0
    skipped: int = 0
    """Tickets whose ref the store already had."""
    problems: list[ImportProblem] = field(default_factory=list)
    """Lines refused, each with what to fix; the other lines import."""
    warnings: list[ImportProblem] = field(default_factory=list)
    """Lines taken in with something moved or left out (a time that cannot be, a field
    the format does not have, an id another ticket has), or not taken in as they repeat
    an earlier line; each says what and why."""
    repeated: int = 0
    """Lines not imported because an earlier line of the same import is the same ticket
    (each one is also among the warnings)."""

    def merge(self, part: ImportReport) -> None:
        """Add the report of a part of the same import (a batch) to this one."""
        self.imported += part.imported
        self.skipped += part.skipped
        self.repeated += part.repeated
        self.problems.extend(part.problems)
        self.warnings.extend(part.warnings)


class Store(Protocol):
    """An open helpdesk store. Every method is safe to call concurrently."""

    sla: SlaPolicy

    async def close(self) -> None: ...

    # Tickets

    async def list_tickets(
        self,
        query: Query | None = None,
        *,
        viewer_id: int | None = None,
        sort: Sort = Sort.UPDATED,
        after: str | None = None,
        limit: int = 50,
    ) -> TicketPage:
        """One page of tickets matching `query`, with the total that match.

        `viewer_id` is who `assignee:me` means; `after` is a page's next_cursor.
        """
        ...

    async def count_tickets(self, query: Query | None = None, *, viewer_id: int | None = None) -> int: ...

    async def get_ticket(self, ticket_id: int) -> Ticket: ...

    async def get_messages(
        self, ticket_id: int, *, before: int | None = None, limit: int = 100
    ) -> MessagePage:
        """The latest `limit` messages (before message id `before`), oldest first."""
        ...

    async def create_ticket(self, new: NewTicket, *, actor_id: int | None) -> Ticket:
        """Open a ticket with its first customer message. A repeated client_id
        returns the ticket it created the first time."""
        ...

    async def add_message(self, ticket_id: int, new: NewMessage, *, actor_id: int | None) -> Message:
        """Add a reply, note, customer or system message. Idempotent by client_id.
        The first public agent reply sets the ticket's first_response_at."""
        ...

    async def update_ticket(
        self, ticket_id: int, changes: TicketChanges, *, expected_version: int, actor_id: int | None
    ) -> Ticket:
        """Change status, priority, assignee, subject or tags. Raise Conflict with
        the current ticket when `expected_version` is stale."""
        ...

    async def rate_ticket(self, ticket_id: int, csat: Csat) -> Ticket: ...

    async def customer_ticket_count(self, customer_id: int) -> int: ...

    async def get_customer(self, customer_id: int) -> Customer: ...

    async def find_customer(self, email: str) -> Customer | None: ...

    # Canned responses

    async def list_canned(self) -> list[CannedResponse]:
        """All canned responses, most used first."""
        ...

    async def get_canned(self, canned_id: int) -> CannedResponse: ...

    async def save_canned(self, canned: CannedResponse, *, actor_id: int | None) -> CannedResponse:
        """Create (id None) or update. Raise InvalidInput for an unknown placeholder
        or a title that another canned response has."""
        ...

    async def delete_canned(self, canned_id: int, *, actor_id: int | None) -> None: ...

    async def record_canned_use(self, canned_id: int) -> None: ...

    # Drafts

    async def get_draft(self, agent_id: int, ticket_id: int) -> Draft | None: ...

    async def save_draft(self, draft: Draft) -> Draft: ...

    async def delete_draft(self, agent_id: int, ticket_id: int) -> None: ...

    # Read marks

    async def mark_read(self, agent_id: int, ticket_id: int, message_id: int) -> None:
        """The agent has seen the ticket's messages up to `message_id`. Marks never
        move back; writing a message marks what came before it as read."""
        ...

    async def unread_tickets(self, agent_id: int, ticket_ids: Sequence[int]) -> set[int]:
        """Which of `ticket_ids` have a customer message the agent has not seen."""
        ...

    # Agents

    async def list_agents(self) -> list[Agent]: ...

    async def get_agent(self, agent_id: int) -> Agent: ...

    async def find_agent(self, email_or_name: str) -> Agent | None: ...

    async def create_agent(
        self, name: str, email: str, role: Role = Role.AGENT, *, token_hash: str | None = None
    ) -> Agent: ...

    async def ensure_agent(self, name: str, email: str) -> Agent:
        """The agent with this email, created on first use."""
        ...

    async def set_agent_token(self, agent_id: int, token_hash: str | None) -> Agent:
        """Give the agent a new token (by its hash; the token itself is never stored),
        or none (None): the old one stops working at once."""
        ...

    async def agent_for_token(self, token_hash: str) -> Agent | None:
        """The active agent whose token has this hash."""
        ...

    # Presence

    async def set_presence(
        self, session: str, agent_id: int, ticket_id: int | None, activity: Activity = Activity.VIEWING
    ) -> None:
        """Where a running session is: on a ticket, viewing or replying, or on none
        (None: it left). Said again every few seconds: a session that stops saying it
        (its process died) drops out of `presence` once `since` passes it."""
        ...

    async def presence(self, since: datetime) -> list[Presence]:
        """Every session heard from at or after `since`, and where it is."""
        ...

    # Live updates

    async def last_event_id(self) -> int: ...

    def events(self, since: int) -> AsyncIterator[Event]:
        """Every event after id `since`, in order, then each new one as it is
        written, by this process or any other. Never misses or repeats one."""
        ...

    # Metrics

    async def metrics(
        self, window: Window, *, viewer_id: int | None = None, now: datetime | None = None
    ) -> Metrics:
        """The figures of cs_tui.domain.metrics for `window`, as `viewer_id` sees them
        at `now` (default: the current time)."""
        ...

    async def new_tickets_per_hour(self, since: datetime, until: datetime) -> list[int]:
        """Tickets created in each hour from `since` (the last hour may be partial)."""
        ...

    # Import and export

    async def import_tickets(
        self, records: Iterable[tuple[int, TicketRecord]], *, actor_id: int | None = None
    ) -> ImportReport:
        """Add tickets numbered by their line. A ref the store has is skipped; a
        record that cannot be stored is reported by line and the rest import."""
        ...

    def export_tickets(self) -> AsyncIterator[TicketRecord]:
        """Every ticket with its messages, by id."""
        ...

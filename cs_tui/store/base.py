"""The Store protocol: everything the TUI, the server and the channels ask of storage.
(The errors every implementation raises are errors.py's, imported from here as well.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from cs_tui.domain.channels import (
    AttachmentInfo,
    ChannelInfo,
    DeliveryState,
    Inbound,
    Outgoing,
    Quarantined,
    TakenIn,
)
from cs_tui.domain.chat import VisitorState
from cs_tui.domain.customers import CustomerChanges, CustomerMerge, CustomerPage, CustomerRecord
from cs_tui.domain.merging import TicketMerge, TicketSplit
from cs_tui.domain.messaging import WhatsAppTemplate
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
from cs_tui.store.errors import Conflict as Conflict
from cs_tui.store.errors import InvalidInput as InvalidInput
from cs_tui.store.errors import NotFound as NotFound
from cs_tui.store.errors import Queued as Queued
from cs_tui.store.errors import StoreError as StoreError
from cs_tui.store.errors import StoreTooNew as StoreTooNew
from cs_tui.store.errors import StoreUnavailable as StoreUnavailable
from cs_tui.store.errors import StoreUnwritable as StoreUnwritable
from cs_tui.store.errors import TokenRefused as TokenRefused
from cs_tui.store.errors import Unauthorized as Unauthorized
from cs_tui.store.errors import invalid_input as invalid_input
from cs_tui.store.inbox import ChannelInbox


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
        """Change status, priority, assignee, subject or tags, or snooze the ticket
        (rules.snooze_after_change). Raise Conflict with the current ticket when
        `expected_version` is stale."""
        ...

    async def rate_ticket(self, ticket_id: int, csat: Csat) -> Ticket: ...

    async def wake_snoozed(self, now: datetime | None = None) -> list[Ticket]:
        """Every snoozed ticket whose time came by `now` (default: the store's clock)
        back open, its snooze over, with a system message (domain.snooze.WOKE_NOTE) and
        a TICKET_WOKE event, each once however many processes ask at once; the tickets
        woken. Something calls it every domain.snooze.WAKE_EVERY_S where a store is
        used (cs_tui.snoozing.keep_waking): `cs-tui serve` for its clients, the TUI on
        a store file. A served store asks the server (admins only)."""
        ...

    async def merge_tickets(
        self,
        merged_id: int,
        into_id: int,
        *,
        expected_version: int,
        into_expected_version: int,
        actor_id: int | None,
    ) -> TicketMerge:
        """Two tickets about one matter (domain.merging): `merged_id`'s messages join
        `into_id`'s conversation in time order, its tags and customer join that ticket,
        and it is closed, leading there (`merged_into`). Conflict with the current
        ticket when either version is stale. Events: TICKET_MERGED for both."""
        ...

    async def split_ticket(
        self,
        ticket_id: int,
        message_id: int,
        *,
        and_after: bool = False,
        subject: str | None = None,
        expected_version: int,
        actor_id: int | None,
    ) -> TicketSplit:
        """Message `message_id` (with `and_after`, and every one after it) moves into a
        new ticket of the same customer, named `subject` or as this one (domain.merging).
        Conflict when the version is stale. Events: TICKET_SPLIT for both."""
        ...

    async def attachment(self, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
        """A file a message came with (its name, type and size as the customer's
        mail said), and its bytes."""
        ...

    # Customers

    async def customer_ticket_count(self, customer_id: int) -> int: ...

    async def get_customer(self, customer_id: int) -> Customer:
        """The customer; one merged into another is that other (its id still leads
        there). NotFound for an id no customer had."""
        ...

    async def find_customer(self, email: str) -> Customer | None:
        """The customer with this email address among theirs (any of them)."""
        ...

    async def list_customers(
        self, term: str = "", *, after: str | None = None, limit: int = 50
    ) -> CustomerPage:
        """Customers in name order, each with their tags and ticket counts. With `term`,
        those a `customer:TERM` search means (domain.customers.customer_term: a part
        of a name or of an address, a whole address, or #ID): which customers a
        search means, for the TUI and the CLI to say. InvalidInput for a bad term."""
        ...

    async def get_customer_record(self, customer_id: int) -> CustomerRecord:
        """The customer's whole record (addresses, notes, tags, ticket counts); one
        merged into another is that other's record."""
        ...

    async def update_customer(
        self, customer_id: int, changes: CustomerChanges, *, expected_version: int, actor_id: int | None
    ) -> CustomerRecord:
        """Change the name, notes, tags or addresses (domain.customers' rules). Raise
        Conflict with the current record when `expected_version` is stale, and
        InvalidInput for an address another customer has (merge the two instead)."""
        ...

    async def merge_customers(self, merged_id: int, into_id: int, *, actor_id: int | None) -> CustomerMerge:
        """The same person entered twice: the tickets, addresses and tags of `merged_id`
        move to `into_id`, its notes are added to theirs, and it is gone, its id
        leading to `into_id` from then on. Events: CUSTOMER_CHANGED for both, and
        TICKET_UPDATED for each ticket that moved."""
        ...

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

    async def reply_templates(self, channel: str) -> tuple[WhatsAppTemplate, ...]:
        """The approved templates the channel may send once a customer's reply window
        closed (WhatsApp's), as set up with it; none for another kind or no channel."""
        ...

    async def visitor_states(self, ticket_ids: Sequence[int]) -> dict[int, VisitorState]:
        """What each chat's visitor was last heard doing: on the page, typing, gone
        (tickets without a visitor left out)."""
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


class ChannelStore(Store, ChannelInbox, Protocol):
    """A store channels can run on: where mailboxes and the like are set up, what
    they take in (webhook deliveries first kept in its inbox, ChannelInbox), what goes
    out and who works each one. Every write here appends its events in the same
    transaction, as every other write does."""

    # Set-up

    async def add_channel(self, name: str, kind: str, settings: dict[str, str]) -> ChannelInfo:
        """A new channel; InvalidInput when the name is taken. `settings` holds no
        secret, only where one is read from."""
        ...

    async def list_channels(self) -> list[ChannelInfo]: ...

    async def get_channel(self, name: str) -> ChannelInfo: ...

    async def remove_channel(self, name: str) -> None:
        """Its tickets stay; replies still waiting to go out by it fail, saying so."""
        ...

    # Intake

    async def channel_cursor(self, name: str) -> str | None:
        """How far the channel has taken in (an IMAP folder's UIDVALIDITY and last
        UID), as the channel wrote it."""
        ...

    async def take_in(
        self, channel: str, inbound: Inbound, *, cursor: str | None, acknowledgement: str | None = None
    ) -> TakenIn:
        """Threads a message (domain.threads), stores it, its files and raw bytes,
        and moves the channel's cursor, all in one transaction. A message taken in
        before (same external id or raw bytes on this channel) is not stored again:
        the answer says `duplicate`, and the cursor still moves. A bounce goes to the
        ticket of the reply that bounced and marks that reply's delivery.

        `acknowledgement`: the text of an automatic answer to queue when the message
        opens a ticket, unless a machine sent it or its sender has had
        channels.ACKNOWLEDGEMENTS_PER_DAY of them in the past day."""
        ...

    async def quarantine(self, channel: str, raw: bytes, reason: str, *, cursor: str | None) -> int:
        """Keeps a message its channel could not read, raw, and moves the cursor past
        it, in one transaction; its id. The same bytes kept again are one entry, tried
        once more."""
        ...

    async def list_quarantined(self, channel: str | None = None) -> list[Quarantined]: ...

    async def quarantined_raw(self, quarantined_id: int) -> tuple[str, bytes]:
        """The channel and the raw bytes of a quarantined message."""
        ...

    async def release_quarantined(self, quarantined_id: int, *, reason: str | None = None) -> None:
        """Taken in after all (`reason` None: it leaves the quarantine), or failed
        again (it stays, with the new reason)."""
        ...

    # Delivery

    async def due_deliveries(self, channel: str, *, limit: int = 20) -> list[Outgoing]:
        """Replies queued on the channel whose time to go out has come, oldest first."""
        ...

    async def begin_delivery(self, message_id: int, external_id: str) -> bool:
        """A try begins: the reply is marked as sending under `external_id` (kept from
        the first try: every try is the same message). False when it is no longer
        queued (another process took it, or it was given up)."""
        ...

    async def handing_over(self, message_id: int) -> None:
        """The server is about to be given the reply itself: from here until
        finish_delivery, a crash leaves it unknown whether it went out."""
        ...

    async def finish_delivery(
        self,
        message_id: int,
        state: DeliveryState,
        *,
        reason: str = "",
        retry_at: datetime | None = None,
        external_id: str | None = None,
    ) -> None:
        """How the try ended: sent, failed (for good), bounced, or queued again for
        `retry_at` with the reason it waits; `external_id`: the id the server gave it."""
        ...

    async def recover_deliveries(self, channel: str) -> int:
        """After a crash, as the channel's new holder starts: a reply caught sending
        before it was handed over is queued again; one caught while the server took
        it fails, saying it may have gone out (never sent twice). How many it found."""
        ...

    # Who works each channel

    async def take_lease(self, channel: str, holder: str, seconds: float) -> bool:
        """Takes or renews the channel for `holder` for `seconds`; False while
        another holder's lease runs."""
        ...

    async def drop_lease(self, channel: str, holder: str) -> None: ...

    async def lease_holder(self, channel: str) -> str | None:
        """Who works the channel now (a holder whose lease runs), or None."""
        ...

    # Website chat

    async def channel_key(self, channel: str) -> bytes:
        """The key the channel signs its visitors' tokens with, made at first asking
        and the same for every process from then on."""
        ...

    async def conversation_ticket(self, conversation: str) -> int | None:
        """The latest ticket of a conversation (Inbound.conversation), or None."""
        ...

    async def visitor_said(self, ticket_id: int, *, typing: bool | None = None, left: bool = False) -> None:
        """A chat's visitor is there (said every few seconds), typing or not (None: as
        before), or gone; a change is a VISITOR_CHANGED event."""
        ...

    async def customer_read(self, ticket_id: int, up_to: int) -> None:
        """The customer saw the agents' replies on the ticket up to message `up_to`."""
        ...

    async def agents_seen_since(self, since: datetime) -> int:
        """How many agents were on a ticket or wrote anything since then."""
        ...

    async def queue_transcript(self, ticket_id: int, mailbox: str, to: str, body: str) -> int:
        """A chat's transcript (`body`) mailed to `to` by `mailbox`: a message of the
        helpdesk's own on the chat's ticket, delivered as replies are (once, retried);
        asked for twice, it is one message. Its id."""
        ...

    # Files

    async def raw_message(self, message_id: int) -> bytes | None:
        """The message as it came (a mail's raw bytes), or None when it has none."""
        ...


def channel_store(store: Store) -> ChannelStore | None:
    """`store` as a ChannelStore when it is one (a local store), else None: a team
    server's clients leave the channels to the server."""
    return store if hasattr(store, "take_lease") else None  # type: ignore[return-value]

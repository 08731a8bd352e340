"""Small builders the contract tests share. Everything goes through the Store protocol."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cs_tui.domain.models import (
    Agent,
    AuthorKind,
    Channel,
    Csat,
    Event,
    Message,
    NewMessage,
    NewTicket,
    Priority,
    Status,
    Ticket,
    TicketChanges,
)
from cs_tui.domain.query import Sort, parse
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.store import Store
from cs_tui.store.base import ImportReport

from .conftest import StoreFactory

BASE = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
"""A fixed moment that imported tickets are placed around."""

EVENT_TIMEOUT_S = 10.0
"""How long to wait for an event that must come: generous, so only a lost event fails."""


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    return BASE + timedelta(days=days, minutes=minutes)


@asynccontextmanager
async def fresh_store(factory: StoreFactory) -> AsyncIterator[Store]:
    """An empty store of its own, for tests (hypothesis) that cannot use the fixture."""
    with tempfile.TemporaryDirectory() as place:
        async with factory(Path(place)) as store:
            yield store


async def open_ticket(
    store: Store,
    subject: str = "Pesanan belum sampai",
    *,
    email: str = "dewi@example.com",
    name: str = "Dewi Lestari",
    body: str = "Halo, pesanan saya belum sampai.",
    priority: Priority = Priority.NORMAL,
    channel: Channel = Channel.EMAIL,
    tags: Iterable[str] = (),
) -> Ticket:
    new = NewTicket(
        subject=subject,
        customer_email=email,
        customer_name=name,
        body=body,
        priority=priority,
        channel=channel,
        tags=tuple(tags),
    )
    return await store.create_ticket(new, actor_id=None)


async def reply(
    store: Store,
    ticket_id: int,
    agent: Agent,
    body: str = "Baik, kami cek dulu ya.",
    *,
    internal: bool = False,
    auto: bool = False,
) -> Message:
    new = NewMessage(client_id=str(uuid.uuid4()), body=body, internal=internal, auto=auto)
    return await store.add_message(ticket_id, new, actor_id=agent.id)


async def customer_writes(store: Store, ticket_id: int, body: str = "Ada kabar?") -> Message:
    new = NewMessage(client_id=str(uuid.uuid4()), body=body, author_kind=AuthorKind.CUSTOMER)
    return await store.add_message(ticket_id, new, actor_id=None)


async def system_says(store: Store, ticket_id: int, body: str = "Ticket merged") -> Message:
    new = NewMessage(client_id=str(uuid.uuid4()), body=body, author_kind=AuthorKind.SYSTEM)
    return await store.add_message(ticket_id, new, actor_id=None)


async def set_status(store: Store, ticket: Ticket, status: Status) -> Ticket:
    current = await store.get_ticket(ticket.id)
    return await store.update_ticket(
        ticket.id, TicketChanges(status=status), expected_version=current.version, actor_id=None
    )


async def all_tickets(
    store: Store,
    text: str = "",
    *,
    viewer_id: int | None = None,
    sort: Sort = Sort.UPDATED,
    page_size: int = 50,
) -> list[Ticket]:
    """Every ticket a query matches, page by page; checks each page's total on the way."""
    query = parse(text) if text else None
    found: list[Ticket] = []
    totals: set[int] = set()
    after: str | None = None
    while True:
        page = await store.list_tickets(query, viewer_id=viewer_id, sort=sort, after=after, limit=page_size)
        found.extend(page.tickets)
        totals.add(page.total)
        if page.next_cursor is None:
            break
        assert len(page.tickets) == page_size, "a page short of the limit must be the last"
        after = page.next_cursor
    assert totals == {len(found)}, f"page totals {totals} for {len(found)} tickets listed"
    return found


async def all_messages(store: Store, ticket_id: int, *, page_size: int = 100) -> list[Message]:
    """A whole thread, oldest first, read backwards page by page as the TUI does."""
    pages: list[tuple[Message, ...]] = []
    before: int | None = None
    while True:
        page = await store.get_messages(ticket_id, before=before, limit=page_size)
        pages.append(page.messages)
        if not page.has_earlier:
            break
        assert len(page.messages) == page_size
        before = page.messages[0].id
    return [message for page in reversed(pages) for message in page]


def message_record(
    author: str, body: str, created_at: datetime, *, internal: bool = False, auto: bool = False
) -> MessageRecord:
    """`author` as in the import format: "customer", "system" or "agent:EMAIL"."""
    if author.startswith("agent:"):
        return MessageRecord(
            AuthorKind.AGENT, author.removeprefix("agent:"), body, created_at, internal, auto
        )
    return MessageRecord(AuthorKind(author), None, body, created_at, internal, auto)


def ticket_record(
    ref: str | None,
    *,
    subject: str | None = None,
    status: Status = Status.OPEN,
    priority: Priority = Priority.NORMAL,
    channel: Channel = Channel.EMAIL,
    customer: tuple[str, str] = ("Dewi Lestari", "dewi@example.com"),
    assignee: str | None = None,
    tags: tuple[str, ...] = (),
    created_at: datetime = BASE,
    messages: tuple[MessageRecord, ...] | None = None,
    updated_at: datetime | None = None,
    solved_at: datetime | None = None,
    csat: Csat | None = None,
) -> TicketRecord:
    if messages is None:
        messages = (message_record("customer", f"Pesan pertama {ref}", created_at),)
    return TicketRecord(
        ref=ref,
        subject=subject or f"Tiket {ref}",
        status=status,
        priority=priority,
        channel=channel,
        customer_name=customer[0],
        customer_email=customer[1],
        assignee_email=assignee,
        tags=tags,
        created_at=created_at,
        messages=messages,
        updated_at=updated_at,
        solved_at=solved_at,
        csat=csat,
    )


async def import_records(store: Store, records: Iterable[TicketRecord]) -> ImportReport:
    """Import records numbered as lines 1, 2, ..."""
    return await store.import_tickets(enumerate(records, start=1))


async def take_events(store: Store, since: int, count: int) -> list[Event]:
    """The next `count` events after `since`; fails if they do not come in EVENT_TIMEOUT_S."""
    stream = store.events(since)

    async def take() -> list[Event]:
        taken: list[Event] = []
        async for event in stream:
            taken.append(event)
            if len(taken) == count:
                break
        return taken

    try:
        return await asyncio.wait_for(take(), EVENT_TIMEOUT_S)
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


SHOP = 4_000
"""Tickets in the shop: enough that a common word is in thousands of them."""


def shop_ticket(number: int) -> TicketRecord:
    """Ticket `number` of the shop: `pesanan` ("order") in nine of ten, half of them in
    the subject and half in the customer's message; `ongkir` ("shipping fee") in one
    of four, so in exactly 1,000; `kurir` in one of 40; open one in three, else closed."""
    words = []
    if number % 10:
        words.append("pesanan")
    if number % 4 == 0:
        words.append("ongkir")
    if number % 40 == 1:
        words.append("kurir")
    in_subject = number % 2 == 0
    subject = " ".join(["Tiket", str(number), *(words if in_subject else [])])
    body = " ".join(["Halo kak", *([] if in_subject else words), f"nomor {number}"])
    return ticket_record(
        f"shop-{number}",
        subject=subject,
        status=Status.OPEN if number % 3 == 0 else Status.CLOSED,
        customer=(f"Pelanggan {number % 97}", f"pelanggan{number % 97}@example.com"),
        created_at=at(number),
        messages=(message_record("customer", body, at(number)),),
    )


def matching(predicate: Callable[[int], bool]) -> int:
    """How many of the shop's tickets the predicate holds for, by number."""
    return sum(1 for number in range(SHOP) if predicate(number))


PESANAN = matching(lambda n: n % 10 != 0)
"""The shop's tickets with `pesanan`."""


async def fill_shop(store: Store) -> None:
    """The shop's tickets (shop_ticket), imported."""
    report = await import_records(store, (shop_ticket(number) for number in range(SHOP)))
    assert report.imported == SHOP

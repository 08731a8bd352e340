"""The SLA clock stands still while a ticket waits on the customer or a third party
(pending, on hold): such a ticket has no running deadline and never breaches, and
when it reopens its deadline is later by the time it waited. The queue's breaching
filter and SLA order, the metrics and the ticket itself say the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cs_tui.domain import metrics
from cs_tui.domain.metrics import Window
from cs_tui.domain.models import Agent, Priority, Status, Ticket, TicketChanges
from cs_tui.domain.query import Sort
from cs_tui.store import Store

from .clock import Clock, store_clock
from .helpers import (
    BASE,
    all_tickets,
    at,
    customer_writes,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    ticket_record,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WAITING = [Status.PENDING, Status.ON_HOLD]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return store_clock(monkeypatch, BASE)


@pytest.fixture
async def ana(store: Store) -> Agent:
    return await store.create_agent("Ana Wijaya", "ana@tokoku.example")


async def change(store: Store, ticket: Ticket, **changes: Any) -> Ticket:
    current = await store.get_ticket(ticket.id)
    return await store.update_ticket(
        ticket.id, TicketChanges(**changes), expected_version=current.version, actor_id=None
    )


async def titles(store: Store, query: str, *, sort: Sort = Sort.UPDATED) -> list[str]:
    return [t.subject for t in await all_tickets(store, query, sort=sort)]


@pytest.mark.parametrize("waiting", WAITING)
async def test_a_ticket_waiting_three_hours_has_its_deadline_three_hours_later(
    store: Store, clock: Clock, waiting: Status
) -> None:
    ticket = await open_ticket(store)  # normal: answered within 8 hours
    target = store.sla.targets[Priority.NORMAL].first_response
    assert ticket.sla_due_at == BASE + target

    clock.set(BASE + HOUR)
    paused = await set_status(store, ticket, waiting)
    assert paused.sla_due_at is None
    assert (paused.sla_paused, paused.sla_paused_since) == (True, BASE + HOUR)

    clock.set(BASE + 4 * HOUR)
    reopened = await set_status(store, ticket, Status.OPEN)
    assert reopened.sla_due_at == BASE + target + 3 * HOUR
    assert (reopened.sla_paused, reopened.sla_paused_for, reopened.sla_paused_since) == (
        False,
        3 * HOUR,
        None,
    )
    assert await store.get_ticket(ticket.id) == reopened


async def test_a_customer_reopening_a_pending_ticket_starts_its_clock_again(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await open_ticket(store)
    clock.set(BASE + HOUR)
    await reply(store, ticket.id, ana, "Boleh kirim foto paketnya?")
    await set_status(store, ticket, Status.PENDING)

    clock.set(BASE + 3 * DAY)
    await customer_writes(store, ticket.id, "Ini fotonya.")
    reopened = await store.get_ticket(ticket.id)
    assert reopened.status is Status.OPEN
    waited = 3 * DAY - HOUR
    assert reopened.sla_due_at == BASE + store.sla.targets[Priority.NORMAL].resolution + waited
    assert reopened.sla_paused_for == waited


async def test_while_waiting_the_clock_stays_stopped_whatever_else_changes(
    store: Store, clock: Clock, ana: Agent
) -> None:
    """A reply, a note, a new priority, the move from pending to on hold and a customer
    writing to a ticket on hold leave it waiting, its clock stopped since it began."""
    ticket = await open_ticket(store)
    clock.set(BASE + HOUR)
    await set_status(store, ticket, Status.PENDING)
    clock.set(BASE + 2 * HOUR)
    await reply(store, ticket.id, ana, "Kami tunggu ya.")
    await reply(store, ticket.id, ana, "catatan", internal=True)
    await change(store, ticket, priority=Priority.URGENT, status=Status.ON_HOLD)
    await customer_writes(store, ticket.id, "Ada kabar?")
    held = await store.get_ticket(ticket.id)
    assert (held.status, held.sla_due_at, held.sla_paused_since) == (Status.ON_HOLD, None, BASE + HOUR)
    assert held.first_response_at == BASE + 2 * HOUR

    clock.set(BASE + 5 * HOUR)
    reopened = await set_status(store, ticket, Status.OPEN)
    assert reopened.sla_due_at == BASE + store.sla.targets[Priority.URGENT].resolution + 4 * HOUR


@pytest.mark.parametrize("waiting", WAITING)
async def test_a_waiting_ticket_past_its_old_deadline_is_not_breaching(
    store: Store, clock: Clock, ana: Agent, waiting: Status
) -> None:
    late = await open_ticket(store, "Belum dibalas")
    asked = await open_ticket(store, "Menunggu pelanggan", email="budi@example.com")
    clock.set(BASE + HOUR)
    await reply(store, asked.id, ana, "Boleh kirim nomor pesanan?")
    await set_status(store, asked, waiting)

    now = BASE + 5 * DAY  # past both tickets' targets as they were
    clock.set(now)
    assert await titles(store, "breaching:yes") == ["Belum dibalas"]
    assert await titles(store, "breaching:no") == ["Menunggu pelanggan"]
    [found] = await all_tickets(store, "Menunggu")
    assert found.sla_due_at is None
    assert not found.is_breaching(now)

    window = Window(now - 7 * DAY, now)
    figures = await store.metrics(window, now=now)
    assert figures.open.breaching == 1
    reference = metrics.compute(await all_tickets(store), window, now=now, agent_id=None)
    assert figures.open == reference.open
    assert (await store.get_ticket(late.id)).is_breaching(now)


async def test_the_sla_order_puts_waiting_tickets_after_those_with_a_deadline(
    store: Store, clock: Clock
) -> None:
    urgent = await open_ticket(store, "Mendesak", priority=Priority.URGENT)
    waiting = await open_ticket(store, "Menunggu", priority=Priority.URGENT, email="budi@example.com")
    await open_ticket(store, "Biasa", email="sri@example.com")
    await set_status(store, waiting, Status.PENDING)
    assert await titles(store, "", sort=Sort.SLA) == ["Mendesak", "Biasa", "Menunggu"]
    solved = await set_status(store, urgent, Status.SOLVED)
    assert solved.sla_due_at is None
    assert await titles(store, "", sort=Sort.SLA) == ["Biasa", "Mendesak", "Menunggu"]


@pytest.mark.parametrize("waiting", WAITING)
async def test_an_imported_waiting_ticket_stopped_its_clock_at_its_last_change(
    store: Store, clock: Clock, waiting: Status
) -> None:
    """The file does not say when it went waiting: when it last changed, as far as
    anyone can tell."""
    created, changed = at(days=-10), at(days=-9)
    record = ticket_record(
        "legacy-9",
        status=waiting,
        created_at=created,
        messages=(
            message_record("customer", "Paket rusak", created),
            message_record("agent:ana@tokoku.example", "Boleh kirim fotonya?", created + HOUR),
        ),
        updated_at=changed,
    )
    report = await import_records(store, [record])
    assert (report.imported, report.problems) == (1, [])
    [ticket] = await all_tickets(store)
    assert (ticket.sla_due_at, ticket.sla_paused_since, ticket.sla_paused_for) == (None, changed, timedelta())
    assert await titles(store, "breaching:yes") == []

    clock.set(BASE)
    reopened = await set_status(store, ticket, Status.OPEN)
    resolution = store.sla.targets[Priority.NORMAL].resolution
    assert reopened.sla_due_at == created + resolution + (BASE - changed)

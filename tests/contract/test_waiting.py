"""Whom a ticket waits on, message by message: since when the customer waits for an
answer to what they last wrote (a chat's clock runs from there), and when they last
wrote (Meta's reply windows close a day after). Every store says the same, after an
import and a merge too."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import Agent, Status
from cs_tui.store import Store

from .clock import Clock, store_clock
from .helpers import (
    BASE,
    at,
    customer_writes,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    ticket_record,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return store_clock(monkeypatch, BASE)


@pytest.fixture
async def ana(store: Store) -> Agent:
    return await store.create_agent("Ana Wijaya", "ana@tokoku.example")


async def test_a_ticket_waits_from_the_customers_last_message_until_answered(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await open_ticket(store)
    assert ticket.waiting_since == BASE
    assert ticket.customer_wrote_at == BASE

    clock.set(at(5))
    await reply(store, ticket.id, ana, "Catatan", internal=True)
    assert (await store.get_ticket(ticket.id)).waiting_since == BASE  # a note answers nobody
    await reply(store, ticket.id, ana, "Terima kasih, kami proses", auto=True)
    assert (await store.get_ticket(ticket.id)).waiting_since == BASE  # nor does a machine

    clock.set(at(7))
    await reply(store, ticket.id, ana)
    answered = await store.get_ticket(ticket.id)
    assert answered.waiting_since is None
    assert answered.answered_at == at(7)

    clock.set(at(9))
    await customer_writes(store, ticket.id)
    again = await store.get_ticket(ticket.id)
    assert again.waiting_since == at(9)
    assert again.customer_wrote_at == at(9)


async def test_a_ticket_waiting_on_the_customer_waits_on_nobody_here(store: Store, clock: Clock) -> None:
    ticket = await open_ticket(store)

    pending = await set_status(store, ticket, Status.PENDING)

    assert pending.waiting_since is None
    assert pending.customer_wrote_at == BASE


async def test_an_imported_ticket_knows_when_its_customer_last_wrote(store: Store) -> None:
    record = ticket_record(
        "shop-1",
        messages=(
            message_record("customer", "Paket belum sampai", at(0)),
            message_record("agent:ana@tokoku.example", "Sudah dikirim", at(30)),
            message_record("customer", "Belum juga", at(90)),
        ),
    )
    await import_records(store, [record])
    [ticket] = (await store.list_tickets(limit=10)).tickets

    assert ticket.customer_wrote_at == at(90)
    assert ticket.answered_at == at(30)
    assert ticket.waiting_since == at(90)


async def test_a_merged_ticket_brings_its_customers_last_message(
    store: Store, clock: Clock, ana: Agent
) -> None:
    older = await open_ticket(store, "Pesanan 1")
    clock.set(at(10))
    await reply(store, older.id, ana)
    clock.set(at(20))
    newer = await open_ticket(store, "Pesanan 1 lagi")

    older = await store.get_ticket(older.id)
    await store.merge_tickets(
        newer.id,
        older.id,
        expected_version=newer.version,
        into_expected_version=older.version,
        actor_id=ana.id,
    )

    merged = await store.get_ticket(older.id)
    assert merged.customer_wrote_at == at(20)
    assert merged.waiting_since == at(20)  # the merged-in question is not answered yet

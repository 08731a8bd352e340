"""Read marks: which tickets have customer messages an agent has not seen."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import Agent
from cs_tui.store import Store
from cs_tui.store.base import NotFound

from .helpers import customer_writes, open_ticket, reply, system_says


@pytest.fixture
async def agents(store: Store) -> tuple[Agent, Agent]:
    return (
        await store.create_agent("Ana Wijaya", "ana@tokoku.example"),
        await store.create_agent("Rudi Hartono", "rudi@tokoku.example"),
    )


async def test_a_new_ticket_is_unread_until_the_agent_reads_it(
    store: Store, agents: tuple[Agent, Agent]
) -> None:
    ana, rudi = agents
    ticket = await open_ticket(store)
    other = await open_ticket(store, "Refund", email="budi@example.com")
    assert await store.unread_tickets(ana.id, [ticket.id, other.id]) == {ticket.id, other.id}

    page = await store.get_messages(ticket.id)
    await store.mark_read(ana.id, ticket.id, page.messages[-1].id)

    assert await store.unread_tickets(ana.id, [ticket.id, other.id]) == {other.id}
    assert await store.unread_tickets(rudi.id, [ticket.id, other.id]) == {ticket.id, other.id}


async def test_a_customer_message_after_reading_makes_it_unread_again(
    store: Store, agents: tuple[Agent, Agent]
) -> None:
    ana, _ = agents
    ticket = await open_ticket(store)
    first = (await store.get_messages(ticket.id)).messages[-1]
    await store.mark_read(ana.id, ticket.id, first.id)

    await customer_writes(store, ticket.id, "Halo? Ada orang?")

    assert await store.unread_tickets(ana.id, [ticket.id]) == {ticket.id}


async def test_writing_on_a_ticket_reads_what_came_before(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, rudi = agents
    ticket = await open_ticket(store)
    await reply(store, ticket.id, ana)
    noted = await open_ticket(store, "Ganti alamat", email="sri@example.com")
    await reply(store, noted.id, ana, "Cek dulu", internal=True)

    assert await store.unread_tickets(ana.id, [ticket.id, noted.id]) == set()
    assert await store.unread_tickets(rudi.id, [ticket.id, noted.id]) == {ticket.id, noted.id}


async def test_only_customer_messages_make_a_ticket_unread(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, rudi = agents
    ticket = await open_ticket(store)
    await store.mark_read(ana.id, ticket.id, (await store.get_messages(ticket.id)).messages[-1].id)

    await reply(store, ticket.id, rudi, "Sudah saya proses")
    await reply(store, ticket.id, rudi, "Catatan", internal=True)
    await system_says(store, ticket.id)

    assert await store.unread_tickets(ana.id, [ticket.id]) == set()


async def test_a_read_mark_never_moves_back(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    ticket = await open_ticket(store)
    first = (await store.get_messages(ticket.id)).messages[-1]
    latest = await customer_writes(store, ticket.id)
    await store.mark_read(ana.id, ticket.id, latest.id)

    await store.mark_read(ana.id, ticket.id, first.id)  # a slower screen, reporting late

    assert await store.unread_tickets(ana.id, [ticket.id]) == set()


async def test_unknown_tickets_are_not_unread(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    assert await store.unread_tickets(ana.id, [4242]) == set()
    assert await store.unread_tickets(ana.id, []) == set()


async def test_marking_a_missing_ticket_is_not_found(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    with pytest.raises(NotFound):
        await store.mark_read(ana.id, 4242, 1)

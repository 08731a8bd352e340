"""Messages: sending once however often it is sent, first response, status rules, long threads."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from cs_tui.domain.models import Agent, AuthorKind, Message, MessageKind, NewMessage, Status
from cs_tui.store import InvalidInput, NotFound, Store

from .helpers import all_messages, customer_writes, open_ticket, reply, set_status, system_says


@pytest.fixture
async def ana(store: Store) -> Agent:
    return await store.create_agent("Ana Wijaya", "ana@tokoku.example")


async def test_a_reply_is_in_the_thread_as_written(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    sent = await reply(store, ticket.id, ana, "Baik Kak Dewi, kami cek.\n\nSalam,\nAna")

    thread = (await store.get_messages(ticket.id)).messages
    assert thread[-1] == sent
    assert sent.body == "Baik Kak Dewi, kami cek.\n\nSalam,\nAna"
    assert sent.kind is MessageKind.REPLY
    assert (sent.author_name, sent.agent_id) == ("Ana Wijaya", ana.id)
    assert sent.ticket_id == ticket.id
    assert (await store.get_ticket(ticket.id)).message_count == 2


async def test_a_note_is_a_note(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    note = await reply(store, ticket.id, ana, "Customer ini VIP", internal=True)
    assert note.kind is MessageKind.NOTE
    assert (await store.get_messages(ticket.id)).messages[-1].internal


async def test_sending_one_client_id_twice_stores_it_once(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    new = NewMessage(client_id="outbox-0b5c", body="Sudah kami kirim ulang.")

    first = await store.add_message(ticket.id, new, actor_id=ana.id)
    again = await store.add_message(ticket.id, new, actor_id=ana.id)

    assert again == first
    bodies = [m.body for m in await all_messages(store, ticket.id)]
    assert bodies.count("Sudah kami kirim ulang.") == 1
    assert (await store.get_ticket(ticket.id)).message_count == 2


async def test_a_retry_storm_stores_the_message_once(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    new = NewMessage(client_id="outbox-77aa", body="Mohon ditunggu.")
    sent = await asyncio.gather(*(store.add_message(ticket.id, new, actor_id=ana.id) for _ in range(8)))
    assert len({m.id for m in sent}) == 1
    assert len(await all_messages(store, ticket.id)) == 2


async def test_a_client_id_of_another_tickets_message_is_refused(store: Store, ana: Agent) -> None:
    first = await open_ticket(store, "Satu")
    second = await open_ticket(store, "Dua")
    new = NewMessage(client_id="outbox-1", body="Halo")
    await store.add_message(first.id, new, actor_id=ana.id)
    with pytest.raises(InvalidInput):
        await store.add_message(second.id, new, actor_id=ana.id)
    assert len(await all_messages(store, second.id)) == 1


@pytest.mark.parametrize(
    ("new", "as_agent"),
    [
        (NewMessage("m-1", ""), True),
        (NewMessage("m-2", "  \n\t "), True),
        (NewMessage("", "Halo"), True),
        (NewMessage("m-3", "Halo", author_kind=AuthorKind.AGENT), False),
    ],
    ids=["empty", "blank", "no-client-id", "agent-reply-without-agent"],
)
async def test_a_message_with_bad_input_is_refused(
    store: Store, ana: Agent, new: NewMessage, as_agent: bool
) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(InvalidInput):
        await store.add_message(ticket.id, new, actor_id=ana.id if as_agent else None)
    assert await store.get_ticket(ticket.id) == ticket


async def test_a_message_to_a_missing_ticket_is_not_found(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(NotFound):
        await reply(store, ticket.id + 1000, ana)


async def test_the_messages_of_a_missing_ticket_are_not_found(store: Store) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(NotFound):
        await store.get_messages(ticket.id + 1000)
    with pytest.raises(NotFound):
        await store.get_messages(ticket.id + 1000, before=10**6)


async def test_untrusted_text_is_stored_as_text(store: Store) -> None:
    ticket = await open_ticket(
        store,
        "\x1b]0;pwned\x07Tagihan [bold red]x[/]",
        body="[@click=app.quit]klik\x1b[2J\x1b[31m merah\x00\r\nbaris dua\tkolom",
    )
    assert ticket.subject == "Tagihan [bold red]x[/]"
    [first] = (await store.get_messages(ticket.id)).messages
    assert first.body == "[@click=app.quit]klik merah\nbaris dua\tkolom"


SENDERS: dict[str, Callable[[Store, int, Agent], Awaitable[Message]]] = {
    "public reply": lambda store, ticket_id, agent: reply(store, ticket_id, agent),
    "internal note": lambda store, ticket_id, agent: reply(store, ticket_id, agent, internal=True),
    "auto reply": lambda store, ticket_id, agent: reply(store, ticket_id, agent, auto=True),
    "customer": lambda store, ticket_id, agent: customer_writes(store, ticket_id),
    "system": lambda store, ticket_id, agent: system_says(store, ticket_id),
}


@pytest.mark.parametrize("sender", ["internal note", "auto reply", "customer", "system"])
async def test_only_a_public_agent_reply_is_a_first_response(store: Store, ana: Agent, sender: str) -> None:
    ticket = await open_ticket(store)
    await SENDERS[sender](store, ticket.id, ana)
    waiting = await store.get_ticket(ticket.id)
    assert waiting.first_response_at is None
    assert waiting.awaiting_first_response
    assert waiting.sla_due_at == ticket.sla_due_at

    answer = await reply(store, ticket.id, ana)
    answered = await store.get_ticket(ticket.id)
    assert answered.first_response_at == answer.created_at
    assert answered.first_response_s is not None
    assert answered.first_response_s >= 0


async def test_the_first_response_is_the_first_reply_not_a_later_one(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    first = await reply(store, ticket.id, ana, "Kami cek dulu.")
    await customer_writes(store, ticket.id, "Bagaimana?")
    await reply(store, ticket.id, ana, "Sudah beres.")
    assert (await store.get_ticket(ticket.id)).first_response_at == first.created_at


async def test_a_first_response_moves_the_deadline_to_resolution(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    await reply(store, ticket.id, ana)
    answered = await store.get_ticket(ticket.id)
    assert answered.sla_due_at == store.sla.due_at(
        priority=ticket.priority,
        status=answered.status,
        created_at=ticket.created_at,
        first_response_at=answered.first_response_at,
    )
    assert answered.sla_due_at == ticket.created_at + store.sla.targets[ticket.priority].resolution


# (status before, who writes, status after)
STATUS_RULES = [
    (Status.NEW, "public reply", Status.OPEN),
    (Status.NEW, "internal note", Status.NEW),
    (Status.NEW, "auto reply", Status.NEW),
    (Status.NEW, "system", Status.NEW),
    (Status.NEW, "customer", Status.NEW),
    (Status.OPEN, "customer", Status.OPEN),
    (Status.OPEN, "public reply", Status.OPEN),
    (Status.PENDING, "customer", Status.OPEN),
    (Status.PENDING, "public reply", Status.PENDING),
    (Status.PENDING, "internal note", Status.PENDING),
    (Status.SOLVED, "customer", Status.OPEN),
    (Status.SOLVED, "public reply", Status.SOLVED),
    (Status.SOLVED, "internal note", Status.SOLVED),
    (Status.ON_HOLD, "customer", Status.ON_HOLD),
    (Status.CLOSED, "customer", Status.CLOSED),
    (Status.CLOSED, "public reply", Status.CLOSED),
]


@pytest.mark.parametrize(("before", "sender", "after"), STATUS_RULES)
async def test_status_after_a_message(
    store: Store, ana: Agent, before: Status, sender: str, after: Status
) -> None:
    ticket = await open_ticket(store)
    if before is not Status.NEW:
        ticket = await set_status(store, ticket, before)
    await SENDERS[sender](store, ticket.id, ana)
    assert (await store.get_ticket(ticket.id)).status is after


async def test_a_customer_reopening_a_solved_ticket_clears_solved_at(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store)
    await reply(store, ticket.id, ana)
    solved = await set_status(store, ticket, Status.SOLVED)
    assert solved.solved_at is not None

    await customer_writes(store, ticket.id, "Ternyata belum beres.")
    reopened = await store.get_ticket(ticket.id)
    assert reopened.status is Status.OPEN
    assert reopened.solved_at is None
    assert reopened.sla_due_at is not None
    assert reopened.first_response_at == solved.first_response_at


async def test_a_long_thread_pages_back_to_its_first_message(store: Store, ana: Agent) -> None:
    ticket = await open_ticket(store, body="pesan 0")
    for n in range(1, 121):
        if n % 2:
            await customer_writes(store, ticket.id, f"pesan {n}")
        else:
            await reply(store, ticket.id, ana, f"pesan {n}", internal=n % 10 == 0)

    latest = await store.get_messages(ticket.id, limit=15)
    assert [m.body for m in latest.messages] == [f"pesan {n}" for n in range(106, 121)]
    assert latest.has_earlier

    thread = await all_messages(store, ticket.id, page_size=15)
    assert [m.body for m in thread] == [f"pesan {n}" for n in range(121)]
    assert len({m.id for m in thread}) == 121
    assert [m.created_at for m in thread] == sorted(m.created_at for m in thread)
    assert (await store.get_ticket(ticket.id)).message_count == 121

    oldest = await store.get_messages(ticket.id, before=thread[3].id, limit=15)
    assert [m.body for m in oldest.messages] == ["pesan 0", "pesan 1", "pesan 2"]
    assert not oldest.has_earlier

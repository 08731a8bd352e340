"""Splitting messages off a ticket into a new one (the rules: cs_tui.domain.merging),
on every store: who the new ticket is for, what each ticket's status and clocks
become, refusals, conflicts, events and search."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import EventKind, Message, Priority, Status, Ticket
from cs_tui.domain.query import parse
from cs_tui.store import Conflict, InvalidInput, Store

from .helpers import all_messages, all_tickets, customer_writes, open_ticket, reply, set_status, take_events
from .moving import BUDI, Pair, bodies, merge, split, two_tickets


@pytest.fixture
async def pair(store: Store) -> Pair:
    return await two_tickets(store)


@pytest.fixture
async def mixed(store: Store) -> tuple[Ticket, list[Message]]:
    """Budi asks about his parcel, is answered, then asks about a refund, answered too."""
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    ticket = await open_ticket(store, "Paket belum sampai", email=BUDI[1], name=BUDI[0], tags=["pengiriman"])
    await reply(store, ticket.id, ana, "Paketnya sedang diantar")
    await customer_writes(store, ticket.id, "Satu lagi: refund pesanan lain belum masuk")
    await reply(store, ticket.id, ana, "Refundnya kami proses hari ini")
    await customer_writes(store, ticket.id, "Terima kasih")
    return ticket, await all_messages(store, ticket.id)


async def test_a_split_moves_the_message_and_those_after_it_into_a_new_ticket(
    store: Store, mixed: tuple[Ticket, list[Message]]
) -> None:
    ticket, thread = mixed
    done = await split(store, ticket, thread[2], and_after=True, subject="Refund belum masuk")

    new = done.split
    assert new.id != ticket.id
    assert (new.subject, new.customer, new.channel, new.priority) == (
        "Refund belum masuk",
        ticket.customer,
        ticket.channel,
        ticket.priority,
    )
    assert new.tags == ()
    assert bodies(await all_messages(store, new.id)) == [
        "Satu lagi: refund pesanan lain belum masuk",
        "Refundnya kami proses hari ini",
        "Terima kasih",
        f"Split from #{ticket.id}",
    ]
    assert bodies(await all_messages(store, ticket.id)) == [
        "Halo, pesanan saya belum sampai.",
        "Paketnya sedang diantar",
        f"Split into #{new.id}",
    ]
    assert done.moved_messages == 3
    assert done.ticket == await store.get_ticket(ticket.id)
    assert done.split == await store.get_ticket(new.id)
    assert (done.ticket.message_count, new.message_count) == (3, 4)
    assert done.ticket.tags == ("pengiriman",)
    # The new ticket opened when its first message was written, and was answered after it.
    assert new.created_at == thread[2].created_at
    assert new.first_response_at == thread[3].created_at
    assert new.status is Status.OPEN
    assert new.merged_into is None
    assert done.ticket.status is Status.OPEN
    assert done.ticket.first_response_at == thread[1].created_at


async def test_a_split_of_one_message_leaves_the_ones_after_it(
    store: Store, mixed: tuple[Ticket, list[Message]]
) -> None:
    ticket, thread = mixed
    done = await split(store, ticket, thread[2])
    assert done.split.subject == "Paket belum sampai"
    assert bodies(await all_messages(store, done.split.id)) == [thread[2].body, f"Split from #{ticket.id}"]
    assert done.split.status is Status.NEW
    assert done.split.first_response_at is None
    assert done.split.sla_due_at == store.sla.due_at(
        priority=Priority.NORMAL, status=Status.NEW, created_at=thread[2].created_at, first_response_at=None
    )
    assert bodies(await all_messages(store, ticket.id)) == [
        *(m.body for m in thread if m.id != thread[2].id),
        f"Split into #{done.split.id}",
    ]


async def test_a_ticket_whose_answers_moved_away_waits_for_one_again(store: Store) -> None:
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    ticket = await open_ticket(store, "Dua pertanyaan")
    second = await customer_writes(store, ticket.id, "Pertanyaan kedua")
    await reply(store, ticket.id, ana, "Jawaban untuk yang kedua")
    assert (await store.get_ticket(ticket.id)).status is Status.OPEN

    done = await split(store, ticket, second, and_after=True)
    assert done.ticket.status is Status.NEW
    assert done.ticket.first_response_at is None
    assert done.ticket.sla_due_at == store.sla.due_at(
        priority=Priority.NORMAL, status=Status.NEW, created_at=ticket.created_at, first_response_at=None
    )
    assert done.split.status is Status.OPEN


async def test_search_finds_split_messages_on_their_new_ticket(
    store: Store, mixed: tuple[Ticket, list[Message]]
) -> None:
    ticket, thread = mixed
    done = await split(store, ticket, thread[2], and_after=True)
    assert [t.id for t in await all_tickets(store, "refund")] == [done.split.id]
    assert await store.count_tickets(parse("refund")) == 1
    assert [t.id for t in await all_tickets(store, "diantar")] == [ticket.id]
    await customer_writes(store, ticket.id, "Kurirnya Ninja")
    await customer_writes(store, done.split.id, "Rekening BCA")
    assert [t.id for t in await all_tickets(store, "ninja")] == [ticket.id]
    assert [t.id for t in await all_tickets(store, "bca")] == [done.split.id]


@pytest.mark.parametrize(
    ("which", "said", "field"),
    [
        ("first", "opens #", "message_id"),
        ("agent's", "is an agent's", "message_id"),
        ("another ticket's", "has no message", "message_id"),
        ("blank subject", "a ticket needs a subject", "subject"),
    ],
)
async def test_a_split_the_rules_refuse_says_why_and_changes_nothing(
    store: Store, mixed: tuple[Ticket, list[Message]], which: str, said: str, field: str
) -> None:
    ticket, thread = mixed
    other = await open_ticket(store, "Lain")
    message_id = {
        "first": thread[0].id,
        "agent's": thread[1].id,
        "another ticket's": (await all_messages(store, other.id))[0].id,
        "blank subject": thread[2].id,
    }[which]
    before = await store.get_ticket(ticket.id)
    with pytest.raises(InvalidInput) as refused:
        await store.split_ticket(
            ticket.id,
            message_id,
            and_after=True,
            subject=" " if which == "blank subject" else None,
            expected_version=before.version,
            actor_id=None,
        )
    assert said in str(refused.value)
    assert refused.value.field == field
    assert await store.get_ticket(ticket.id) == before
    assert len(await all_tickets(store, "")) == 2


async def test_merged_and_closed_tickets_are_not_split(store: Store, pair: Pair) -> None:
    await merge(store, pair.newer, pair.older)
    thread = await all_messages(store, pair.older.id)
    with pytest.raises(InvalidInput) as refused:
        await split(store, pair.newer, thread[1])
    assert f"split #{pair.older.id} instead" in str(refused.value)

    closed = await set_status(store, pair.older, Status.CLOSED)
    with pytest.raises(InvalidInput) as refused:
        await split(store, closed, thread[1])
    assert "a closed ticket is not split" in str(refused.value)


async def test_a_split_against_a_stale_version_is_a_conflict(
    store: Store, mixed: tuple[Ticket, list[Message]]
) -> None:
    ticket, thread = mixed
    stale = await store.get_ticket(ticket.id)
    await customer_writes(store, ticket.id, "Halo?")
    with pytest.raises(Conflict) as raised:
        await store.split_ticket(ticket.id, thread[2].id, expected_version=stale.version, actor_id=None)
    assert raised.value.current == await store.get_ticket(ticket.id)
    assert len(await all_tickets(store, "")) == 1


async def test_a_split_is_an_event_on_each_ticket_and_opens_none(
    store: Store, mixed: tuple[Ticket, list[Message]]
) -> None:
    ticket, thread = mixed
    since = await store.last_event_id()
    done = await split(store, ticket, thread[2])
    events = await take_events(store, since, 2)
    assert [(e.kind, e.ticket_id) for e in events] == [
        (EventKind.TICKET_SPLIT, ticket.id),
        (EventKind.TICKET_SPLIT, done.split.id),
    ]
    assert all(e.kind.changes_tickets and not e.kind.opens_ticket for e in events)


async def test_a_split_ticket_can_be_merged_back(store: Store, mixed: tuple[Ticket, list[Message]]) -> None:
    ticket, thread = mixed
    done = await split(store, ticket, thread[2], and_after=True)
    back = await merge(store, done.split, ticket)
    kept = await all_messages(store, ticket.id)
    assert [m.id for m in kept[:5]] == [m.id for m in thread]  # ids follow time: none renumbered
    assert bodies(kept[5:]) == [
        f"Split into #{done.split.id}",
        f"Split from #{ticket.id}",
        f"#{done.split.id} merged into this ticket",
    ]
    assert back.ticket.cc == ()  # the same customer joins nobody's Cc
    assert back.ticket.first_response_at == thread[1].created_at

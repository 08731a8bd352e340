"""Tickets: opening, reading, changing with the version seen, assigning, tagging, rating."""

from __future__ import annotations

import asyncio

import pytest

from cs_tui.domain.models import (
    AuthorKind,
    Channel,
    Csat,
    NewTicket,
    Priority,
    Status,
    TicketChanges,
)
from cs_tui.store import Conflict, InvalidInput, NotFound, Store

from .helpers import at, customer_writes, open_ticket, reply, set_status


async def test_a_new_ticket_reads_back_as_it_was_opened(store: Store) -> None:
    opened = await open_ticket(
        store,
        "Refund belum masuk",
        email="Dewi@Example.com",
        name="Dewi Lestari",
        body="Sudah seminggu refund saya belum masuk.",
        priority=Priority.HIGH,
        channel=Channel.WHATSAPP,
        tags=("Refund", "Late Delivery"),
    )

    ticket = await store.get_ticket(opened.id)
    assert ticket == opened
    assert ticket.subject == "Refund belum masuk"
    assert ticket.status is Status.NEW
    assert ticket.priority is Priority.HIGH
    assert ticket.channel is Channel.WHATSAPP
    assert (ticket.customer.name, ticket.customer.email) == ("Dewi Lestari", "dewi@example.com")
    assert ticket.assignee is None
    assert sorted(ticket.tags) == ["late-delivery", "refund"]
    assert ticket.first_response_at is None
    assert ticket.solved_at is None
    assert ticket.message_count == 1
    assert ticket.sla_due_at == ticket.created_at + store.sla.targets[Priority.HIGH].first_response

    page = await store.get_messages(ticket.id)
    assert not page.has_earlier
    [first] = page.messages
    assert first.author_kind is AuthorKind.CUSTOMER
    assert first.author_name == "Dewi Lestari"
    assert first.body == "Sudah seminggu refund saya belum masuk."
    assert not first.internal


async def test_each_ticket_gets_its_own_id(store: Store) -> None:
    first = await open_ticket(store, "Satu")
    second = await open_ticket(store, "Dua")
    assert first.id != second.id
    assert (await store.get_ticket(first.id)).subject == "Satu"
    assert (await store.get_ticket(second.id)).subject == "Dua"


async def test_opening_twice_with_one_client_id_opens_one_ticket(store: Store) -> None:
    new = NewTicket("Web form", "siti@example.com", "Tolong bantu", client_id="web-form-7781")
    first = await store.create_ticket(new, actor_id=None)
    again = await store.create_ticket(new, actor_id=None)
    assert again.id == first.id
    assert await store.count_tickets() == 1
    assert len((await store.get_messages(first.id)).messages) == 1


async def test_a_returning_customer_is_one_customer(store: Store) -> None:
    first = await open_ticket(store, "Satu", email="budi@example.com", name="Budi Santoso")
    second = await open_ticket(store, "Dua", email="BUDI@example.com", name="Budi Santoso")
    assert first.customer.id == second.customer.id
    assert await store.customer_ticket_count(first.customer.id) == 2
    assert await store.get_customer(first.customer.id) == first.customer
    assert await store.find_customer("budi@example.com") == first.customer
    assert await store.find_customer("nobody@example.com") is None


@pytest.mark.parametrize(
    ("subject", "email", "body"),
    [
        ("", "dewi@example.com", "Halo"),
        ("   ", "dewi@example.com", "Halo"),
        ("Halo", "not-an-email", "Halo"),
        ("Halo", "dewi@example.com", ""),
        ("Halo", "dewi@example.com", "  \n "),
    ],
)
async def test_opening_a_ticket_with_bad_input_is_refused(
    store: Store, subject: str, email: str, body: str
) -> None:
    with pytest.raises(InvalidInput):
        await store.create_ticket(NewTicket(subject, email, body), actor_id=None)
    assert await store.count_tickets() == 0


async def test_a_missing_ticket_is_not_found(store: Store) -> None:
    ticket = await open_ticket(store)
    missing = ticket.id + 1000
    with pytest.raises(NotFound):
        await store.get_ticket(missing)
    with pytest.raises(NotFound):
        await store.get_messages(missing)
    with pytest.raises(NotFound):
        await customer_writes(store, missing)
    with pytest.raises(NotFound):
        await store.update_ticket(
            missing, TicketChanges(status=Status.OPEN), expected_version=1, actor_id=None
        )
    with pytest.raises(NotFound):
        await store.rate_ticket(missing, Csat(5, at()))
    with pytest.raises(NotFound):
        await store.get_customer(ticket.customer.id + 1000)


async def test_a_change_with_the_version_seen_applies_and_bumps_the_version(store: Store) -> None:
    ticket = await open_ticket(store)
    changed = await store.update_ticket(
        ticket.id,
        TicketChanges(status=Status.PENDING, priority=Priority.URGENT, subject="Paket hilang"),
        expected_version=ticket.version,
        actor_id=None,
    )
    assert changed.version > ticket.version
    assert (changed.status, changed.priority, changed.subject) == (
        Status.PENDING,
        Priority.URGENT,
        "Paket hilang",
    )
    assert await store.get_ticket(ticket.id) == changed


async def test_a_stale_version_is_a_conflict_that_overwrites_nothing(store: Store) -> None:
    ticket = await open_ticket(store)
    theirs = await store.update_ticket(
        ticket.id, TicketChanges(priority=Priority.URGENT), expected_version=ticket.version, actor_id=None
    )

    with pytest.raises(Conflict) as raised:
        await store.update_ticket(
            ticket.id,
            TicketChanges(priority=Priority.LOW, status=Status.SOLVED),
            expected_version=ticket.version,
            actor_id=None,
        )
    assert raised.value.current == theirs
    assert await store.get_ticket(ticket.id) == theirs


async def test_two_agents_changing_one_version_at_once_one_wins(store: Store) -> None:
    ticket = await open_ticket(store)
    results = await asyncio.gather(
        *(
            store.update_ticket(
                ticket.id, TicketChanges(priority=priority), expected_version=ticket.version, actor_id=None
            )
            for priority in (Priority.LOW, Priority.URGENT)
        ),
        return_exceptions=True,
    )
    [winner] = [r for r in results if not isinstance(r, BaseException)]
    [loser] = [r for r in results if isinstance(r, BaseException)]
    assert isinstance(loser, Conflict)
    assert loser.current == winner
    assert await store.get_ticket(ticket.id) == winner


async def test_a_message_makes_the_version_seen_before_it_stale(store: Store) -> None:
    """An agent who loaded the ticket before the customer wrote again is told so."""
    ticket = await open_ticket(store)
    await customer_writes(store, ticket.id, "Halo? Ada orang?")
    with pytest.raises(Conflict) as raised:
        await store.update_ticket(
            ticket.id, TicketChanges(status=Status.SOLVED), expected_version=ticket.version, actor_id=None
        )
    assert raised.value.current.message_count == 2
    assert (await store.get_ticket(ticket.id)).status is Status.NEW


async def test_assigning_and_unassigning(store: Store) -> None:
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    ticket = await open_ticket(store)

    assigned = await store.update_ticket(
        ticket.id, TicketChanges(assignee_id=ana.id), expected_version=ticket.version, actor_id=ana.id
    )
    assert assigned.assignee == ana
    assert (await store.get_ticket(ticket.id)).assignee == ana

    unassigned = await store.update_ticket(
        ticket.id, TicketChanges(assignee_id=None), expected_version=assigned.version, actor_id=ana.id
    )
    assert unassigned.assignee is None


async def test_assigning_to_an_unknown_agent_is_refused(store: Store) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(InvalidInput):
        await store.update_ticket(
            ticket.id, TicketChanges(assignee_id=987654), expected_version=ticket.version, actor_id=None
        )
    assert await store.get_ticket(ticket.id) == ticket


async def test_an_empty_subject_is_refused(store: Store) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(InvalidInput):
        await store.update_ticket(
            ticket.id, TicketChanges(subject="  "), expected_version=ticket.version, actor_id=None
        )
    assert await store.get_ticket(ticket.id) == ticket


async def test_tags_are_added_and_removed(store: Store) -> None:
    ticket = await open_ticket(store, tags=("refund",))

    tagged = await store.update_ticket(
        ticket.id,
        TicketChanges(add_tags=("Late Delivery", "VIP", "refund")),
        expected_version=ticket.version,
        actor_id=None,
    )
    assert sorted(tagged.tags) == ["late-delivery", "refund", "vip"]

    untagged = await store.update_ticket(
        ticket.id,
        TicketChanges(remove_tags=("refund", "never-there")),
        expected_version=tagged.version,
        actor_id=None,
    )
    assert sorted(untagged.tags) == ["late-delivery", "vip"]
    assert (await store.get_ticket(ticket.id)).tags == untagged.tags


async def test_solving_sets_solved_at_closing_keeps_it_reopening_clears_it(store: Store) -> None:
    ticket = await open_ticket(store)

    solved = await set_status(store, ticket, Status.SOLVED)
    assert solved.solved_at is not None
    assert solved.sla_due_at is None, "a solved ticket has no deadline left"

    closed = await set_status(store, ticket, Status.CLOSED)
    assert closed.solved_at == solved.solved_at

    reopened = await set_status(store, ticket, Status.OPEN)
    assert reopened.solved_at is None
    assert reopened.sla_due_at is not None


async def test_closing_straight_away_counts_as_solved(store: Store) -> None:
    ticket = await open_ticket(store)
    closed = await set_status(store, ticket, Status.CLOSED)
    assert closed.solved_at is not None


async def test_a_priority_change_moves_the_deadline(store: Store) -> None:
    ticket = await open_ticket(store, priority=Priority.LOW)
    urgent = await store.update_ticket(
        ticket.id, TicketChanges(priority=Priority.URGENT), expected_version=ticket.version, actor_id=None
    )
    target = store.sla.targets[Priority.URGENT]
    assert urgent.sla_due_at == ticket.created_at + target.first_response


async def test_a_rating_is_kept(store: Store) -> None:
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    ticket = await open_ticket(store)
    await reply(store, ticket.id, ana)
    await set_status(store, ticket, Status.SOLVED)

    rated = await store.rate_ticket(ticket.id, Csat(4, at(minutes=90), "Cepat, terima kasih"))
    assert rated.csat == Csat(4, at(minutes=90), "Cepat, terima kasih")
    assert (await store.get_ticket(ticket.id)).csat == rated.csat


@pytest.mark.parametrize("rating", [0, 6, -1])
async def test_a_rating_outside_one_to_five_is_refused(store: Store, rating: int) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(InvalidInput):
        await store.rate_ticket(ticket.id, Csat(rating, at()))
    assert (await store.get_ticket(ticket.id)).csat is None

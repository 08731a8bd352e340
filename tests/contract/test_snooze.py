"""Snoozing: a snoozed ticket is pending until its time, then back open with a note in
its conversation and an event that tells its assignee. Every store does it alike, and
however many processes wake tickets at once, each ticket wakes once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from cs_tui.domain.models import Agent, AuthorKind, Event, EventKind, Priority, Status, Ticket, TicketChanges
from cs_tui.domain.snooze import WOKE_NOTE
from cs_tui.snoozing import keep_waking, wakes_here
from cs_tui.store import InvalidInput, Store
from cs_tui.store.base import StoreUnwritable

from .clock import Clock, store_clock
from .helpers import (
    BASE,
    EVENT_TIMEOUT_S,
    all_messages,
    all_tickets,
    customer_writes,
    import_records,
    open_ticket,
    reply,
    set_status,
    take_events,
    ticket_record,
)

HOUR = timedelta(hours=1)


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


async def snoozed_ticket(store: Store, ana: Agent, until: timedelta = 2 * HOUR) -> Ticket:
    """A ticket of Ana's, snoozed at BASE until BASE + `until`."""
    ticket = await open_ticket(store)
    await change(store, ticket, assignee_id=ana.id)
    return await change(store, ticket, snoozed_until=BASE + until)


async def events_since(store: Store, since: int) -> list[Event]:
    """Every event after `since` up to the newest one now."""
    last = await store.last_event_id()
    found: list[Event] = []

    async def take() -> None:
        async for event in store.events(since):
            found.append(event)
            if event.id >= last:
                break

    if last > since:
        await asyncio.wait_for(take(), EVENT_TIMEOUT_S)
    return found


def notes_of_waking(messages: list[Any]) -> list[Any]:
    return [m for m in messages if m.author_kind is AuthorKind.SYSTEM and m.body == WOKE_NOTE]


async def test_a_snoozed_ticket_is_pending_until_its_time(store: Store, clock: Clock, ana: Agent) -> None:
    ticket = await snoozed_ticket(store, ana)
    assert (ticket.status, ticket.snoozed_until) == (Status.PENDING, BASE + 2 * HOUR)
    assert ticket.sla_due_at is None  # its SLA clock stands still, as for any pending ticket
    assert await store.get_ticket(ticket.id) == ticket
    other = await open_ticket(store, "Ganti alamat")
    assert [t.id for t in await all_tickets(store, "snoozed:yes")] == [ticket.id]
    assert [t.id for t in await all_tickets(store, "snoozed:no")] == [other.id]
    assert [t.id for t in await all_tickets(store, "status:pending -snoozed:yes")] == []


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"snoozed_until": BASE - HOUR}, "that time has passed"),
        ({"snoozed_until": BASE + timedelta(days=400)}, "at most 365 days ahead"),
        ({"snoozed_until": BASE + HOUR, "status": Status.SOLVED}, "not solved"),
    ],
)
async def test_a_snooze_that_cannot_be_is_refused_and_changes_nothing(
    store: Store, clock: Clock, changes: dict[str, Any], said: str
) -> None:
    ticket = await open_ticket(store)
    with pytest.raises(InvalidInput, match=said):
        await change(store, ticket, **changes)
    assert await store.get_ticket(ticket.id) == ticket


async def test_a_closed_ticket_cannot_be_snoozed(store: Store, clock: Clock) -> None:
    ticket = await set_status(store, await open_ticket(store), Status.CLOSED)
    with pytest.raises(InvalidInput, match="closed") as refused:
        await change(store, ticket, snoozed_until=BASE + HOUR)
    assert refused.value.field == "snoozed_until"


async def test_any_status_but_pending_ends_a_snooze(store: Store, clock: Clock, ana: Agent) -> None:
    ticket = await snoozed_ticket(store, ana)
    still = await change(store, ticket, priority=Priority.URGENT, add_tags=("nunggu-resi",))
    assert (still.status, still.snoozed_until) == (Status.PENDING, BASE + 2 * HOUR)
    for status in (Status.OPEN, Status.ON_HOLD, Status.SOLVED):
        again = await change(store, ticket, snoozed_until=BASE + 2 * HOUR)
        assert again.snoozed_until == BASE + 2 * HOUR
        ended = await set_status(store, ticket, status)
        assert (ended.status, ended.snoozed_until) == (status, None)


async def test_ending_a_snooze_alone_leaves_the_ticket_pending(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await snoozed_ticket(store, ana)
    ended = await change(store, ticket, snoozed_until=None)
    assert (ended.status, ended.snoozed_until) == (Status.PENDING, None)


async def test_the_customer_writing_ends_a_snooze_and_an_agent_reply_does_not(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await snoozed_ticket(store, ana)
    clock.set(BASE + HOUR)
    await reply(store, ticket.id, ana, "Kami tunggu kabarnya ya.")
    assert (await store.get_ticket(ticket.id)).snoozed_until == BASE + 2 * HOUR
    await customer_writes(store, ticket.id, "Ini resinya: JNE123.")
    reopened = await store.get_ticket(ticket.id)
    assert (reopened.status, reopened.snoozed_until) == (Status.OPEN, None)
    clock.set(BASE + 3 * HOUR)
    assert await store.wake_snoozed(BASE + 3 * HOUR) == []


async def test_a_ticket_wakes_open_at_its_time_once_with_a_note_and_an_event(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await snoozed_ticket(store, ana)
    clock.set(BASE + 2 * HOUR - timedelta(seconds=1))
    assert await store.wake_snoozed(clock.now) == []
    since = await store.last_event_id()

    clock.set(BASE + 2 * HOUR + timedelta(seconds=20))
    [woke] = await store.wake_snoozed(clock.now)
    assert woke == await store.get_ticket(ticket.id)
    assert (woke.status, woke.snoozed_until, woke.assignee) == (Status.OPEN, None, ana)
    # Its SLA clock runs again, later by the time it waited.
    assert woke.sla_paused_since is None
    assert woke.sla_paused_for == 2 * HOUR + timedelta(seconds=20)
    assert woke.sla_due_at is not None
    [note] = notes_of_waking(await all_messages(store, ticket.id))
    assert note.created_at == clock.now
    assert [(e.kind, e.ticket_id) for e in await events_since(store, since)] == [
        (EventKind.TICKET_WOKE, ticket.id)
    ]
    assert EventKind.TICKET_WOKE.changes_tickets

    clock.set(BASE + 5 * HOUR)
    assert await store.wake_snoozed(clock.now) == []
    assert len(notes_of_waking(await all_messages(store, ticket.id))) == 1


async def test_tickets_wake_in_the_order_of_their_times_and_not_before(
    store: Store, clock: Clock, ana: Agent
) -> None:
    later = await snoozed_ticket(store, ana, until=3 * HOUR)
    sooner = await snoozed_ticket(store, ana, until=HOUR)
    asleep = await snoozed_ticket(store, ana, until=48 * HOUR)
    woke = await store.wake_snoozed(BASE + 3 * HOUR)
    assert sorted(t.id for t in woke) == sorted([later.id, sooner.id])
    assert (await store.get_ticket(asleep.id)).status is Status.PENDING


async def test_several_wakers_at_once_wake_each_ticket_once(
    store: Store, second_store: Store, clock: Clock, ana: Agent
) -> None:
    tickets = [await snoozed_ticket(store, ana, until=HOUR + n * timedelta(minutes=1)) for n in range(5)]
    since = await store.last_event_id()
    clock.set(BASE + 2 * HOUR)
    answers = await asyncio.gather(
        *(each.wake_snoozed(clock.now) for each in (store, second_store, store, second_store))
    )
    woken = sorted(t.id for answer in answers for t in answer)
    assert woken == sorted(t.id for t in tickets)
    for ticket in tickets:
        assert len(notes_of_waking(await all_messages(store, ticket.id))) == 1
    kinds = [(e.kind, e.ticket_id) for e in await events_since(store, since)]
    assert sorted(kinds) == sorted((EventKind.TICKET_WOKE, t.id) for t in tickets)


async def test_an_export_keeps_a_snooze_and_an_import_brings_it_back(store: Store, clock: Clock) -> None:
    until = BASE + 30 * timedelta(days=1)
    report = await import_records(
        store,
        [
            replace(ticket_record("t-1", status=Status.PENDING), snoozed_until=until),
            replace(ticket_record("t-2", status=Status.SOLVED), snoozed_until=until),
        ],
    )
    assert report.imported == 2
    assert [w.line for w in report.warnings] == [2]
    assert "snoozed_until" in report.warnings[0].message
    pending, solved = sorted(await all_tickets(store, "status:pending,solved"), key=lambda t: t.ref or "")
    assert (pending.status, pending.snoozed_until) == (Status.PENDING, until)
    assert solved.snoozed_until is None
    exported = {record.ref: record async for record in store.export_tickets()}
    assert exported["t-1"].snoozed_until == until
    assert exported["t-2"].snoozed_until is None


async def test_the_waker_wakes_them_on_a_store_file_and_leaves_them_to_a_server(
    store: Store, clock: Clock, ana: Agent
) -> None:
    ticket = await snoozed_ticket(store, ana)
    since = await store.last_event_id()
    clock.set(BASE + 3 * HOUR)
    waking = asyncio.create_task(keep_waking(store, every=0.01, clock=clock))
    if not wakes_here(store):
        await asyncio.wait_for(waking, EVENT_TIMEOUT_S)  # the server wakes them: nothing to do
        assert (await store.get_ticket(ticket.id)).status is Status.PENDING
        return
    try:
        [event] = await take_events(store, since, 1)
    finally:
        waking.cancel()
    assert (event.kind, event.ticket_id) == (EventKind.TICKET_WOKE, ticket.id)
    assert (await store.get_ticket(ticket.id)).status is Status.OPEN
    assert len(notes_of_waking(await all_messages(store, ticket.id))) == 1


class Unsteady:
    """A local store that cannot be written the first two times it is asked to wake."""

    def __init__(self) -> None:
        self.asked = 0
        self.woke = asyncio.Event()

    async def take_lease(self, channel: str, holder: str, seconds: float) -> bool:
        return True

    async def wake_snoozed(self, now: Any = None) -> list[Ticket]:
        self.asked += 1
        if self.asked <= 2:
            raise StoreUnwritable("the disk is full")
        self.woke.set()
        return []


async def test_the_waker_goes_on_after_a_store_error(caplog: pytest.LogCaptureFixture) -> None:
    store = Unsteady()
    waking = asyncio.create_task(keep_waking(store, every=0.01))  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(store.woke.wait(), EVENT_TIMEOUT_S)
    finally:
        waking.cancel()
    assert "the disk is full" in caplog.text

"""Live updates: every change is an event, in order, seen by every store on the same data."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from cs_tui.domain.models import (
    Agent,
    CannedResponse,
    Csat,
    Event,
    EventKind,
    NewMessage,
    Priority,
    Status,
    Ticket,
    TicketChanges,
)
from cs_tui.store import Store

from .helpers import (
    EVENT_TIMEOUT_S,
    at,
    customer_writes,
    import_records,
    open_ticket,
    take_events,
    ticket_record,
)


@dataclass(frozen=True, slots=True)
class Scene:
    store: Store
    ana: Agent
    ticket: Ticket
    canned: CannedResponse

    async def change(self, changes: TicketChanges) -> None:
        current = await self.store.get_ticket(self.ticket.id)
        await self.store.update_ticket(
            self.ticket.id, changes, expected_version=current.version, actor_id=self.ana.id
        )

    async def send(self, *, internal: bool = False) -> None:
        new = NewMessage(str(uuid.uuid4()), "Baik, kami cek.", internal=internal)
        await self.store.add_message(self.ticket.id, new, actor_id=self.ana.id)


@pytest.fixture
async def scene(store: Store) -> Scene:
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    ticket = await open_ticket(store)
    canned = await store.save_canned(CannedResponse(None, "Salam", "Halo!"), actor_id=ana.id)
    return Scene(store, ana, ticket, canned)


async def _create(s: Scene) -> None:
    await open_ticket(s.store, "Tiket baru")


async def _import(s: Scene) -> None:
    await import_records(s.store, [ticket_record("imp-1"), ticket_record("imp-2")])


async def _rate(s: Scene) -> None:
    await s.store.rate_ticket(s.ticket.id, Csat(5, at()))


async def _save_canned(s: Scene) -> None:
    await s.store.save_canned(CannedResponse(None, "Terima kasih", "Sama-sama"), actor_id=s.ana.id)


async def _edit_canned(s: Scene) -> None:
    await s.store.save_canned(CannedResponse(s.canned.id, "Salam", "Halo lagi!"), actor_id=s.ana.id)


async def _delete_canned(s: Scene) -> None:
    assert s.canned.id is not None
    await s.store.delete_canned(s.canned.id, actor_id=s.ana.id)


async def _create_agent(s: Scene) -> None:
    await s.store.create_agent("Rudi Hartono", "rudi@tokoku.example")


async def _customer(s: Scene) -> None:
    await customer_writes(s.store, s.ticket.id)


# name: (write, kinds of the events it makes, whether they name the scene's ticket)
WRITES: dict[str, tuple[Callable[[Scene], Awaitable[None]], list[EventKind], bool]] = {
    "create ticket": (_create, [EventKind.TICKET_CREATED], False),
    "reply": (lambda s: s.send(), [EventKind.MESSAGE_ADDED], True),
    "note": (lambda s: s.send(internal=True), [EventKind.MESSAGE_ADDED], True),
    "customer message": (_customer, [EventKind.MESSAGE_ADDED], True),
    "status": (lambda s: s.change(TicketChanges(status=Status.PENDING)), [EventKind.TICKET_UPDATED], True),
    "priority": (
        lambda s: s.change(TicketChanges(priority=Priority.URGENT)),
        [EventKind.TICKET_UPDATED],
        True,
    ),
    "assign": (lambda s: s.change(TicketChanges(assignee_id=s.ana.id)), [EventKind.TICKET_UPDATED], True),
    "tags": (lambda s: s.change(TicketChanges(add_tags=("vip",))), [EventKind.TICKET_UPDATED], True),
    "rate": (_rate, [EventKind.TICKET_UPDATED], True),
    "import": (_import, [EventKind.TICKET_IMPORTED, EventKind.TICKET_IMPORTED], False),
    "save canned": (_save_canned, [EventKind.CANNED_CHANGED], False),
    "edit canned": (_edit_canned, [EventKind.CANNED_CHANGED], False),
    "delete canned": (_delete_canned, [EventKind.CANNED_CHANGED], False),
    "create agent": (_create_agent, [EventKind.AGENT_CHANGED], False),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_every_change_is_an_event(scene: Scene, name: str) -> None:
    write, kinds, names_ticket = WRITES[name]
    store = scene.store
    before = await store.last_event_id()

    await write(scene)

    events = await take_events(store, before, len(kinds))
    assert [e.kind for e in events] == kinds
    assert await store.last_event_id() == events[-1].id, "one change, one event"
    if names_ticket:
        assert {e.ticket_id for e in events} == {scene.ticket.id}
    if kinds[0] in (EventKind.TICKET_CREATED, EventKind.TICKET_IMPORTED):
        tickets = [await store.get_ticket(e.ticket_id) for e in events if e.ticket_id is not None]
        assert len(tickets) == len(kinds)


async def test_an_event_names_who_made_the_change(scene: Scene) -> None:
    before = await scene.store.last_event_id()
    await scene.change(TicketChanges(status=Status.PENDING))
    [event] = await take_events(scene.store, before, 1)
    assert event.actor_id == scene.ana.id
    assert event.ticket_id == scene.ticket.id


async def test_events_replay_in_order_from_any_point(store: Store) -> None:
    ticket = await open_ticket(store)
    for n in range(5):
        await customer_writes(store, ticket.id, f"pesan {n}")
    last = await store.last_event_id()

    everything = await take_events(store, 0, 6)
    ids = [e.id for e in everything]
    assert ids == sorted(set(ids))
    assert ids[-1] == last
    assert [e.kind for e in everything] == [EventKind.TICKET_CREATED] + [EventKind.MESSAGE_ADDED] * 5

    later = await take_events(store, ids[2], 3)
    assert later == everything[3:]


async def test_a_write_in_one_store_reaches_another_store_live(store: Store, second_store: Store) -> None:
    ticket = await open_ticket(store)
    since = await second_store.last_event_id()
    stream = second_store.events(since)
    waiting = asyncio.ensure_future(anext(stream))
    try:
        await asyncio.sleep(0.2)
        assert not waiting.done(), "an event came although nothing was written"

        message = await customer_writes(store, ticket.id, "Halo dari proses lain")
        event = await asyncio.wait_for(waiting, EVENT_TIMEOUT_S)
    finally:
        waiting.cancel()
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    assert (event.kind, event.ticket_id) == (EventKind.MESSAGE_ADDED, ticket.id)
    assert event.id > since
    thread = (await second_store.get_messages(ticket.id)).messages
    assert thread[-1].id == message.id


async def test_a_live_stream_never_misses_or_repeats_an_event(store: Store, second_store: Store) -> None:
    ticket = await open_ticket(store)
    since = await second_store.last_event_id()

    async def write_burst() -> int:
        for n in range(30):
            if n % 3 == 0:
                await open_ticket(store, f"Tiket {n}")
            else:
                await customer_writes(store, ticket.id, f"pesan {n}")
            if n % 7 == 0:
                await asyncio.sleep(0.05)  # let the watcher catch up and go back to waiting
        return await store.last_event_id()

    async def watch() -> list[Event]:
        seen: list[Event] = []
        stream = second_store.events(since)
        try:
            async for event in stream:
                seen.append(event)
                if len(seen) == 30:
                    return seen
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()
        return seen

    watcher = asyncio.ensure_future(asyncio.wait_for(watch(), EVENT_TIMEOUT_S))
    last = await write_burst()
    seen = await watcher

    assert seen == await take_events(store, since, 30)
    assert seen[-1].id == last
    assert len({e.id for e in seen}) == 30

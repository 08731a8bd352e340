"""Presence: which agents are on which ticket, viewing or replying, as their sessions say."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_tui.domain.models import Activity, Agent, EventKind, Presence
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store
from cs_tui.store.base import NotFound

from .helpers import open_ticket, take_events

RECENTLY = timedelta(seconds=30)


@pytest.fixture
async def agents(store: Store) -> tuple[Agent, Agent]:
    return (
        await store.create_agent("Ana Wijaya", "ana@tokoku.example"),
        await store.create_agent("Rudi Hartono", "rudi@tokoku.example"),
    )


def where(presence: list[Presence]) -> set[tuple[str, str, int, str]]:
    return {(p.session, p.agent.email, p.ticket_id, p.activity.value) for p in presence}


async def test_sessions_show_who_is_on_which_ticket(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, rudi = agents
    first, second = await open_ticket(store), await open_ticket(store, "Refund", email="budi@example.com")
    await store.set_presence("ana-1", ana.id, first.id)
    await store.set_presence("rudi-1", rudi.id, first.id, Activity.REPLYING)
    await store.set_presence("ana-2", ana.id, second.id)
    assert where(await store.presence(utcnow() - RECENTLY)) == {
        ("ana-1", "ana@tokoku.example", first.id, "viewing"),
        ("rudi-1", "rudi@tokoku.example", first.id, "replying"),
        ("ana-2", "ana@tokoku.example", second.id, "viewing"),
    }


async def test_moving_and_leaving_replace_what_a_session_said(
    store: Store, agents: tuple[Agent, Agent]
) -> None:
    ana, _ = agents
    first, second = await open_ticket(store), await open_ticket(store, "Refund", email="budi@example.com")
    await store.set_presence("ana-1", ana.id, first.id)
    await store.set_presence("ana-1", ana.id, second.id, Activity.REPLYING)
    assert where(await store.presence(utcnow() - RECENTLY)) == {
        ("ana-1", "ana@tokoku.example", second.id, "replying")
    }
    await store.set_presence("ana-1", ana.id, None)
    assert await store.presence(utcnow() - RECENTLY) == []


async def test_a_session_that_stops_renewing_drops_out(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, rudi = agents
    ticket = await open_ticket(store)
    await store.set_presence("ana-1", ana.id, ticket.id)
    after_ana = utcnow()
    await store.set_presence("rudi-1", rudi.id, ticket.id)
    # Ana's process died after its last renewal; Rudi's renews.
    assert {p.session for p in await store.presence(after_ana)} == {"rudi-1"}
    seen = next(p.seen_at for p in await store.presence(utcnow() - RECENTLY) if p.session == "ana-1")
    assert seen <= after_ana


async def test_a_change_is_an_event_and_a_renewal_is_not(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    ticket = await open_ticket(store)
    since = await store.last_event_id()
    await store.set_presence("ana-1", ana.id, ticket.id)
    await store.set_presence("ana-1", ana.id, ticket.id)  # a renewal
    await store.set_presence("ana-1", ana.id, ticket.id, Activity.REPLYING)
    await store.set_presence("ana-1", ana.id, None)
    events = await take_events(store, since, 3)
    assert [(e.kind, e.ticket_id, e.actor_id) for e in events] == [
        (EventKind.PRESENCE_CHANGED, ticket.id, ana.id)
    ] * 3
    assert await store.last_event_id() == events[-1].id


async def test_presence_on_a_missing_ticket_is_not_found(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    with pytest.raises(NotFound):
        await store.set_presence("ana-1", ana.id, 999)

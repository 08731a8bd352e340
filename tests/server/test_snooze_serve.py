"""`cs-tui serve` wakes snoozed tickets by itself: a ticket whose time came while no
server ran opens again as the server starts, once, though two server processes
both wake tickets at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.models import AuthorKind, EventKind, NewTicket, Status, TicketChanges
from cs_tui.domain.snooze import WOKE_NOTE
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store, open_store
from cs_tui.store.sqlite import store as sqlite_store_module

from .conftest import Server

WAIT_S = 20.0


async def snooze_until_an_hour_ago(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A ticket snoozed two hours ago until an hour ago; its number."""
    now = utcnow()
    monkeypatch.setattr(sqlite_store_module, "utcnow", lambda: now - timedelta(hours=2))
    store = await open_store(str(path))
    try:
        ticket = await store.create_ticket(
            NewTicket("Resi belum ada", "budi@example.com", "Halo, resinya mana?"), actor_id=None
        )
        changes = TicketChanges(snoozed_until=now - timedelta(hours=1))
        snoozed = await store.update_ticket(
            ticket.id, changes, expected_version=ticket.version, actor_id=None
        )
        assert snoozed.status is Status.PENDING
        return snoozed.id
    finally:
        await store.close()
        monkeypatch.undo()


async def woke_events(store: Store, ticket_id: int) -> list[int]:
    """The tickets of the woke events, from the first event on, once the ticket's has
    come and every event written by then is read."""
    woke: list[int] = []
    last: int | None = None
    async for event in store.events(0):
        if event.kind is EventKind.TICKET_WOKE:
            woke.append(event.ticket_id or 0)
            if event.ticket_id == ticket_id:
                last = await store.last_event_id()
        if last is not None and event.id >= last:
            break
    return woke


async def seen_through_the_server(url: str, token: str, ticket_id: int) -> tuple[Status, int, list[int]]:
    """Once the ticket woke: its status, its notes of waking, and the woke events."""
    store = await open_store(url, token=token)
    try:
        woke = await asyncio.wait_for(woke_events(store, ticket_id), WAIT_S)
        ticket = await store.get_ticket(ticket_id)
        messages = (await store.get_messages(ticket_id)).messages
        notes = [m for m in messages if m.author_kind is AuthorKind.SYSTEM and m.body == WOKE_NOTE]
        return ticket.status, len(notes), woke
    finally:
        await store.close()


def test_the_server_wakes_a_ticket_whose_time_came_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = Server(tmp_path, workers=2)
    ticket_id = asyncio.run(snooze_until_an_hour_ago(served.store, monkeypatch))
    token = served.token("Ana Wijaya", "ana@tokoku.example", "admin")
    served.start()
    try:
        status, notes, woke = asyncio.run(seen_through_the_server(served.url, token, ticket_id))
    finally:
        served.kill()
    assert (status, notes, woke) == (Status.OPEN, 1, [ticket_id])

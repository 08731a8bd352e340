"""Several `cs-tui serve` processes on different ports against one PostgreSQL, as on
separate machines behind a reverse proxy: an agent on one hears what is written on
another, a node killed loses nothing, and its channels move to a node still up."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from cs_tui.domain.channels import LEASE_S
from cs_tui.domain.models import Event, NewMessage
from cs_tui.store import open_store
from cs_tui.store.http import HttpStore
from tests.server.conftest import Server
from tests.server.test_team import collect, wait_for

pytestmark = pytest.mark.slow  # real servers started and killed

TAKEN_OVER_WITHIN_S = 30.0
"""A dead node's channels are worked by another within this long."""


def node(place: Path, url: str) -> Server:
    served = Server(place)
    served.env["CS_TUI_STORE"] = url
    return served


@pytest.fixture
def nodes(pg_url: str, tmp_path: Path) -> Iterator[list[Server]]:
    """Two nodes on one database, each started with a place of its own."""
    with ExitStack() as stack:
        started = []
        for number in (1, 2):
            (tmp_path / f"node{number}").mkdir()
            served = node(tmp_path / f"node{number}", pg_url)
            if number == 1:
                served.cli("demo", "--no-open", "--tickets", "20")
            served.start()
            stack.callback(served.kill)
            started.append(served)
        yield started


async def test_a_reply_on_one_node_reaches_an_agent_on_another(nodes: list[Server]) -> None:
    first, second = nodes
    budi = await open_store(first.url, token=first.token("Budi", "budi@toko.example"))
    sari = await open_store(second.url, token=second.token("Sari", "sari@toko.example"))
    assert isinstance(budi, HttpStore)
    assert isinstance(sari, HttpStore)
    heard: list[Event] = []
    listening = asyncio.create_task(collect(sari, await sari.last_event_id(), heard))
    try:
        await asyncio.sleep(0.2)
        ticket = (await budi.list_tickets()).tickets[0]
        reply = await budi.add_message(
            ticket.id, NewMessage(str(uuid.uuid4()), "Halo, pesanan sudah dikirim"), actor_id=budi.agent.id
        )
        await wait_for(heard, 1)
        assert (heard[0].kind, heard[0].ticket_id, heard[0].actor_id) == (
            "message.added",
            ticket.id,
            budi.agent.id,
        )
        shown = await sari.get_messages(ticket.id)
        assert shown.messages[-1].id == reply.id
        assert shown.messages[-1].body == "Halo, pesanan sudah dikirim"
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await budi.close()
        await sari.close()


async def test_a_node_killed_loses_no_reply_and_doubles_none(nodes: list[Server]) -> None:
    first, second = nodes
    token = first.token("Budi", "budi@toko.example")
    on_first = await open_store(first.url, token=token)
    on_second = await open_store(second.url, token=token)
    assert isinstance(on_first, HttpStore)
    assert isinstance(on_second, HttpStore)
    try:
        ticket = (await on_first.list_tickets()).tickets[0]
        replies = [NewMessage(str(uuid.uuid4()), f"Balasan {n}") for n in range(6)]
        for reply in replies[:3]:
            await on_first.add_message(ticket.id, reply, actor_id=on_first.agent.id)
        first.kill()
        # The agent's client sends again, through the node still up, what it may not
        # have heard back about (the last reply), and goes on.
        for reply in replies[2:]:
            await on_second.add_message(ticket.id, reply, actor_id=on_second.agent.id)
        bodies = [m.body for m in (await on_second.get_messages(ticket.id)).messages]
        assert [body for body in bodies if body.startswith("Balasan ")] == [r.body for r in replies]
    finally:
        await on_first.close()
        await on_second.close()


async def test_a_dead_nodes_channel_is_taken_over_by_another(pg_url: str, tmp_path: Path) -> None:
    places = [tmp_path / "node1", tmp_path / "node2"]
    for place in places:
        place.mkdir()
    first, second = node(places[0], pg_url), node(places[1], pg_url)
    first.cli("channel", "add", "chat", "web", "--origin", "https://toko.example")
    store = await open_store(pg_url)
    try:
        first.start()
        holder = await _holder(store, lambda found: found is not None)
        second.start()
        first.kill()
        killed = time.monotonic()
        taken = await _holder(store, lambda found: found not in (None, holder))
        assert time.monotonic() - killed < TAKEN_OVER_WITHIN_S
        assert taken != holder
    finally:
        first.kill()
        second.kill()
        await store.close()


async def _holder(store: object, wanted: object) -> str | None:
    """The chat's lease holder once `wanted(holder)`, looking for LEASE_S * 3."""
    deadline = time.monotonic() + LEASE_S * 3
    while True:
        found = await store.lease_holder("web")  # type: ignore[attr-defined]
        if wanted(found):  # type: ignore[operator]
            return found  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"the chat's lease stayed with {found}"
        await asyncio.sleep(0.2)

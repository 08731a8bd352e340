"""Nothing lost, nothing doubled when `cs-tui serve` goes away: the outbox keeps what
could not be sent, across a restart of cs-tui, and sends each thing once."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cs_tui.config import Config
from cs_tui.domain.models import NewMessage, Status
from cs_tui.store import Store, StoreUnavailable, open_store
from cs_tui.store.http import HttpStore
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.outbox import Outbox
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.key_hints import KeyHints
from cs_tui.tui.widgets.queue import QueueTable

from .conftest import Server

WAIT_S = 15.0


async def until(condition: object, pilot: Pilot[None] | None = None, within: float = WAIT_S) -> None:
    """Wait for `condition()` to hold, as a user waits for the screen to change."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "it did not happen in time"
        if pilot is not None:
            await pilot.pause(0.1)
        else:
            await asyncio.sleep(0.1)


def app_on(store: HttpStore, outbox: Outbox, place: Path) -> HelpdeskApp:
    config = Config(undo_seconds=0, path=place / "config.toml")
    return HelpdeskApp(store, store.agent, config, outbox=outbox)


async def signed_in(server: Server) -> HttpStore:
    """cs-tui's store as Dewi, an agent of the demo shop, signed in to the server."""
    store = await open_store(server.url, token=server.token("Dewi Lestari", "dewi@toko.example"))
    assert isinstance(store, HttpStore)
    return store


async def every_open_ticket(pilot: Pilot[None]) -> None:
    await pilot.press("3")
    await until(lambda: bool(pilot.app.screen.query_one(QueueTable).rows), pilot)


async def bodies(store: Store, ticket_id: int) -> list[str]:
    return [m.body for m in (await store.get_messages(ticket_id, limit=500)).messages]


async def test_a_reply_sent_offline_waits_survives_a_restart_and_goes_out_once(
    server: Server, tmp_path: Path
) -> None:
    token = server.token("Dewi Lestari", "dewi@toko.example")
    outbox_file = tmp_path / "outbox.jsonl"
    store = await open_store(server.url, token=token)
    assert isinstance(store, HttpStore)
    app = app_on(store, Outbox(outbox_file), tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")  # every open ticket
        await until(lambda: bool(app.screen.query_one(QueueTable).rows), pilot)
        await pilot.press("enter")
        await pilot.pause(0.5)
        ticket_id = app.screen.query_one(QueueTable).rows[0].id
        await pilot.press("r", *"Paket dikirim ulang hari ini.")
        await asyncio.to_thread(server.kill)
        await pilot.press("ctrl+s")
        await until(lambda: len(app.services.outbox) == 1, pilot)
        hints = app.screen.query_one(KeyHints)
        await until(lambda: "offline, 1 waiting" in hints.hints(160).plain, pilot)
        assert not app.screen.query_one(Composer).is_open
    await store.close()
    assert outbox_file.exists()

    await asyncio.to_thread(server.start)
    store = await open_store(server.url, token=token)
    assert isinstance(store, HttpStore)
    outbox = Outbox(outbox_file)
    assert len(outbox) == 1  # read back from the file after the restart
    app = app_on(store, outbox, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(lambda: len(app.services.outbox) == 0, pilot)
        await until(lambda: "offline" not in app.screen.query_one(KeyHints).hints(160).plain, pilot)
        assert (await bodies(store, ticket_id)).count("Paket dikirim ulang hari ini.") == 1
        assert await store.get_draft(store.agent.id, ticket_id) is None
    assert not outbox_file.exists()
    await store.close()


async def test_a_change_made_offline_is_made_when_the_server_is_back(server: Server, tmp_path: Path) -> None:
    store = await signed_in(server)
    app = app_on(store, Outbox(tmp_path / "outbox.jsonl"), tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await every_open_ticket(pilot)
        ticket = app.screen.query_one(QueueTable).rows[0]
        await asyncio.to_thread(server.kill)
        await pilot.press("s")
        await pilot.pause(0.3)
        await pilot.press("s")  # "solved" in the picker
        await until(lambda: len(app.services.outbox) == 1, pilot)
        await asyncio.to_thread(server.start)
        await until(lambda: len(app.services.outbox) == 0, pilot)
        said = [str(n.message) for n in app._notifications]
    assert (await store.get_ticket(ticket.id)).status is Status.SOLVED, said
    await store.close()


@pytest.mark.parametrize("attempt", range(4))
async def test_a_reply_whose_server_is_killed_mid_send_is_stored_once(server: Server, attempt: int) -> None:
    token = server.token("Dewi Lestari", "dewi@toko.example")
    store = await open_store(server.url, token=token)
    assert isinstance(store, HttpStore)
    me = store.agent.id
    ticket_id = (await store.list_tickets(limit=1)).tickets[0].id
    new = NewMessage(str(uuid.uuid4()), f"Balasan nomor {attempt}")
    sending = asyncio.create_task(store.add_message(ticket_id, new, actor_id=me))
    await asyncio.sleep(random.Random(attempt).uniform(0, 0.02))
    await asyncio.to_thread(server.kill)
    await asyncio.to_thread(server.start)
    with contextlib.suppress(StoreUnavailable):  # gave up while the server was down:
        await sending  # the outbox sends it again, as below
    await store.add_message(ticket_id, new, actor_id=me)
    assert (await bodies(store, ticket_id)).count(new.body) == 1
    await store.close()


async def test_a_reply_the_server_refuses_stays_in_the_composer_with_the_reason(
    server: Server, tmp_path: Path
) -> None:
    store = await signed_in(server)
    app = app_on(store, Outbox(tmp_path / "outbox.jsonl"), tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await every_open_ticket(pilot)
        await pilot.press("enter")
        await pilot.pause(0.5)
        await pilot.press("r", *"jawaban penting")
        await asyncio.to_thread(server.cli, "agent", "revoke", "dewi@toko.example")
        await pilot.press("ctrl+s")
        said = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await until(lambda: any("cs-tui agent" in line for line in said()), pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        assert composer.text == "jawaban penting"
        assert len(app.services.outbox) == 0
    await store.close()

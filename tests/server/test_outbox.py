"""Nothing lost, nothing doubled when `cs-tui serve` goes away, as the agent sees it:
the TUI's store keeps what could not be sent in its outbox, across a restart of
cs-tui, says so in the key line, and sends each thing once."""

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
from cs_tui.store.outbox import Outbox, OutboxStore
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.screens.pickers import ChoiceScreen
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.key_hints import KeyHints
from cs_tui.tui.widgets.queue import QueueTable
from cs_tui.tui.widgets.ticket_pane import TicketPane
from tests.tui.helpers import notices

from .conftest import Server

pytestmark = pytest.mark.slow  # real servers stopped, killed and started again

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


def app_on(store: OutboxStore, place: Path) -> HelpdeskApp:
    config = Config(undo_seconds=0, path=place / "config.toml")
    return HelpdeskApp(store, store.agent, config)


async def signed_in(server: Server, outbox: Path, token: str | None = None) -> OutboxStore:
    """cs-tui's store as Dewi, an agent of the demo shop, signed in to the server, with
    its outbox in the file `outbox`, as `cs-tui` opens it."""
    token = token or server.token("Dewi Lestari", "dewi@toko.example")
    inner = await open_store(server.url, token=token)
    assert isinstance(inner, HttpStore)
    return await OutboxStore.open(inner, Outbox(outbox, inner.agent.id), retry_s=0.5)


def key_line(app: HelpdeskApp) -> str:
    return app.screen.query_one(KeyHints).hints(160).plain


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
    store = await signed_in(server, outbox_file, token)
    app = app_on(store, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await every_open_ticket(pilot)
        await pilot.press("enter")
        ticket_id = app.screen.query_one(QueueTable).rows[0].id
        await until(lambda: app.screen.query_one(TicketPane).ticket is not None, pilot)
        await pilot.press("r", *"Paket dikirim ulang hari ini.")
        await asyncio.to_thread(server.kill)
        await pilot.press("ctrl+s")
        await until(lambda: "offline, 1 waiting" in key_line(app), pilot)
        assert not app.screen.query_one(Composer).is_open
        assert any("waits in the outbox" in text for text in notices(app))
    await store.close()
    assert outbox_file.exists()

    await asyncio.to_thread(server.start)
    store = await signed_in(server, outbox_file, token)  # cs-tui started again
    app = app_on(store, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await until(lambda: any("went out" in text for text in notices(app)), pilot)
        await until(lambda: "offline" not in key_line(app), pilot)
        assert (await bodies(store, ticket_id)).count("Paket dikirim ulang hari ini.") == 1
        assert await store.get_draft(store.agent.id, ticket_id) is None
    assert not outbox_file.exists()
    await store.close()


async def test_a_change_made_offline_is_made_when_the_server_is_back(server: Server, tmp_path: Path) -> None:
    store = await signed_in(server, tmp_path / "outbox.jsonl")
    app = app_on(store, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await every_open_ticket(pilot)
        ticket = app.screen.query_one(QueueTable).rows[0]
        await asyncio.to_thread(server.kill)
        await pilot.press("s")
        await until(lambda: isinstance(app.screen, ChoiceScreen), pilot)
        await pilot.press("s")  # "solved" in the picker
        await until(lambda: "offline, 1 waiting" in key_line(app), pilot)
        await asyncio.to_thread(server.start)
        await until(lambda: any("went out" in text for text in notices(app)), pilot)
        assert "offline" not in key_line(app)
    assert (await store.get_ticket(ticket.id)).status is Status.SOLVED
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
    store = await signed_in(server, tmp_path / "outbox.jsonl")
    app = app_on(store, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await every_open_ticket(pilot)
        await pilot.press("enter")
        await until(lambda: app.screen.query_one(TicketPane).ticket is not None, pilot)
        await pilot.press("r", *"jawaban penting")
        await asyncio.to_thread(server.cli, "agent", "revoke", "dewi@toko.example")
        await pilot.press("ctrl+s")
        await until(lambda: any("cs-tui agent" in text for text in notices(app)), pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        assert composer.text == "jawaban penting"
        assert "waiting" not in key_line(app)
    assert store.latest.waiting == 0
    await store.close()

"""The undo window: a sent reply waits a few seconds, during which `u` takes it back."""

from __future__ import annotations

from pathlib import Path

from cs_tui.config import Config
from cs_tui.store import Store
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.key_hints import KeyHints

from .helpers import AppFactory
from .test_ticket import open_first


def window(tmp_path: Path, seconds: float) -> Config:
    return Config(undo_seconds=seconds, path=tmp_path / "config" / "config.toml")


async def messages(store: Store, ticket_id: int) -> list[str]:
    return [m.body for m in (await store.get_messages(ticket_id, limit=200)).messages]


async def test_a_reply_waits_out_its_window_then_goes(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 0.6))
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r", *"Sudah kami kirim ulang", "ctrl+s")
        await pilot.pause(0.2)
        assert "Sudah kami kirim ulang" not in await messages(store, ticket_id)
        assert any("goes out in" in str(n.message) for n in app._notifications)
        await pilot.pause(0.8)
        assert (await messages(store, ticket_id))[-1] == "Sudah kami kirim ulang"
        assert await store.get_draft(app.services.agent.id, ticket_id) is None


async def test_u_takes_a_reply_back_into_the_composer(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 5))
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r", *"Salah kirim", "ctrl+s")
        await pilot.pause(0.2)
        composer = app.screen.query_one(Composer)
        assert not composer.is_open
        await pilot.press("u")
        await pilot.pause(0.2)
        assert composer.is_open
        assert composer.text == "Salah kirim"
        assert "Salah kirim" not in await messages(store, ticket_id)
        draft = await store.get_draft(app.services.agent.id, ticket_id)
        assert draft is not None
        assert draft.body == "Salah kirim"


async def test_quitting_sends_what_waits_in_its_window(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 30))
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("n", *"Dicek gudang", "ctrl+s")
        await pilot.pause(0.2)
        assert "Dicek gudang" not in await messages(store, ticket_id)
        await app.action_quit()
    assert (await messages(store, ticket_id))[-1] == "Dicek gudang"


async def test_u_with_nothing_waiting_changes_nothing(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 5))
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        before = await messages(store, ticket_id)
        await pilot.press("u")
        await pilot.pause(0.1)
        assert not app.screen.query_one(Composer).is_open
        assert await messages(store, ticket_id) == before


async def test_a_reply_waiting_when_the_process_dies_is_kept_unsent(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 30))
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r", *"Paket dikirim besok", "ctrl+s")
        await pilot.pause(0.2)
        app.exit()  # as if killed: nothing gets to run its quitting
    assert "Paket dikirim besok" not in await messages(store, ticket_id)
    draft = await store.get_draft(app.services.agent.id, ticket_id)
    assert draft is not None
    assert draft.body == "Paket dikirim besok"


async def test_the_key_hints_offer_undo_only_while_a_message_waits(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 0.6))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first(pilot)
        hints = app.screen.query_one(KeyHints)
        assert "Undo send" not in str(hints.content)
        await pilot.press("r", *"Sebentar", "ctrl+s")
        await pilot.pause(0.2)
        assert "Undo send" in str(hints.content)
        await pilot.pause(0.8)
        assert "Undo send" not in str(hints.content)

"""The undo window: a sent reply waits a few seconds, during which `u` takes it back."""

from __future__ import annotations

from pathlib import Path

from cs_tui.config import Config
from cs_tui.store import Store
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.key_hints import KeyHints

from .helpers import AppFactory, notices, open_first, paste, settled, until


def window(tmp_path: Path, seconds: float) -> Config:
    return Config(undo_seconds=seconds, path=tmp_path / "config" / "config.toml")


async def messages(store: Store, ticket_id: int) -> list[str]:
    return [m.body for m in (await store.get_messages(ticket_id, limit=200)).messages]


async def test_a_reply_waits_out_its_window_then_goes(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 0.6))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Sudah kami kirim ulang")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("goes out in" in n for n in notices(app)))
        assert "Sudah kami kirim ulang" not in await messages(store, ticket_id)
        await until(pilot, lambda: any("Reply sent" in n for n in notices(app)))
        assert (await messages(store, ticket_id))[-1] == "Sudah kami kirim ulang"
        assert await store.get_draft(app.services.agent.id, ticket_id) is None


async def test_u_takes_a_reply_back_into_the_composer(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 5))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Salah kirim")
        await pilot.press("ctrl+s")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: not composer.is_open)
        await pilot.press("u")
        await until(pilot, lambda: composer.is_open)
        await settled(pilot)
        assert composer.text == "Salah kirim"
        assert "Salah kirim" not in await messages(store, ticket_id)
        draft = await store.get_draft(app.services.agent.id, ticket_id)
        assert draft is not None
        assert draft.body == "Salah kirim"


async def test_quitting_sends_what_waits_in_its_window(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 30))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("n")
        await paste(pilot, "Dicek gudang")
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: any("Note is added in 30 s" in n for n in notices(app))
        )  # a note goes nowhere
        assert not any("goes out" in n for n in notices(app))
        assert "Dicek gudang" not in await messages(store, ticket_id)
        await app.action_quit()
    assert (await messages(store, ticket_id))[-1] == "Dicek gudang"


async def test_u_with_nothing_waiting_changes_nothing(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 5))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        before = await messages(store, ticket_id)
        await pilot.press("u")
        await settled(pilot)
        assert not app.screen.query_one(Composer).is_open
        assert await messages(store, ticket_id) == before


async def test_a_reply_waiting_when_the_process_dies_is_kept_unsent(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 30))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Paket dikirim besok")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("goes out in" in n for n in notices(app)))
        app.exit()  # as if killed: nothing gets to run its quitting
    assert "Paket dikirim besok" not in await messages(store, ticket_id)
    draft = await store.get_draft(app.services.agent.id, ticket_id)
    assert draft is not None
    assert draft.body == "Paket dikirim besok"


async def test_the_key_hints_offer_undo_only_while_a_message_waits(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(window(tmp_path, 0.6))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await open_first(pilot)
        hints = app.screen.query_one(KeyHints)
        assert "Undo send" not in str(hints.content)
        await pilot.press("r")
        await paste(pilot, "Sebentar")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Undo send" in str(hints.content))
        await until(pilot, lambda: "Undo send" not in str(hints.content))  # the window is over

"""Faults the agent meets in the TUI: a store that cannot be written or vanishes while
they work, a search past what the parser takes, a search the store fails. The agent
is told at once, in words, and nothing they wrote is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cs_tui.config import Config
from cs_tui.domain import limits
from cs_tui.domain.models import Agent, Draft, DraftKind, NewTicket
from cs_tui.domain.query import Query
from cs_tui.store import Store, StoreUnavailable, open_store
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.kept import KeptTexts
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.queue import QueueTable

from ..faults import read_only, store_files
from .helpers import AppFactory, clock, notices, open_first, paste, settled, until


def app_on(store: Store, agent: Agent, place: Path, *, live: bool = False) -> HelpdeskApp:
    config = Config(undo_seconds=10, path=place / "config" / "config.toml")
    return HelpdeskApp(store, agent, config, clock=clock, live=live, kept=KeptTexts(place / "kept"))


def said(app: HelpdeskApp, words: str) -> bool:
    return any(words in notice for notice in notices(app))


async def test_a_read_only_store_is_said_at_once_and_the_text_is_kept(
    store: Store, store_path: Path, agent: Agent, tmp_path: Path
) -> None:
    await store.close()
    kept = KeptTexts(tmp_path / "kept")
    with read_only(*store_files(store_path)):
        unwritable = await open_store(str(store_path))
        try:
            app = app_on(unwritable, agent, tmp_path)
            async with app.run_test(size=(160, 48), notifications=True) as pilot:
                ticket_id = await open_first(pilot)
                await pilot.press("r")
                await paste(pilot, "Halo Kak, pesanan sudah kami kirim.")
                # Said at once: the ticket's read mark, the first write, cannot be stored.
                await until(pilot, lambda: said(app, "read-only for you"))
                # The draft it tries to save while the agent types goes to a file instead.
                await until(pilot, lambda: kept.get(ticket_id) is not None)
                assert kept.get(ticket_id) == (DraftKind.REPLY, "Halo Kak, pesanan sudah kami kirim.")

                await pilot.press("ctrl+s")  # said now, not after the 10 s undo window
                composer = app.screen.query_one(Composer)
                await until(pilot, lambda: said(app, "until the store can take it"))
                assert composer.is_open
                assert composer.text == "Halo Kak, pesanan sudah kami kirim."
                assert not said(app, "goes out in")
        finally:
            await unwritable.close()

    # Writable again, a new session finds the text in the composer and stores it.
    again = await open_store(str(store_path))
    try:
        app = app_on(again, agent, tmp_path)
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            assert said(app, f"What you wrote on #{ticket_id} is kept")
            assert await open_first(pilot) == ticket_id
            assert app.screen.query_one(Composer).text == "Halo Kak, pesanan sudah kami kirim."
            await settled(pilot)
            draft = await again.get_draft(agent.id, ticket_id)
            assert draft is not None
            assert draft.body == "Halo Kak, pesanan sudah kami kirim."
            assert kept.get(ticket_id) is None
    finally:
        await again.close()


async def test_a_store_deleted_while_the_tui_runs_is_said_and_the_reply_kept(
    store: Store, store_path: Path, agent: Agent, tmp_path: Path
) -> None:
    app = app_on(store, agent, tmp_path, live=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Baik, kami cek dulu.")
        await settled(pilot)
        for file in store_files(store_path):
            file.unlink(missing_ok=True)  # an admin's mistaken rm

        # Said without a write, by the live updates every screen follows.
        await until(pilot, lambda: said(app, "is gone"))
        await pilot.press("ctrl+s")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: said(app, "until the store can take it"))
        assert composer.is_open
        assert composer.text == "Baik, kami cek dulu."
        assert KeptTexts(tmp_path / "kept").get(ticket_id) == (DraftKind.REPLY, "Baik, kami cek dulu.")
        assert not said(app, "Reply sent")


async def test_r_on_a_ticket_opened_with_its_draft_goes_on_writing(
    make_app: AppFactory, store: Store, agent: Agent
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        ticket = app.screen.query_one(QueueTable).rows[0]
        await store.save_draft(Draft(agent.id, ticket.id, "Halo Kak,", DraftKind.REPLY))
        await pilot.press("enter")
        await settled(pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open  # the draft shows
        assert said(app, "r to go on writing")
        await pilot.press("r", *" ditunggu ya")
        assert composer.text == "Halo Kak, ditunggu ya"


async def test_a_search_past_the_term_limit_says_so_and_the_queue_stays(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        before = [t.id for t in queue.rows]
        await pilot.press("slash", "ctrl+u")
        await paste(pilot, " ".join(f"k{n}" for n in range(100)))
        error = app.screen.query_one("#search-error")
        await until(pilot, lambda: error.display)
        assert "at most 64 terms" in str(error.render())
        await settled(pilot)
        assert [t.id for t in queue.rows] == before


async def test_a_search_the_store_fails_shows_no_other_search_s_tickets(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = store.list_tickets

    async def fails_on_paket(query: Query | None, **options: Any) -> Any:
        if query is not None and any(word.text == "paket" for word in query.words):
            raise StoreUnavailable("the team server is away")
        return await listed(query, **options)

    monkeypatch.setattr(store, "list_tickets", fails_on_paket)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        assert queue.rows
        await pilot.press("slash", "ctrl+u", *"paket")
        await until(pilot, lambda: said(app, "the team server is away"))
        await settled(pilot)
        assert queue.rows == []
        assert str(app.screen.query_one("#queue-pane").border_subtitle).startswith("0 of 0")


def test_kept_texts_are_their_owner_s_alone(tmp_path: Path) -> None:
    kept = KeptTexts(tmp_path / "kept")
    path = kept.keep(7, DraftKind.NOTE, "catatan\nbaris dua")
    assert path.stat().st_mode & 0o777 == 0o600
    assert kept.get(7) == (DraftKind.NOTE, "catatan\nbaris dua")
    assert kept.tickets() == [7]
    kept.forget(7)
    assert kept.get(7) is None


async def test_a_new_ticket_with_the_longest_subject_is_announced_in_a_line(
    make_app: AppFactory, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settled(pilot)
        subject = "Komplain" + "x" * (limits.SUBJECT_CHARS - 8)
        made = await other_store.create_ticket(NewTicket(subject, "budi@example.com", "Halo"), actor_id=None)
        await until(pilot, lambda: said(app, f"#{made.id} Komplain"))
        [notice] = [n for n in notices(app) if f"#{made.id}" in n]
        assert "…" in notice
        assert len(notice) < 200

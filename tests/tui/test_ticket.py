"""The open ticket: changes with conflicts, the composer, drafts and sending."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cs_tui.demo import DEMO_AGENTS
from cs_tui.domain.models import (
    AuthorKind,
    Draft,
    DraftKind,
    MessageKind,
    NewMessage,
    NewTicket,
    Priority,
    Status,
    TicketChanges,
)
from cs_tui.store.base import Store
from cs_tui.tui.screens.pickers import AskScreen
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, open_first, paste, settled, shown, until


async def last_message(store: Store, ticket_id: int) -> str:
    return (await store.get_messages(ticket_id)).messages[-1].body


async def store_says(read: Awaitable[str], expected: str) -> bool:
    return await read == expected


async def draft_says(read: Awaitable[Draft | None], expected: str) -> bool:
    draft = await read
    return draft is not None and draft.body == expected


async def test_reply_is_sent_and_stored(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await pilot.pause()
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        assert "Reply to" in shown(composer.query_one("#composer-title"))
        await pilot.press(*"Sudah kami proses, Kak.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not composer.is_open)
        await settled(pilot)
        page = await store.get_messages(ticket_id)
        last = page.messages[-1]
        assert last.body == "Sudah kami proses, Kak."
        assert last.kind is MessageKind.REPLY
        assert last.agent_id == app.services.agent.id
        assert not composer.is_open
        assert await store.get_draft(app.services.agent.id, ticket_id) is None


async def test_a_note_looks_different_and_stays_internal(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("n")
        await pilot.pause()
        composer = app.screen.query_one(Composer)
        assert composer.has_class("-note")
        assert "Internal note" in shown(composer.query_one("#composer-title"))
        await paste(pilot, "cek mutasi dulu")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not composer.is_open)
        await settled(pilot)
        last = (await store.get_messages(ticket_id)).messages[-1]
        assert last.kind is MessageKind.NOTE


async def test_the_draft_is_saved_while_typing_and_comes_back(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Halo, sebentar ya")
        me = app.services.agent.id
        await until(pilot, lambda: store.get_draft(me, ticket_id))  # half a second after the last key
        draft = await store.get_draft(me, ticket_id)
        assert draft is not None
        assert draft.body == "Halo, sebentar ya"
        assert draft.kind is DraftKind.REPLY
    # A new process (after a crash or a dropped SSH session) finds the text again,
    # and does not write it back as if it had been typed.
    again = make_app()
    async with again.run_test(size=(160, 48)) as pilot:
        await open_first(pilot)
        composer = again.screen.query_one(Composer)
        assert composer.is_open
        assert composer.text == "Halo, sebentar ya"
        assert not composer.has_unsaved_typing
        await settled(pilot)
        assert await store.get_draft(app.services.agent.id, ticket_id) == draft


def first_save_late(store: Store, seconds: float) -> list[str]:
    """The store takes the first draft saved only after `seconds`, as over a slow link
    where a later request overtakes it; the bodies it has taken, in order."""
    real, taken = store.save_draft, []
    calls = 0

    async def save(draft: Draft) -> Draft:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(seconds)
        saved = await real(draft)
        taken.append(draft.body)
        return saved

    store.save_draft = save  # type: ignore[method-assign]
    return taken


async def typed_past_a_save(pilot: Pilot[Any]) -> int:
    """On the first ticket: "Halo" written, its draft's save on its way, then ", Budi!"."""
    ticket_id = await open_first(pilot)
    await pilot.press("r")
    await paste(pilot, "Halo")
    composer = main_screen(pilot.app).query_one(Composer)
    await until(pilot, lambda: not composer.has_unsaved_typing)
    await paste(pilot, ", Budi!")
    return ticket_id


async def test_a_draft_saved_late_never_lands_over_the_text_typed_after_it(
    make_app: AppFactory, store: Store
) -> None:
    taken = first_save_late(store, 1.0)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await typed_past_a_save(pilot)
        await until(pilot, lambda: len(taken) == 2)
        await settled(pilot)
        draft = await store.get_draft(app.services.agent.id, ticket_id)
    assert draft is not None
    assert draft.body == "Halo, Budi!"


async def test_a_reply_sent_while_a_draft_is_on_its_way_leaves_no_draft_behind(
    make_app: AppFactory, store: Store
) -> None:
    taken = first_save_late(store, 1.0)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await typed_past_a_save(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: store_says(last_message(store, ticket_id), "Halo, Budi!"))
        await until(pilot, lambda: len(taken) == 2)
        await settled(pilot)
        draft = await store.get_draft(app.services.agent.id, ticket_id)
    assert draft is None  # not the text already sent, back as a draft


async def test_escape_leaves_the_composer_and_keeps_the_text(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("n", *"catatan", "escape")
        composer = app.screen.query_one(Composer)
        assert not composer.is_open
        await settled(pilot)  # leaving writes the draft at once
        draft = await store.get_draft(app.services.agent.id, ticket_id)
        assert draft is not None
        assert (draft.body, draft.kind) == ("catatan", DraftKind.NOTE)
        await pilot.press("n")
        assert composer.text == "catatan"


async def test_a_message_that_arrived_while_typing_is_shown_before_sending(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    app = make_app(live=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Sudah dikirim")
        await other_store.add_message(
            ticket_id, NewMessage("customer-late", "Eh, alamatnya salah!", AuthorKind.CUSTOMER), actor_id=None
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        assert isinstance(app.screen, AskScreen)
        assert "alamatnya salah" in str(app.screen.body)
        await pilot.press("right", "enter")  # Edit
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.area.has_focus)
        bodies = [m.body for m in (await store.get_messages(ticket_id)).messages]
        assert "Sudah dikirim" not in bodies
        assert "Eh, alamatnya salah!" in bodies
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not composer.is_open)
        await until(pilot, lambda: store_says(last_message(store, ticket_id), "Sudah dikirim"))


async def test_status_priority_and_assign_change_the_ticket(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        header = main_screen(app).ticket_pane.header
        await pilot.press("s", "p")  # status: pending
        await until(pilot, lambda: "pending" in shown(header))
        await pilot.press("p", "u")  # priority: urgent
        await until(pilot, lambda: "urgent" in shown(header))
        before = await store.get_ticket(ticket_id)
        await pilot.press("a")
        if before.assignee is not None and before.assignee.id != app.services.agent.id:
            await until(pilot, lambda: isinstance(app.screen, AskScreen))  # a colleague's: asked
            await pilot.press("enter")
        await until(pilot, lambda: app.services.agent.name in shown(header))
        await pilot.press("t", *"vip -refund", "enter")
        await until(pilot, lambda: "vip" in shown(header))
        await settled(pilot)
        ticket = await store.get_ticket(ticket_id)
        assert ticket.status is Status.PENDING
        assert ticket.priority is Priority.URGENT
        assert ticket.assignee is not None
        assert ticket.assignee.id == app.services.agent.id
        assert "vip" in ticket.tags
        assert "refund" not in ticket.tags
        assert "pending" in shown(main_screen(app).ticket_pane.header)


async def test_a_stale_change_is_a_conflict_that_says_what_changed(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    app = make_app(live=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        seen = await store.get_ticket(ticket_id)
        await other_store.update_ticket(
            ticket_id, TicketChanges(status=Status.ON_HOLD), expected_version=seen.version, actor_id=None
        )
        await pilot.press("s", "s")  # solved, on the version this agent saw
        await until(pilot, lambda: any("Nothing was changed" in n for n in notices(app)))
        ticket = await store.get_ticket(ticket_id)
        assert ticket.status is Status.ON_HOLD
        assert any("on hold" in n and "Nothing was changed" in n for n in notices(app))
        assert "on hold" in shown(main_screen(app).ticket_pane.header)


async def test_a_long_thread_loads_earlier_messages_when_scrolled_to_the_top(
    make_app: AppFactory, store: Store
) -> None:
    agent = await store.find_agent("andi@tokonusantara.example")
    assert agent is not None
    ticket = await store.create_ticket(
        NewTicket("Long thread", "budi@example.com", "message 0", customer_name="Budi"), actor_id=None
    )
    for n in range(1, 130):
        kind = AuthorKind.CUSTOMER if n % 2 else AuthorKind.AGENT
        await store.add_message(
            ticket.id,
            NewMessage(f"long-{n}", f"message {n}", kind),
            actor_id=agent.id if n % 2 == 0 else None,
        )
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == ticket.id)
        await pilot.press("enter")
        await settled(pilot)
        conversation = main_screen(app).ticket_pane.conversation
        assert conversation.messages[-1].body == "message 129"
        assert conversation.messages[0].body == "message 80"
        for _ in range(3):  # each time at the top, the next 50 earlier ones load
            conversation.scroll_home(animate=False)
            await settled(pilot)
        assert conversation.messages[0].body == "message 0"
        assert len(conversation.messages) == 130


async def test_ctrl_e_hands_the_text_to_the_editor_and_takes_it_back(
    make_app: AppFactory, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "%s\\n-- Sari" "$(cat "$1")" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Halo Kak")
        await pilot.press("ctrl+e")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.text == "Halo Kak\n-- Sari")
        me = app.services.agent.id
        await until(pilot, lambda: draft_says(store.get_draft(me, ticket_id), "Halo Kak\n-- Sari"))


async def test_a_change_to_the_ticket_while_typing_is_shown_before_sending(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    app = make_app(live=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("r")
        await paste(pilot, "Kami proses hari ini")
        rudi = await other_store.find_agent(DEMO_AGENTS[1].email)
        assert rudi is not None
        seen = await other_store.get_ticket(ticket_id)
        priority = Priority.URGENT if seen.priority is not Priority.URGENT else Priority.LOW
        await other_store.update_ticket(
            ticket_id,
            TicketChanges(status=Status.SOLVED, priority=priority),
            expected_version=seen.version,
            actor_id=rudi.id,
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        assert isinstance(app.screen, AskScreen)
        shown_body = str(app.screen.body)
        assert "→ solved" in shown_body
        assert f"priority {seen.priority.value} → {priority.value}" in shown_body
        await pilot.press("enter")  # Send anyway
        await until(pilot, lambda: store_says(last_message(store, ticket_id), "Kami proses hari ini"))


async def test_a_change_seen_before_writing_is_not_asked_about(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        seen = await other_store.get_ticket(ticket_id)
        await other_store.update_ticket(
            ticket_id, TicketChanges(status=Status.PENDING), expected_version=seen.version, actor_id=None
        )
        header = main_screen(app).ticket_pane.header
        await until(pilot, lambda: "pending" in shown(header))  # the live update shows it
        await pilot.press("r")
        await paste(pilot, "Sudah kami cek")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: store_says(last_message(store, ticket_id), "Sudah kami cek"))
        assert not isinstance(app.screen, AskScreen)

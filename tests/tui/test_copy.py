"""Copying (yanking) from the keyboard: `y` opens a chooser of what can be copied, a
second key copies it to the clipboard by OSC 52, cleaned of anything a terminal would
act on, and a notice says what was copied."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from cs_tui.config import Config
from cs_tui.domain.models import NewTicket
from cs_tui.domain.text import sanitize
from cs_tui.store.base import Store
from cs_tui.tui.clipboard import MOST_BYTES
from cs_tui.tui.screens.copy import CopyScreen
from cs_tui.tui.screens.main import MainScreen
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, open_first, screen_text, settled, until
from .terminal_output import OSC_52, listen

HOSTILE = (
    "Halo\x1b]0;PWNED\x07 kak\x07, \x1b]52;c;aGVsbG8=\x07cek\x1b[2J dulu \x9d2;judul\x9c"
    "ya\x1bPtmux;\x1b\x1b]2;x\x07\x1b\\ selesai\r\nbaris dua"
)
"""A message that would retitle the terminal, fill its clipboard and clear its screen."""
POINTER_SHAPE = re.compile(r"\x1b\]22;[a-z-]+\x07")
UNSAFE = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


@pytest.fixture
def hostile_bodies(store_path: Path) -> None:
    """Every message in the store as something other than cs-tui may have written it."""
    db = sqlite3.connect(store_path)
    try:
        with db:
            db.execute("UPDATE messages SET body = ? || body", (HOSTILE,))
    finally:
        db.close()


async def test_y_then_n_copies_the_ticket_number(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        ticket = await store.get_ticket(ticket_id)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, CopyScreen))
        chooser = screen_text(app)
        assert "Copy to the clipboard" in chooser
        assert f"number   #{ticket_id}" in chooser
        assert f"address  {ticket.customer.email}" in chooser
        assert "message" in chooser
        assert terminal.clipboard() == []  # nothing yet
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen)
        assert terminal.clipboard() == [f"#{ticket_id}"]
        assert app.clipboard == f"#{ticket_id}"
        assert f"Copied #{ticket_id}" in notices(app)


async def test_from_the_queue_the_number_and_the_address_of_the_highlighted_ticket(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("j")
        highlighted = app.screen.query_one(QueueTable).current
        assert highlighted is not None
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, CopyScreen))
        assert "message" not in screen_text(app)  # no thread open: no message to copy
        await pilot.press("a")
        assert terminal.clipboard() == [highlighted.customer.email]
        assert f"Copied {highlighted.customer.email}" in notices(app)
        await pilot.press("y", "number_sign")
        assert terminal.clipboard()[-1] == f"#{highlighted.id}"
        await pilot.press("y", "m")  # no thread open: said, nothing copied
        assert isinstance(app.screen, MainScreen)
        assert any("No message to copy here" in notice for notice in notices(app))
        assert len(terminal.clipboard()) == 2


async def test_y_y_copies_the_marked_message_whole(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        messages = (await store.get_messages(ticket_id)).messages
        assert len(messages) >= 2
        await pilot.press("y", "y")
        assert app.clipboard == messages[-1].body.strip("\n")  # the newest, marked on opening
        await pilot.press("k", "y", "m")
        assert app.clipboard == messages[-2].body.strip("\n")
        author = messages[-2].author_name
        assert any(f"Copied {author}'s message" in notice for notice in notices(app))


@pytest.mark.usefixtures("hostile_bodies")
async def test_a_message_with_escape_sequences_is_copied_as_its_characters(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        body = (await store.get_messages(ticket_id)).messages[-1].body
        assert "\x1b]0;PWNED\x07" in body
        terminal.clear()
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, CopyScreen))
        await pilot.press("m")
        # One sequence went out, the clipboard's, and it is whole: nothing the message
        # held became a sequence of its own (a title, a second clipboard, a passthrough).
        assert len(OSC_52.findall(terminal.text)) == 1
        rest = POINTER_SHAPE.sub("", OSC_52.sub("", terminal.text))  # Textual's own, on a new screen
        assert "\x1b]" not in rest
        assert "\x1bP" not in rest
        assert "\x07" not in rest
        assert "\x9d" not in rest
        [copied] = terminal.clipboard()
        assert copied == sanitize(body).strip("\n")
        assert copied.startswith("Halo kak, cek dulu yatmux; selesai\nbaris dua")
        assert "PWNED" not in copied
        assert not [char for char in copied if char in UNSAFE]


async def test_any_other_key_closes_the_chooser_and_does_nothing_else(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        for key in ("x", "q", "escape"):
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, CopyScreen))
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, MainScreen))
            assert app.is_running  # q closed the chooser; it did not quit
        assert terminal.clipboard() == []
        assert main_screen(app).ticket_pane.conversation.has_focus


async def test_the_copy_keys_are_the_ones_the_keymap_gives(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    keymap = {"copy": "Y", "copy.number": "i"}
    app = make_app(Config(undo_seconds=0, keymap=keymap))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        assert not [n for n in notices(app) if "keymap" in n]  # the ids are known
        await pilot.press("Y")
        await until(pilot, lambda: isinstance(app.screen, CopyScreen))
        assert re.search(rf"│ i +number +#{ticket_id} ", screen_text(app))
        await pilot.press("i")
        assert terminal.clipboard() == [f"#{ticket_id}"]


async def test_a_message_longer_than_a_terminal_takes_is_copied_up_to_there(
    make_app: AppFactory, store: Store
) -> None:
    body = "".join(f"baris {n:06d} kiriman tertahan di gudang\n" for n in range(3000))
    assert len(body.encode()) > MOST_BYTES
    made = await store.create_ticket(NewTicket("Log", "budi@example.com", body), actor_id=None)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == made.id)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("y", "m")
        assert body.startswith(app.clipboard)
        assert MOST_BYTES - 4 < len(app.clipboard.encode()) <= MOST_BYTES
        assert any("as much as a terminal takes at once" in notice for notice in notices(app))


async def test_in_the_composer_y_is_a_letter(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first(pilot)
        await pilot.press("r", *"ya, ym")
        composer = main_screen(app).ticket_pane.composer
        assert composer.text == "ya, ym"
        assert isinstance(app.screen, MainScreen)
        assert terminal.clipboard() == []

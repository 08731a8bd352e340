"""Moving in the open ticket's thread from the keyboard: `j` `k` a message at a time,
`g` `G` the first and last, `ctrl+d` `ctrl+u` half a page; the marked message shows
a bar beside it while the thread has the focus."""

from __future__ import annotations

import uuid

import pytest
from textual.pilot import Pilot

from cs_tui.config import Config
from cs_tui.domain.models import AuthorKind, NewMessage, NewTicket
from cs_tui.store.base import Store
from cs_tui.tui.screens.help import HelpScreen
from cs_tui.tui.screens.reader import Reader
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, screen_text, settled, until

SIZES = [(80, 24), (200, 50)]
SIZE_IDS = ["80x24", "200x50"]
MESSAGES = 12


def body(number: int) -> str:
    """Every third message is eight lines long, so that the thread is taller than the screen."""
    lines = [f"Pesan {number:02d} dari Budi"]
    if number % 3 == 0:
        lines += [f"baris {line} pesan {number:02d}" for line in range(2, 9)]
    return "\n".join(lines)


async def long_thread(store: Store, *, count: int = MESSAGES, text: object = body) -> int:
    """A ticket whose customer wrote `count` messages; its id."""
    assert callable(text)
    new = NewTicket("Paket belum sampai", "budi@example.com", str(text(1)), customer_name="Budi")
    ticket = await store.create_ticket(new, actor_id=None)
    for number in range(2, count + 1):
        message = NewMessage(uuid.uuid4().hex, str(text(number)), AuthorKind.CUSTOMER)
        await store.add_message(ticket.id, message, actor_id=None)
    return ticket.id


async def open_ticket(pilot: Pilot[None], ticket_id: int) -> None:
    """Open the ticket from the All open view, as the agent would: cursor on it, enter."""
    await pilot.press("3")
    await settled(pilot)
    queue = pilot.app.screen.query_one(QueueTable)
    queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == ticket_id)
    await pilot.press("enter")
    await settled(pilot)
    assert main_screen(pilot.app).ticket_pane.conversation.has_focus


def marked_lines(pilot: Pilot[None]) -> list[str]:
    """The lines on the screen beside the bar (the mark's colour in the thread's margin)
    that marks a message."""
    app = pilot.app
    conversation = main_screen(app).ticket_pane.conversation
    region = conversation.content_region
    bar = conversation.get_component_rich_style("conversation--mark").bgcolor
    assert bar is not None
    lines = screen_text(app).splitlines()
    return [
        lines[y]
        for y in range(region.y, region.bottom)
        if app.screen.get_style_at(region.x, y).bgcolor == bar
    ]


def marked(pilot: Pilot[None]) -> str:
    """The first line of the marked message on the screen (its author line, or the first
    of its lines in view)."""
    lines = marked_lines(pilot)
    assert lines, "no message is marked on the screen"
    return lines[0]


def marked_text(pilot: Pilot[None]) -> str:
    return "\n".join(marked_lines(pilot))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_j_and_k_move_the_mark_a_message_at_a_time(
    make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    ticket_id = await long_thread(store)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_ticket(pilot, ticket_id)
        assert "Pesan 12 dari Budi" in marked_text(pilot)  # the newest, to begin with
        await pilot.press("k")
        assert "Pesan 11 dari Budi" in marked_text(pilot)
        assert "Pesan 12" not in marked_text(pilot)
        await pilot.press(*"kkkkk")
        assert "Pesan 06 dari Budi" in marked_text(pilot)
        assert "baris 8 pesan 06" in marked_text(pilot)  # all of it, on the screen
        await pilot.press("j")
        assert "Pesan 07 dari Budi" in marked_text(pilot)
        await pilot.press("g")
        assert "Pesan 01 dari Budi" in marked_text(pilot)
        await pilot.press("k")  # at the first: it stays
        assert "Pesan 01 dari Budi" in marked_text(pilot)
        await pilot.press("G")
        assert "Pesan 12 dari Budi" in marked_text(pilot)
        assert "baris 8 pesan 12" in screen_text(app)
        await pilot.press("j")  # at the last: it stays
        assert "Pesan 12 dari Budi" in marked_text(pilot)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_half_a_page_scrolls_and_takes_the_mark_along(
    make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    ticket_id = await long_thread(store, count=30)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_ticket(pilot, ticket_id)
        conversation = main_screen(app).ticket_pane.conversation
        half = conversation.scrollable_content_region.height // 2
        bottom = conversation.scroll_offset.y
        await pilot.press("ctrl+u")
        assert conversation.scroll_offset.y == bottom - half
        await pilot.press("ctrl+u", "ctrl+u")
        assert conversation.scroll_offset.y == bottom - 3 * half
        # The newest message went out of view: the mark is on one the agent sees.
        assert "Pesan 30" not in screen_text(app)
        assert marked_lines(pilot)
        before = marked_text(pilot)
        await pilot.press("ctrl+d")
        assert conversation.scroll_offset.y == bottom - 2 * half
        assert marked_lines(pilot)
        await pilot.press("ctrl+d", "ctrl+d")
        assert conversation.scroll_offset.y == bottom
        await pilot.press("ctrl+d")  # at the end: the mark goes to the last message
        assert "Pesan 30 dari Budi" in marked_text(pilot)
        assert "Pesan 30" not in before


async def test_the_arrows_scroll_a_line_and_the_mark_stays_in_view(
    make_app: AppFactory, store: Store
) -> None:
    ticket_id = await long_thread(store, count=30)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, ticket_id)
        conversation = main_screen(app).ticket_pane.conversation
        bottom = conversation.scroll_offset.y
        await pilot.press("up")
        assert conversation.scroll_offset.y == bottom - 1  # a line, as before
        await pilot.press(*["up"] * 30)
        assert marked_lines(pilot)
        assert "Pesan 30" not in screen_text(app)


async def test_the_mark_shows_while_the_thread_has_the_focus(make_app: AppFactory, store: Store) -> None:
    ticket_id = await long_thread(store)
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await open_ticket(pilot, ticket_id)
        assert marked_lines(pilot)
        queue = app.screen.query_one(QueueTable)
        row = queue.cursor_row
        await pilot.press("k")  # the thread's key, not the queue's
        assert queue.cursor_row == row
        await pilot.press("escape")  # to the queue: the ticket stays in sight, unmarked
        await settled(pilot)
        assert queue.has_focus
        assert "Pesan 12 dari Budi" in screen_text(app)
        assert not marked_lines(pilot)
        await pilot.press("j")
        assert queue.cursor_row == row + 1  # the queue's j, as before


async def test_the_show_all_key_shows_the_marked_message(make_app: AppFactory, store: Store) -> None:
    def long_body(number: int) -> str:
        return "\n".join(f"pesan {number} baris {line}" for line in range(400))

    ticket_id = await long_thread(store, count=3, text=long_body)
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await open_ticket(pilot, ticket_id)
        await pilot.press("k", "f")
        await until(pilot, lambda: isinstance(app.screen, Reader))
        await settled(pilot)
        assert "pesan 2 baris 0" in screen_text(app)
        assert "pesan 3" not in screen_text(app)


async def test_the_thread_keys_are_the_ones_the_keymap_gives(
    make_app: AppFactory, store: Store, tmp_path: object
) -> None:
    ticket_id = await long_thread(store)
    keymap = {"conversation.up": "w", "conversation.top": "ctrl+home"}
    app = make_app(Config(undo_seconds=0, keymap=keymap))
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await open_ticket(pilot, ticket_id)
        assert not [n for n in notices(app) if "keymap" in n]  # the ids are known
        await pilot.press("k")
        assert "Pesan 12 dari Budi" in marked_text(pilot)
        await pilot.press("w")
        assert "Pesan 11 dari Budi" in marked_text(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()  # at 200 columns, in the keys' second column
        keys = screen_text(app)
        assert "conversation.up" in keys
        assert "conversation.half_down" in keys

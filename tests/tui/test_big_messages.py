"""Big customer text: a message of a megabyte or a subject of ten thousand characters
leaves the screen answering keys and the ticket usable; the whole text is one key away."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from cs_tui.config import Config
from cs_tui.domain.limits import BODY_CHARS
from cs_tui.domain.models import NewTicket
from cs_tui.store.base import Store
from cs_tui.tui.screens.help import HelpScreen
from cs_tui.tui.screens.reader import Reader
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.long_text import text_rows, wrap_rows
from cs_tui.tui.widgets.queue import QueueTable
from cs_tui.tui.widgets.ticket_header import SHOW_ALL

from .helpers import AppFactory, main_screen, screen_text, settled, until

SIZES = [(80, 24), (200, 50)]
SIZE_IDS = ["80x24", "200x50"]


def one_long_line() -> str:
    """A million characters and not one newline: a pasted log, a base64 blob."""
    start, end = "AWAL-PESAN kata ", " AKHIR-PESAN"
    filler = "lorem ipsum dolor sit amet " * (BODY_CHARS // 27 + 1)
    return start + filler[: BODY_CHARS - len(start) - len(end)] + end


def short_lines() -> str:
    """A megabyte of short lines."""
    lines, size = ["AWAL-PESAN"], 11
    while size < BODY_CHARS - 40:
        lines.append(f"{len(lines):06d} GET /api/orders 200 12ms")
        size += len(lines[-1]) + 1
    lines.append("AKHIR-PESAN")
    return "\n".join(lines)


async def new_ticket(store: Store, body: str, subject: str = "Log dari aplikasi") -> int:
    new = NewTicket(subject, "budi@example.com", body, customer_name="Budi")
    return (await store.create_ticket(new, actor_id=None)).id


async def highlight(pilot: Pilot[None], ticket_id: int) -> None:
    """The All open view, its cursor on the ticket."""
    await pilot.press("3")
    await settled(pilot)
    queue = pilot.app.screen.query_one(QueueTable)
    queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == ticket_id)
    await pilot.pause()


def shows(pilot: Pilot[None], text: str) -> bool:
    return text in screen_text(pilot.app)


@pytest.mark.parametrize("body", [one_long_line(), short_lines()], ids=["one-long-line", "short-lines"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_megabyte_message_opens_at_once_and_shows_all_on_a_key(
    make_app: AppFactory, store: Store, body: str, size: tuple[int, int]
) -> None:
    assert len(body) >= BODY_CHARS - 40
    ticket_id = await new_ticket(store, body)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await highlight(pilot, ticket_id)
        await pilot.press("enter", "question_mark")  # a key right after opening is acted on
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await settled(pilot)
        conversation = main_screen(app).ticket_pane.conversation
        assert conversation.has_focus
        await until(pilot, lambda: shows(pilot, "press f to show all"))
        assert shows(pilot, " more line") or shows(pilot, " more characters")
        assert shows(pilot, "f Show all")  # in the key hints
        # The thread holds the start of the message, not all of its thousands of rows.
        assert conversation.virtual_size.height < 500
        await pilot.press("home")
        await until(pilot, lambda: shows(pilot, "AWAL-PESAN"))
        assert not shows(pilot, "AKHIR-PESAN")

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, Reader))
        await until(pilot, lambda: shows(pilot, "AWAL-PESAN"))
        assert shows(pilot, "Log dari aplikasi")  # the subject heads the text
        await pilot.press("end")  # at once: the view follows the end as the rest is laid out
        await until(pilot, lambda: shows(pilot, "AKHIR-PESAN"))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Reader))
        assert conversation.has_focus


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_huge_subject_keeps_to_its_rows_and_shows_whole_on_a_key(
    make_app: AppFactory, store: Store, store_path: Path, size: tuple[int, int]
) -> None:
    ticket_id = await new_ticket(store, "Halo, paket saya belum sampai.", subject="Paket")
    # A store written before subjects had a limit: ten thousand characters, no space.
    subject = "PAKET" + "x" * 9_990 + "AKHIR"
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE tickets SET subject = ? WHERE id = ?", (subject, ticket_id))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await highlight(pilot, ticket_id)
        await pilot.press("enter")
        await settled(pilot)
        assert shows(pilot, "Halo, paket saya belum sampai.")  # the message is in sight
        header = main_screen(app).ticket_pane.header
        assert header.size.height <= 6  # two rows of subject, then status, customer
        assert shows(pilot, f"#{ticket_id} PAKETxxx")
        assert shows(pilot, "x… f: whole subject")
        await pilot.press("r")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.area.has_focus)
        assert shows(pilot, "Reply to")  # and so is the composer
        await pilot.press("escape")
        await settled(pilot)

        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, Reader))
        await settled(pilot)
        assert shows(pilot, f"#{ticket_id} PAKETxxx")
        for _ in range(10):
            if shows(pilot, "AKHIR"):
                break
            await pilot.press("pagedown")
            await pilot.pause()
        assert shows(pilot, "AKHIR")
        assert shows(pilot, "Halo, paket saya belum sampai.")  # the message under it
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, Reader))
        # Another width: the subject is cut again to its rows.
        other = SIZES[1 - SIZES.index(size)]
        await pilot.resize_terminal(*other)
        await until(pilot, lambda: shows(pilot, "x… f: whole subject"))
        assert shows(pilot, "Halo, paket saya belum sampai.")
        assert header.size.height <= 6


async def test_a_cut_message_and_its_reader_show_markup_and_escapes_as_characters(
    make_app: AppFactory, store: Store
) -> None:
    body = "[bold red]merah[/] [@click=app.quit]klik[/] \x1b]0;pwned\x07judul\n" + "baris\n" * 400
    ticket_id = await new_ticket(store, body)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, ticket_id)
        await pilot.press("enter")
        await settled(pilot)
        await until(pilot, lambda: shows(pilot, "press f to show all"))
        await pilot.press("home")
        await until(pilot, lambda: shows(pilot, "[bold red]merah[/] [@click=app.quit]klik[/] judul"))
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, Reader))
        await until(pilot, lambda: shows(pilot, "[bold red]merah[/] [@click=app.quit]klik[/] judul"))
        assert not shows(pilot, "pwned")
        assert app.is_running


async def test_the_show_all_key_is_the_one_the_keymap_gives(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    ticket_id = await new_ticket(store, short_lines())
    config = Config(undo_seconds=0, path=tmp_path / "config" / "config.toml", keymap={SHOW_ALL: "v"})
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await highlight(pilot, ticket_id)
        await pilot.press("enter")
        await settled(pilot)
        await until(pilot, lambda: shows(pilot, "press v to show all"))
        assert shows(pilot, "v Show all")
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, Reader)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, Reader))


@pytest.mark.parametrize("width", [1, 2, 7, 40])
def test_rows_fit_the_width_and_lose_no_character(width: int) -> None:
    line = "Halo 👋🏽 Kak, 日本語の テキスト, naïve café " * 50 + "x" * 300
    rows = list(wrap_rows(line, width))
    assert all(cell_len(row) <= max(width, 2) for row in rows)  # a wide character takes 2
    assert "".join(rows).replace(" ", "") == line.replace(" ", "")
    assert all(rows[:-1])  # no row is left empty


def test_a_line_longer_than_a_piece_wraps_as_one_line() -> None:
    line = " ".join(f"kata{n}" for n in range(20_000))  # 189,000 characters
    assert list(text_rows(line, 50)) == list(wrap_rows(line, 50))
    assert list(text_rows(f"a\n{line}\n\nb\n", 50)) == ["a", *wrap_rows(line, 50), "", "b"]

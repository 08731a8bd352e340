"""Without colour: NO_COLOR (or theme = "mono") shows the mono theme, in which every
text on the screen is at least 4.5:1 against its background (WCAG AA), and what
colour says in the other themes is said by bold, reverse and the grey of a block.
Contrast is measured on what the screen draws, after Textual's filters."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.errors import NoWidget
from textual.filter import Monochrome
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widget import Widget

from cs_tui.config import Config, load_config
from cs_tui.domain.channels import DeliveryState, Inbound
from cs_tui.domain.models import NewMessage
from cs_tui.store.base import Store
from cs_tui.store.sqlite import SqliteStore
from cs_tui.tui.themes import MONO, builtin_theme_dir, is_monochrome, load_themes
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, settled, until

AA = 4.5
"""WCAG 2 AA: the least contrast for text of normal size."""
DIM = 0.66
"""How far Textual moves dim text from its background towards its colour."""


# Reading the screen


@dataclass(frozen=True, slots=True)
class Cell:
    x: int
    y: int
    char: str
    style: Style
    widget: Widget

    @property
    def contrast(self) -> float:
        """The WCAG contrast ratio of the character against its background; 0 when the
        terminal's own colours would show (neither the app nor the theme chose them)."""
        colour, background = self.style.color, self.style.bgcolor
        if colour is None or background is None or colour.triplet is None or background.triplet is None:
            return 0.0
        if self.style.dim:  # what is left of it after Textual's filters, the terminal dims
            colour = Color.from_rich_color(background).blend(Color.from_rich_color(colour), DIM).rich_color
        lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
        return (lighter + 0.05) / (darker + 0.05)

    def __str__(self) -> str:
        where = f"{self.x},{self.y} in {type(self.widget).__name__}"
        return f"{self.char!r} at {where}: {self.style} ({self.contrast:.2f}:1)"


def luminance(colour: RichColor) -> float:
    """WCAG relative luminance."""

    def linear(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = colour.get_truecolor()
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def cells(app: App[Any]) -> Iterator[Cell]:
    """Every cell of the screen as the terminal gets it: the widget on top there, the
    character and its style (as Screen.get_style_at finds it)."""
    screen = app.screen
    width, height = app.size
    drawn: dict[tuple[int, int], list[tuple[str, Style]]] = {}
    for y in range(height):
        for x in range(width):
            try:
                widget, region = screen.get_widget_at(x, y)
            except NoWidget:
                continue
            key = (id(widget), y)
            if key not in drawn:
                lines = widget.render_lines(Region(0, y - region.y, region.width, 1))
                row: list[tuple[str, Style]] = []
                for segment in lines[0] if lines else []:
                    for char in segment.text:  # a wide character's second cell is a space
                        row += [(char, segment.style or Style.null())] + [(" ", Style.null())] * (
                            cell_len(char) - 1
                        )
                drawn[key] = row
            row = drawn[key]
            if x - region.x < len(row):
                char, style = row[x - region.x]
                yield Cell(x, y, char, style, widget)


def is_text(cell: Cell) -> bool:
    """A character to read: not a space, a line of a box, a block of a bar or a
    sparkline, nor an emoji (drawn in its own colours); not the screen under a dialog,
    dimmed on purpose."""
    code = ord(cell.char)
    if cell.char.isspace() or 0x2500 <= code <= 0x259F or code >= 0x1F000:
        return False
    return not (isinstance(cell.widget, ModalScreen) and cell.widget is cell.widget.screen)


def too_faint(app: App[Any]) -> list[str]:
    """The texts on the screen below AA, each once by style and widget."""
    found: dict[tuple[Style, str], Cell] = {}
    for cell in cells(app):
        if is_text(cell) and cell.contrast < AA:
            found.setdefault((cell.style, type(cell.widget).__name__), cell)
    return sorted(str(cell) for cell in found.values())


def screen_rows(app: App[Any]) -> list[list[Cell]]:
    rows: dict[int, list[Cell]] = {}
    for cell in cells(app):
        rows.setdefault(cell.y, []).append(cell)
    return [rows[y] for y in sorted(rows)]


def on_screen(app: App[Any], words: str) -> bool:
    return any(words in "".join(cell.char for cell in row) for row in screen_rows(app))


def row_cells(app: App[Any], words: str) -> list[Cell]:
    """The cells showing `words`, in the first screen row that has them."""
    for row in screen_rows(app):
        text = "".join(cell.char for cell in row)
        if words in text:
            start = text.index(words)
            return row[start : start + len(words)]
    raise AssertionError(f"{words!r} is not on the screen")


def lighter_behind(cell: Cell) -> bool:
    """Dark text on a light ground (reverse video, as the terminal draws it)."""
    colour, background = cell.style.color, cell.style.bgcolor
    assert colour is not None
    assert background is not None
    if cell.style.reverse:
        colour, background = background, colour
    return luminance(background) > luminance(colour)


# A ticket with all there is to tell apart


async def ticket_with_a_failed_reply_and_a_note(store: Store) -> int:
    """A mail from Budi, a reply that was sent, one that failed, and an internal note."""
    sqlite = cast(SqliteStore, store)
    await sqlite.add_channel("toko", "email", {"address": "cs@tokoku.example"})
    assert await sqlite.take_lease("toko", "cs-tui serve (the test's)", 600)
    raw = b"Message-ID: <paket@mail.example.com>\r\nSubject: Pesanan\r\n\r\nPaket saya belum sampai."
    mail = Inbound(
        external_id="paket@mail.example.com",
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender="budi@example.com",
        sender_name="Budi Santoso",
        subject="Pesanan belum sampai",
        body="Paket saya belum sampai.",
        raw=raw,
    )
    ticket_id = (await sqlite.take_in("toko", mail, cursor=None)).ticket_id
    sari = await sqlite.ensure_agent("Sari", "sari@tokoku.example")
    for body, state in (
        ("Sudah kami kirim.", DeliveryState.SENT),
        ("Sudah kami kirim ulang.", DeliveryState.FAILED),
    ):
        reply = await sqlite.add_message(ticket_id, NewMessage(str(uuid.uuid4()), body), actor_id=sari.id)
        assert await sqlite.begin_delivery(reply.id, f"cs-tui.{reply.id}@tokoku.example")
        reason = (
            "the server refused budi@example.com (550 no such user)" if state is DeliveryState.FAILED else ""
        )
        await sqlite.finish_delivery(reply.id, state, reason=reason)
    note = NewMessage(str(uuid.uuid4()), "Cek dulu di gudang.", internal=True)
    await sqlite.add_message(ticket_id, note, actor_id=sari.id)
    return ticket_id


async def open_ticket(pilot: Any, ticket_id: int) -> None:
    await pilot.press("3")
    await settled(pilot)
    queue = pilot.app.screen.query_one(QueueTable)
    queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == ticket_id)
    await pilot.press("enter")
    await settled(pilot)


def mono_config(tmp_path: Path) -> Config:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "mono"\n', encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize("chosen_by", ["NO_COLOR", "config"])
async def test_every_text_on_the_screen_is_at_least_4_5_to_1_without_colour(
    make_app: AppFactory, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chosen_by: str
) -> None:
    if chosen_by == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
        app = make_app()
    else:
        app = make_app(mono_config(tmp_path))
    ticket_id = await ticket_with_a_failed_reply_and_a_note(store)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        assert app.theme == MONO
        await open_ticket(pilot, ticket_id)
        await pilot.press("escape", "x", "x", "k", "k")  # two rows marked, the cursor back
        assert len(app.screen.query_one(QueueTable).marked) == 2
        await pilot.press("8")  # no view there: a warning
        app.notify("The store could not be reached.", title="Store", severity="error")
        await pilot.press("r", *"Halo, Kak")
        await until(pilot, lambda: len(app.screen.query("Toast")) >= 2)
        await settled(pilot)
        assert main_screen(app).query_one("#sidebar").display
        assert on_screen(app, "✗ failed")
        assert on_screen(app, "internal note")
        assert too_faint(app) == []

        await pilot.press("ctrl+u", "escape", "n", *"Cek stok")  # the reply dropped, a note's composer
        await until(pilot, lambda: on_screen(app, "only agents see this"))
        assert too_faint(app) == []

        await pilot.press("escape", "c")  # the canned responses, a placeholder in the search
        await until(pilot, lambda: on_screen(app, "type to search canned responses"))
        assert too_faint(app) == []

        await pilot.press("escape", "escape", "question_mark")  # the keys
        await until(pilot, lambda: isinstance(app.screen, ModalScreen))
        assert too_faint(app) == []

        await pilot.press("escape", "ctrl+p", *"theme")  # the command palette
        await until(pilot, lambda: on_screen(app, "Change the current theme"))
        assert too_faint(app) == []


async def test_the_cursor_a_failed_reply_and_a_note_stand_out_without_colour(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    ticket_id = await ticket_with_a_failed_reply_and_a_note(store)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first, second = queue.rows[0].subject[:20], queue.rows[1].subject[:20]
        # The cursor's row: reverse video (dark on light, where the rest is light on
        # dark) and bold.
        assert all(lighter_behind(cell) and cell.style.bold for cell in row_cells(app, first))
        assert not any(lighter_behind(cell) for cell in row_cells(app, second))

        await open_ticket(pilot, ticket_id)
        await until(pilot, lambda: "✗ failed" in "".join(c.char for c in cells(app)))
        failed = row_cells(app, "✗ failed: the server refused")
        sent = row_cells(app, "✓ sent")
        assert all(cell.style.bold for cell in failed if not cell.char.isspace())
        assert not any(cell.style.bold for cell in sent)

        # An internal note: a block of grey behind it, where a reply has the thread's
        # black, and its label not dimmed (and in italics).
        note, reply = row_cells(app, "Cek dulu di gudang."), row_cells(app, "Sudah kami kirim.")
        note_ground = {cell.style.bgcolor for cell in note}
        reply_ground = {cell.style.bgcolor for cell in reply}
        assert len(note_ground) == len(reply_ground) == 1
        assert note_ground != reply_ground
        label, reply_label = row_cells(app, "Sari  internal note")[6:], row_cells(app, "Sari  reply")[6:]
        assert all(cell.style.italic for cell in label)
        assert min(c.contrast for c in label if c.char != " ") > max(c.contrast for c in reply_label)


async def test_a_notice_s_weight_shows_without_colour(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        app.notify("Sent.", title="Balasan")
        app.notify("Check the address.", title="Alamat", severity="warning")
        app.notify("The store could not be reached.", title="Gudang", severity="error")
        await until(pilot, lambda: on_screen(app, "Gudang"))
        said, warned, failed = (row_cells(app, title) for title in ("Balasan", "Alamat", "Gudang"))
        assert not any(cell.style.underline or lighter_behind(cell) for cell in said)
        assert all(cell.style.underline and cell.style.bold for cell in warned)
        assert all(lighter_behind(cell) for cell in failed)


async def test_no_color_chooses_mono_unless_the_config_file_names_a_theme(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app().theme == MONO
    path.write_text('theme = "cs-dark"\n', encoding="utf-8")  # as the default, but chosen
    assert make_app(load_config(path)).theme == "cs-dark"
    path.write_text('theme = "cs-light"\n', encoding="utf-8")
    chosen = make_app(load_config(path))
    assert chosen.theme == "cs-light"
    path.write_text('theme = "no-such-theme"\n', encoding="utf-8")
    assert make_app(load_config(path)).theme == MONO
    monkeypatch.setenv("NO_COLOR", "")  # empty is not set (no-color.org)
    assert make_app().theme == "cs-dark"
    # A theme the user chose in colour is shown in colour: Textual's greying of every
    # theme under NO_COLOR is off.
    assert not any(isinstance(f, Monochrome) for f in chosen.get_line_filters())
    async with chosen.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        grounds = {chosen.screen.get_style_at(x, 1).bgcolor for x in range(100)}
        assert any(c is not None and len(set(c.get_truecolor())) > 1 for c in grounds)


async def test_a_theme_picked_under_no_color_is_kept_for_the_next_start(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "config" / "config.toml"
    app = make_app(load_config(path))
    assert app.theme == MONO
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "cs-dark"  # the default's name, picked from the palette
        await pilot.pause()
    assert make_app(load_config(path)).theme == "cs-dark"


def test_the_mono_theme_is_greys_alone() -> None:
    themes, problems = load_themes([builtin_theme_dir()])
    assert problems == []
    mono = next(theme for theme in themes if theme.name == MONO)
    assert is_monochrome(mono)
    assert not any(is_monochrome(theme) for theme in themes if theme.name != MONO)

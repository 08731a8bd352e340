"""Text of any length, whole, in a view that lays it out a little at a time: its
first rows show at once and keys are answered while the rest is laid out.

Drawn line by line (ScrollView + render_line) from rows of plain text, each in the
look of the part it belongs to; customer text is never read as markup.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from textual import work
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cs_tui.domain.text import sanitize_line
from cs_tui.tui.widgets.long_text import text_rows, wrap_rows

STEP_S = 0.004
"""How long one step of the layout may keep the app from answering keys."""
SHOW_EVERY_S = 0.1
"""How often the scroll bar follows the layout while it goes on."""


@dataclass(frozen=True, slots=True)
class Part:
    """A run of text in one look."""

    text: str
    """As the store has it: sanitised here as it is laid out."""
    look: str = "body"
    """"title", "meta", "body" or "quoted" (a mail's quoted history)."""
    one_line: bool = False
    """Folded to one line first (a subject, an author's name)."""


class FullText(ScrollView, can_focus=True):
    """Parts of text one after another, wrapped to the width."""

    COMPONENT_CLASSES = {"full-text--title", "full-text--meta", "full-text--quoted"}

    DEFAULT_CSS = """
    FullText { overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1; padding: 0 1; }
    FullText > .full-text--title { text-style: bold; }
    FullText > .full-text--meta { color: $text-muted; }
    FullText > .full-text--quoted { color: $text-muted; }
    """

    def __init__(self, parts: Sequence[Part], *, keys: str = "", id: str | None = None) -> None:
        """`keys`: what the keys do, on the bottom border (in the app's own words)."""
        super().__init__(id=id)
        self.parts = tuple(parts)
        self.keys = keys
        self.rows: list[str] = []
        """The rows laid out so far, at the width they were laid out for."""
        self.laid_out = False
        """Every row is there: the scroll bar is the whole text's."""
        self._part_starts: list[int] = []
        self._width = 0
        self._to_end = False
        """The agent asked for the end while the layout goes on: the view follows it."""

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._width:
            self._width = width
            self._lay_out(width)

    @work(exclusive=True, group="full-text", exit_on_error=False)
    async def _lay_out(self, width: int) -> None:
        """Rows a step at a time, each step short enough for the app to answer keys
        between them: a 15 MB message takes a second or so, and shows at once."""
        rows: list[str] = []
        starts: list[int] = []
        top = self.scroll_y / max(len(self.rows), 1)  # a new width keeps the place, roughly
        self.rows, self._part_starts, self.laid_out = rows, starts, False
        total = sum(len(part.text) + 1 for part in self.parts)
        done = 0
        step_ends = shown_at = time.perf_counter()
        for part in self.parts:
            starts.append(len(rows))
            for row in self._rows_of(part, width):
                rows.append(row)
                done += len(row) + 1
                if len(rows) % 64 or (now := time.perf_counter()) < step_ends + STEP_S:
                    continue
                if now > shown_at + SHOW_EVERY_S:
                    shown_at = now
                    self._show_rows(width, f"{min(done * 100 // total, 99)}% laid out · {self.keys}")
                await asyncio.sleep(0)
                step_ends = time.perf_counter()
        self.laid_out = True
        self._show_rows(width, self.keys)
        if top and not self._to_end:
            self.scroll_to(y=round(top * len(rows)), animate=False, force=True)

    @staticmethod
    def _rows_of(part: Part, width: int) -> Iterator[str]:
        if part.one_line:
            return wrap_rows(sanitize_line(part.text), width)
        return text_rows(part.text, width)

    def _show_rows(self, width: int, subtitle: str) -> None:
        self.virtual_size = Size(width, len(self.rows))
        self.border_subtitle = subtitle
        if self._to_end:  # forced: the scroll bar that allows it comes only with the next layout
            self.scroll_end(animate=False, immediate=True, force=True)
        self.refresh()

    def action_scroll_end(self) -> None:
        self._to_end = True
        self.scroll_end(animate=False, immediate=True, force=True)

    # The agent going back up: the view stays where they are.

    def action_scroll_up(self) -> None:
        self._to_end = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._to_end = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._to_end = False
        super().action_scroll_home()

    def on_mouse_scroll_up(self) -> None:
        self._to_end = False

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y  # as Textual rounds it: int() lags a row behind
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= row < len(self.rows):
            return Strip.blank(width, base)
        look = self.parts[bisect_right(self._part_starts, row) - 1].look
        style = base if look == "body" else base + self.get_component_rich_style(f"full-text--{look}")
        text = self.rows[row]
        return Strip([Segment(text, style)], cell_len(text)).crop_extend(0, width, base)

"""The queue's columns: which fit a width, how a cell is cut to its column, the
column titles above the rows, and the pane around them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from textual.widgets import Static

from cs_tui.tui.widgets.pane import Pane

SCROLLBAR = 1
"""Cells the queue's scrollbar always keeps to the right of the rows."""

UNSPACED = ("mark", "priority", "who")
"""The columns of one-cell marks at the left, with no space between them."""
ID_WIDTH = 7
"""The ticket number's column, "#" and six digits, wider for larger numbers."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    align_right: bool = False


def id_width_for(ids: Iterable[int]) -> int:
    """The ticket number's column for these tickets: wide enough for the largest, so
    that no number is ever cut (a store past a million tickets has seven digits)."""
    return max(ID_WIDTH, 1 + len(str(max(ids, default=0))))


def layout_columns(width: int, id_width: int = ID_WIDTH) -> list[Column]:
    """The columns that fit `width` cells; the subject takes what is left.

    Narrow panes (an 80-column terminal with the sidebar on) drop the assignee, then
    the customer, then the age, then the status, before the subject gets shorter
    than 16 cells: the SLA, at the right, is never cut.
    """
    columns = [
        Column("mark", "", 1),
        Column("priority", "", 2),
        Column("who", "", 1),
        Column("id", "#", id_width, align_right=True),
        Column("subject", "subject", 0),
        Column("customer", "customer", 18),
        Column("assignee", "assignee", 12),
        Column("status", "status", 8),
        Column("age", "age", 5, align_right=True),
        Column("sla", "SLA", 7, align_right=True),
    ]
    droppable = ["assignee", "customer", "age", "status"]
    while True:
        # One space before each column but the first three, which are marks.
        used = sum(c.width for c in columns) + len(columns) - len(UNSPACED)
        subject = width - used
        if subject >= 16 or not droppable:
            return [
                Column("subject", "subject", max(subject, 8)) if c.key == "subject" else c for c in columns
            ]
        dropped = droppable.pop(0)
        columns = [c for c in columns if c.key != dropped]


def cell(text: str, column: Column) -> str:
    if column.align_right and cell_len(text) < column.width:
        return " " * (column.width - cell_len(text)) + text
    if cell_len(text) > column.width and column.width > 1:
        return set_cell_size(text, column.width - 1) + "…"
    return set_cell_size(text, column.width)


def header_text(width: int, id_width: int = ID_WIDTH) -> str:
    parts = [cell(c.title, c) for c in layout_columns(width, id_width)]
    return "".join(parts[: len(UNSPACED)]) + " " + " ".join(parts[len(UNSPACED) :])


class QueuePane(Pane):
    """The queue with its search line and column titles, in a border whose title names
    the view and whose subtitle says "1-40 of 12,345" (changing as the queue scrolls:
    see Pane.show_subtitle)."""


class QueueHeader(Static):
    """The column titles above the queue, laid out like its rows."""

    DEFAULT_CSS = """
    QueueHeader { height: 1; color: $text-muted; text-style: bold; }
    """

    id_width = ID_WIDTH

    def fit(self, id_width: int) -> None:
        """Lay the titles out for a ticket number's column this wide, as the rows are."""
        if id_width != self.id_width:
            self.id_width = id_width
            self.on_resize()

    def on_resize(self) -> None:
        self.update(header_text(self.size.width - SCROLLBAR, self.id_width))

"""One ticket's row of the queue: what each column says, the component class that
colours it, and the row drawn as a strip in the queue's styles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from cs_tui.domain.chat import FIRST_RESPONSE_S
from cs_tui.domain.models import Activity, Priority, Ticket
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.format import (
    PRESENCE_MARK,
    PRIORITY_MARK,
    VISITOR_MARK,
    age,
    sla_left,
    sla_state,
    status_label,
)
from cs_tui.tui.widgets.queue_columns import ID_WIDTH, UNSPACED, cell, layout_columns

ROW_LOOKS = (
    "queue--marked",
    "queue--urgent",
    "queue--high",
    "queue--low",
    "queue--breached",
    "queue--soon",
    "queue--unread",
    "queue--muted",
    "queue--presence",
)
"""The component classes a row is drawn with, besides the cursor's."""

Look = Callable[[str], Style]
"""A component class's style, as the queue has it (get_component_rich_style)."""


def draw_row(
    ticket: Ticket,
    width: int,
    now: datetime,
    *,
    marked: bool,
    unread: bool,
    activity: Activity | None,
    base: Style,
    on_top: Style,
    look: Look,
    visitor: str = "",
    chat_target_s: float = FIRST_RESPONSE_S,
    id_width: int = ID_WIDTH,
) -> Strip:
    """The ticket's row, `width` cells wide, its cells coloured by `look` over `base`;
    `id_width`: its number's column (queue_columns.id_width_for)."""
    line = base
    if marked:
        line += look("queue--marked")
    # The cursor's colours (on_top) win over a cell's own, so the row reads as one bar.
    segments: list[Segment] = []
    for column in layout_columns(width, id_width):
        text, extra = column_value(
            ticket,
            column.key,
            now,
            marked=marked,
            unread=unread,
            activity=activity,
            visitor=visitor,
            chat_target_s=chat_target_s,
        )
        if column.key not in UNSPACED:
            segments.append(Segment(" ", line + on_top))
        cell_style = line + _foreground(look(extra)) + on_top if extra else line + on_top
        segments.append(Segment(cell(text, column), cell_style))
    return Strip(segments).adjust_cell_length(width, line + on_top).simplify()


def _foreground(full: Style) -> Style:
    """A component's colour and weight without its background, which is the row's to give."""
    return Style(color=full.color, bold=full.bold, italic=full.italic, dim=full.dim)


def column_value(
    ticket: Ticket,
    key: str,
    now: datetime,
    *,
    marked: bool,
    unread: bool,
    activity: Activity | None,
    visitor: str = "",
    chat_target_s: float = FIRST_RESPONSE_S,
) -> tuple[str, str]:
    """The column's text and the component class that colours it. `visitor`: "here" or
    "gone" for a chat whose visitor was heard from, marked before the subject (which
    every width shows)."""
    match key:
        case "mark":
            if marked:
                return "✓", "queue--unread"
            return ("•", "queue--unread") if unread else (" ", "")
        case "priority":
            extra = {
                Priority.URGENT: "queue--urgent",
                Priority.HIGH: "queue--high",
                Priority.LOW: "queue--low",
            }
            return PRIORITY_MARK[ticket.priority], extra.get(ticket.priority, "")
        case "who":
            return (PRESENCE_MARK[activity], "queue--presence") if activity else (" ", "")
        case "id":
            return f"#{ticket.id}", "queue--muted"
        case "subject":
            subject = sanitize_line(ticket.subject)
            if visitor:
                subject = f"{VISITOR_MARK[visitor]} {subject}"
            return subject, "queue--unread" if unread else ""
        case "customer":
            return sanitize_line(ticket.customer.name or ticket.customer.email), ""
        case "status":
            return status_label(ticket.status), ""
        case "assignee":
            return (ticket.assignee.name if ticket.assignee else "—"), "" if ticket.assignee else (
                "queue--muted"
            )
        case "age":
            return age(ticket, now), "queue--muted"
        case "sla":
            state = sla_state(ticket, now, chat_target_s)
            looks = {"breached": "queue--breached", "soon": "queue--soon"}
            return sla_left(ticket, now, chat_target_s), looks.get(state, "")
    raise AssertionError(key)

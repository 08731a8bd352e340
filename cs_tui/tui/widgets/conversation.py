"""The open ticket's thread: its messages, earlier ones loaded as you scroll up, a long
one cut to its start (a mail's quoted history folded) with the whole of it one key
away, each message's files one key from being saved, and each reply's way out. One
message is marked, which j and k move and y copies.
(The header is ticket_header's; a message's text is message_text's.)

Customer text is shown as rich Text built from sanitised strings: never parsed
as markup, never able to send an escape sequence to the terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message as UiMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from cs_tui.domain.models import Message
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.format import when
from cs_tui.tui.screens.attachments import save_attachment
from cs_tui.tui.screens.reader import Reader
from cs_tui.tui.services import HasServices
from cs_tui.tui.widgets.full_text import Part
from cs_tui.tui.widgets.message_text import Looks, has_quoted, is_folded, message_kind, message_text
from cs_tui.tui.widgets.thread_layout import ThreadLayout, reveal
from cs_tui.tui.widgets.ticket_header import (
    SHORT_CHARS,
    SHOW_ALL,
    SHOW_ALL_KEY,
    TicketHeader,
    bound_key,
    show_all_key,
)

__all__ = ["Conversation", "TicketHeader", "message_kind", "message_text"]
"""The header too: the ticket pane takes both from here."""

DRAW_STEP_S = 0.008
"""How long the thread draws at a time: messages above the newest ones are drawn a
step later, so a page of long messages opens as fast as a short one..."""
DRAW_PAUSE_S = 0.001
"""... and keys and frames go between the steps..."""
COVERED_PAUSE_S = 0.1
"""... which wait while a dialog or another screen is over the thread."""
SAVE_FILE = "conversation.save_attachment"
SAVE_FILE_KEY = "d"
"""The binding that saves a file a message came with ("download"), and its key."""


THREAD_MOVES = [
    Binding("j", "move(1)", "Next message", show=False, id="conversation.down"),
    Binding("k", "move(-1)", "Previous message", show=False, id="conversation.up"),
    Binding("g,home", "to_end(-1)", "First message", show=False, id="conversation.top"),
    Binding("G,end", "to_end(1)", "Last message", show=False, id="conversation.bottom"),
    Binding("ctrl+d", "half_page(1)", "Half a page down", show=False, id="conversation.half_down"),
    Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False, id="conversation.half_up"),
]
"""The thread's keys that move the mark (and the view), as the queue's keys move its cursor."""

EDGE = "▌"
MARK = " "
"""In the margin beside each line of the marked message, while the thread has the focus,
on the mark's colour: a bar that is no character of the text (a selection of the
thread with the mouse takes none), and that shows without colour too (mono's is white)."""
EARLIER = "↑ earlier messages load as you scroll up"


class Conversation(HasServices, ScrollView, can_focus=True):
    """The thread, oldest at the top, drawn line by line like the queue: a long thread
    costs no more to open than a short one. Reaching the top loads earlier messages.

    Each message is a block: an edge in its kind's colour, its author, kind and time,
    then its body wrapped to the width, on its kind's background. A long body shows
    its start and what is left out, as does a mail's quoted history; the show-all key
    opens the whole of it. Blocks are drawn newest first, a step at a time, those above
    the screen in later steps.
    """

    COMPONENT_CLASSES = {
        "conversation--customer",
        "conversation--customer-edge",
        "conversation--reply",
        "conversation--reply-edge",
        "conversation--note",
        "conversation--note-edge",
        "conversation--system",
        "conversation--system-edge",
        "conversation--earlier",
        "conversation--attachment",
        "conversation--delivery",
        "conversation--trouble",
        "conversation--mark",
    }

    DEFAULT_CSS = """
    Conversation { height: 1fr; overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    Conversation > .conversation--customer { background: $customer-message; }
    Conversation > .conversation--customer-edge { color: $secondary; }
    Conversation > .conversation--reply { background: $agent-reply; }
    Conversation > .conversation--reply-edge { color: $success; }
    Conversation > .conversation--note { background: $internal-note; }
    Conversation > .conversation--note-edge { color: $warning; }
    Conversation > .conversation--system { color: $text-muted; }
    Conversation > .conversation--system-edge { color: $panel-lighten-2; }
    Conversation > .conversation--earlier { color: $text-muted; }
    Conversation > .conversation--attachment { color: $text-accent; }
    Conversation > .conversation--delivery { color: $text-muted; }
    Conversation > .conversation--trouble { color: $error; text-style: bold; }
    Conversation > .conversation--mark { background: $accent; }
    """

    BINDINGS = [
        Binding(SHOW_ALL_KEY, "show_all", "Show all", id=SHOW_ALL),
        Binding(SAVE_FILE_KEY, "save_attachment", "Save file", id=SAVE_FILE),
        *THREAD_MOVES,
    ]

    class ReachedTop(UiMessage):
        """Scrolled to the top while earlier messages are still to load."""

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.messages: list[Message] = []
        self.has_earlier = False
        self._lines: list[Strip] = []
        self._any_cut = False
        """A message is too long to be shown whole here (or its quoted history is folded)."""
        self._any_file = False
        """A message came with files."""
        self._first_drawn = 0
        """Messages above this one are drawn in a later step."""
        self._drawing: Timer | None = None
        """The next step of drawing, while one is to come."""
        self._blocks: dict[int, list[Strip]] = {}
        """Each message's lines at the width they were drawn for."""
        self._drawn_width = 0
        self._drawn_looks: tuple[Style, ...] = ()
        self._at_end = True
        """The newest message is in view: a resize keeps it there."""
        self._marked: int | None = None
        """The id of the marked message: the one j and k move from, and y copies."""
        self._marked_rows: tuple[int, int] | None = None
        """Its lines (from, to but not including its blank line), once it is drawn."""
        self._layout = ThreadLayout()
        """Where the drawn messages lie among the lines (each one's block starts on a line)."""
        self._placing = False
        """The thread scrolls itself (a new layout): the mark stays on its message."""

    # What is shown

    def show(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Replace the thread and scroll to its newest message."""
        self.messages = list(messages)
        self.has_earlier = has_earlier
        self._marked = self.messages[-1].id if self.messages else None
        self._blocks.clear()
        self._lay_out()
        self._place(self.max_scroll_y)
        self.call_after_refresh(self._to_end_then_check_top)

    def _to_end_then_check_top(self) -> None:
        self._place(self.max_scroll_y)
        self.call_after_refresh(self._check_top)

    def _check_top(self) -> None:
        """A short page that does not fill the view cannot be scrolled up: load more now."""
        if self.scroll_y <= 0 and self.has_earlier and self.messages and not self._first_drawn:
            self.post_message(self.ReachedTop())

    def prepend(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Earlier messages above the ones shown, keeping what is on screen in place."""
        known = {m.id for m in self.messages}
        self.messages[:0] = [m for m in messages if m.id not in known]
        self.has_earlier = has_earlier
        before = len(self._lines)
        self._lay_out()
        self._place(self.scroll_y + len(self._lines) - before)
        self.call_after_refresh(self._check_top)

    def append(self, messages: tuple[Message, ...]) -> None:
        """Messages newer than the last one shown, and the new state of those shown (a
        reply sent, failed or bounced); scrolls down if the agent was at the end."""
        known = {m.id: index for index, m in enumerate(self.messages)}
        fresh: list[Message] = []
        changed = False
        for message in messages:
            index = known.get(message.id)
            if index is None:
                fresh.append(message)
                continue
            shown = self.messages[index]
            if (shown.delivery, shown.attachments) != (message.delivery, message.attachments):
                self.messages[index] = message
                self._blocks.pop(message.id, None)  # drawn again
                changed = True
        if not fresh and not changed:
            return
        at_end = self._at_end
        self.messages.extend(fresh)
        if self._marked is None and self.messages:
            self._marked = self.messages[-1].id
        self._lay_out()
        if at_end:
            self._place(self.max_scroll_y)
        self._keep_mark_in_view()

    def watch_has_focus(self, has_focus: bool) -> None:
        """Only the mark looks different with the focus: its column is drawn again, not
        the thread restyled with its component classes (Textual's default) at every
        ticket opened and left."""
        rows = self._marked_rows
        if rows is not None:
            top, height = self.scroll_offset.y, self.scrollable_content_region.height
            first, last = max(rows[0] - top, 0), min(rows[1] - top, height)
            if last > first:
                self.refresh(Region(0, first, 1, last - first))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._at_end = new >= self.max_scroll_y - 1
        if not self._placing:
            self._keep_mark_in_view()
        if new <= 0 and self.has_earlier and self.messages:
            self.post_message(self.ReachedTop())

    def _place(self, y: float, *, force: bool = False) -> None:
        """Scroll for the layout's sake (a new thread, messages above, a resize): the
        mark stays on its message."""
        self._placing = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True, force=force)
        finally:
            self._placing = False

    @property
    def last_message_id(self) -> int | None:
        return self.messages[-1].id if self.messages else None

    @property
    def first_message_id(self) -> int | None:
        return self.messages[0].id if self.messages else None

    # Drawing

    def on_resize(self) -> None:
        at_end = self._at_end
        self._lay_out()
        if at_end:
            # Forced: shown for the first time (a narrow screen opening a ticket), the
            # thread has no scroll bar until the next layout, and would stay at its top.
            self._place(self.max_scroll_y, force=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        try:
            looks = self._looks()
        except KeyError:  # the component styles are not applied yet; the first layout draws
            return
        if looks != self._drawn_looks:  # a new theme: every block is drawn again in its colours
            self._drawn_looks = looks
            self._blocks.clear()
            self._lay_out()

    def _looks(self) -> tuple[Style, ...]:
        components = sorted(self.COMPONENT_CLASSES)
        return (self.rich_style, *(self.get_component_rich_style(name) for name in components))

    def _lay_out(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._drawn_width:
            self._blocks.clear()
            self._drawn_width = width
        lines: list[Strip] = []
        starts: list[int] = []
        first = len(self.messages)
        if width > 0:
            now = self.clock()
            step_ends = time.perf_counter() + DRAW_STEP_S
            for index in range(len(self.messages) - 1, -1, -1):  # the newest, in view, first
                message = self.messages[index]
                if message.id not in self._blocks:
                    if time.perf_counter() > step_ends:
                        break
                    self._blocks[message.id] = self._draw(message, width, now)
                first = index
            if self.has_earlier or first:
                style = self.rich_style + self.get_component_rich_style("conversation--earlier")
                lines += [Strip([Segment(EARLIER.center(width)[:width], style)], width), Strip.blank(width)]
            for message in self.messages[first:]:
                starts.append(len(lines))
                lines += self._blocks[message.id]
            if first and self._drawing is None:
                self._drawing = self.set_timer(DRAW_PAUSE_S, self._draw_earlier)
        self._lines, self._first_drawn = lines, first
        self._layout = ThreadLayout(tuple(self.messages[first:]), tuple(starts), len(lines))
        self._marked_rows = self._layout.text_rows(self._marked)
        any_cut = any(is_folded(message) for message in self.messages)
        any_file = any(message.attachments for message in self.messages)
        if (any_cut, any_file) != (self._any_cut, self._any_file):
            self._any_cut, self._any_file = any_cut, any_file
            self.refresh_bindings()  # the show-all and save keys come or go
        self._placing = True  # a shorter thread moves the scroll: not the agent's doing
        try:
            self.virtual_size = Size(width, len(lines))
        finally:
            self._placing = False
        self.refresh()

    def _draw_earlier(self) -> None:
        """The next step of drawing, above what is on screen, which stays in place."""
        self._drawing = None
        if self.app.screen is not self.screen:  # under a dialog: its keys come first
            self._drawing = self.set_timer(COVERED_PAUSE_S, self._draw_earlier)
            return
        before, at_end = len(self._lines), self._at_end
        self._lay_out()
        # Forced: a scroll bar that the new lines need comes only with the next layout.
        if at_end:
            self._place(self.max_scroll_y, force=True)
        elif len(self._lines) != before:
            self._place(self.scroll_y + len(self._lines) - before, force=True)
        if not self._first_drawn:
            self.call_after_refresh(self._check_top)

    def _draw(self, message: Message, width: int, now: datetime) -> list[Strip]:
        """A message's lines: margin, edge, padding, text, padding, margin; a blank line after."""
        base = self.rich_style
        kind = f"conversation--{message.kind.value}"
        body = base + self.get_component_rich_style(kind)
        trouble = self.get_component_rich_style("conversation--trouble", partial=True)
        in_trouble = message.delivery is not None and message.delivery.state.needs_the_agent
        edge_colour = trouble.color if in_trouble else self.get_component_rich_style(f"{kind}-edge").color
        edge = body + Style(color=edge_colour)
        looks = Looks(
            attachment=self.get_component_rich_style("conversation--attachment", partial=True),
            delivery=self.get_component_rich_style("conversation--delivery", partial=True),
            trouble=trouble,
        )
        text_width = max(width - 5, 1)
        console = self.app.console
        options = console.options.update(width=text_width, height=None, no_wrap=False, overflow="fold")
        text = message_text(
            message,
            now,
            show_all_key=show_all_key(self),
            save_key=bound_key(self, SAVE_FILE, SAVE_FILE_KEY),
            looks=looks,
        )
        rendered = console.render_lines(text, options, style=body, pad=True)
        margin, pad = Segment(" ", base), Segment(" ", body)
        lines = [
            Strip([margin, Segment(EDGE, edge), pad, *line, pad, margin], width).simplify()
            for line in rendered
        ]
        lines.append(Strip.blank(width, base))
        return lines

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y  # as Textual rounds it: int() lags a row behind
        width = self.scrollable_content_region.width
        if 0 <= row < len(self._lines):
            line = self._lines[row]
            line = line if line.cell_length == width else line.crop_extend(0, width, None)
            marked = self._marked_rows
            if marked is not None and marked[0] <= row < marked[1] and self.has_focus and width > 1:
                style = self.rich_style + self.get_component_rich_style("conversation--mark")
                line = Strip.join([Strip([Segment(MARK, style)], 1), line.crop(1, width)])
            return line
        return Strip.blank(width, self._drawn_looks[0] if self._drawn_looks else None)

    # The marked message, and moving by message

    @property
    def marked_message(self) -> Message | None:
        """The marked message: the newest when the thread opens, then where j, k, g and G
        put it; scrolling away takes it along to a message in view."""
        return next((m for m in reversed(self.messages) if m.id == self._marked), None)

    def _marked_index(self) -> int | None:
        return next((i for i, m in enumerate(self.messages) if m.id == self._marked), None)

    def _mark(self, index: int) -> None:
        """Mark the message at `index` (among those drawn) and scroll it into view: all of
        it if it fits, else its start."""
        index = max(self._first_drawn, min(index, len(self.messages) - 1))
        if index < 0:
            return
        self._marked = self.messages[index].id
        self._marked_rows = rows = self._layout.text_rows(self._marked)
        if rows is not None:
            y = reveal(rows, self.scroll_offset.y, self.scrollable_content_region.height)
            if y is not None:
                self._place(y)
        self.refresh()

    def _keep_mark_in_view(self) -> None:
        """The agent scrolled the marked message out of view: the mark goes to the message
        now in view nearest to where it was, so that what y copies is on the screen."""
        rows, height = self._marked_rows, self.scrollable_content_region.height
        if rows is None or height <= 0:
            return
        top = self.scroll_offset.y
        index = self._layout.follow(rows, top, top + height)
        if index is not None:
            self._marked = self._layout.drawn[index].id
            self._marked_rows = self._layout.text_rows(self._marked)
            self.refresh()

    def action_move(self, step: int) -> None:
        """The next (1) or previous (-1) message; from the last or the first, the rest of
        it (the top, where earlier messages load)."""
        index = self._marked_index()
        if index is None:
            return
        if self._first_drawn <= index + step < len(self.messages):
            self._mark(index + step)
        else:
            self.scroll_to(y=self.max_scroll_y if step > 0 else 0, animate=False, immediate=True)

    def action_to_end(self, direction: int) -> None:
        """The last (1) or the first (-1) message, and the end of the thread that way."""
        if self.messages:
            self._mark(len(self.messages) - 1 if direction > 0 else self._first_drawn)
            self.scroll_to(y=self.max_scroll_y if direction > 0 else 0, animate=False, immediate=True)

    def action_half_page(self, direction: int) -> None:
        """Half a page down (1) or up (-1); where the thread cannot scroll further, the
        mark goes to its last (or first) message."""
        before = self.scroll_offset.y
        step = max(1, self.scrollable_content_region.height // 2)
        self.scroll_to(y=before + direction * step, animate=False, immediate=True)
        if self.scroll_offset.y == before:
            self._mark(len(self.messages) - 1 if direction > 0 else self._first_drawn)

    # Showing all of a long message and subject

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_all":  # offered (and in the key hints) when something is cut
            header = self.header
            return self._any_cut or (header is not None and header.subject_is_cut)
        if action == "save_attachment":  # and this when a message came with files
            return self._any_file
        return True

    @property
    def header(self) -> TicketHeader | None:
        """The header above this thread, whose subject the show-all key shows too."""
        return next(iter(self.parent.query(TicketHeader)), None) if self.parent is not None else None

    def message_in_view(self) -> Message | None:
        """The message the agent reads: the marked one if it is cut; else, of those on
        screen, the lowest one that is cut; else the cut one nearest the screen; else the
        lowest one on screen."""
        marked = self.marked_message
        if marked is not None and is_folded(marked):
            return marked
        if not self._layout.ready:  # not laid out yet
            return self.messages[-1] if self.messages else None
        top = self.scroll_offset.y
        return self._layout.reading(top, top + self.scrollable_content_region.height)

    def action_show_all(self) -> None:
        """The reader: the ticket's whole subject, and the message in view whole."""
        header = self.header
        ticket = header.ticket if header is not None else None
        message = self.message_in_view()
        parts: list[Part] = []
        if ticket is not None:
            parts += [Part(f"#{ticket.id} {ticket.subject}", "title", one_line=True), Part("")]
        if message is not None:
            meta = (
                f"{sanitize_line(message.author_name[:SHORT_CHARS]) or '(unknown)'}  {message_kind(message)}"
            )
            parts += [Part(f"{meta}  {when(message.created_at, self.clock())}", "meta"), Part(message.body)]
            if has_quoted(message):
                parts += [Part(""), Part(message.quoted.strip("\n"), "quoted")]
        heading = f"#{ticket.id}" if ticket is not None else "Message"
        self.app.push_screen(Reader(parts, heading=heading))

    # Saving the files messages came with

    @work(group="pick", exit_on_error=False)
    async def action_save_attachment(self) -> None:
        """Save a file a message came with: the agent picks which (the newest first)
        when there are several, then where; it is written there, never opened."""
        files = [(file, message) for message in reversed(self.messages) for file in message.attachments]
        await save_attachment(self.app, self.services.store, files, self.clock())

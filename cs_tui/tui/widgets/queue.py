"""The ticket queue: a line-API list that asks the store only for the pages it shows.

Rows are fetched by keyset paging as the cursor or the scroll nears the end of
what is loaded; a live reload fetches the loaded range again and keeps the
cursor on the same ticket and that ticket on the same screen line, unless the
list is seen from its top: then it stays at the top, so what just came in shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import on, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from cs_tui.domain.chat import FIRST_RESPONSE_S, VisitorState
from cs_tui.domain.models import Activity, Ticket, TicketPage
from cs_tui.tui.format import visitor_mark
from cs_tui.tui.services import SaysFailures
from cs_tui.tui.widgets.queue_columns import ID_WIDTH, id_width_for
from cs_tui.tui.widgets.queue_live import LiveRows
from cs_tui.tui.widgets.queue_marks import Marks
from cs_tui.tui.widgets.queue_rows import ROW_LOOKS, draw_row

PAGE = 100
"""Rows fetched at a time; more than any screen shows."""
RELOAD_LIMIT = 500
"""The most rows one reload asks for at once (the store's page limit)."""
STALE_AFTER_S = 0.15
"""A view's or search's first page taking longer than this shows it is being looked
for; a quicker one (most are a few milliseconds) just replaces the rows, with no flicker."""

PageLoader = Callable[[str | None, int], Awaitable[TicketPage]]
"""Fetches the page after a cursor (None: the first) of at most `limit` tickets."""
UnreadLoader = Callable[[list[int]], Awaitable[set[int]]]
"""Which of these tickets have customer messages the agent has not seen."""


async def _no_unread(ids: list[int]) -> set[int]:
    return set()


DRAWN_ROWS = 250
"""Rows kept as drawn; a few screens' worth, at every state they take."""


class QueueTable(Marks, LiveRows, SaysFailures, ScrollView, can_focus=True):
    """The tickets of the current view, one line each."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g,home", "first", "Top", show=False, id="queue.top"),
        Binding("G,end", "last", "Bottom", show=False, id="queue.bottom"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="queue.page_up"),
        Binding("enter", "choose", "Open", show=False, id="queue.open"),
        Binding("x", "toggle_mark", "Mark", show=False, id="queue.mark"),
        Binding("J,shift+down", "mark_down", "Mark down", show=False, id="queue.mark_down"),
        Binding("K,shift+up", "mark_up", "Mark up", show=False, id="queue.mark_up"),
        Binding("X", "mark_all", "Mark all", show=False, id="queue.mark_all"),
        Binding("ctrl+x", "invert_marks", "Invert marks", show=False, id="queue.invert_marks"),
    ]

    COMPONENT_CLASSES = {
        "queue--cursor",
        "queue--cursor-blurred",
        "queue--marked",
        "queue--urgent",
        "queue--high",
        "queue--low",
        "queue--breached",
        "queue--soon",
        "queue--unread",
        "queue--muted",
        "queue--presence",
    }

    DEFAULT_CSS = """
    QueueTable {
        background: $surface; overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1;
    }
    QueueTable > .queue--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    QueueTable > .queue--cursor-blurred { background: $block-cursor-blurred-background; }
    QueueTable > .queue--marked { background: $accent 30%; }
    QueueTable > .queue--urgent { color: $error; text-style: bold; }
    QueueTable > .queue--high { color: $warning; text-style: bold; }
    QueueTable > .queue--low { color: $text-muted; }
    QueueTable > .queue--breached { color: $error; text-style: bold; }
    QueueTable > .queue--soon { color: $warning; }
    QueueTable > .queue--unread { color: $accent; text-style: bold; }
    QueueTable > .queue--muted { color: $text-muted; }
    QueueTable > .queue--presence { color: $warning; text-style: bold; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the highlighted row among the loaded ones."""

    class TicketHighlighted(Message):
        """The cursor moved onto a ticket (None: the queue is empty)."""

        def __init__(self, ticket: Ticket | None) -> None:
            super().__init__()
            self.ticket = ticket

    class TicketChosen(Message):
        """The agent pressed enter on a ticket."""

        def __init__(self, ticket: Ticket) -> None:
            super().__init__()
            self.ticket = ticket

    class Loaded(Message):
        """A page arrived: the subtitle ("1-40 of 12,345") may have changed."""

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.rows: list[Ticket] = []
        self.id_width = ID_WIDTH
        """The ticket number's column, as wide as the largest number loaded needs."""
        self.total = 0
        self.total_is_estimate = False
        """The store estimated the total (past 1,000): the title says "about"."""
        self.marked: set[int] = set()
        self.unread: set[int] = set()
        self.others: dict[int, Activity] = {}
        self.visitors: dict[int, VisitorState] = {}
        """What the chats' visitors were last heard doing, by ticket."""
        self.chat_target_s: float = FIRST_RESPONSE_S
        """The target for answering a chat, against which its waiting time is coloured."""
        """Tickets other agents are on, and what they do there."""
        self._next_cursor: str | None = None
        self._loader: PageLoader | None = None
        self._unread_of: UnreadLoader = _no_unread
        self.reading: int | None = None
        """The ticket the agent has open: never marked unread."""
        self._loading = False
        self._generation = 0
        self.stale = False
        """The rows are the last view's or search's, while this one's first page loads
        (past STALE_AFTER_S): drawn muted, and the title's count says it is being looked
        for."""
        self._first_page_due = False
        self._choose_when_loaded = False
        """Enter was pressed while the view's first page was due: its top ticket opens
        when it comes, not the last view's under the cursor."""
        self._now = clock()
        self._drawn: dict[tuple[object, ...], Strip] = {}
        """Rows as last drawn, by everything that shows in them: a repaint of the queue
        (the focus moving away, a scroll back) draws only the rows that changed."""
        self._base: Style | None = None
        self._looks: tuple[Style, ...] = ()

    # Loading

    def show(self, loader: PageLoader, unread: UnreadLoader = _no_unread) -> None:
        """Start over with another view or search: first page, cursor on top."""
        self._loader = loader
        self._unread_of = unread
        self._generation += 1
        self._loading = False
        self.marked.clear()
        self._first_page_due = True
        self._choose_when_loaded = False
        self.set_timer(STALE_AFTER_S, partial(self._still_loading, self._generation))
        self._load(reset=True)

    def _still_loading(self, generation: int) -> None:
        """The view's first page has not come yet: the rows shown are the last view's."""
        if generation == self._generation and self._first_page_due and self.rows:
            self.stale = True
            self.refresh()
            self.post_message(self.Loaded())

    def reload(self) -> None:
        """Fetch what is loaded again (something changed), keeping the cursor's ticket."""
        if self._loader is not None:
            self._load(reset=False)

    def _load(self, *, reset: bool) -> None:
        assert self._loader is not None
        self._fetch(self._loader, self._generation, reset=reset)

    @work(exclusive=True, group="queue-page", exit_on_error=False)
    async def _fetch(self, loader: PageLoader, generation: int, *, reset: bool) -> None:
        wanted = PAGE if reset else max(PAGE, len(self.rows))
        rows: list[Ticket] = []
        after: str | None = None
        try:
            page = await loader(None, min(wanted, RELOAD_LIMIT))
            rows.extend(page.tickets)
            while len(rows) < wanted and page.next_cursor is not None:
                after = page.next_cursor
                page = await loader(after, min(wanted - len(rows), RELOAD_LIMIT))
                rows.extend(page.tickets)
            unread = await self._unread([t.id for t in rows])
        except Exception:
            # Another view's or search's tickets must not stand under this one's name.
            if reset and generation == self._generation:
                self._replace([], TicketPage((), 0, None), reset=True)
            raise  # the app says what went wrong
        if generation != self._generation:
            return
        self.unread = unread
        self._replace(rows, page, reset=reset)

    async def _unread(self, ids: list[int]) -> set[int]:
        unread: set[int] = set()
        for start in range(0, len(ids), RELOAD_LIMIT):
            unread |= await self._unread_of(ids[start : start + RELOAD_LIMIT])
        return unread - {self.reading}

    def _replace(self, rows: list[Ticket], last_page: TicketPage, *, reset: bool) -> None:
        if reset:
            self.stale = self._first_page_due = False
        current = self.current
        at_top = int(self.scroll_y) == 0
        screen_line = self.cursor_row - int(self.scroll_y)
        self.rows = rows
        self.total = last_page.total
        self.total_is_estimate = last_page.total_is_estimate
        self._next_cursor = last_page.next_cursor
        self.marked &= {t.id for t in rows}
        self._now = self.clock()
        self._resize()
        if reset or current is None:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.cursor_row = 0
        else:
            index = next((i for i, t in enumerate(rows) if t.id == current.id), None)
            if index is None:
                index = min(self.cursor_row, max(len(rows) - 1, 0))
            self.cursor_row = index
            # Seen from the top, the list stays there and its ticket moves down with
            # what came in above it (while it stays on screen); scrolled down, the
            # ticket keeps its line and what came in goes above, out of the way.
            keep_top = at_top and index < self.size.height
            top = 0 if keep_top else max(index - screen_line, 0)
            self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Loaded())
        if reset or current is None or self.current is None or self.current != current:
            self.post_message(self.TicketHighlighted(self.current))
        if reset and self._choose_when_loaded:
            self._choose_when_loaded = False
            self.action_choose()

    async def load_all(self, most: int) -> None:
        """The view's pages, up to `most` rows loaded (for marking them all)."""
        loader, generation = self._loader, self._generation
        self._loading = True  # no page fetched twice meanwhile
        try:
            while loader is not None and self._next_cursor is not None and len(self.rows) < most:
                page = await loader(self._next_cursor, PAGE)
                if generation != self._generation:
                    return
                self.rows.extend(page.tickets)
                self._next_cursor = page.next_cursor
        finally:
            self._loading = False
        self._resize()
        self.refresh()
        self.post_message(self.Loaded())

    @work(exclusive=True, group="queue-more", exit_on_error=False)
    async def _fetch_more(self, loader: PageLoader, generation: int, after: str) -> None:
        page = await loader(after, PAGE)
        unread = await self._unread([t.id for t in page.tickets])
        if generation != self._generation or after != self._next_cursor:
            return
        self.rows.extend(page.tickets)
        self.unread |= unread
        self._next_cursor = page.next_cursor
        if page.total >= 0:
            self.total, self.total_is_estimate = page.total, page.total_is_estimate
        self._loading = False
        self._resize()
        self.refresh()
        self.post_message(self.Loaded())

    @on(Worker.StateChanged)
    def _fetch_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "queue-more":
            self._loading = False

    def _more_if_near_end(self) -> None:
        near = max(self.cursor_row, int(self.scroll_y) + self.size.height) + PAGE // 4
        if (
            near >= len(self.rows)
            and self._next_cursor is not None
            and not self._loading
            and self._loader is not None
        ):
            self._loading = True
            self._fetch_more(self._loader, self._generation, self._next_cursor)

    def _resize(self) -> None:
        more = 1 if self._next_cursor is not None else 0
        self.virtual_size = Size(self._width, len(self.rows) + more)
        self.id_width = id_width_for(t.id for t in self.rows)

    @property
    def _width(self) -> int:
        """Cells a row has: the width less the scrollbar's."""
        return self.scrollable_content_region.width

    # The cursor

    @property
    def current(self) -> Ticket | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.rows) - 1)) if self.rows else 0

    def watch_has_focus(self, has_focus: bool) -> None:
        """The cursor's line alone looks different with the focus (render_line picks its
        colours): it is drawn again, where Textual would restyle the queue and its eleven
        component classes (a `:focus` rule) at every ticket opened and left."""
        self.refresh_line(self.cursor_row)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self._more_if_near_end()
        if old != new:
            self.post_message(self.TicketHighlighted(self.current))
            self.post_message(self.Loaded())

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._more_if_near_end()
        self.post_message(self.Loaded())

    def refresh_line(self, row: int) -> None:
        self.refresh_lines(row - int(self.scroll_y), 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        height = max(self.size.height, 1)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def visible_range(self) -> tuple[int, int]:
        """1-based first and last rows on screen, for "1-40 of 12,345"."""
        if not self.rows:
            return 0, 0
        top = int(self.scroll_y)
        return top + 1, min(top + self.size.height, len(self.rows))

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        """The last loaded row; the next page loads as it comes into view."""
        self.cursor_row = len(self.rows) - 1

    def action_page_down(self) -> None:
        self.cursor_row += max(self.size.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor_row -= max(self.size.height - 1, 1)

    def action_choose(self) -> None:
        if self._first_page_due:
            self._choose_when_loaded = True
        elif self.current is not None:
            self.post_message(self.TicketChosen(self.current))

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int):
            self.cursor_row = int(self.scroll_y) + offset

    def on_resize(self) -> None:
        self._resize()
        self._more_if_near_end()

    def tick(self) -> None:
        """Ages and SLA countdowns move with the clock."""
        self._now = self.clock()
        # Hidden (a narrow screen showing the ticket), it is drawn with the new time when
        # it shows. Repainting it hidden in the frame in which a notice goes away (a
        # 30-second one raised as the app starts) left that notice drawn on the screen.
        if self.region:
            self.refresh()

    # Drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None

    @property
    def _base_style(self) -> Style:
        if self._base is None:
            self._base = self.rich_style
            # The focus only changes the cursor's colours, which are in each row's key;
            # another theme changes the rest, and every row is drawn again.
            looks = (self._base, *(self.get_component_rich_style(name) for name in sorted(ROW_LOOKS)))
            if looks != self._looks:
                self._looks = looks
                self._drawn.clear()
        return self._base

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self._width
        base = self._base_style
        if row >= len(self.rows):
            if row == len(self.rows) and self._next_cursor is not None:
                muted = base + self.get_component_rich_style("queue--muted")
                return Strip([Segment(set_cell_size("  loading more…", width), muted)], width)
            return Strip.blank(width, base)
        ticket = self.rows[row]
        on_top = None
        if row == self.cursor_row:
            look = "queue--cursor" if self.has_focus else "queue--cursor-blurred"
            on_top = self.get_component_rich_style(look)
        if self.stale:  # the last view's rows, muted over every cell's own colour
            muted = self.get_component_rich_style("queue--muted")
            on_top = on_top + muted if on_top else muted
        marked, unread = ticket.id in self.marked, ticket.id in self.unread
        activity = self.others.get(ticket.id)
        visitor = visitor_mark(self.visitors.get(ticket.id), self._now)
        key = (ticket, width, self.id_width, self._now, on_top, marked, unread, activity, visitor)
        strip = self._drawn.get(key)
        if strip is None:
            if len(self._drawn) > DRAWN_ROWS:
                self._drawn.clear()
            strip = self._drawn[key] = draw_row(
                ticket,
                width,
                self._now,
                marked=marked,
                unread=unread,
                activity=activity,
                visitor=visitor,
                chat_target_s=self.chat_target_s,
                id_width=self.id_width,
                base=base,
                on_top=on_top or Style(),
                look=self.get_component_rich_style,
            )
        return strip

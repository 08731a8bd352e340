"""The screen an agent lives in: the queue, the open ticket and the metrics sidebar.

Wide terminals show all three side by side; below 100 columns the queue and the
ticket take the whole width in turn and the sidebar folds away (`m` brings it).
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._toast import ToastRack

from cs_tui.domain.metrics import last_days, today
from cs_tui.domain.models import (
    Activity,
    CannedActions,
    DraftKind,
    EventKind,
    Status,
)
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import StoreError
from cs_tui.tui.editor import edit_in_editor
from cs_tui.tui.format import status_label
from cs_tui.tui.screens.canned import CannedPicker
from cs_tui.tui.screens.customer import CustomerScreen
from cs_tui.tui.screens.pickers import ChoiceScreen
from cs_tui.tui.screens.templating import OffersTemplates
from cs_tui.tui.services import StoreChanged
from cs_tui.tui.widgets.command_line import CommandLine
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.key_hints import KeyHints
from cs_tui.tui.widgets.pane import Pane
from cs_tui.tui.widgets.queue import QueueTable
from cs_tui.tui.widgets.queue_columns import QueueHeader, QueuePane
from cs_tui.tui.widgets.sidebar import MetricsSidebar, SidebarFigures
from cs_tui.tui.widgets.ticket_pane import TicketPane

NARROW = 100
"""Below this many columns the queue and the ticket share the width in turn."""
SIDEBAR_MIN = 140
"""From this many columns the sidebar shows unless the agent folded it."""
METRICS_EVERY = 5.0
PRESENCE_EVERY = 3.0
"""Seconds between a session's renewals of where it is."""
PRESENCE_TTL = timedelta(seconds=10)
"""A session not heard from for this long (its process died) is no longer shown."""
VISITORS_EVERY = 10.0
"""Seconds between looks at the chats' visitors when nothing was heard: one who closed
the page without a word is gone once HERE_S passes."""
REWRITE_THREADS = frozenset({EventKind.TICKET_MERGED, EventKind.TICKET_SPLIT})
"""Events after which a conversation is shown again whole: messages came in between
those shown, or went."""
LIVE_DELAY = 0.15
"""Events within this many seconds are applied together."""


class MainScreen(OffersTemplates):
    """Queue, ticket and metrics."""

    CSS_PATH = "main.tcss"

    presence_every = PRESENCE_EVERY
    presence_ttl = PRESENCE_TTL

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As Textual's, less the repaint of the whole screen on every focus change: the
    widgets whose looks depend on the focus restyle themselves. Opening a ticket moves
    the focus, and a full repaint is most of what it would cost."""

    BINDINGS = [
        *[Binding(str(n), f"view({n})", f"View {n}", show=False, id=f"view.{n}") for n in range(1, 10)],
        Binding("slash", "search", "Search", id="search"),
        Binding("r", "compose('reply')", "Reply", id="reply"),
        Binding("n", "compose('note')", "Note", id="note"),
        Binding("c", "canned", "Canned", id="canned"),
        Binding("ctrl+s", "send", "Send", show=False, id="send"),
        Binding("ctrl+e", "editor", "Editor", show=False, id="editor"),
        Binding("u", "undo_send", "Undo send", id="undo"),
        Binding("a", "assign_me", "Assign me", show=False, id="assign"),
        Binding("s", "status", "Status", id="status"),
        Binding("p", "priority", "Priority", show=False, id="priority"),
        Binding("t", "tags", "Tags", show=False, id="tags"),
        Binding("o", "sort", "Order", show=False, id="sort"),
        Binding("A", "assign", "Assign to", show=False, id="assign_to"),
        Binding("full_stop", "repeat", "Repeat change", show=False, id="repeat"),
        Binding("bracketright", "next_ticket(1)", "Next ticket", show=False, id="next"),
        Binding("bracketleft", "next_ticket(-1)", "Previous ticket", show=False, id="previous"),
        Binding("ctrl+n", "send_and_next", "Send, next", show=False, id="send_next"),
        Binding("colon", "command_line", "Command", show=False, id="command"),
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding("m", "toggle_sidebar", "Metrics", show=False, id="sidebar"),
        Binding("z", "zoom", "Zoom", show=False, id="zoom"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("y", "copy", "Copy", show=False, id="copy"),
        Binding("C", "customer", "Customer", show=False, id="customer"),
        Binding("b", "snooze", "Snooze", show=False, id="snooze"),
        Binding("M", "merge", "Merge into", show=False, id="merge"),
        Binding("S", "split", "Split off", show=False, id="split"),
        Binding("T", "template", "Template", show=False, id="template"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._live_timer: Timer | None = None
        self._pending = StoreChanged(set(), set(), set())
        self._sidebar_choice: bool | None = None
        self._on_ticket = False
        """The agent is in the open ticket rather than the queue."""
        self._metrics_timer: Timer | None = None
        self._metrics_started = False
        self.session = uuid.uuid4().hex
        """This running TUI, as other agents' presence lists know it."""

    def compose(self) -> ComposeResult:
        clock = self.services.clock
        with Horizontal(id="body"):
            with QueuePane(id="queue-pane"):
                yield Input(id="search", placeholder="status:open tag:refund words…  (enter: to the queue)")
                yield Static("", id="search-error")
                yield QueueHeader(id="queue-header")
                yield QueueTable(clock=clock, id="queue")
            yield TicketPane(id="ticket-pane")
            yield MetricsSidebar(id="sidebar")
        yield CommandLine(id="command-line")
        yield KeyHints()

    @property
    def queue(self) -> QueueTable:
        return self.query_one(QueueTable)

    @property
    def ticket_pane(self) -> TicketPane:
        return self.query_one(TicketPane)

    def on_mount(self) -> None:
        views = self.services.config.views
        if views:
            self.select_view(views[0])
        self.queue.focus()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._light_pane_with_focus())
        # The metrics wait for the queue's first page: they share the store's reader,
        # and the queue is what the agent looks at first.
        self._metrics_timer = self.set_interval(METRICS_EVERY, self.refresh_metrics, pause=True)
        self.set_interval(30, self.queue.tick)
        self.set_interval(1, self._tick_chats)
        self.set_interval(self.presence_every, self.update_presence)
        self.set_interval(VISITORS_EVERY, self._look_at_visitors)
        self.queue.chat_target_s = self.services.config.chat_first_response_s
        if not views:
            self._start_metrics()
        self.query_one(MetricsSidebar).refresh_quarantine()

    def watch_focused(self) -> None:
        # As the focus moves, not a message later: in the same frame.
        self._light_pane_with_focus()

    def _light_pane_with_focus(self) -> None:
        """The pane holding the focus gets the accent border, set on the two panes
        alone: a `:focus-within` rule would have Textual restyle every widget inside
        both panes at each focus change (20 ms of opening a ticket), and Pane.light
        repaints only their edges."""
        colours = self.app.theme_variables
        focused = self.focused
        for pane in self.query(Pane):
            inside = focused is not None and pane in focused.ancestors_with_self
            pane.light(colours["accent" if inside else "panel"])

    @on(QueueTable.Loaded)
    def _visitors_of_the_page(self) -> None:
        self._look_at_visitors()

    @on(QueueTable.Loaded)
    def _titles_over_the_rows(self) -> None:
        self.query_one(QueueHeader).fit(self.query_one(QueueTable).id_width)

    @on(QueueTable.Loaded)
    def _start_metrics(self) -> None:
        if self._metrics_timer is not None and not self._metrics_started:
            self._metrics_started = True
            self.refresh_metrics()
            self._metrics_timer.resume()

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width < NARROW, "-narrow")
        self._set_side(ticket=self._on_ticket)
        show = self._sidebar_choice if self._sidebar_choice is not None else width >= SIDEBAR_MIN
        unfolds = show and self.has_class("-no-sidebar")
        self.set_class(not show, "-no-sidebar")
        if unfolds and self._metrics_started:
            self.refresh_metrics()  # it skips while folded: not 5 s of "Loading figures…"

    # Opening tickets

    @on(QueueTable.TicketChosen)
    def open_ticket(self, event: QueueTable.TicketChosen) -> None:
        # The pane takes the focus once the ticket is there: one frame shows it all.
        self.ticket_pane.open(event.ticket.id)
        self._set_side(ticket=True)

    def _show_queue(self) -> None:
        self._set_side(ticket=False)
        self.queue.focus()

    def _set_side(self, *, ticket: bool) -> None:
        """Only a narrow screen shows one side at a time. A class on the screen restyles
        every widget on it, so wide screens never change it: opening a ticket stays quick."""
        self._on_ticket = ticket
        self.set_class(ticket and self.has_class("-narrow"), "-ticket")

    def action_back(self) -> None:
        focused = self.focused
        pane = self.ticket_pane
        inside = focused.ancestors_with_self if focused is not None else []
        if pane.composer in inside:
            pane.leave_composer()
        elif focused is not None and focused.id == "command-line":
            self.close_command_line()
        elif focused is not None and focused.id == "search":
            self.clear_search()
            self._show_queue()
        elif self._on_ticket or pane in inside:
            self._show_queue()
        elif self.queue.marked:
            self.queue.unmark_all()
        elif self.search_text:
            self.clear_search()

    def action_zoom(self) -> None:
        """The queue or the ticket (whichever has the focus) takes the whole width."""
        if self.has_class("-zoom"):
            self.remove_class("-zoom", "-queue-zoom")
            return
        in_queue = (
            self.focused is not None and self.query_one("#queue-pane") in self.focused.ancestors_with_self
        )
        self.add_class("-zoom")
        self.set_class(in_queue, "-queue-zoom")

    def action_toggle_sidebar(self) -> None:
        self._sidebar_choice = self.has_class("-no-sidebar")
        self.set_class(not self._sidebar_choice, "-no-sidebar")
        if self._sidebar_choice:
            self.refresh_metrics()

    def action_refresh(self) -> None:
        self.queue.reload()
        self.ticket_pane.follow()
        self.refresh_metrics()
        self.query_one(MetricsSidebar).refresh_quarantine()

    # Writing

    def action_compose(self, kind: str) -> None:
        """Write to the ticket the agent sees: the highlighted one from the queue (opened
        now), else the open one. The composer takes the keys at once, before the ticket
        has loaded: what is typed in a burst after `r` is text, never commands."""
        draft_kind = DraftKind(kind)
        pane = self.ticket_pane
        target = self._target()
        if target is None:
            return
        if pane.ticket is None or pane.ticket.id != target.id:
            pane.open(target.id, compose=draft_kind, seen=target)
        else:
            pane.start(draft_kind)
        self._set_side(ticket=True)

    def action_send(self) -> None:
        self.ticket_pane.send()

    @work(group="pick", exit_on_error=False)
    async def action_send_and_next(self) -> None:
        """Play mode: send the reply, set the ticket's status (picked by its letter: o
        keeps it open, p pending, s solved, h on hold) and open the next ticket of the
        view, while the reply waits out its undo window."""
        pane = self.ticket_pane
        composer = pane.composer
        sent_from = composer.ticket_id
        if sent_from is None or not composer.is_open or not composer.text.strip():
            self.notify(
                "Write a reply first, then ctrl+n sends it and opens the next ticket.", severity="warning"
            )
            return
        choices = [
            (s.value, status_label(s)) for s in (Status.OPEN, Status.PENDING, Status.SOLVED, Status.ON_HOLD)
        ]
        picked = await self.app.push_screen_wait(ChoiceScreen(f"Send, and set #{sent_from} to", choices))
        # Sent before its ticket has loaded (keys in a burst): it goes once it shows.
        if picked is None or not await pane.until_shown(sent_from):
            return
        composer.add_actions(CannedActions(status=Status(picked)))
        if not pane.send():
            return
        self.action_next_ticket(1, after=sent_from)

    def action_next_ticket(self, step: int, after: int | None = None) -> None:
        """`]` / `[`: open the next (previous) ticket of the view after the open one (or
        after `after`), the queue's cursor with it."""
        queue = self.queue
        around = (
            after if after is not None else (self.ticket_pane.ticket.id if self.ticket_pane.ticket else None)
        )
        ids = [t.id for t in queue.rows]
        index = ids.index(around) if around in ids else queue.cursor_row - step
        target = index + step
        if not 0 <= target < len(queue.rows):
            self.notify("No more tickets in this view." if step > 0 else "This is the view's first ticket.")
            return
        queue.cursor_row = target
        self.ticket_pane.open(queue.rows[target].id)
        self._set_side(ticket=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_send":
            # Offered (and in the key hints) only while a message waits to go out.
            return bool(self.is_mounted and self.ticket_pane.pending)
        return True

    def action_undo_send(self) -> None:
        if not self.ticket_pane.undo_send():
            self.notify("Nothing to undo: no message is waiting to go out.", severity="warning")

    def action_editor(self) -> None:
        composer = self.ticket_pane.composer
        if composer.is_open:
            edited = edit_in_editor(self.app, composer.text)
            if edited is not None:
                composer.replace_text(edited)

    @work(group="pick", exit_on_error=False)
    async def action_canned(self) -> None:
        """A canned response for the ticket the agent sees (highlighted in the queue, or
        open), filled in with that ticket's customer."""
        pane = self.ticket_pane
        if self.queue.marked:  # a reply to each marked ticket, each to its own customer
            marked = self._targets()
            picked = await self.app.push_screen_wait(CannedPicker(marked[0]))
            if picked is not None:
                self._canned_to_each(marked, picked[1])
            return
        target = self._target()
        if target is None:
            self.notify("Pick a ticket first, then press c.", severity="warning")
            return
        chosen = await self.app.push_screen_wait(CannedPicker(target))
        if chosen is None:
            return
        if pane.ticket is None or pane.ticket.id != target.id:
            # The composer opens on it at once: the text is there for keys that follow.
            pane.open(target.id, compose=DraftKind.REPLY, seen=target)
        self._set_side(ticket=True)
        pane.insert_canned(*chosen)

    def _in_queue(self) -> bool:
        return self.focused is self.queue or not self._on_ticket

    @on(TicketPane.Changed)
    def _ticket_changed(self) -> None:
        self.queue.reload()

    @on(TicketPane.Read)
    def _ticket_read(self, event: TicketPane.Read) -> None:
        self.queue.reading = event.ticket_id
        self.queue.mark_seen(event.ticket_id)
        self.update_presence()  # now, not at the next renewal: others see where this agent went

    @on(Composer.OpenedOrClosed)
    def _writing_or_not(self) -> None:
        # On the rack alone: a class on the screen would restyle every widget on it.
        for rack in self.query(ToastRack):
            rack.set_class(self.ticket_pane.composer.is_open, "-top")
        self.update_presence()

    # Live

    @on(StoreChanged)
    def _store_changed(self, event: StoreChanged) -> None:
        pending = self._pending
        pending.kinds |= event.kinds
        pending.ticket_ids |= event.ticket_ids
        pending.created |= event.created
        if self._live_timer is None:
            self._live_timer = self.set_timer(LIVE_DELAY, self._apply_live)

    def _apply_live(self) -> None:
        pending, self._pending, self._live_timer = self._pending, StoreChanged(set(), set(), set()), None
        if any(kind.changes_tickets for kind in pending.kinds):
            self.queue.reload()
            self.refresh_metrics()
        open_ticket = self.ticket_pane.ticket
        if open_ticket is not None and open_ticket.id in pending.ticket_ids:
            self.ticket_pane.follow(whole=bool(pending.kinds & REWRITE_THREADS))
        if EventKind.PRESENCE_CHANGED in pending.kinds:
            self.update_presence()
        if EventKind.VISITOR_CHANGED in pending.kinds or EventKind.TICKET_CREATED in pending.kinds:
            self.update_visitors()
        if EventKind.CHANNEL_CHANGED in pending.kinds:
            self.query_one(MetricsSidebar).refresh_quarantine()

    # Presence

    @work(exclusive=True, group="presence", exit_on_error=False)
    async def update_presence(self) -> None:
        """Say which ticket this session is on and what it does there, then show where
        the other agents are."""
        store, me, pane = self.services.store, self.services.agent, self.ticket_pane
        ticket = pane.ticket.id if pane.ticket is not None else None
        activity = Activity.REPLYING if pane.composer.is_open else Activity.VIEWING
        await store.set_presence(self.session, me.id, ticket, activity)
        # Real time, as the store keeps it: the screen's clock may be set for display.
        others = [p for p in await store.presence(utcnow() - self.presence_ttl) if p.agent.id != me.id]
        on_ticket: dict[int, Activity] = {}
        for presence in others:
            if on_ticket.get(presence.ticket_id) is not Activity.REPLYING:
                on_ticket[presence.ticket_id] = presence.activity
        self.queue.show_others(on_ticket)
        pane.show_others(others)

    # Chats

    def _tick_chats(self) -> None:
        """A waiting chat's seconds count on screen, in the queue and in its header."""
        self.queue.tick_chats()
        self.ticket_pane.tick_chat()

    def _look_at_visitors(self) -> None:
        if self.queue.chat_ids or self.ticket_pane.is_chat:
            self.update_visitors()

    @work(exclusive=True, group="visitors", exit_on_error=False)
    async def update_visitors(self) -> None:
        """What the visitors of the chats on screen are doing: on the page, typing, gone."""
        pane = self.ticket_pane
        ids = self.queue.chat_ids
        if pane.ticket is not None and pane.is_chat:
            ids.append(pane.ticket.id)
        states = await self.services.store.visitor_states(sorted(set(ids)))
        self.queue.show_visitors(states)
        if pane.ticket is not None:
            pane.show_visitor(states.get(pane.ticket.id))

    async def leave(self) -> None:
        """Other agents stop seeing this session at once, rather than when it times out."""
        with contextlib.suppress(StoreError):  # else it times out
            await self.services.store.set_presence(self.session, self.services.agent.id, None)

    @work(exclusive=True, group="metrics", exit_on_error=False)
    async def refresh_metrics(self) -> None:
        if self.has_class("-no-sidebar"):
            return
        store, now = self.services.store, self.services.clock()
        me = self.services.agent.id
        figures = SidebarFigures(
            today=await store.metrics(today(now), viewer_id=me, now=now),
            week=await store.metrics(last_days(now, 7), viewer_id=me, now=now),
            new_per_hour=tuple(await store.new_tickets_per_hour(now - timedelta(hours=24), now)),
        )
        self.query_one(MetricsSidebar).show(figures)

    def action_copy(self) -> None:
        """Copy (yank) the ticket's number, its customer's address or, in its thread, the
        marked message: a chooser names each behind its key (tui/screens/copy.py)."""
        from cs_tui.tui.screens.copy import offer_copy

        pane = self.ticket_pane
        in_thread = pane.conversation.has_focus and pane.ticket is not None
        ticket = pane.ticket if in_thread else self._target()
        message = pane.conversation.marked_message if in_thread else None
        offer_copy(self.app, ticket, message, self.services.clock())

    @work(group="pick", exit_on_error=False)
    async def action_customer(self) -> None:
        """The record of the customer of the ticket the agent sees; a ticket chosen
        there opens here."""
        target = self._target()
        if target is None:
            return
        chosen = await self.app.push_screen_wait(CustomerScreen(target.customer.id))
        if chosen is not None:
            self.ticket_pane.open(chosen)
            self._set_side(ticket=True)

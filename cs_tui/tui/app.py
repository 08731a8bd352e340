"""The Textual app: themes and keymap from the config, the live event feed, and
the actions every screen shares (help, palette commands, $EDITOR, canned responses)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.message import Message
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cs_tui.channels.runner import ChannelRunner, ChannelStatus
from cs_tui.config import Config, remember_theme
from cs_tui.domain.models import Agent, EventKind
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import utcnow
from cs_tui.snoozing import keep_waking, wakes_here
from cs_tui.store.base import ChannelStore, Store, StoreError, StoreUnwritable, TokenRefused, channel_store
from cs_tui.tui.kept import KeptTexts
from cs_tui.tui.keymap import binding_ids, unknown_ids
from cs_tui.tui.notices import NewTicketSignals
from cs_tui.tui.screens.canned import CannedEditorScreen
from cs_tui.tui.screens.copy import CopyScreen
from cs_tui.tui.screens.customer import CustomerScreen
from cs_tui.tui.screens.help import HelpScreen
from cs_tui.tui.screens.main import MainScreen
from cs_tui.tui.services import Services, StoreChanged
from cs_tui.tui.themes import line_filters, load_themes, starting_theme

log = logging.getLogger("cs_tui.tui")

DEFAULT_THEME = "cs-dark"
MOST_NOTICES = 3
"""Notices on the screen at once."""
CHANNELS_STOP_S = 5.0
"""How long quitting waits for the channels to let go of their leases."""


class HelpdeskApp(App[None]):
    """cs-tui: the queue, the open ticket and the team's figures, all from the keyboard."""

    TITLE = "cs-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette"),
    ]

    class ChannelSaid(Message):
        """A channel said what it is doing."""

        def __init__(self, status: ChannelStatus) -> None:
            super().__init__()
            self.status = status

    def __init__(
        self,
        store: Store,
        agent: Agent,
        config: Config,
        *,
        clock: Callable[[], datetime] = utcnow,
        live: bool = True,
        kept: KeptTexts | None = None,
    ) -> None:
        """`kept`: where what the store cannot take is kept (by default in the user's
        state directory, under the agent's id alone)."""
        super().__init__()
        self.services = Services(
            store=store,
            agent=agent,
            config=config,
            clock=clock,
            kept=kept or KeptTexts.of("", agent.id),
        )
        self.live = live
        self._channels_changed = asyncio.Event()
        """A channel was set up or removed: the channels worker looks again."""
        self._channels: asyncio.Task[None] | None = None
        """The channel runner at work, once a channel is set up."""
        self._channel_trouble: dict[str, str] = {}
        """What the agent was last told went wrong with each channel, until it works again."""
        self.new_tickets = NewTicketSignals(self, self.services)
        """New tickets in the agent's views, told on the desktop and in the title."""
        self._theme_ready = False
        # Chosen before the first frame: a theme set later parses all the CSS again.
        self._theme_problems = self._load_themes()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notices often quote customers (a subject, a tag): never read them as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _on_notify(self, event: Notify) -> None:
        """At most MOST_NOTICES notices at once: a new one takes the place of the oldest,
        and of an earlier one of the same title (it says the news on the same matter), so
        that they never pile up over the screen."""
        new = event.notification
        for earlier in list(self._notifications):
            if new.title and earlier.title == new.title:
                self._unnotify(earlier, refresh=False)
        super()._on_notify(event)
        shown = list(self._notifications)
        for oldest in shown[: max(0, len(shown) - MOST_NOTICES)]:
            self._unnotify(oldest)

    def action_help_quit(self) -> None:
        """ctrl+c, which many press to quit: say which key quits (Textual's own words
        are markup, which notify never reads)."""
        keys = [
            key
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        quit_key = self.get_key_display(self.active_bindings[keys[0]].binding) if keys else "q"
        self.notify(f"Press {quit_key} to quit cs-tui (outside text input).", title="Do you want to quit?")

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The app's own colours, for themes that do not set them."""
        return {
            "customer-message": "transparent",
            "agent-reply": "transparent",
            "internal-note": "#3a3000",
            "sla-breached": "#e0534f",
            "sla-soon": "#e0a84f",
            "unread": "#4fa3e0",
        }

    def on_mount(self) -> None:
        for problem in self._theme_problems:
            self.notify(problem, title="Theme", severity="warning", timeout=15)
        config = self.services.config
        for problem in config.problems:
            self.notify(problem, title="Config file", severity="warning", timeout=15)
        self.push_screen(MainScreen())
        if config.keymap:
            self.set_keymap(config.keymap)
            for problem in unknown_ids(config.keymap, binding_ids()):
                self.notify(problem, title="Config file", severity="warning", timeout=15)
        kept = self.services.kept.tickets()
        if kept:
            where = ", ".join(f"#{ticket_id}" for ticket_id in kept)
            self.notify(
                f"What you wrote on {where} is kept: the store could not take it. Open the "
                "ticket to find it in the composer.",
                title="Kept text",
                severity="warning",
                timeout=30,
            )
        if self.live:
            self._follow_events()
            if wakes_here(self.services.store):  # over a team server, the server wakes them
                self.run_worker(
                    keep_waking(self.services.store, clock=self.services.clock),
                    group="wake",
                    exit_on_error=False,
                )
        channels = channel_store(self.services.store)
        if channels is not None:  # over a team server, the server runs the channels
            self._run_channels(channels)

    def _load_themes(self) -> list[str]:
        """Register the theme files and choose the configured theme; returns what went wrong."""
        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        wanted, fallback = starting_theme(self.services.config, DEFAULT_THEME)  # mono for NO_COLOR
        names = {theme.name for theme in themes}
        if wanted not in names and wanted not in self.available_themes:
            problems.append(
                f"There is no theme {wanted!r}; using {fallback}. Themes: {', '.join(sorted(names))}."
            )
            wanted = fallback
        self.theme = wanted if wanted in self.available_themes else "textual-dark"
        self._theme_ready = True
        return problems

    def get_line_filters(self) -> Sequence[LineFilter]:
        """NO_COLOR is answered by the mono theme, not by Textual greying every theme."""
        return line_filters(super().get_line_filters(), self.current_theme)

    def watch_theme(self, theme: str) -> None:
        # Even the config's own theme: it may be the one picked again, or NO_COLOR's
        # mono may be on instead of it.
        if self._theme_ready:
            remember_theme(theme, self.services.config.path)

    async def action_quit(self) -> None:
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None:
            await main.ticket_pane.send_waiting_now()
            await main.leave()
        self.exit()

    # Live updates

    @work(group="events", exit_on_error=False)
    async def _follow_events(self) -> None:
        store = self.services.store
        since = await store.last_event_id()
        async for event in store.events(since):
            if event.kind is EventKind.CHANNEL_CHANGED:
                self._channels_changed.set()
            # Presence names a ticket, but nothing on it changed.
            touched = event.ticket_id is not None and event.kind.changes_tickets
            ids = {event.ticket_id} if touched and event.ticket_id is not None else set()
            created = ids if event.kind.opens_ticket else set()
            if created:
                self.new_tickets.created(created)
            if event.kind is EventKind.TICKET_WOKE and event.ticket_id is not None:
                self.new_tickets.woke(event.ticket_id)
            # The main screen, under any dialog, and a customer's record on top of it.
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen | CustomerScreen):
                    screen.post_message(StoreChanged({event.kind}, ids, created))

    # Channels (mail in and replies out) on an embedded store

    @work(group="channels", exit_on_error=False)
    async def _run_channels(self, store: ChannelStore) -> None:
        """Works the store's channels whose lease this process gets (`cs-tui serve` or
        `cs-tui channel run` may hold them: then it waits). Until a channel is set up it
        only waits to hear of one, so a store without any costs nothing."""
        while True:
            self._channels_changed.clear()  # before looking: one set up meanwhile wakes it
            if await store.list_channels():
                break
            await self._channels_changed.wait()

        def heard(status: ChannelStatus) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the app is gone
                self.post_message(self.ChannelSaid(status))

        runner = ChannelRunner(store, purpose="cs-tui tui", on_status=heard)
        self._channels = asyncio.create_task(runner.run(), name="cs-tui channels")
        # Shielded: quitting stops the runner once (on_unmount) and waits while it lets
        # go of its leases; Textual cancelling its workers as well would cut that short.
        await asyncio.shield(self._channels)

    @on(ChannelSaid)
    def tell_channel_status(self, event: ChannelSaid) -> None:
        """A channel in trouble is said once for each thing that goes wrong (not at every
        retry), and once when it works again."""
        status = event.status
        name = sanitize_line(status.channel)
        said = sanitize_line(status.said)[:500]
        told = self._channel_trouble.get(status.channel)
        if not status.ok:
            if told != said:
                self._channel_trouble[status.channel] = said
                self.notify(said, title=f"Channel {name}", severity="warning", timeout=30)
        elif told is not None:
            del self._channel_trouble[status.channel]
            self.notify(f"Works again: {said}", title=f"Channel {name}")

    # The agent is here (new tickets' signs go from the title)

    async def on_event(self, event: events.Event) -> None:
        """A key or a click, before any widget takes it: the agent is at cs-tui, and has
        the new tickets' notices before their eyes."""
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self.new_tickets.seen()
        await super().on_event(event)

    @on(events.AppFocus)
    def back_to_cs_tui(self) -> None:
        """The terminal says its window (or tmux pane) has the focus again."""
        self.new_tickets.seen()

    async def on_unmount(self) -> None:
        """The channels let go of their leases before the store closes, so that another
        process takes them over at once, not when the leases lapse. The terminal gets
        its title back."""
        self.new_tickets.leave()
        channels, self._channels = self._channels, None
        if channels is not None and not channels.done():
            channels.cancel()
            await asyncio.wait({channels}, timeout=CHANNELS_STOP_S)
        if channels is not None and channels.done() and not channels.cancelled() and channels.exception():
            log.error("the channels stopped", exc_info=channels.exception())

    @on(Worker.StateChanged)
    def report_failure(self, event: Worker.StateChanged) -> None:
        """One place where a failed background job becomes a message to the agent."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("%s failed", event.worker.name, exc_info=error)
        if isinstance(error, TokenRefused):  # ctrl+r would not help: say what does
            self.notify(str(error), title="Signed out", severity="error", timeout=60)
            return
        if isinstance(error, StoreUnwritable):  # it takes a person to mend: said until then
            if self.services.unwritable == str(error):
                return  # said already (each heartbeat and read mark fails alike)
            self.services.unwritable = str(error)
            self.notify(
                f"{error}.\nWhat you write stays in the composer, and in a file of your own.",
                title="Store cannot be written",
                severity="error",
                timeout=600,
            )
            return
        if isinstance(error, StoreError):
            self.notify(str(error), title="Store", severity="error", timeout=10)
        else:
            self.notify(
                f"{type(error).__name__}: {error}\nDetails are in the log file.",
                title="Something went wrong",
                severity="error",
                timeout=10,
            )
        if event.worker.group == "events":
            self.notify("Live updates stopped; press ctrl+r to refresh by hand.", severity="warning")

    # Shared actions

    def action_help(self) -> None:
        from cs_tui.tui.widgets.conversation import THREAD_MOVES, Conversation
        from cs_tui.tui.widgets.queue import QueueTable

        sections: list[tuple[str, Sequence[Binding | tuple[str, ...]]]] = [
            ("Queue", QueueTable.BINDINGS),
            ("Ticket", [b for b in Conversation.BINDINGS if b not in THREAD_MOVES]),
            ("Everywhere", [*MainScreen.BINDINGS, *self.BINDINGS]),
            ("In the thread", THREAD_MOVES),
            ("Copy (after y)", CopyScreen.BINDINGS),
            ("Customer record (C)", CustomerScreen.BINDINGS),
        ]
        self.push_screen(HelpScreen(sections, self.services.config.keymap))

    def action_manage_canned(self) -> None:
        self.push_screen(CannedEditorScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            # The same commands as the `:` command line, under the same words.
            for command in screen.known_commands():
                yield SystemCommand(command.does, f":{command.words}", self._runner(screen, command.action))
        yield SystemCommand(
            "Canned responses: manage", "Create, edit and delete canned responses", self.action_manage_canned
        )
        yield SystemCommand("Keys", "Every key and what it does", self.action_help)

    @staticmethod
    def _runner(screen: Screen[Any], action: str) -> Callable[[], Awaitable[object]]:
        async def run() -> None:
            await screen.run_action(action)

        return run

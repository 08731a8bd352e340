"""New tickets in the agent's views, told once for a burst: a notice on the screen,
the bell (when the config asks), a desktop notification (OSC 9 or OSC 777, as the
config asks) and their count in the terminal's title, "(3) cs-tui", until the agent
is back at cs-tui: a key pressed, a click, or the terminal saying its window has the
focus again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from textual.app import App
from textual.timer import Timer

from cs_tui.config import View
from cs_tui.domain.matching import ticket_matches
from cs_tui.domain.models import Channel, Ticket
from cs_tui.store.base import Store, StoreError
from cs_tui.tui.format import in_a_notice
from cs_tui.tui.services import Services
from cs_tui.tui.terminal import POP_TITLE, PUSH_TITLE, desktop_notification, set_title, write_to_terminal

TITLE = "cs-tui"
"""The title while new tickets wait unseen, after their count; and after, where the
terminal cannot give back its own."""
GATHER_S = 0.15
"""Tickets created within this many seconds (an import, a burst of mail) are told together."""
MOST_READ = 20
"""New tickets read at once to tell which views they are in; more are told as a number."""
MAX_MESSAGES_READ = 500
"""A new ticket's messages read to tell which views it is in (a view may search the bodies)."""
IDS_NAMED = 5
"""Of several new tickets, the numbers a notification names."""


async def tickets_in_views(
    store: Store,
    views: Sequence[View],
    ticket_ids: Iterable[int],
    *,
    viewer_id: int,
    now: datetime,
) -> list[tuple[Ticket, list[str]]]:
    """Each of the tickets that is in one of `views`, with the names of those views,
    matched as the search matches (message bodies included)."""
    hits: list[tuple[Ticket, list[str]]] = []
    for ticket_id in list(ticket_ids)[:MOST_READ]:
        try:
            ticket = await store.get_ticket(ticket_id)
            messages = await store.get_messages(ticket_id, limit=MAX_MESSAGES_READ)
        except StoreError:  # gone meanwhile, or the store is away: nothing to tell
            continue
        bodies = [m.body for m in messages.messages]
        names = [
            view.name
            for view in views
            if ticket_matches(view.parsed, ticket, bodies=bodies, viewer_id=viewer_id, now=now)
        ]
        if names:
            hits.append((ticket, names))
    return hits


def notice_text(hits: Sequence[tuple[Ticket, Sequence[str]]]) -> str:
    """The notice on the screen: the ticket and the views it is in, or how many."""
    if len(hits) == 1:
        ticket, names = hits[0]
        return f"#{ticket.id} {in_a_notice(ticket.subject)}\nin {', '.join(names)}"
    return f"{len(hits)} new tickets in your views"


def notification_text(hits: Sequence[tuple[Ticket, Sequence[str]]]) -> tuple[str, str]:
    """A desktop notification's title and body for new tickets in the agent's views
    (raw: terminal.desktop_notification cleans and cuts them)."""
    if len(hits) == 1:
        ticket, names = hits[0]
        return "New ticket", f"#{ticket.id} {in_a_notice(ticket.subject)} (in {', '.join(names)})"
    numbers = ", ".join(f"#{ticket.id}" for ticket, _ in hits[:IDS_NAMED])
    more = ", …" if len(hits) > IDS_NAMED else ""
    return f"{len(hits)} new tickets", f"in your views: {numbers}{more}"


class NewTicketSignals:
    """The notice, the bell, the desktop notification and the title's count of new
    tickets in the agent's views. The title is changed only while there is a count,
    and given back after."""

    def __init__(self, app: App[Any], services: Services) -> None:
        self.app = app
        self.services = services
        self.unseen: set[int] = set()
        """New tickets in the agent's views since the agent was last at cs-tui."""
        self._gathered: set[int] = set()
        self._timer: Timer | None = None
        self._title_kept = False
        """The terminal's own title is kept on its title stack: cs-tui's count shows."""

    def created(self, ticket_ids: Iterable[int]) -> None:
        """Tickets were just created (by anyone): those in the agent's views are told."""
        self._gathered.update(ticket_ids)
        if self._gathered and self._timer is None:
            self._timer = self.app.set_timer(GATHER_S, self._look)

    def _look(self) -> None:
        ticket_ids, self._gathered, self._timer = sorted(self._gathered), set(), None
        self.app.run_worker(self._tell(ticket_ids), group="new-tickets", exit_on_error=False)

    async def _tell(self, ticket_ids: list[int]) -> None:
        services = self.services
        hits = await tickets_in_views(
            services.store,
            services.config.views,
            ticket_ids,
            viewer_id=services.agent.id,
            now=services.clock(),
        )
        if not hits:
            return
        chats = [ticket for ticket, _ in hits if ticket.channel is Channel.CHAT]
        kind = "chat" if chats and len(chats) == len(hits) else "ticket"
        self.app.notify(notice_text(hits), title=f"New {kind}" if len(hits) == 1 else f"New {kind}s")
        if services.config.bell or (chats and services.config.chat_bell):
            self.app.bell()  # a visitor waits on the page: a chat rings unless told not to
        title, body = notification_text(hits)
        write_to_terminal(self.app, desktop_notification(services.config.desktop_notifications, title, body))
        self.unseen.update(ticket.id for ticket, _ in hits)
        self._show_count()

    def woke(self, ticket_id: int) -> None:
        """A snoozed ticket's time came: its assignee is told, here and on the desktop."""
        self.app.run_worker(self._tell_woken(ticket_id), group="new-tickets", exit_on_error=False)

    async def _tell_woken(self, ticket_id: int) -> None:
        services = self.services
        try:
            ticket = await services.store.get_ticket(ticket_id)
        except StoreError:  # gone meanwhile, or the store is away
            return
        if ticket.assignee is None or ticket.assignee.id != services.agent.id:
            return
        body = f"#{ticket.id} {in_a_notice(ticket.subject)}\nis open again: its snooze ended"
        self.app.notify(body, title="Back from snooze", severity="warning")
        if services.config.bell:
            self.app.bell()
        write_to_terminal(
            self.app, desktop_notification(services.config.desktop_notifications, "Back from snooze", body)
        )

    def seen(self) -> None:
        """The agent is at cs-tui: the count goes from the title."""
        if self.unseen:
            self.unseen.clear()
            self._show_count()

    def leave(self) -> None:
        """cs-tui stops: the terminal gets its own title back."""
        self.unseen.clear()
        self._show_count()

    def _show_count(self) -> None:
        if self.unseen and self.services.config.title_count:
            keep = "" if self._title_kept else PUSH_TITLE
            self._title_kept = True
            write_to_terminal(self.app, keep + set_title(f"({len(self.unseen)}) {TITLE}"))
        elif self._title_kept:
            self._title_kept = False
            write_to_terminal(self.app, set_title(TITLE) + POP_TITLE)

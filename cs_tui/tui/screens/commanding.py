"""The main screen directed by name: the `:` command line (and the command palette,
which lists the same commands), a ticket opened by its number, a search and marks
given in words."""

from __future__ import annotations

from textual import on, work
from textual.widgets import Input

from cs_tui.domain.models import Agent
from cs_tui.store.base import NotFound
from cs_tui.tui.commands import TICKET_NUMBER, Command, action_for, commands
from cs_tui.tui.screens.views import SORT_LABEL, ViewsAndSearch
from cs_tui.tui.widgets.command_line import CommandLine


class Commanding(ViewsAndSearch):
    """The base of MainScreen that runs commands given by name."""

    team: list[Agent] = []
    """The agents, as last read: who `assign` completes to."""

    def known_commands(self) -> list[Command]:
        return commands(self.BINDINGS, self.services.config.views, self.team, SORT_LABEL)

    @work(group="command-line", exit_on_error=False)
    async def action_command_line(self) -> None:
        self.team = await self.services.store.list_agents()
        self.query_one(CommandLine).start(self.known_commands())

    @on(Input.Submitted, "#command-line")
    async def run_command(self, event: Input.Submitted) -> None:
        line = self.query_one(CommandLine)
        action, problem = action_for(event.value, line.known)
        if action is None:
            if problem:
                self.notify(problem, severity="warning", title=":")
            else:
                self.close_command_line()
            return
        self.close_command_line()
        await self.run_action(action)

    def close_command_line(self) -> None:
        self.query_one(CommandLine).stop()
        self._show_queue()

    @work(group="open-number", exit_on_error=False)
    async def action_open_number(self, number: int) -> None:
        """Open ticket `number`, wherever it is (the queue's cursor goes to it when the
        view holds it)."""
        try:
            ticket = await self.services.store.get_ticket(number)
        except NotFound:
            self.notify(f"There is no ticket #{number}.", severity="warning")
            return
        ids = [t.id for t in self.queue.rows]
        if ticket.id in ids:
            self.queue.cursor_row = ids.index(ticket.id)
        self.ticket_pane.open(ticket.id)
        self._set_side(ticket=True)

    def action_search_for(self, text: str) -> None:
        """A search given in words (`:search refund`), as if typed after `/`."""
        self.search_text = text.strip()
        self._apply()

    def action_mark(self, which: str) -> None:
        queue = self.queue
        if which == "all":
            queue.action_mark_all()
        elif which == "invert":
            queue.action_invert_marks()
        else:
            queue.unmark_all()

    def opens_a_ticket(self, search: str) -> int | None:
        """The ticket a search of its number alone (`#1885`) opens."""
        number = TICKET_NUMBER.fullmatch(search)
        return int(number[1]) if number and search.strip().startswith("#") else None

    def _set_side(self, *, ticket: bool) -> None:
        raise NotImplementedError

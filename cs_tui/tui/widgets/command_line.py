"""The `:` command line, as in vim and k9s: every action of the main screen by name,
completed as you type (tab or right arrow takes the completion)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.suggester import SuggestFromList
from textual.widgets import Input

from cs_tui.tui.commands import Command


class CommandLine(Input):
    DEFAULT_CSS = """
    CommandLine { dock: bottom; height: 1; border: none; padding: 0 1; background: $boost; display: none; }
    """
    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="command.complete")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="a command, a ticket's number · tab completes · esc closes", id=id)
        self.known: list[Command] = []

    def start(self, known: Sequence[Command]) -> None:
        """Show it, empty, completing the commands `known`."""
        self.known = list(known)
        self.suggester = SuggestFromList([c.words for c in self.known], case_sensitive=False)
        self.value = ""
        self.display = True
        self.focus()

    def stop(self) -> None:
        self.value = ""
        self.display = False

    def action_complete(self) -> None:
        """Take the completion shown, as the right arrow does at the end of the line."""
        self.cursor_position = len(self.value)
        self.action_cursor_right()

"""Who is at the keyboard, asked before the helpdesk opens when the name given (or the
login name) is not one agent of the store: the team (or those the name could mean)
to pick from, and, only if asked for, a new agent."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.models import Agent
from cs_tui.domain.text import sanitize_line

NEW = "\0new"
"""The answer that asks for a new agent."""


class WhoAreYouApp(App[str | None]):
    """Returns the address of the agent picked, NEW for a new agent, or None (quit)."""

    CSS = """
    Screen { align: center middle; }
    Vertical { width: 80; max-width: 95%; height: auto; max-height: 90%; border: round $accent;
               padding: 0 1; }
    #who-title { text-style: bold; }
    OptionList { height: auto; max-height: 20; border: none; }
    .who-help { color: $text-muted; }
    """
    BINDINGS = [Binding("escape,q", "quit", "Quit", id="who.quit")]

    def __init__(self, said: str, candidates: list[Agent], newcomer: str) -> None:
        super().__init__()
        self.said = said
        self.candidates = candidates
        self.newcomer = newcomer

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Who are you?", id="who-title")
            yield Static(Text(sanitize_line(self.said)), classes="who-help")
            options = [
                Option(
                    Text(f"{sanitize_line(a.name)} <{sanitize_line(a.email)}>  {a.role.value}"), id=a.email
                )
                for a in self.candidates
            ]
            options.append(Option(Text(f"Someone new: add me as {sanitize_line(self.newcomer)}"), id=NEW))
            yield OptionList(*options)
            yield Static("enter picks (remembered in the config) · esc quits", classes="who-help")

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.exit(event.option.id)

"""Pick an agent of the team to assign to: filtered as you type (a first name, part of
a name or an address), or nobody."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.agents import agents_named
from cs_tui.domain.models import Agent
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.screens.pickers import PICKER_CSS

NOBODY = "\0nobody"
"""The answer that unassigns."""


class TeamPicker(ModalScreen[str | None]):
    """Returns the address of the agent picked, NOBODY, or None (cancelled)."""

    DEFAULT_CSS = (
        PICKER_CSS
        + """
    TeamPicker { align: center middle; }
    TeamPicker > Vertical { width: 60; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    TeamPicker OptionList { height: auto; max-height: 14; border: none; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="team.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="team.down"),
        Binding("up", "move(-1)", "Up", show=False, id="team.up"),
    ]

    def __init__(self, title: str, team: Sequence[Agent], *, current: int | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.team = [agent for agent in team if agent.active]
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder="a name or an address", id="team-filter")
            yield OptionList(id="team-list")
            yield Static("type to narrow · enter picks · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        self._show(self.team)
        self.query_one(Input).focus()

    @on(Input.Changed, "#team-filter")
    def narrow(self, event: Input.Changed) -> None:
        self._show(agents_named(self.team, event.value) if event.value.strip() else self.team)

    def _show(self, agents: Sequence[Agent]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(
                    Text(
                        f"{sanitize_line(a.name)} <{sanitize_line(a.email)}>"
                        + ("  (now)" if a.id == self.current else "")
                    ),
                    id=a.email,
                )
                for a in agents
            ]
            + [Option(Text("Nobody: unassign" + ("  (now)" if self.current is None else "")), id=NOBODY)]
        )
        options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Submitted, "#team-filter")
    def pick_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""When a snoozed ticket comes back: one of a few choices (the arrows move to it, enter
picks it), or any time typed ("besok 14:00", "monday 10:30", "2h"), said back as it is
typed. Digits and letters are the time's: none of them picks a choice."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.snooze import parse_until, snooze_choices, until_words
from cs_tui.tui.screens.pickers import PICKER_CSS


def choice_words(label: str, until: str) -> str:
    """ "In 4 hours · today 13:30"; "Tomorrow 09:00" alone where the time says no more."""
    return label if until.lower() == label.lower() else f"{label} · {until}"


class SnoozeScreen(ModalScreen[datetime | None]):
    """Returns when the snooze ends (UTC), or None."""

    DEFAULT_CSS = (
        PICKER_CSS
        + """
    SnoozeScreen { align: center middle; }
    SnoozeScreen > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    SnoozeScreen OptionList { height: auto; border: none; }
    SnoozeScreen #snooze-said { height: auto; }
    SnoozeScreen #snooze-said.-problem { color: $text-error; text-style: bold; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.title_text = title
        self.clock = clock
        self.choices = snooze_choices(clock())

    def compose(self) -> ComposeResult:
        now = self.clock()
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            yield OptionList(
                *[
                    Option(Text(choice_words(choice.label, until_words(choice.until, now=now))))
                    for choice in self.choices
                ],
                id="snooze-choices",
            )
            yield Input(placeholder="or type: 2h, besok 14:00, monday 10:30, 2026-12-24", id="snooze-until")
            yield Static("", id="snooze-said")
            yield Static(
                "pending until then, open again after · ↑↓ and enter pick one · esc cancels",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(Input).focus()

    def on_key(self, event: events.Key) -> None:
        """The arrows move through the choices while the time line has the focus; they
        clear what was typed, so that enter picks the choice."""
        if event.key in ("down", "up"):
            event.stop()
            self.query_one(Input).value = ""
            options = self.query_one(OptionList)
            step = 1 if event.key == "down" else -1
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Changed, "#snooze-until")
    def say_back(self, event: Input.Changed) -> None:
        said = self.query_one("#snooze-said", Static)
        if not event.value.strip():
            said.update("")
            said.remove_class("-problem")
            return
        try:
            until = parse_until(event.value, now=self.clock())
        except RuleBroken as problem:
            said.update(Text(str(problem)))
            said.add_class("-problem")
            return
        said.update(Text(f"until {until_words(until, now=self.clock())}"))
        said.remove_class("-problem")

    @on(Input.Submitted, "#snooze-until")
    def pick(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.dismiss(self.choices[self.query_one(OptionList).highlighted or 0].until)
            return
        with contextlib.suppress(RuleBroken):  # said under the line already
            self.dismiss(parse_until(event.value, now=self.clock()))

    @on(OptionList.OptionSelected, "#snooze-choices")
    def pick_choice(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index].until)

    def action_cancel(self) -> None:
        self.dismiss(None)

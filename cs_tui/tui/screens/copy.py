"""The chooser `y` opens, as a which-key popup: what can be copied, each behind a key
(`y` `n` the number, `y` `a` the address, `y` `m` or `y` `y` the marked message).
Any other key closes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cs_tui.domain.models import Message, Ticket
from cs_tui.tui.clipboard import Copyable, copy_out, copyables


class CopyScreen(ModalScreen[Copyable | None]):
    """What can be copied of the ticket the agent sees, each with its key and what it
    holds now; the key copies it at once."""

    DEFAULT_CSS = """
    CopyScreen { align: center bottom; }
    CopyScreen > Vertical {
        width: auto; min-width: 30; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1; margin: 0 0 1 0;
    }
    CopyScreen Static { width: auto; }
    CopyScreen .dialog-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("n,number_sign", "pick('number')", "The ticket's number", id="copy.number"),
        Binding("a", "pick('address')", "The customer's address", id="copy.address"),
        Binding("m,y", "pick('message')", "The marked message", id="copy.message"),
        Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, choices: Sequence[Copyable]) -> None:
        super().__init__()
        self.choices = {choice.name: choice for choice in choices}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Copy to the clipboard", style="bold"))
            yield Static(self._table(), id="copy-choices")
            yield Static("any other key closes this", classes="dialog-help")

    def _table(self) -> Text:
        """A line for each thing that can be copied: its keys (as the keymap has them),
        what it is, and what it holds now."""
        config = getattr(getattr(self.app, "services", None), "config", None)
        keymap = config.keymap if config is not None else {}
        rows: list[tuple[str, str, str]] = []
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or not binding.action.startswith("pick("):
                continue
            choice = self.choices.get(binding.action.removeprefix("pick('").removesuffix("')"))
            if choice is not None:
                keys = keymap.get(binding.id or "", binding.key).split(",")
                shown = " ".join(self.app.get_key_display(Binding(key.strip(), "")) for key in keys)
                rows.append((shown, choice.name, choice.preview))
        keys_width = max((len(keys) for keys, _, _ in rows), default=0)
        what_width = max((len(what) for _, what, _ in rows), default=0)
        table = Text(no_wrap=True, overflow="ellipsis")
        for keys, what, preview in rows:
            table.append(f"{keys:<{keys_width}}  ", style="bold")
            table.append(f"{what:<{what_width}}  ", style="dim")
            table.append(preview)  # customer text, cleaned: never markup
            table.append("\n")
        table.rstrip()
        return table

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":  # there, but not for what is not on offer (a message from the queue)
            return True if parameters and parameters[0] in self.choices else None
        return True

    def action_pick(self, name: str) -> None:
        self.dismiss(self.choices.get(name))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        """A key of this popup's own goes on to its binding; any other closes it (and
        does nothing else: `q` here does not quit)."""
        active = self.active_bindings.get(event.key)
        if active is not None and active.node is self and active.enabled:
            return
        event.stop()
        event.prevent_default()
        if active is not None and active.node is self and active.binding.id == "copy.message":
            self.notify("No message to copy here: open the ticket, then press y in its thread.")
        self.dismiss(None)


def offer_copy(app: App[Any], ticket: Ticket | None, message: Message | None, now: datetime) -> None:
    """The chooser for what can be copied of `ticket` (and of `message`, the marked one,
    when the agent is in the thread); what is picked goes to the clipboard."""
    if ticket is None:
        app.notify("Nothing to copy: pick a ticket first.", severity="warning")
        return

    def picked(choice: Copyable | None) -> None:
        if choice is not None:
            copy_out(app, choice)

    app.push_screen(CopyScreen(copyables(ticket, message, now)), picked)

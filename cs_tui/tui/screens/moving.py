"""Merging and splitting tickets from the main screen: `M` merges the ticket the agent
sees into another about the same matter (the customer's other tickets offered, or any
number typed), `S` splits the marked message of the thread, and maybe those after it,
into a new ticket. Both ask first; what the rules refuse (domain.merging) is said
before anything is asked, and a ticket changed meanwhile is a conflict, never
overwritten."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.models import Message, Status, Ticket
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.format import in_a_notice, plural, status_label
from cs_tui.tui.screens.pickers import PICKER_CSS

MOVING_CSS = (
    PICKER_CSS
    + """
MergeScreen, SplitScreen { align: center middle; }
MergeScreen > Vertical, SplitScreen > Vertical {
    width: 80; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}
MergeScreen OptionList { height: auto; max-height: 10; border: none; }
MergeScreen #merge-error { color: $text-error; text-style: bold; }
SplitScreen Horizontal { height: auto; align: right middle; margin: 1 0 0 0; }
SplitScreen Button { margin: 0 0 0 1; }
SplitScreen #split-message { color: $text-muted; margin: 0 0 1 0; }
"""
)


def ticket_words(ticket: Ticket) -> str:
    """ "#1885 Paket belum sampai (Budi Santoso, open)" """
    customer = in_a_notice(ticket.customer.name, 40) or in_a_notice(ticket.customer.email, 60)
    return f"#{ticket.id} {in_a_notice(ticket.subject, 60)} ({customer}, {status_label(ticket.status)})"


def can_take_a_merge(ticket: Ticket) -> bool:
    """A ticket offered to merge into: neither closed nor merged away itself."""
    return ticket.merged_into is None and ticket.status is not Status.CLOSED


class MergeScreen(ModalScreen[int | None]):
    """Which ticket to merge into: one of the customer's others, picked, or any number
    typed. Returns its number, or None."""

    DEFAULT_CSS = MOVING_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="merge.down"),
        Binding("up", "move(-1)", "Up", show=False, id="merge.up"),
    ]

    def __init__(self, merged: Ticket, candidates: Sequence[Ticket]) -> None:
        super().__init__()
        self.merged = merged
        self.candidates = list(candidates)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Merge {ticket_words(self.merged)} into"), classes="dialog-title")
            yield Input(placeholder="a ticket's number, or pick one below", id="merge-into")
            if self.candidates:
                yield Static("The customer's other tickets:", classes="dialog-help")
                yield OptionList(
                    *[Option(Text(ticket_words(t)), id=str(t.id)) for t in self.candidates], id="merge-list"
                )
            yield Static("", id="merge-error")
            yield Static("enter picks · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.candidates:
            self.query_one(OptionList).highlighted = 0

    def action_move(self, step: int) -> None:
        if self.candidates:
            options = self.query_one(OptionList)
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    @on(Input.Submitted, "#merge-into")
    def pick_typed(self, event: Input.Submitted) -> None:
        typed = event.value.strip().lstrip("#")
        if typed.isdigit() and len(typed) <= 18:
            self.dismiss(int(typed))
        elif not typed and self.candidates:
            options = self.query_one(OptionList)
            self.dismiss(self.candidates[options.highlighted or 0].id)
        else:
            self.query_one("#merge-error", Static).update(
                Text(f"{in_a_notice(event.value, 40)!r} is not a ticket's number: type one, such as 1885")
            )

    @on(OptionList.OptionSelected, "#merge-list")
    def pick(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def merge_question(merged: Ticket, into: Ticket) -> Text:
    """What merging will do, for the agent to say yes to."""
    messages = plural(merged.message_count, "message")
    text = Text()
    text.append(f"{ticket_words(merged)}\n  into {ticket_words(into)}\n\n")
    text.append(
        f"Its {messages} join #{into.id}'s conversation in time order, its tags and customer join"
        f" #{into.id}, and #{merged.id} is closed, pointing to #{into.id}. A merge cannot be undone."
    )
    return text


class SplitScreen(ModalScreen[tuple[str, bool] | None]):
    """Split a message off into a new ticket: its subject, and whether the messages
    after it go too. Returns (subject, and_after), or None."""

    DEFAULT_CSS = MOVING_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, ticket: Ticket, message: Message, after: int) -> None:
        super().__init__()
        self.ticket = ticket
        self.message = message
        self.after = after
        """How many messages come after it in the conversation."""

    def compose(self) -> ComposeResult:
        message = self.message
        first_line = sanitize_line(message.body.strip().split("\n", 1)[0])[:70]
        with Vertical():
            yield Label(
                Text(f"Split off a message of #{self.ticket.id} into a new ticket"), classes="dialog-title"
            )
            yield Static(Text(f"{in_a_notice(message.author_name, 40)}: {first_line}"), id="split-message")
            yield Static("The new ticket's subject:", classes="dialog-help")
            yield Input(self.ticket.subject[:200], id="split-subject")
            yield Checkbox(
                f"and the {plural(self.after, 'message')} after it", self.after > 0, id="split-after"
            )
            with Horizontal():
                yield Button("Split", id="split-yes", variant="primary")
                yield Button("Cancel", id="split-no")

    def on_mount(self) -> None:
        self.query_one(Checkbox).display = self.after > 0
        self.query_one(Input).focus()

    @on(Input.Submitted, "#split-subject")
    @on(Button.Pressed, "#split-yes")
    def split(self) -> None:
        subject = self.query_one(Input).value.strip()
        self.dismiss((subject, self.after > 0 and self.query_one(Checkbox).value))

    @on(Button.Pressed, "#split-no")
    def action_cancel(self) -> None:
        self.dismiss(None)

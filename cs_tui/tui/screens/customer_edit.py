"""Editing a customer's record: the shared notes in a text area (or $EDITOR), and the
addresses as a line of words, as tags are edited."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from cs_tui.domain.customers import CustomerChanges, CustomerRecord, Identity, parse_identity
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.tui.editor import edit_in_editor
from cs_tui.tui.screens.pickers import PICKER_CSS, AskScreen


class NotesEditor(ModalScreen[str | None]):
    """The notes as text to edit: ctrl+s saves, escape asks before dropping a change;
    returns the new text, or None."""

    DEFAULT_CSS = """
    NotesEditor { align: center middle; }
    NotesEditor > Vertical {
        width: 90%; max-width: 110; height: 80%; border: round $accent; background: $surface; padding: 0 1;
    }
    NotesEditor .dialog-title { text-style: bold; }
    NotesEditor TextArea { height: 1fr; }
    NotesEditor #notes-theirs { height: auto; max-height: 8; border-left: thick $warning; padding: 0 1; }
    NotesEditor .dialog-help { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="notes.save"),
        Binding("ctrl+e", "editor", "$EDITOR", id="notes.editor"),
        Binding("escape", "cancel", "Cancel", id="notes.cancel"),
    ]

    def __init__(self, title: str, text: str, *, theirs: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.theirs = theirs
        """A colleague's notes, saved while the agent wrote `text`: shown above it."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            if self.theirs is not None:
                with VerticalScroll(id="notes-theirs"):
                    yield Static(Text(sanitize(self.theirs) or "(they emptied the notes)"))
                yield Label("Yours, not saved: ctrl+s saves them in place of theirs", classes="dialog-title")
            yield TextArea(self.text, soft_wrap=True, id="notes")
            yield Static("ctrl+s saves · ctrl+e $EDITOR · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_editor(self) -> None:
        area = self.query_one(TextArea)
        edited = edit_in_editor(self.app, area.text)
        if edited is not None:
            area.load_text(edited)

    async def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.text:
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "drop":
                self.dismiss(None)

        self.app.push_screen(
            AskScreen(
                "Drop what you wrote?",
                "The notes stay as they were.",
                [("drop", "Drop"), ("keep", "Keep writing")],
            ),
            answered,
        )


def address_words(text: str) -> CustomerChanges:
    """Addresses to add and remove, separated by commas: `budi@kantor.example,
    whatsapp:+62 812 3456 7890, -budi@lama.example`. RuleBroken for one that is not
    an address, naming it."""
    add: list[Identity] = []
    remove: list[Identity] = []
    for word in text.split(","):
        word = word.strip()
        if not word:
            continue
        target = remove if word.startswith("-") else add
        target.append(parse_identity(word.lstrip("-+").strip()))
    return CustomerChanges(add_identities=tuple(add), remove_identities=tuple(remove))


class AddressesScreen(ModalScreen[CustomerChanges | None]):
    """The customer's addresses, and a line to add and remove some."""

    DEFAULT_CSS = (
        PICKER_CSS
        + """
    AddressesScreen { align: center middle; }
    AddressesScreen > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AddressesScreen #addresses-error { color: $text-error; text-style: bold; }
    """
    )
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def __init__(self, record: CustomerRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Addresses of {sanitize_line(self.record.name)}"), classes="dialog-title")
            now = ", ".join(sanitize_line(identity.format()) for identity in self.record.identities)
            yield Static(Text(f"Now: {now}"), classes="dialog-help")
            yield Input(
                placeholder="budi@kantor.example, whatsapp:+62 812 3456 7890, -old@example.com",
                id="addresses",
            )
            yield Static(
                "commas between · -address removes one · kinds: email, phone, whatsapp, messenger, instagram"
                " · enter applies · esc cancels",
                classes="dialog-help",
            )
            yield Static("", id="addresses-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#addresses")
    def apply(self, event: Input.Submitted) -> None:
        try:
            changes = address_words(event.value)
        except RuleBroken as error:
            self.query_one("#addresses-error", Static).update(Text(str(error)))
            return
        self.dismiss(None if changes.is_empty else changes)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

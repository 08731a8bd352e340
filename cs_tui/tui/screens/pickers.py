"""Small modal dialogs: pick one of a few values, edit tags, confirm or choose."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.models import normalize_tag

PICKER_CSS = """
ChoiceScreen, TagsScreen, AskScreen { align: center middle; }
ChoiceScreen > Vertical, TagsScreen > Vertical, AskScreen > Vertical {
    width: 60; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}
ChoiceScreen OptionList { height: auto; max-height: 14; border: none; }
.dialog-title { text-style: bold; margin: 0 0 1 0; }
.dialog-help { color: $text-muted; }
AskScreen Horizontal { height: auto; align: right middle; margin: 1 0 0 0; }
AskScreen Button { margin: 0 0 0 1; }
"""


def choice_keys(labels: Sequence[str]) -> list[str]:
    """A letter for each label that picks it, each different: its first letter, else
    the first letter of another of its words ("on hold": h, beside "open": o), else
    any of its letters not taken."""
    taken: set[str] = set()
    keys = []
    for label in labels:
        words = label.lower().split()
        candidates = [word[0] for word in words if word] + [c for c in label.lower() if c.isalpha()]
        key = next((c for c in candidates if c.isalpha() and c not in taken), "")
        taken.add(key)
        keys.append(key)
    return keys


class ChoiceScreen(ModalScreen[str | None]):
    """One value out of a few (a status, a priority); its letter, shown before it,
    picks it at once."""

    DEFAULT_CSS = PICKER_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        self.keys = choice_keys([label for _, label in self.choices])

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            options = [
                Option(
                    Text.assemble(
                        (f"{key or ' '}  ", "bold underline"),
                        label + ("  (now)" if value == self.current else ""),
                    ),
                    id=value,
                )
                for (value, label), key in zip(self.choices, self.keys, strict=True)
            ]
            yield OptionList(*options)
            yield Static("enter or the letter picks · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        values = [value for value, _ in self.choices]
        option_list.highlighted = values.index(self.current) if self.current in values else 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        character = (event.character or "").lower()
        if not character.isalpha():
            return
        for (value, _label), key in zip(self.choices, self.keys, strict=True):
            if key == character:
                event.stop()
                self.dismiss(value)
                return

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def tag_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Tags to add and to remove, from words: `refund urgent-review -spam`."""
    add: list[str] = []
    remove: list[str] = []
    for word in text.split():
        target = remove if word.startswith("-") else add
        tag = normalize_tag(word.lstrip("-+"))
        if tag:
            target.append(tag)
    return tuple(add), tuple(remove)


class TagsScreen(ModalScreen[tuple[tuple[str, ...], tuple[str, ...]] | None]):
    """Edit tags as words: `refund urgent-review -spam` adds two and removes one."""

    DEFAULT_CSS = PICKER_CSS
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, current: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.current = tuple(current)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            now = " ".join(self.current) if self.current else "none"
            yield Static(Text(f"Tags now: {now}"), classes="dialog-help")
            yield Input(placeholder="refund shipping -spam", id="tags")
            yield Static(
                "words add tags, -word removes one · enter applies · esc cancels", classes="dialog-help"
            )
            yield Static("", id="tags-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#tags")
    def apply_tags(self, event: Input.Submitted) -> None:
        self.dismiss(tag_words(event.value))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class AskScreen(ModalScreen[str]):
    """A question with a few answers as buttons; escape gives the last one."""

    DEFAULT_CSS = PICKER_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="dialog.left"),
        Binding("right", "app.focus_next", "Next", show=False, id="dialog.right"),
    ]

    def __init__(self, title: str, body: Text | str, answers: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text(body)
        self.answers = list(answers)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(self.body)
            with Horizontal():
                for index, (answer, label) in enumerate(self.answers):
                    yield Button(label, id=f"answer-{answer}", variant="primary" if index == 0 else "default")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def answer(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.dismiss(event.button.id.removeprefix("answer-"))

    def action_cancel(self) -> None:
        self.dismiss(self.answers[-1][0])

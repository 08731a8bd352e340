"""The baseline for opening a ticket: a bare Textual app doing what the open does to the
screen. `enter` moves the focus from a list to a second pane (both framed, the frame
of the focused one lit) and replaces that pane's text with a numbered header and 40
lines; `escape` moves the focus back.

    python -m bench.bare_open
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

READY = "row 0"
BODY = "\n".join(f"line {n} of the conversation, a message body of a few words" for n in range(40))


def header(opened: int) -> str:
    """The first line of the pane after the `opened`-th enter."""
    return f"#{opened} opened"


class Rows(Static, can_focus=True):
    BINDINGS = [Binding("enter", "open", "Open")]

    def __init__(self) -> None:
        super().__init__("\n".join(f"row {n}" for n in range(44)), id="rows")
        self.opened = 0

    def action_open(self) -> None:
        self.opened += 1
        self.app.query_one("#text", Static).update(f"{header(self.opened)}\n{BODY}")
        self.app.query_one("#pane", VerticalScroll).focus()


class BareOpen(App[None]):
    CSS = """
    #rows { width: 1fr; border: round $panel; }
    #rows:focus { border: round $accent; }
    #pane { width: 1fr; border: round $panel; }
    #pane:focus-within { border: round $accent; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Rows()
            with VerticalScroll(id="pane"):
                yield Static("nothing open", id="text")

    def on_mount(self) -> None:
        self.query_one(Rows).focus()

    async def action_back(self) -> None:
        self.query_one(Rows).focus()


if __name__ == "__main__":
    BareOpen().run()

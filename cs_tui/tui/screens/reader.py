"""The reader: a ticket's whole subject and a whole message over the screen, for what
the ticket pane cuts to fit; escape closes it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from cs_tui.tui.widgets.full_text import FullText, Part

KEYS = "↑ ↓ j k  pgup pgdn space  home end g G · escape closes"


class Reader(ModalScreen[None]):
    """Parts of text whole, the width of the terminal."""

    DEFAULT_CSS = """
    Reader { align: center middle; }
    Reader > FullText {
        width: 100%; height: 100%; border: round $accent; background: $surface;
        border-subtitle-color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape,q,f", "close", "Close", id="reader.close"),
        # The screen's own, not the text's: a key typed as the reader opens, before the
        # text has the focus, already moves it.
        Binding("down,j", "move('scroll_down')", "Down", show=False, id="reader.down"),
        Binding("up,k", "move('scroll_up')", "Up", show=False, id="reader.up"),
        Binding("pagedown,space", "move('page_down')", "Page down", show=False, id="reader.page_down"),
        Binding("pageup", "move('page_up')", "Page up", show=False, id="reader.page_up"),
        Binding("home,g", "move('scroll_home')", "Top", show=False, id="reader.top"),
        Binding("end,G", "move('scroll_end')", "Bottom", show=False, id="reader.bottom"),
    ]

    def __init__(self, parts: Sequence[Part], *, heading: str) -> None:
        """`heading`: on the border, in the app's own words (it is read as markup)."""
        super().__init__()
        self.parts = tuple(parts)
        self.heading = heading

    def compose(self) -> ComposeResult:
        full = FullText(self.parts, keys=KEYS, id="full-text")
        full.border_title = self.heading
        yield full

    def action_move(self, action: str) -> None:
        full = self.query_one(FullText)
        {
            "scroll_down": full.action_scroll_down,
            "scroll_up": full.action_scroll_up,
            "page_down": full.action_page_down,
            "page_up": full.action_page_up,
            "scroll_home": full.action_scroll_home,
            "scroll_end": full.action_scroll_end,
        }[action]()

    def action_close(self) -> None:
        self.dismiss(None)

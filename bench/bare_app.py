"""The baseline for cs-tui's first frame: a Textual app that shows one word and waits.

python -m bench.bare_app
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

READY = "ready"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(READY)


if __name__ == "__main__":
    BareApp().run()

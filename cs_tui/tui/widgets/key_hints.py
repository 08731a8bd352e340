"""The line of key hints at the foot of a screen: the keys that do something where the
focus is, and at the right who is signed in and the command palette's key.

Textual's Footer rebuilds a widget per key whenever the focus moves, which repaints the
whole screen each time a ticket is opened. This is one line of text, redrawn only when
the keys it shows change.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cs_tui.domain.text import sanitize_line


class KeyHints(Static):
    COMPONENT_CLASSES = {"key-hints--key", "key-hints--description", "key-hints--status"}

    DEFAULT_CSS = """
    KeyHints { height: 1; background: $footer-background; }
    KeyHints > .key-hints--key { color: $footer-key-foreground; text-style: bold; }
    KeyHints > .key-hints--description { color: $footer-description-foreground; }
    KeyHints > .key-hints--status { color: $text-warning; background: $warning-muted; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__("")
        self._shown: Text | None = None
        self._status = ""

    @property
    def status(self) -> str:
        """A word on the connection, at the right ("offline, 2 waiting"); empty for none."""
        return self._status

    @status.setter
    def status(self, text: str) -> None:
        if text != self._status:
            self._status = text
            self._redraw()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._redraw()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self._redraw()

    def _redraw(self) -> None:
        text = self.hints(self.size.width)
        if text != self._shown:
            self._shown = text
            self.update(text)

    def hints(self, width: int) -> Text:
        key_style = self.get_component_rich_style("key-hints--key")
        description_style = self.get_component_rich_style("key-hints--description")
        text = Text(no_wrap=True, overflow="crop")
        seen: set[str] = set()
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            dim = Style() if enabled else Style(dim=True)
            text.append(f" {self.app.get_key_display(binding)} ", key_style + dim)
            text.append(f"{binding.description} ", description_style + dim)
        status = Text()
        if self._status:
            status.append(f" {self._status} ", self.get_component_rich_style("key-hints--status"))
            status.append(" ")
        right = status.copy()
        who = self._who()
        if who:
            right.append(f" {who} ", description_style + Style(bold=True))
        if self.app.ENABLE_COMMAND_PALETTE:
            palette = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
            right.append(f" {self.app.get_key_display(palette)} ", key_style)
            right.append("Commands ", description_style)
        if right:
            gap = width - text.cell_len - right.cell_len
            if gap > 0:
                text.append(" " * gap)
                text.append_text(right)
            else:  # too narrow for both: the status and who it is go first, the keys are cut
                first = status.copy()
                if who:
                    first.append(f" {who} ", description_style + Style(bold=True))
                return Text.assemble(first, text, no_wrap=True, overflow="crop")
        return text

    def _who(self) -> str:
        """Who is signed in, as the team knows them: their first name."""
        services = getattr(self.app, "services", None)
        agent = getattr(services, "agent", None)
        return sanitize_line(agent.first_name or agent.name)[:20] if agent is not None else ""

"""The `?` screen: every key and what it does, as the config's keymap has them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA = [
    (
        "Composer",
        [
            ("ctrl+s", "send the reply or note"),
            ("ctrl+e", "edit in $EDITOR"),
            ("escape", "leave, keeping the draft"),
        ],
    ),
    (
        "Search",
        [
            ("/", "search within the view, live"),
            ("enter", "back to the queue, keeping the search"),
            ("escape", "clear the search"),
        ],
    ),
]


def key_label(keys: str) -> str:
    return ", ".join(k.replace("question_mark", "?").replace("slash", "/") for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Keys, grouped by where they work."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(
        self, sections: Sequence[tuple[str, Sequence[Binding | tuple[str, ...]]]], keymap: Mapping[str, str]
    ) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._table())

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        views = self._view_names()
        for title, bindings in self.sections:
            table.add_row(Text(title, style="bold underline"), "", "")
            for binding in bindings:
                if not isinstance(binding, Binding):
                    continue
                description = binding.description
                if (binding.id or "").startswith("view."):
                    name = views.get((binding.id or "").removeprefix("view."))
                    if name is None:  # no view on that number
                        continue
                    description = f"view: {name}"
                keys = self.keymap.get(binding.id or "", binding.key)
                table.add_row(key_label(keys), Text(description), binding.id or "")
            table.add_row("", "", "")
        for title, rows in EXTRA:
            table.add_row(Text(title, style="bold underline"), "", "")
            for keys, what in rows:
                table.add_row(keys, what, "")
            table.add_row("", "", "")
        table.add_row(
            "", Text("Keys are changed in the config file's [keymap] table, by the id on the right."), ""
        )
        return table

    def _view_names(self) -> dict[str, str]:
        """The config's views by their key ("3": "All open")."""
        config = getattr(getattr(self.app, "services", None), "config", None)
        return {view.key: view.name for view in getattr(config, "views", ())}

    def action_close(self) -> None:
        self.dismiss(None)

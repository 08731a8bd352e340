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


BRACKETS = {"bracketright": "]", "bracketleft": "["}
"""Keys Textual shows by their names."""
WIDE = 170
"""From this many columns the keys are shown in two columns."""


class HelpScreen(ModalScreen[None]):
    """Keys, grouped by where they work."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen.-wide > VerticalScroll { width: 164; }
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
        wide = self.app.size.width >= WIDE
        self.set_class(wide, "-wide")
        with VerticalScroll():
            yield Static(self._layout(columns=2 if wide else 1))

    def _layout(self, columns: int) -> Table:
        """The sections in `columns` columns of about as many rows each, in order, and
        under them where keys are changed."""
        rows = self._rows()
        per_column = -(-sum(len(section) for section in rows) // columns)
        tables: list[Table] = []
        filled = 0
        for section in rows:
            # A new column when this section would go further past the column's share
            # than the column now falls short of it.
            over, short = filled + len(section) - per_column, per_column - filled
            if len(tables) < columns and (not tables or (filled and over > short)):
                tables.append(self._table())
                filled = 0
            for row in section:
                tables[-1].add_row(*row)
            filled += len(section)
        layout = Table.grid(expand=True, padding=(0, 2))
        for _ in tables:
            layout.add_column(ratio=1)
        layout.add_row(*tables)
        layout.add_row(Text("Keys are changed in the config file's [keymap] table, by the id on the right."))
        return layout

    @staticmethod
    def _table() -> Table:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        return table

    def _rows(self) -> list[list[tuple[Text | str, Text | str, str]]]:
        """Each section's rows: its title, its keys, and a blank row after."""
        views = self._view_names()
        sections: list[list[tuple[Text | str, Text | str, str]]] = []
        for title, bindings in self.sections:
            rows: list[tuple[Text | str, Text | str, str]] = [(Text(title, style="bold underline"), "", "")]
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
                shown = ", ".join(self._key(key.strip()) for key in keys.split(","))
                rows.append((shown, Text(description), binding.id or ""))
            sections.append([*rows, ("", "", "")])
        for title, extra in EXTRA:
            rows = [(Text(title, style="bold underline"), "", "")]
            rows += [(keys, what, "") for keys, what in extra]
            sections.append([*rows, ("", "", "")])
        return sections

    def _key(self, key: str) -> str:
        """A key as the agent presses it ("]", not "bracketright")."""
        return BRACKETS.get(key) or self.app.get_key_display(Binding(key, ""))

    def _view_names(self) -> dict[str, str]:
        """The config's views by their key ("3": "All open")."""
        config = getattr(getattr(self.app, "services", None), "config", None)
        return {view.key: view.name for view in getattr(config, "views", ())}

    def action_close(self) -> None:
        self.dismiss(None)

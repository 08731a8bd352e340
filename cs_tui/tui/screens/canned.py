"""Canned responses: the picker (`c`), with fuzzy search and a filled-in preview,
and the screen that creates, edits and deletes them."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from cs_tui.domain.models import CannedActions, CannedResponse, Priority, Status, Ticket, normalize_tag
from cs_tui.domain.templates import context_for, render
from cs_tui.store.base import StoreError
from cs_tui.tui.format import describe_actions
from cs_tui.tui.screens.pickers import AskScreen
from cs_tui.tui.services import HasServices
from cs_tui.tui.widgets.key_hints import KeyHints


def canned_score(canned: CannedResponse, query: str) -> float:
    """How well `query` fuzzily matches a canned response; 0 for no match."""
    if not query:
        return 1.0
    matcher = Matcher(query)
    fields = [
        (canned.shortcut, 1.5),
        (canned.title, 1.2),
        (" ".join(canned.tags), 1.0),
        (canned.body[:400], 0.6),
    ]
    return max(matcher.match(text) * weight for text, weight in fields if text)


def rank_canned(canned: list[CannedResponse], query: str) -> list[CannedResponse]:
    """Matches best first; among equal matches, the most used first."""
    scored = [(canned_score(c, query.strip()), c) for c in canned]
    return [
        c
        for score, c in sorted(scored, key=lambda sc: (-sc[0], -sc[1].usage_count, sc[1].title))
        if score > 0
    ]


def preview_text(
    canned: CannedResponse, ticket: Ticket | None, agent: object, missing: Style | str = "bold reverse"
) -> Text:
    values = context_for(ticket, agent)  # type: ignore[arg-type]
    rendered = render(canned.body, values)
    text = Text()
    position = 0
    for placeholder in rendered.missing:
        text.append(rendered.text[position : placeholder.start])
        text.append(rendered.text[placeholder.start : placeholder.end], style=missing)
        position = placeholder.end
    text.append(rendered.text[position:])
    actions = describe_actions(canned.actions)
    if actions:
        text.append(f"\n\nAlso: {actions}", style="italic")
    if rendered.missing:
        names = ", ".join(dict.fromkeys(p.name for p in rendered.missing))
        text.append(f"\n\nNo value for {names}: fill it in before sending.", style="bold")
    return text


class CannedPicker(HasServices, ModalScreen[tuple[str, CannedResponse] | None]):
    """Find a canned response by a few letters of its title, body, tags or shortcut."""

    DEFAULT_CSS = """
    CannedPicker { align: center middle; }
    CannedPicker > Vertical { width: 90%; height: 85%; border: round $accent; background: $surface; }
    CannedPicker Horizontal { height: 1fr; }
    CannedPicker OptionList { width: 2fr; height: 1fr; border: none; }
    CannedPicker #canned-preview {
        width: 3fr; height: 1fr; padding: 0 1; border-left: solid $panel; overflow-y: auto;
    }
    CannedPicker .dialog-help { color: $text-muted; padding: 0 1; }
    CannedPicker .canned--missing { color: $text-error; text-style: bold reverse; }
    """
    COMPONENT_CLASSES = {"canned--missing"}
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="canned.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="canned.down"),
        Binding("up", "move(-1)", "Up", show=False, id="canned.up"),
    ]

    def __init__(self, ticket: Ticket) -> None:
        super().__init__()
        self.ticket = ticket
        self.canned: list[CannedResponse] = []
        self.shown: list[CannedResponse] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(
                placeholder="type to search canned responses (title, text, tags, shortcut)",
                id="canned-search",
            )
            with Horizontal():
                yield OptionList(id="canned-list")
                yield Static("", id="canned-preview")
            yield Static("enter inserts at the cursor · ↑↓ choose · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._load()

    @work(exclusive=True, group="canned-list", exit_on_error=False)
    async def _load(self) -> None:
        self.canned = await self.services.store.list_canned()
        self._show(self.query_one(Input).value)

    @on(Input.Changed, "#canned-search")
    def filter_canned(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        self.shown = rank_canned(self.canned, query)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(Text(f"{c.title}" + (f"  /{c.shortcut}" if c.shortcut else "")), id=str(i))
                for i, c in enumerate(self.shown)
            ]
        )
        if self.shown:
            options.highlighted = 0
        self._preview()

    @on(OptionList.OptionHighlighted)
    def _preview(self) -> None:
        preview = self.query_one("#canned-preview", Static)
        chosen = self._chosen()
        if chosen is None:
            preview.update(Text("No canned response matches." if self.canned else "Loading…", style="dim"))
            return
        missing = self.get_component_rich_style("canned--missing")
        preview.update(preview_text(chosen, self.ticket, self.services.agent, missing))

    def _chosen(self) -> CannedResponse | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(Input.Submitted, "#canned-search")
    @on(OptionList.OptionSelected)
    def choose(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        rendered = render(chosen.body, context_for(self.ticket, self.services.agent))
        self.dismiss((rendered.text, chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CannedEditorScreen(HasServices, Screen[None]):
    """Create, edit and delete canned responses; placeholders are checked on save."""

    DEFAULT_CSS = """
    CannedEditorScreen Horizontal#canned-editor { height: 1fr; }
    CannedEditorScreen OptionList { width: 36; height: 1fr; }
    CannedEditorScreen #canned-form { width: 1fr; padding: 0 1; }
    CannedEditorScreen #canned-form Input { margin: 0 0 0 0; }
    CannedEditorScreen #canned-form .row Input { width: 1fr; }
    CannedEditorScreen #canned-body { height: 1fr; min-height: 6; }
    CannedEditorScreen #canned-error { color: $error; text-style: bold; }
    CannedEditorScreen .field-label { color: $text-muted; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="canned.save", priority=True),
        Binding("ctrl+n", "new", "New", id="canned.new"),
        Binding("ctrl+d", "delete", "Delete", id="canned.delete"),
        Binding("escape", "close", "Back", id="canned.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.canned: list[CannedResponse] = []
        self.editing: CannedResponse | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="canned-editor"):
            yield OptionList(id="canned-all")
            with Vertical(id="canned-form"):
                yield Label("Title", classes="field-label")
                yield Input(id="canned-title")
                yield Label("Shortcut · language · tags (space separated)", classes="field-label")
                with Horizontal(classes="row"):
                    yield Input(id="canned-shortcut", placeholder="halo")
                    yield Input(id="canned-language", placeholder="id")
                    yield Input(id="canned-tags", placeholder="greeting shipping")
                yield Label("Also do: status · priority · add tags", classes="field-label")
                with Horizontal(classes="row"):
                    yield Input(id="canned-status", placeholder="pending")
                    yield Input(id="canned-priority", placeholder="")
                    yield Input(id="canned-action-tags", placeholder="refund")
                yield Label(
                    "Text: {{customer.first_name}}, {{agent.name}}, {{ticket.id}}, …", classes="field-label"
                )
                yield TextArea(id="canned-body", soft_wrap=True)
                yield Static("", id="canned-error")
        yield KeyHints()

    def on_mount(self) -> None:
        for row in self.query(".row"):
            row.styles.height = 3
        self._load()

    @work(exclusive=True, group="canned-all", exit_on_error=False)
    async def _load(self, select: int | None = None) -> None:
        self.canned = await self.services.store.list_canned()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(c.title), id=str(c.id)) for c in self.canned])
        if self.canned:
            ids = [c.id for c in self.canned]
            options.highlighted = ids.index(select) if select in ids else 0
            options.focus()
        else:
            self.action_new()

    @on(OptionList.OptionHighlighted, "#canned-all")
    def _edit(self, event: OptionList.OptionHighlighted) -> None:
        canned = next((c for c in self.canned if str(c.id) == event.option.id), None)
        if canned is not None:
            self._fill(canned)

    def _fill(self, canned: CannedResponse | None) -> None:
        self.editing = canned
        blank = CannedResponse(None, "", "")
        c = canned or blank
        values = {
            "#canned-title": c.title,
            "#canned-shortcut": c.shortcut,
            "#canned-language": c.language,
            "#canned-tags": " ".join(c.tags),
            "#canned-status": c.actions.status.value if c.actions.status else "",
            "#canned-priority": c.actions.priority.value if c.actions.priority else "",
            "#canned-action-tags": " ".join(c.actions.add_tags),
        }
        for selector, value in values.items():
            self.query_one(selector, Input).value = value
        self.query_one("#canned-body", TextArea).load_text(c.body)
        self.query_one("#canned-error", Static).update("")

    def action_new(self) -> None:
        self._fill(None)
        self.query_one("#canned-title", Input).focus()

    def _form(self) -> CannedResponse:
        """The canned response the form describes; ValueError says which field is wrong."""

        def value(selector: str) -> str:
            return self.query_one(selector, Input).value.strip()

        status = value("#canned-status").replace(" ", "_")
        priority = value("#canned-priority")
        if status and status not in set(Status):
            raise ValueError(f"status {status!r} is not one of {', '.join(Status)}")
        if priority and priority not in set(Priority):
            raise ValueError(f"priority {priority!r} is not one of {', '.join(Priority)}")
        old = self.editing
        return CannedResponse(
            id=old.id if old else None,
            title=value("#canned-title"),
            body=self.query_one("#canned-body", TextArea).text,
            shortcut=value("#canned-shortcut"),
            tags=tuple(normalize_tag(t) for t in value("#canned-tags").split()),
            language=value("#canned-language"),
            actions=CannedActions(
                status=Status(status) if status else None,
                priority=Priority(priority) if priority else None,
                add_tags=tuple(normalize_tag(t) for t in value("#canned-action-tags").split()),
            ),
            usage_count=old.usage_count if old else 0,
        )

    @work(exclusive=True, group="canned-save", exit_on_error=False)
    async def action_save(self) -> None:
        error = self.query_one("#canned-error", Static)
        try:
            canned = self._form()
            saved = await self.services.store.save_canned(canned, actor_id=self.services.agent.id)
        except (ValueError, StoreError) as problem:
            error.update(Text(f"Not saved: {problem}"))
            return
        error.update("")
        self.notify(f"Saved {saved.title!r}.")
        self._load(select=saved.id)

    @work(exclusive=True, group="canned-delete", exit_on_error=False)
    async def action_delete(self) -> None:
        canned = self.editing
        if canned is None or canned.id is None:
            return
        answer = await self.app.push_screen_wait(
            AskScreen("Delete canned response?", Text(canned.title), [("delete", "Delete"), ("keep", "Keep")])
        )
        if answer == "delete":
            await self.services.store.delete_canned(canned.id, actor_id=self.services.agent.id)
            self.notify(f"Deleted {canned.title!r}.")
            self._load()

    def action_close(self) -> None:
        self.dismiss(None)

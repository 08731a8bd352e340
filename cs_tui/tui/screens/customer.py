"""A customer's record, opened from the ticket (or the queue's highlighted row) with
`C`: their name, every address they write from, the team's shared notes, their tags,
and every ticket of theirs with its status; enter opens one.

The notes, tags and addresses are edited here, each against the version of the record
the agent saw: an edit over a colleague's newer one is shown to the agent as a
conflict, their text kept, never written over the colleague's. Customer text is shown
as plain Text from cleaned strings, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.customers import CustomerChanges, CustomerRecord
from cs_tui.domain.models import EventKind, Ticket
from cs_tui.domain.query import Sort, of_customer
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.store.base import Conflict, InvalidInput, NotFound, StoreError
from cs_tui.tui.format import in_a_notice, plural, status_label, when
from cs_tui.tui.screens.customer_edit import AddressesScreen, NotesEditor
from cs_tui.tui.screens.pickers import TagsScreen
from cs_tui.tui.services import HasServices, StoreChanged
from cs_tui.tui.widgets.key_hints import KeyHints
from cs_tui.tui.widgets.ticket_header import bound_key

TICKETS_SHOWN = 200
"""The customer's tickets listed, newest activity first; a search finds the rest."""
SHORT = 200
"""Of a name, an address or a tag, what a line shows."""


def record_text(record: CustomerRecord) -> Text:
    """The head of the record: the name, the customer's number and ticket counts, and
    the customers merged into this one."""
    text = Text()
    text.append(sanitize_line(record.name[:SHORT]) or "(no name)", style="bold")
    counts = f"{plural(record.ticket_count, 'ticket')}, {record.open_count:,} open"
    text.append(f"   customer #{record.id} · {counts}", style="dim")
    if record.merged_ids:
        merged = ", ".join(f"#{number}" for number in record.merged_ids)
        text.append(f"\n{merged} merged into this customer", style="dim")
    return text


def addresses_text(record: CustomerRecord) -> Text:
    """Every address, the primary email first, saying that replies go there."""
    text = Text()
    text.append(sanitize_line(record.email[:SHORT]))
    text.append("  replies go here unless they wrote from another", style="dim")
    for identity in record.other_identities:
        text.append("\n" + sanitize_line(identity.format()[:SHORT]))
    return text


def tags_text(record: CustomerRecord) -> Text:
    if not record.tags:
        return Text("no tags", style="dim")
    return Text(" ".join(f"#{sanitize_line(tag[:SHORT])}" for tag in record.tags), style="italic")


def notes_text(record: CustomerRecord, edit_key: str) -> Text:
    if not record.notes.strip():
        return Text(f"No notes yet: press {edit_key} to write what the team should know.", style="dim")
    return Text(sanitize(record.notes))


def ticket_line(ticket: Ticket, now_text: str) -> Text:
    """ "#1885  open     Paket belum sampai · 14:05" """
    text = Text()
    text.append(f"#{ticket.id:<6}", style="bold")
    text.append(f" {status_label(ticket.status):<8} ")
    text.append(in_a_notice(ticket.subject, 120) or "(no subject)")
    text.append(f" · {now_text}", style="dim")
    return text


class CustomerScreen(HasServices, Screen[int | None]):
    """Returns the number of a ticket to open, or None (back to where the agent was)."""

    DEFAULT_CSS = """
    CustomerScreen { background: $background; }
    CustomerScreen > Vertical { padding: 0 1; height: 1fr; }
    CustomerScreen #customer-head { margin: 0 0 1 0; }
    CustomerScreen .customer-heading { text-style: bold underline; margin: 1 0 0 0; }
    CustomerScreen #customer-notes-box { height: auto; max-height: 8; }
    CustomerScreen #customer-tickets { height: 1fr; min-height: 3; border: none; }
    CustomerScreen #customer-more { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="customer.back"),
        Binding("e", "edit_notes", "Notes", id="customer.notes"),
        Binding("t", "tags", "Tags", id="customer.tags"),
        Binding("i", "addresses", "Addresses", id="customer.addresses"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="customer.refresh"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.record: CustomerRecord | None = None
        self.tickets: list[Ticket] = []
        self.total = 0
        """How many tickets the customer has (more than the list when it is long)."""
        self._reload_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Loading the customer…", id="customer-head")
            yield Label("Addresses", classes="customer-heading")
            yield Static("", id="customer-addresses")
            yield Label("Tags", classes="customer-heading")
            yield Static("", id="customer-tags")
            yield Label("Notes, shared with the team", classes="customer-heading")
            with VerticalScroll(id="customer-notes-box"):
                yield Static("", id="customer-notes")
            yield Label("Tickets", classes="customer-heading")
            yield OptionList(id="customer-tickets")
            yield Static("", id="customer-more")
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.action_reload()

    # Reading

    @work(exclusive=True, group="customer", exit_on_error=False)
    async def action_reload(self) -> None:
        store = self.services.store
        try:
            record = await store.get_customer_record(self.customer_id)
            page = await store.list_tickets(of_customer(record.id), sort=Sort.UPDATED, limit=TICKETS_SHOWN)
        except NotFound:
            self.notify(f"There is no customer #{self.customer_id}.", severity="error")
            self.dismiss(None)
            return
        except StoreError as error:
            self.notify(f"The customer could not be read: {error}", severity="error")
            return
        self.show(record, list(page.tickets), page.total)

    def show(self, record: CustomerRecord, tickets: list[Ticket], total: int) -> None:
        self.record, self.tickets, self.total = record, tickets, total
        edit_key = bound_key(self, "customer.notes", "e")
        self.query_one("#customer-head", Static).update(record_text(record))
        self.query_one("#customer-addresses", Static).update(addresses_text(record))
        self.query_one("#customer-tags", Static).update(tags_text(record))
        self.query_one("#customer-notes", Static).update(notes_text(record, edit_key))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        now = self.services.clock()
        options.clear_options()
        options.add_options([Option(ticket_line(t, when(t.updated_at, now)), id=str(t.id)) for t in tickets])
        if tickets:
            options.highlighted = min(highlighted or 0, len(tickets) - 1)
        more = self.query_one("#customer-more", Static)
        if not tickets:
            more.update("No tickets.")
        elif total > len(tickets):
            more.update(f"{len(tickets):,} of {total:,} shown · search customer:#{record.id} for all")
        else:
            more.update("enter opens a ticket")

    @on(StoreChanged)
    def _store_changed(self, event: StoreChanged) -> None:
        """The record or one of its tickets changed, or a ticket came in (it may be
        theirs): read again, once for a burst."""
        listed = {ticket.id for ticket in self.tickets}
        if EventKind.CUSTOMER_CHANGED in event.kinds or event.created or event.ticket_ids & listed:
            if self._reload_timer is not None:
                self._reload_timer.stop()
            self._reload_timer = self.set_timer(0.2, self.action_reload)

    # Going

    @on(OptionList.OptionSelected, "#customer-tickets")
    def open_ticket(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_back(self) -> None:
        self.dismiss(None)

    # Changing

    @work(group="pick", exit_on_error=False)
    async def action_edit_notes(self) -> None:
        record = self.record
        if record is None:
            return
        title = f"Notes on {in_a_notice(record.name, 60)}"
        text, theirs = record.notes, None
        while True:
            edited = await self.app.push_screen_wait(NotesEditor(title, text, theirs=theirs))
            if edited is None or edited == record.notes:
                return
            saved = await self._change(record, CustomerChanges(notes=edited), "Notes saved.")
            if not isinstance(saved, Conflict):
                return
            # A colleague saved first: theirs is what the record shows; the agent's own
            # text comes back in the editor, to save over theirs on purpose or drop.
            record, text, theirs = saved.current, edited, saved.current.notes
            title = f"Notes on {in_a_notice(record.name, 60)}: someone saved these while you wrote"

    @work(group="pick", exit_on_error=False)
    async def action_tags(self) -> None:
        record = self.record
        if record is None:
            return
        answer = await self.app.push_screen_wait(
            TagsScreen(f"Tags of {in_a_notice(record.name, 60)}", record.tags)
        )
        if answer is not None and (answer[0] or answer[1]):
            await self._change(
                record, CustomerChanges(add_tags=answer[0], remove_tags=answer[1]), "Tags saved."
            )

    @work(group="pick", exit_on_error=False)
    async def action_addresses(self) -> None:
        record = self.record
        if record is None:
            return
        answer = await self.app.push_screen_wait(AddressesScreen(record))
        if answer is not None:
            await self._change(record, answer, "Addresses saved.")

    async def _change(
        self, record: CustomerRecord, changes: CustomerChanges, done: str
    ) -> CustomerRecord | Conflict[CustomerRecord] | None:
        """The record after the change; the Conflict when a colleague changed it first
        (the screen then shows theirs); None when the store refused or was away (said)."""
        try:
            saved = await self.services.store.update_customer(
                record.id, changes, expected_version=record.version, actor_id=self.services.agent.id
            )
        except Conflict as conflict:
            current: CustomerRecord = conflict.current
            self.show(current, self.tickets, self.total)
            self.notify(
                "Someone changed this customer while you did: their change is on the screen now, and"
                " yours was not saved.",
                severity="warning",
                title=in_a_notice(record.name, 60),
            )
            return conflict
        except InvalidInput as error:
            self.notify(str(error), severity="error", title="Not saved")
            return None
        except StoreError as error:
            self.notify(f"{error}. Nothing was saved; try again.", severity="error", title="Not saved")
            return None
        self.show(saved, self.tickets, self.total)
        self.notify(done, title=in_a_notice(saved.name, 60))
        self.action_reload()
        return saved

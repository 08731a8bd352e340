"""The queue's views, its search and its order, as the main screen shows them: a view
(`1`-`9`) and a search typed within it (`/`), the order chosen (`o`), and the title
that says all three."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.timer import Timer
from textual.widgets import Input, Static

from cs_tui.config import View
from cs_tui.domain.counts import count_text
from cs_tui.domain.models import TicketPage
from cs_tui.domain.query import Field, QueryError, Sort, parse
from cs_tui.tui.format import in_a_notice
from cs_tui.tui.screens.changing import ChangesTickets
from cs_tui.tui.screens.pickers import ChoiceScreen
from cs_tui.tui.widgets.queue import QueueTable
from cs_tui.tui.widgets.queue_columns import QueuePane

SORT_LABEL = {
    Sort.UPDATED: "by activity",
    Sort.CREATED: "newest first",
    Sort.OLDEST: "oldest first",
    Sort.SLA: "by SLA",
    Sort.PRIORITY: "by priority",
}
"""How each order reads in the queue's title and its picker."""
CUSTOMER_TERMS_SAID = 3
CUSTOMERS_NAMED = 3
"""Under the search box, the customers named for each of the first `customer:` terms."""
SEARCH_IN_TITLE = 24
"""Characters of the search the queue's title shows."""


class ViewsAndSearch(ChangesTickets):
    """The base of MainScreen that owns its views, search and order."""

    view: View | None = None
    search_text = ""
    """What the agent typed after `/`: it narrows the view, whichever view is shown."""
    sort: Sort | None = None
    """The order the agent chose for this view (`o`); None: the view's own."""
    _search_timer: Timer | None = None

    def _show_queue(self) -> None:
        raise NotImplementedError

    def action_view(self, number: int) -> None:
        view = next((v for v in self.services.config.views if v.key == str(number)), None)
        if view is None:
            self.notify(f"No view on {number}; views are set in the config file.", severity="warning")
            return
        self.select_view(view)
        self._show_queue()

    def select_view(self, view: View) -> None:
        """Show `view`; a search typed in another view narrows this one too (the title
        says so) until escape clears it."""
        self.view = view
        self.sort = None
        self._apply()

    def _apply(self) -> None:
        view_query = self.view.query if self.view else ""
        text = " ".join(part for part in (view_query, self.search_text) if part.strip())
        query = parse(text) if text.strip() else None
        sort = self.current_sort
        viewer = self.services.agent.id
        store = self.services.store

        async def loader(after: str | None, limit: int) -> TicketPage:
            return await store.list_tickets(query, viewer_id=viewer, sort=sort, after=after, limit=limit)

        async def unread(ids: list[int]) -> set[int]:
            return await store.unread_tickets(viewer, ids)

        self.queue.show(loader, unread)
        self._update_title()

    @property
    def current_sort(self) -> Sort:
        return self.sort or (self.view.sort if self.view else Sort.UPDATED)

    @work(group="pick", exit_on_error=False)
    async def action_sort(self, order: str = "") -> None:
        """Order the queue: the order given, or one picked (its letter picks it)."""
        if not order:
            choices = [(sort.value, SORT_LABEL[sort]) for sort in Sort]
            picked = await self.app.push_screen_wait(
                ChoiceScreen("Order the queue by", choices, current=self.current_sort.value)
            )
            if picked is None:
                return
            order = picked
        try:
            self.sort = Sort(order)
        except ValueError:
            known = ", ".join(sort.value for sort in Sort)
            self.notify(f"No order {order!r}: one of {known}.", severity="warning")
            return
        self._apply()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if not search.display:
            search.value = self.search_text
        search.display = True
        self._show_queue()
        search.focus()
        search.cursor_position = len(search.value)

    @on(Input.Changed, "#search")
    def check_search(self, event: Input.Changed) -> None:
        error = self.query_one("#search-error", Static)
        if self._search_timer is not None:
            self._search_timer.stop()
        number = self.opens_a_ticket(event.value)
        if number is not None:  # a ticket's number: enter opens it, nothing is searched
            error.update(Text(f"enter opens #{number}", style="bold"))
            error.set_class(False, "-problem")
            error.display = True
            return
        try:
            query = parse(event.value)
        except QueryError as problem:
            # The line under the box has its padding: the caret stands under the character.
            marker = " " * problem.position + "^" * problem.length
            error.update(Text(f"{marker}\n{problem.message}"))
            error.set_class(True, "-problem")
            error.display = True
            return
        terms = [term for f in query.filters if f.field is Field.CUSTOMER for term in f.values]
        error.display = False
        if terms:
            self._say_customers(event.value, terms)
        self._search_timer = self.set_timer(0.12, lambda: self._search(event.value))

    @work(exclusive=True, group="customers-meant", exit_on_error=False)
    async def _say_customers(self, search: str, terms: list[str]) -> None:
        """Under the search box, which customers each `customer:` term means: "customer:budi
        means Budi Santoso <budi@example.com>, Budi Hartono <…> and 3 more"."""
        said = []
        for term in terms[:CUSTOMER_TERMS_SAID]:
            page = await self.services.store.list_customers(term, limit=CUSTOMERS_NAMED)
            names = [
                f"{in_a_notice(summary.customer.name, 40)} <{in_a_notice(summary.customer.email, 60)}>"
                for summary in page.customers
            ]
            more = page.total - len(names)
            meant = ", ".join(names) + (f" and {more:,} more" if more > 0 else "") if names else "no customer"
            said.append(f"customer:{in_a_notice(term, 40)} means {meant}")
        if self.query_one("#search", Input).value != search:
            return  # typed on meanwhile: the new search says its own
        error = self.query_one("#search-error", Static)
        error.update(Text("\n".join(said)))
        error.set_class(False, "-problem")
        error.display = True

    def _search(self, text: str) -> None:
        if text.strip() != self.search_text:
            self.search_text = text.strip()
            self._apply()

    def clear_search(self) -> None:
        """Back to the view as it is, the search box put away."""
        if self._search_timer is not None:
            self._search_timer.stop()
        search = self.query_one("#search", Input)
        search.display = False
        self.query_one("#search-error", Static).display = False
        if self.search_text:
            self.search_text = ""
            self._apply()

    @on(Input.Submitted, "#search")
    async def search_to_queue(self, event: Input.Submitted) -> None:
        number = self.opens_a_ticket(event.value)
        if number is not None:
            self.clear_search()
            await self.run_action(f"open_number({number})")
        else:
            said = self.query_one("#search-error", Static)
            if not (said.display and said.has_class("-problem")):
                self.queue.focus()

    def opens_a_ticket(self, search: str) -> int | None:
        raise NotImplementedError

    @on(QueueTable.Loaded)
    @on(QueueTable.MarksChanged)
    @on(Input.Blurred, "#search")
    def _update_title(self) -> None:
        queue = self.queue
        name = self.view.name if self.view else "Search"
        # While the agent types, the search box shows the search: the title takes it
        # when they leave the box (a new title repaints the whole pane, at every key).
        search = self.query_one("#search", Input)
        searching = search.has_focus and search.display
        if self.search_text and not searching:
            name = f"{name} · {in_a_notice(self.search_text, SEARCH_IN_TITLE)}"
        first, last = queue.visible_range()
        total = count_text(queue.total, estimate=queue.total_is_estimate)
        title = f"{self.view.key if self.view else '/'} {name} · {SORT_LABEL[self.current_sort]}"
        if queue.stale:
            subtitle = "searching…" if self.search_text else "loading…"
        else:
            subtitle = f"{first}-{last} of {total}" if queue.rows else f"0 of {total}"
        if queue.marked:
            subtitle += f" · {len(queue.marked)} marked"
        # Setting a border's title repaints the whole pane, even to the same words: a
        # cursor move would send every line of the queue to the terminal again.
        pane = self.query_one("#queue-pane", QueuePane)
        if pane.border_title != title:
            pane.border_title = title
        pane.show_subtitle(subtitle)

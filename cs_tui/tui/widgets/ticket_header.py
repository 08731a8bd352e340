"""The open ticket's header: subject, number, status, priority, assignee, tags, how it
came in (channel and mailbox), customer and Cc, the ticket it follows up and who else
is on it, each kept to its rows whatever its length.

Customer text is shown as rich Text built from sanitised strings: never parsed as
markup, never able to send an escape sequence to the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from cs_tui.domain.chat import FIRST_RESPONSE_S, VisitorState, chat_wait
from cs_tui.domain.models import Activity, Presence, Ticket
from cs_tui.domain.reply_windows import reply_window
from cs_tui.domain.snooze import until_words
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.format import (
    CHANNEL_LABEL,
    PRESENCE_MARK,
    PRIORITY_MARK,
    addresses,
    came_in,
    plural,
    sla_left,
    sla_state,
    status_label,
    visitor_line,
)
from cs_tui.tui.widgets.long_text import ELLIPSIS, line_rows

SUBJECT_ROWS = 2
"""The header's rows for the subject..."""
DETAIL_ROWS = 2
"""... and for each line below it (status, customer, tags, who else is there)."""
SHORT_CHARS = 1_000
"""Of a name, an address or a tag, more than any row shows: what is cut to a row."""
CUSTOMER = "customer"
CUSTOMER_KEY = "C"
"""The main screen's binding that shows the customer's record, and its key."""
SHOW_ALL = "conversation.show_all"
SHOW_ALL_KEY = "f"
"""The Conversation's binding that shows a cut message or subject whole, and its key."""


class TicketHeader(Static):
    """Subject, number, status, priority, assignee, tags, channel and customer, each on
    two rows at most whatever its length, cut with an ellipsis: a subject of ten
    thousand characters leaves the thread and the composer in sight. The
    Conversation's show-all key shows the whole subject."""

    DEFAULT_CSS = """
    TicketHeader { height: auto; padding: 0 1; background: $panel; }
    TicketHeader .ticket-header--breached { color: $text-error; text-style: bold; }
    TicketHeader .ticket-header--due { color: $text-warning; }
    TicketHeader .ticket-header--others { color: $text-warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {"ticket-header--breached", "ticket-header--due", "ticket-header--others"}

    ticket: Ticket | None = None
    """The ticket shown (None: no ticket open)."""
    subject_is_cut = False
    """The subject is longer than its rows: they end in an ellipsis."""
    _details: tuple[int | None, datetime, tuple[Presence, ...], VisitorState | None, float] | None = None

    def show(
        self,
        ticket: Ticket | None,
        *,
        other_tickets: int | None,
        now: datetime,
        others: Sequence[Presence] = (),
        visitor: VisitorState | None = None,
        chat_target_s: float = FIRST_RESPONSE_S,
    ) -> None:
        self.ticket = ticket
        self._details = (other_tickets, now, tuple(others), visitor, chat_target_s)
        self._draw()

    def on_resize(self) -> None:
        if self.ticket is not None:
            self._draw()  # the rows are cut to the width

    def _draw(self) -> None:
        ticket, shown_with = self.ticket, self._details
        if ticket is None or shown_with is None:
            if self.subject_is_cut:
                self.subject_is_cut = False
                self.refresh_bindings()
            self.update(Text("No ticket open. Pick one in the queue and press enter.", style="dim"))
            return
        other_tickets, now, others, visitor, chat_target_s = shown_with
        width = self.size.width or self.app.size.width
        hint = f" {show_all_key(self)}: whole subject"
        was_cut = self.subject_is_cut
        subject, self.subject_is_cut = line_rows(
            f"#{ticket.id} {ticket.subject}", width, SUBJECT_ROWS, reserve=cell_len(hint)
        )
        if self.subject_is_cut != was_cut:
            self.refresh_bindings()  # the show-all key comes or goes
        if self.subject_is_cut:
            rows = [Text(row, style="bold") for row in subject]
            rows[-1].append(hint, style="dim")
        else:  # short: as it is, and folded to one line
            first = Text()
            first.append(f"#{ticket.id} ", style="bold")
            first.append(sanitize_line(ticket.subject), style="bold")
            rows = [first]
        details: list[Text] = []
        status = Text()
        status.append(status_label(ticket.status), style="reverse")
        status.append(f"  {PRIORITY_MARK[ticket.priority].strip() or '·'} {ticket.priority.value}")
        status.append(f"  {came_in(ticket)}")
        if ticket.linked_to is not None:
            status.append(f"  follows up #{ticket.linked_to}")
        assignee = ticket.assignee.name[:SHORT_CHARS] if ticket.assignee else ""
        status.append(f"  {'assigned to ' + sanitize_line(assignee) if ticket.assignee else 'unassigned'}")
        left = sla_left(ticket, now, chat_target_s)
        wait = chat_wait(ticket, now, chat_target_s)
        if wait is not None:
            late = "ticket-header--breached" if wait.late else "ticket-header--due" if wait.soon else ""
            said = f"  waiting {wait.says()} (answer within {wait.target.total_seconds():g}s)"
            status.append(said, style=self.get_component_rich_style(late) if late else "")
        elif ticket.snoozed_until is not None:
            status.append(f"  snoozed until {until_words(ticket.snoozed_until, now=now)}", style="bold")
        elif left:
            state = sla_state(ticket, now)
            label = f"  SLA {left}" if state != "breached" else f"  SLA breached {left.lstrip('-')} ago"
            due = "ticket-header--breached" if state == "breached" else "ticket-header--due" if state else ""
            status.append(label, style=self.get_component_rich_style(due) if due else "")
        details.append(status)
        customer = Text()
        customer.append(sanitize_line(ticket.customer.name[:SHORT_CHARS]) or "(no name)", style="bold")
        customer.append(f" <{sanitize_line(ticket.customer.email[:SHORT_CHARS])}>")
        if other_tickets is not None:
            customer.append(f"  {plural(other_tickets, 'other ticket')}", style="dim")
        customer.append(f" · {bound_key(self, CUSTOMER, CUSTOMER_KEY)} their record", style="dim")
        details.append(customer)
        if ticket.cc:
            copied = Text("cc ", style="dim")
            copied.append(addresses(ticket.cc))
            details.append(copied)
        if ticket.tags:
            tags = " ".join(f"#{sanitize_line(tag[:SHORT_CHARS])}" for tag in ticket.tags)
            details.append(Text(tags[: SHORT_CHARS * 2], style="italic"))
        window = reply_window(ticket.conversation_kind or "", ticket.customer_wrote_at, now)
        if window.has_window:
            closing = window.open and window.left < timedelta(hours=1)
            urgency = "ticket-header--due" if closing else ""
            urgency = "ticket-header--breached" if not window.open else urgency
            said = f"{CHANNEL_LABEL[ticket.channel]} {window.says()}"
            details.append(Text(said, style=self.get_component_rich_style(urgency) if urgency else "dim"))
        if visitor is not None:
            doing = visitor_line(ticket.customer.name, visitor, now)
            if visitor.is_typing(now):
                details.append(Text(doing, style=self.get_component_rich_style("ticket-header--others")))
            else:
                details.append(Text(doing, style="dim"))
        if others:
            look = self.get_component_rich_style("ticket-header--others")
            details.append(Text(presence_line(others), style=look))
        for line in details:
            rows += keep_to_rows(line, width, DETAIL_ROWS, self.app.console)
        self.update(Text("\n").join(rows))


def keep_to_rows(text: Text, width: int, rows: int, console: Console) -> list[Text]:
    """`text` as it is when it takes `rows` rows at most at `width`; else wrapped to
    `rows` rows, the last ending in an ellipsis."""
    wrapped = list(text.wrap(console, max(width, 1)))
    if len(wrapped) <= rows:
        return [text]
    kept = wrapped[:rows]
    kept[-1].truncate(max(width - 1, 0))
    kept[-1].rstrip()
    kept[-1].append(ELLIPSIS)
    return kept


def presence_line(others: Sequence[Presence]) -> str:
    """ "Rudi Hartono is replying · Ana Wijaya is viewing": each agent once, replying first."""
    doing: dict[str, Activity] = {}
    for presence in others:
        name = sanitize_line(presence.agent.name)
        if doing.get(name) is not Activity.REPLYING:
            doing[name] = presence.activity
    ordered = sorted(doing.items(), key=lambda item: (item[1] is not Activity.REPLYING, item[0]))
    return " · ".join(f"{PRESENCE_MARK[activity]} {name} is {activity.value}" for name, activity in ordered)


def show_all_key(widget: Widget) -> str:
    """The key that shows a long subject or message whole, as the agent's keymap has it."""
    return bound_key(widget, SHOW_ALL, SHOW_ALL_KEY)


def bound_key(widget: Widget, binding_id: str, default: str) -> str:
    """The key of a binding, as the agent's keymap has it, for words on the screen."""
    config = getattr(getattr(widget.app, "services", None), "config", None)
    keys = config.keymap.get(binding_id, default) if config is not None else default
    return widget.app.get_key_display(Binding(keys.split(",")[0].strip(), binding_id))

"""The open ticket: its header and its messages, earlier ones loaded as you scroll up.

Customer text is shown as rich Text built from sanitised strings: never parsed
as markup, never able to send an escape sequence to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message as UiMessage
from textual.widgets import Static

from cs_tui.domain.models import Message, MessageKind, Ticket
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.tui.format import PRIORITY_MARK, plural, sla_left, sla_state, status_label, when

KIND_LABEL = {
    MessageKind.CUSTOMER: "customer",
    MessageKind.REPLY: "reply",
    MessageKind.NOTE: "internal note",
    MessageKind.SYSTEM: "system",
}


class TicketHeader(Static):
    """Subject, number, status, priority, assignee, tags, channel and customer."""

    DEFAULT_CSS = """
    TicketHeader { height: auto; padding: 0 1; background: $panel; }
    """

    def show(self, ticket: Ticket | None, *, other_tickets: int | None, now: datetime) -> None:
        if ticket is None:
            self.update(Text("No ticket open. Pick one in the queue and press enter.", style="dim"))
            return
        text = Text()
        text.append(f"#{ticket.id} ", style="bold")
        text.append(sanitize_line(ticket.subject), style="bold")
        text.append("\n")
        text.append(status_label(ticket.status), style="reverse")
        text.append(f"  {PRIORITY_MARK[ticket.priority].strip() or '·'} {ticket.priority.value}")
        text.append(f"  {ticket.channel.value}")
        text.append(f"  {'assigned to ' + ticket.assignee.name if ticket.assignee else 'unassigned'}")
        left = sla_left(ticket, now)
        if left:
            state = sla_state(ticket, now)
            label = f"  SLA {left}" if state != "breached" else f"  SLA breached {left.lstrip('-')} ago"
            text.append(label, style="bold red" if state == "breached" else "yellow" if state else "")
        text.append("\n")
        customer = sanitize_line(ticket.customer.name) or "(no name)"
        text.append(customer, style="bold")
        text.append(f" <{sanitize_line(ticket.customer.email)}>")
        if other_tickets is not None:
            text.append(f"  {plural(other_tickets, 'other ticket')}", style="dim")
        if ticket.tags:
            text.append("\n")
            text.append(" ".join(f"#{sanitize_line(tag)}" for tag in ticket.tags), style="italic")
        self.update(text)


class MessageBlock(Static):
    """One message; its class says who wrote it, so the theme can set them apart."""

    DEFAULT_CSS = """
    MessageBlock { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: thick $primary; }
    MessageBlock.-customer { border-left: thick $secondary; background: $customer-message; }
    MessageBlock.-reply { border-left: thick $success; background: $agent-reply; }
    MessageBlock.-note { border-left: thick $warning; background: $internal-note; }
    MessageBlock.-system { border-left: thick $panel; color: $text-muted; }
    """

    def __init__(self, message: Message, *, now: datetime) -> None:
        super().__init__(classes=f"-{message.kind.value}")
        self.message = message
        self.now = now

    def on_mount(self) -> None:
        self.update(message_text(self.message, self.now))


def message_text(message: Message, now: datetime) -> Text:
    text = Text()
    text.append(sanitize_line(message.author_name) or "(unknown)", style="bold")
    label = KIND_LABEL[message.kind]
    if message.auto:
        label += ", automatic"
    text.append(f"  {label}", style="italic" if message.kind is MessageKind.NOTE else "dim")
    text.append(f"  {when(message.created_at, now)}\n", style="dim")
    text.append(sanitize(message.body).rstrip("\n"))
    return text


class Conversation(VerticalScroll):
    """The thread, oldest at the top; reaching the top loads earlier messages."""

    DEFAULT_CSS = """
    Conversation { height: 1fr; padding: 0 1; }
    Conversation > .earlier { color: $text-muted; text-align: center; width: 1fr; }
    """

    class ReachedTop(UiMessage):
        """Scrolled to the top while earlier messages are still to load."""

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.clock = clock
        self.messages: list[Message] = []
        self.has_earlier = False

    async def show(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Replace the thread and scroll to its newest message."""
        self.messages = list(messages)
        self.has_earlier = has_earlier
        await self.remove_children()
        now = self.clock()
        widgets: list[Static] = [MessageBlock(m, now=now) for m in messages]
        if has_earlier:
            widgets.insert(0, Static("↑ earlier messages load as you scroll up", classes="earlier"))
        await self.mount_all(widgets)
        self.call_after_refresh(self._to_end_then_check_top)

    def _to_end_then_check_top(self) -> None:
        self.scroll_end(animate=False, immediate=True)
        self.call_after_refresh(self._check_top)

    def _check_top(self) -> None:
        """A short page that does not fill the view cannot be scrolled up: load more now."""
        if self.scroll_y <= 0 and self.has_earlier and self.messages:
            self.post_message(self.ReachedTop())

    async def prepend(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Earlier messages above the ones shown, keeping what is on screen in place."""
        known = {m.id for m in self.messages}
        fresh = [m for m in messages if m.id not in known]
        self.messages[:0] = fresh
        self.has_earlier = has_earlier
        marker = self.query(".earlier")
        before = self.virtual_size.height
        now = self.clock()
        blocks = [MessageBlock(m, now=now) for m in fresh]
        first_block = next(iter(self.query(MessageBlock)), None)
        if blocks:
            await self.mount_all(blocks, before=first_block) if first_block else await self.mount_all(blocks)
        if not has_earlier:
            await marker.remove()
        self.call_after_refresh(self._keep_place, before)

    def _keep_place(self, height_before: int) -> None:
        grown = self.virtual_size.height - height_before
        self.scroll_to(y=self.scroll_y + grown, animate=False, immediate=True)
        self.call_after_refresh(self._check_top)

    async def append(self, messages: tuple[Message, ...]) -> None:
        """Messages newer than the last one shown; scrolls down if the agent was at the end."""
        known = {m.id for m in self.messages}
        fresh = [m for m in messages if m.id not in known]
        if not fresh:
            return
        at_end = self.scroll_y >= self.max_scroll_y - 1
        self.messages.extend(fresh)
        now = self.clock()
        await self.mount_all([MessageBlock(m, now=now) for m in fresh])
        if at_end:
            self.call_after_refresh(self.scroll_end, animate=False)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and self.has_earlier and self.messages:
            self.post_message(self.ReachedTop())

    @property
    def last_message_id(self) -> int | None:
        return self.messages[-1].id if self.messages else None

    @property
    def first_message_id(self) -> int | None:
        return self.messages[0].id if self.messages else None

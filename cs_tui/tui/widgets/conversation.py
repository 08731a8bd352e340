"""The open ticket: its header and its messages, earlier ones loaded as you scroll up.

Customer text is shown as rich Text built from sanitised strings: never parsed
as markup, never able to send an escape sequence to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message as UiMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from cs_tui.domain.models import Activity, Message, MessageKind, Presence, Ticket
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.tui.format import PRESENCE_MARK, PRIORITY_MARK, plural, sla_left, sla_state, status_label, when

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

    def show(
        self,
        ticket: Ticket | None,
        *,
        other_tickets: int | None,
        now: datetime,
        others: Sequence[Presence] = (),
    ) -> None:
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
        if others:
            text.append("\n")
            text.append(presence_line(others), style="bold yellow")
        self.update(text)


def presence_line(others: Sequence[Presence]) -> str:
    """ "Rudi Hartono is replying · Ana Wijaya is viewing": each agent once, replying first."""
    doing: dict[str, Activity] = {}
    for presence in others:
        name = sanitize_line(presence.agent.name)
        if doing.get(name) is not Activity.REPLYING:
            doing[name] = presence.activity
    ordered = sorted(doing.items(), key=lambda item: (item[1] is not Activity.REPLYING, item[0]))
    return " · ".join(f"{PRESENCE_MARK[activity]} {name} is {activity.value}" for name, activity in ordered)


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


EDGE = "▌"
EARLIER = "↑ earlier messages load as you scroll up"


class Conversation(ScrollView, can_focus=True):
    """The thread, oldest at the top, drawn line by line like the queue: a long thread
    costs no more to open than a short one. Reaching the top loads earlier messages.

    Each message is a block: an edge in its kind's colour, its author, kind and time,
    then its body wrapped to the width, on its kind's background.
    """

    COMPONENT_CLASSES = {
        "conversation--customer",
        "conversation--customer-edge",
        "conversation--reply",
        "conversation--reply-edge",
        "conversation--note",
        "conversation--note-edge",
        "conversation--system",
        "conversation--system-edge",
        "conversation--earlier",
    }

    DEFAULT_CSS = """
    Conversation { height: 1fr; overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    Conversation > .conversation--customer { background: $customer-message; }
    Conversation > .conversation--customer-edge { color: $secondary; }
    Conversation > .conversation--reply { background: $agent-reply; }
    Conversation > .conversation--reply-edge { color: $success; }
    Conversation > .conversation--note { background: $internal-note; }
    Conversation > .conversation--note-edge { color: $warning; }
    Conversation > .conversation--system { color: $text-muted; }
    Conversation > .conversation--system-edge { color: $panel-lighten-2; }
    Conversation > .conversation--earlier { color: $text-muted; }
    """

    class ReachedTop(UiMessage):
        """Scrolled to the top while earlier messages are still to load."""

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.messages: list[Message] = []
        self.has_earlier = False
        self._lines: list[Strip] = []
        self._blocks: dict[int, list[Strip]] = {}
        """Each message's lines at the width they were drawn for."""
        self._drawn_width = 0
        self._drawn_looks: tuple[Style, ...] = ()
        self._at_end = True
        """The newest message is in view: a resize keeps it there."""

    # What is shown

    def show(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Replace the thread and scroll to its newest message."""
        self.messages = list(messages)
        self.has_earlier = has_earlier
        self._blocks.clear()
        self._lay_out()
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.call_after_refresh(self._to_end_then_check_top)

    def _to_end_then_check_top(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.call_after_refresh(self._check_top)

    def _check_top(self) -> None:
        """A short page that does not fill the view cannot be scrolled up: load more now."""
        if self.scroll_y <= 0 and self.has_earlier and self.messages:
            self.post_message(self.ReachedTop())

    def prepend(self, messages: tuple[Message, ...], *, has_earlier: bool) -> None:
        """Earlier messages above the ones shown, keeping what is on screen in place."""
        known = {m.id for m in self.messages}
        self.messages[:0] = [m for m in messages if m.id not in known]
        self.has_earlier = has_earlier
        before = len(self._lines)
        self._lay_out()
        self.scroll_to(y=self.scroll_y + len(self._lines) - before, animate=False, immediate=True)
        self.call_after_refresh(self._check_top)

    def append(self, messages: tuple[Message, ...]) -> None:
        """Messages newer than the last one shown; scrolls down if the agent was at the end."""
        known = {m.id for m in self.messages}
        fresh = [m for m in messages if m.id not in known]
        if not fresh:
            return
        at_end = self._at_end
        self.messages.extend(fresh)
        self._lay_out()
        if at_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def watch_has_focus(self, has_focus: bool) -> None:
        """Nothing in the thread looks different with the focus: no restyle of it and its
        nine component classes (Textual's default) at every ticket opened and left."""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._at_end = new >= self.max_scroll_y - 1
        if new <= 0 and self.has_earlier and self.messages:
            self.post_message(self.ReachedTop())

    @property
    def last_message_id(self) -> int | None:
        return self.messages[-1].id if self.messages else None

    @property
    def first_message_id(self) -> int | None:
        return self.messages[0].id if self.messages else None

    # Drawing

    def on_resize(self) -> None:
        at_end = self._at_end
        self._lay_out()
        if at_end:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        try:
            looks = self._looks()
        except KeyError:  # the component styles are not applied yet; the first layout draws
            return
        if looks != self._drawn_looks:  # a new theme: every block is drawn again in its colours
            self._drawn_looks = looks
            self._blocks.clear()
            self._lay_out()

    def _looks(self) -> tuple[Style, ...]:
        components = sorted(self.COMPONENT_CLASSES)
        return (self.rich_style, *(self.get_component_rich_style(name) for name in components))

    def _lay_out(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._drawn_width:
            self._blocks.clear()
            self._drawn_width = width
        lines: list[Strip] = []
        if width > 0:
            if self.has_earlier:
                style = self.rich_style + self.get_component_rich_style("conversation--earlier")
                lines += [Strip([Segment(EARLIER.center(width)[:width], style)], width), Strip.blank(width)]
            now = self.clock()
            for message in self.messages:
                block = self._blocks.get(message.id)
                if block is None:
                    block = self._blocks[message.id] = self._draw(message, width, now)
                lines += block
        self._lines = lines
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def _draw(self, message: Message, width: int, now: datetime) -> list[Strip]:
        """A message's lines: margin, edge, padding, text, padding, margin; a blank line after."""
        base = self.rich_style
        kind = f"conversation--{message.kind.value}"
        body = base + self.get_component_rich_style(kind)
        edge = body + Style(color=self.get_component_rich_style(f"{kind}-edge").color)
        text_width = max(width - 5, 1)
        console = self.app.console
        options = console.options.update(width=text_width, height=None, no_wrap=False, overflow="fold")
        rendered = console.render_lines(message_text(message, now), options, style=body, pad=True)
        margin, pad = Segment(" ", base), Segment(" ", body)
        lines = [
            Strip([margin, Segment(EDGE, edge), pad, *line, pad, margin], width).simplify()
            for line in rendered
        ]
        lines.append(Strip.blank(width, base))
        return lines

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if 0 <= row < len(self._lines):
            line = self._lines[row]
            return line if line.cell_length == width else line.crop_extend(0, width, None)
        return Strip.blank(width, self._drawn_looks[0] if self._drawn_looks else None)

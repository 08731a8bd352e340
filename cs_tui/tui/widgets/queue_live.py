"""What moves on the queue's rows between loads: other agents on a ticket, a chat's
visitor typing or gone, a waiting chat's seconds, and the unread mark going once the
agent has read a ticket. Each draws again only the rows that changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_tui.domain.chat import VisitorState, chat_wait
from cs_tui.domain.models import Activity, Channel
from cs_tui.tui.format import visitor_mark

if TYPE_CHECKING:
    from cs_tui.tui.widgets.queue import QueueTable


class LiveRows:
    """Mixed into QueueTable."""

    def _queue(self) -> QueueTable:
        from cs_tui.tui.widgets.queue import QueueTable

        assert isinstance(self, QueueTable)
        return self

    def show_others(self, others: dict[int, Activity]) -> None:
        """Which tickets other agents are on; the rows that changed are drawn again."""
        queue = self._queue()
        changed = {t for t in queue.others.keys() | others.keys() if queue.others.get(t) != others.get(t)}
        queue.others = others
        for row, ticket in enumerate(queue.rows):
            if ticket.id in changed:
                queue.refresh_line(row)

    def show_visitors(self, visitors: dict[int, VisitorState]) -> None:
        """What the chats' visitors are doing; the rows that changed are drawn again."""
        queue = self._queue()
        now = queue.clock()
        before = {t: visitor_mark(s, now) for t, s in queue.visitors.items()}
        after = {t: visitor_mark(s, now) for t, s in visitors.items()}
        queue.visitors = visitors
        for row, ticket in enumerate(queue.rows):
            if before.get(ticket.id) != after.get(ticket.id):
                queue.refresh_line(row)

    def tick_chats(self) -> None:
        """The rows on screen of chats whose seconds count, drawn again with the time
        (the others move with tick, every 30 s)."""
        queue = self._queue()
        now = queue.clock()
        top = int(queue.scroll_y)
        counting = [
            row
            for row, ticket in enumerate(queue.rows[top : top + queue.size.height], start=top)
            if (wait := chat_wait(ticket, now, queue.chat_target_s)) is not None and wait.counts_seconds
        ]
        if counting and queue.region:
            queue._now = now
            for row in counting:
                queue.refresh_line(row)

    @property
    def chat_ids(self) -> list[int]:
        """The chats in the queue, whose visitors it shows."""
        queue = self._queue()
        return [t.id for t in queue.rows if t.channel is Channel.CHAT and t.conversation is not None]

    def mark_seen(self, ticket_id: int) -> None:
        """The agent has read this ticket: its row loses the unread mark."""
        queue = self._queue()
        if ticket_id in queue.unread:
            queue.unread.discard(ticket_id)
            row = next((i for i, t in enumerate(queue.rows) if t.id == ticket_id), None)
            if row is not None:
                queue.refresh_line(row)

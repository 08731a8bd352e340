"""Marking tickets in the queue for one action on them all: one (`x`), a range as the
cursor moves (`J`, `K`), every ticket of the view (`X`, loading its pages), the others
instead (`ctrl+x`), none (`escape`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from cs_tui.domain.counts import count_text

if TYPE_CHECKING:
    from cs_tui.tui.widgets.queue import QueueTable

MARK_ALL_MOST = 1_000
"""Tickets `X` marks at most: past that, the view is too big for one action by hand."""


class Marks:
    """Mixed into QueueTable."""

    class MarksChanged(Message):
        """The marked tickets changed: the title counts them."""

    def _queue(self) -> QueueTable:
        from cs_tui.tui.widgets.queue import QueueTable

        assert isinstance(self, QueueTable)
        return self

    def _marks_changed(self) -> None:
        queue = self._queue()
        queue.refresh()
        queue.post_message(self.MarksChanged())

    def action_toggle_mark(self) -> None:
        queue = self._queue()
        ticket = queue.current
        if ticket is None:
            return
        queue.marked.symmetric_difference_update({ticket.id})
        queue.refresh_line(queue.cursor_row)
        queue.cursor_row += 1
        queue.post_message(self.MarksChanged())

    def action_mark_down(self) -> None:
        """Mark the highlighted ticket and move down: a range, held on J."""
        self._mark_and_move(1)

    def action_mark_up(self) -> None:
        self._mark_and_move(-1)

    def _mark_and_move(self, step: int) -> None:
        queue = self._queue()
        if queue.current is None:
            return
        queue.marked.add(queue.current.id)
        queue.refresh_line(queue.cursor_row)
        queue.cursor_row += step
        if queue.current is not None:
            queue.marked.add(queue.current.id)
            queue.refresh_line(queue.cursor_row)
        queue.post_message(self.MarksChanged())

    def action_invert_marks(self) -> None:
        """The loaded tickets not marked are marked, and the marked ones not."""
        queue = self._queue()
        queue.marked = {t.id for t in queue.rows} - queue.marked
        self._marks_changed()

    def unmark_all(self) -> None:
        self._queue().marked.clear()
        self._marks_changed()

    @work(exclusive=True, group="queue-mark-all", exit_on_error=False)
    async def action_mark_all(self) -> None:
        """Every ticket of the view, its pages loaded as needed (at most MARK_ALL_MOST)."""
        queue = self._queue()
        await queue.load_all(MARK_ALL_MOST)
        queue.marked = {t.id for t in queue.rows[:MARK_ALL_MOST]}
        self._marks_changed()
        if queue.total > MARK_ALL_MOST:
            total = count_text(queue.total, estimate=queue.total_is_estimate)
            queue.notify(
                f"Marked the first {MARK_ALL_MOST:,} of {total}: search to narrow the view first.",
                severity="warning",
            )

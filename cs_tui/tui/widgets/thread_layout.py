"""Where each drawn message of the thread lies among its lines, and what follows from
it: which messages are in view, which the agent reads, where the mark goes when the
view moves away from it, how far to scroll to show one. No Textual: the Conversation
widget asks, with its scroll position."""

from __future__ import annotations

from dataclasses import dataclass

from cs_tui.domain.models import Message
from cs_tui.tui.widgets.message_text import is_folded


@dataclass(frozen=True, slots=True)
class ThreadLayout:
    """The drawn messages (the newest ones: those above are drawn a step later), the
    line each one's block starts on, and the number of lines. A block ends with a
    blank line."""

    drawn: tuple[Message, ...] = ()
    starts: tuple[int, ...] = ()
    line_count: int = 0

    @property
    def ready(self) -> bool:
        return bool(self.drawn) and len(self.starts) == len(self.drawn)

    def block(self, index: int) -> tuple[int, int]:
        """The lines of the `index`th drawn message, from and to (not included), with
        the blank line after it."""
        end = self.starts[index + 1] if index + 1 < len(self.starts) else self.line_count
        return self.starts[index], end

    def text_rows(self, message_id: int | None) -> tuple[int, int] | None:
        """The lines of a drawn message, less the blank line after it; None if it is not drawn."""
        index = self.find(message_id)
        if index is None:
            return None
        start, end = self.block(index)
        return start, end - 1

    def find(self, message_id: int | None) -> int | None:
        if not self.ready or message_id is None:
            return None
        return next((i for i, m in enumerate(self.drawn) if m.id == message_id), None)

    def in_view(self, top: int, bottom: int) -> list[int]:
        """The drawn messages with a line of text between `top` and `bottom`, top first."""
        found = []
        for index in range(len(self.drawn) if self.ready else 0):
            start, end = self.block(index)
            if end - 1 > top and start < bottom:
                found.append(index)
        return found

    def follow(self, rows: tuple[int, int], top: int, bottom: int) -> int | None:
        """Where the mark goes when the view left its message (`rows`): of the messages in
        view, those whose start is in view first, the top one when the view went down
        and the lowest when it went up. None while it is still in view."""
        if rows[1] > top and rows[0] < bottom:
            return None
        shown = self.in_view(top, bottom)
        if not shown:
            return None
        starting = [index for index in shown if self.starts[index] >= top] or shown
        return starting[0] if rows[1] <= top else starting[-1]

    def reading(self, top: int, bottom: int) -> Message | None:
        """The message the agent reads: of those on screen, the lowest one that is cut;
        else the cut one nearest the screen; else the lowest one on screen."""
        if not self.ready:
            return self.drawn[-1] if self.drawn else None
        shown: list[Message] = []
        nearest: tuple[int, Message] | None = None
        for index, message in enumerate(self.drawn):
            start, end = self.block(index)
            if start < bottom and end > top:
                shown.append(message)
            elif is_folded(message):
                distance = top - end if end <= top else start - bottom
                if nearest is None or distance < nearest[0]:
                    nearest = (distance, message)
        cut_ones = [m for m in shown if is_folded(m)]
        if cut_ones:
            return cut_ones[-1]
        if nearest is not None:
            return nearest[1]
        return shown[-1] if shown else None


def reveal(rows: tuple[int, int], top: int, height: int) -> int | None:
    """The scroll position that shows `rows` (all of them if they fit, else their start)
    moving the view the least; None if they are in view already."""
    start, end = rows
    if start < top or end - start > height:
        return start
    if end > top + height:
        return end - height
    return None

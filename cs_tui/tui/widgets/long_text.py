"""Customer text of any length on a screen: the part of a long message the thread
shows, and rows of text made a few thousand characters at a time, so the first rows
are on screen at once however long the text is.

Everything here is sanitised on the way (domain.text), a piece at a time: a piece
that cuts an escape sequence in two shows the rest of it as plain characters, never
as something the terminal acts on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from rich.cells import cell_len, set_cell_size, split_graphemes

from cs_tui.domain.text import sanitize, sanitize_line

CUT_LINES = 150
"""A message with more lines than this is cut in the thread..."""
CUT_CHARS = 15_000
"""... or with more characters than this."""
SHOWN_LINES = 100
"""The lines of a cut message that the thread shows..."""
SHOWN_CHARS = 10_000
"""... and at most this many of its characters."""
PIECE_CHARS = 32_768
"""How much text is sanitised at a time."""
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Cut:
    """What the thread shows of a message body."""

    shown: str
    """The start of the body, sanitised (all of it when it is short)."""
    more: str
    """What is left out, in words ("39,612 more lines"); empty when nothing is."""


def is_cut(body: str) -> bool:
    """The thread shows only the start of this body."""
    return len(body.rstrip("\n")) > CUT_CHARS or body.count("\n", 0, CUT_CHARS) >= CUT_LINES


def cut(body: str) -> Cut:
    """The body whole when it is short; else its first lines or characters and how
    much is left. It costs what the shown part costs, however long the body is."""
    body = body.rstrip("\n")
    if not is_cut(body):
        return Cut(sanitize(body).rstrip("\n"), "")
    end = min(len(body), SHOWN_CHARS)
    newline = -1
    for _ in range(SHOWN_LINES):
        newline = body.find("\n", newline + 1, end)
        if newline < 0:
            break
    if newline >= 0:
        end = newline + 1
    elif end < len(body):  # in the middle of a line: end at a word if one ends near
        space = body.rfind(" ", end - 200, end)
        end = space + 1 if space > 0 else end
    rest_lines = body.count("\n", end) + 1
    if rest_lines > 1 or body[end - 1] == "\n":
        more = f"{rest_lines:,} more line{'s' if rest_lines != 1 else ''}"
    else:
        more = f"{len(body) - end:,} more characters"
    return Cut(sanitize(body[:end]).rstrip("\n"), more)


def wrap_rows(line: str, width: int) -> Iterator[str]:
    """The rows one line (no newline in it) takes at `width` cells, as they are needed:
    broken at the last space that fits, a word longer than a row folded where it is
    (a subject of one long word starts beside its number, not under it)."""
    width = max(width, 1)
    if line.isascii():
        start, end = 0, len(line)
        while end - start > width:
            space = line.rfind(" ", start + 1, start + width + 1)
            if space < 0 or _longer_than_a_row(line, space + 1, width):
                yield line[start : start + width]
                start += width
            else:
                yield line[start:space]
                start = space + 1
        yield line[start:]
        return
    yield from _wrap_cells(line, width)


def _wrap_cells(line: str, width: int) -> Iterator[str]:
    """wrap_rows for text with wide, combined or zero-width characters."""
    start, end = 0, len(line)
    while start < end:
        window = line[start : start + 2 * width + 16]
        spans, cells = split_graphemes(window)
        if cells <= width and start + len(window) >= end:
            yield line[start:]
            return
        used, fit = 0, 0  # the characters that fit in a row
        for _, span_end, span_cells in spans:
            if used + span_cells > width:
                break
            used, fit = used + span_cells, span_end
        if fit == len(window):  # zero-width characters run past the window: fold here
            yield window
            start += fit
            continue
        fit = fit or spans[0][1]  # a character wider than the row goes on a row of its own
        space = window.rfind(" ", 1, fit + 1)
        if space > 0 and not _longer_than_a_row(line, start + space + 1, width):
            yield window[:space]
            start += space + 1
        else:
            yield window[:fit]
            start += fit


def _longer_than_a_row(line: str, start: int, width: int) -> bool:
    """The word at `start` does not fit in a row (counted in characters)."""
    return len(line) - start > width and line.find(" ", start, start + width + 1) < 0


def pieces(text: str) -> Iterator[str]:
    """`text` sanitised a piece at a time, each ending at a newline where one is near."""
    start, end = 0, len(text)
    while start < end:
        stop = min(start + PIECE_CHARS, end)
        if stop < end:
            newline = text.rfind("\n", start, stop)
            if newline > start:
                stop = newline + 1
            elif text[stop - 1] == "\r":  # keep \r\n together: it is one line end
                stop -= 1 if stop - 1 > start else 0
        yield sanitize(text[start:stop])
        start = stop


def text_rows(text: str, width: int) -> Iterator[str]:
    """The rows a body takes at `width` cells, sanitised and wrapped as they are asked
    for. A line longer than a piece goes on where the last piece left it."""
    carried = ""
    for piece in pieces(text):
        lines = piece.split("\n")
        for number, line in enumerate(lines):
            if number == 0:
                line = carried + line
            line = line.expandtabs(8) if "\t" in line else line
            if number < len(lines) - 1:
                yield from wrap_rows(line, width)
                continue
            # The line may go on in the next piece: its last row waits for the rest.
            held: str | None = None
            for row in wrap_rows(line, width):
                if held is not None:
                    yield held
                held = row
            carried = held or ""
    if carried or not text:
        yield carried


def line_rows(text: str, width: int, rows: int, *, reserve: int = 0) -> tuple[list[str], bool]:
    """At most `rows` rows of `text` folded to one line (a subject, a name) at `width`
    cells, and whether that is not all of it: then the last row ends in an ellipsis,
    `reserve` cells before the end of the row. It costs what the rows cost."""
    width = max(width, 1)
    take = (rows + 1) * (width + 1) * 2
    found = list(islice(wrap_rows(sanitize_line(text[:take]), width), rows + 1))
    more = len(found) > rows or (
        len(text) > take and (bool(text[take : take + 1000].strip()) or len(text) > take + 1000)
    )
    if not more:
        return found, False
    found = found[:rows]
    room = max(width - reserve - 1, 0)
    last = found[-1] if found else ""
    if cell_len(last) > room:
        last = set_cell_size(last, room).rstrip()
    found[-1:] = [last + ELLIPSIS]
    return found, True

"""What cs-tui writes to the terminal beside the screen: its title and desktop
notifications, built here from cleaned text and written through one function.

Customer text (a subject) reaches the terminal inside an escape sequence: a BEL, an
ESC or an 8-bit ST in it would end the sequence early and let the rest act on the
terminal. Everything put in one passes `in_a_sequence` first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from textual.app import App

from cs_tui.domain.text import sanitize_line

OSC = "\x1b]"
BEL = "\x07"
SEQUENCE_CHARS = 200
"""Of the text in one sequence: a notification is read at a glance."""

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Controls (C0, DEL, C1): any of them could end or bend the sequence."""


def in_a_sequence(text: str, most: int = SEQUENCE_CHARS) -> str:
    """Text for the inside of an escape sequence: on one line, without escape sequences
    or control characters, without `;` (which parts fields), and at most `most` long."""
    line = _UNSAFE.sub("", sanitize_line(text)).replace(";", ",")
    return line if len(line) <= most else line[: most - 1] + "…"


def set_title(title: str) -> str:
    """OSC 2: the window (or tmux pane) title."""
    return f"{OSC}2;{in_a_sequence(title)}{BEL}"


PUSH_TITLE = "\x1b[22;2t"
"""Keep the title as it is, to be given back by POP_TITLE (xterm's title stack, which
tmux keeps too; a terminal without one ignores both, and keeps the title cs-tui set)."""
POP_TITLE = "\x1b[23;2t"


def desktop_notification(
    kind: str, title: str, body: str, *, environ: Mapping[str, str] | None = None
) -> str:
    """The sequence that asks the terminal for a desktop notification: `osc9` (iTerm2's,
    text only) or `osc777` (urxvt's `notify`, a title and a body); empty for `off`.
    Inside tmux it is wrapped to pass through to the terminal around tmux, which shows
    it when tmux lets it (`set -g allow-passthrough on`)."""
    if kind == "osc9":
        # Never a digit first: ConEmu and Windows Terminal read "9;4;..." as a command.
        sequence = f"{OSC}9;cs-tui: {in_a_sequence(f'{title} · {body}')}{BEL}"
    elif kind == "osc777":
        sequence = f"{OSC}777;notify;{in_a_sequence(f'cs-tui: {title}', 60)};{in_a_sequence(body)}{BEL}"
    else:
        return ""
    if (environ if environ is not None else os.environ).get("TMUX"):
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def write_to_terminal(app: App[Any], sequence: str) -> None:
    """Write an escape sequence to the terminal, between frames. Textual offers no public
    way but for the bell and the clipboard; this is its driver's own write, as theirs are
    (see docs/architecture.md, "Where cs-tui leans on Textual's internals")."""
    driver = app._driver
    if driver is not None and sequence:
        driver.write(sequence)

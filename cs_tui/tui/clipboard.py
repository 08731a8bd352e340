"""Copying (yanking) to the agent's clipboard from the keyboard: the ticket's number,
the customer's address or a message's text, by OSC 52, which works over SSH and
inside tmux (`set -g set-clipboard on`).

What is copied is customer text and will be pasted into a shell, a chat or another
terminal: it is cleaned of control characters and escape sequences first. (The
sequence itself cannot be broken out of: Textual sends the text base64-encoded.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.app import App

from cs_tui.domain.models import Message, Ticket
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.tui.format import in_a_notice, plural, when
from cs_tui.tui.widgets.message_text import message_kind

MOST_BYTES = 74_000
"""Of a message copied, in UTF-8: about 100 KB once base64-encoded, which terminals
take in one OSC 52 (some refuse more, silently: hterm, older xterm builds, tmux's
own limits); a longer message is copied up to there, and the notice says so."""
PREVIEW_CHARS = 60
"""Of a message, shown in the chooser beside its key."""


@dataclass(frozen=True, slots=True)
class Copyable:
    """One thing the agent may copy: the chooser shows its name and `preview`; `text` is
    what goes to the clipboard, clean."""

    name: str
    """"number", "address" or "message": the chooser's binding picks it by this."""
    preview: str
    text: str
    said: str
    """The notice once copied."""


def copyables(ticket: Ticket, message: Message | None, now: datetime) -> list[Copyable]:
    """What the agent may copy of the ticket they see, and of its marked message when
    they are in its thread."""
    number = f"#{ticket.id}"
    address = sanitize_line(ticket.customer.email)
    found = [Copyable("number", number, number, f"Copied {number}")]
    if address:
        shown = in_a_notice(address)
        found.append(Copyable("address", shown, address, f"Copied {shown}"))
    if message is not None:
        found.append(_message(message, now))
    return found


def _message(message: Message, now: datetime) -> Copyable:
    body = sanitize(message.body).strip("\n")
    encoded = body.encode("utf-8")
    cut = len(encoded) > MOST_BYTES
    if cut:
        body = encoded[:MOST_BYTES].decode("utf-8", errors="ignore")
    author = in_a_notice(message.author_name, 40) or "(unknown)"
    first_line = in_a_notice(body, PREVIEW_CHARS) or "(empty)"
    said = f"Copied {author}'s message"
    if cut:
        said += f": its first {len(body):,} characters, as much as a terminal takes at once"
    else:
        said += f" ({plural(len(body), 'character')})"
    preview = f"{author}, {message_kind(message)}, {when(message.created_at, now)}: {first_line}"
    return Copyable("message", preview, body, said)


def copy_out(app: App[Any], copyable: Copyable) -> None:
    """To the clipboard (by OSC 52), and a notice saying what was copied."""
    app.copy_to_clipboard(copyable.text)
    app.notify(copyable.said)

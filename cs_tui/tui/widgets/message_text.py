"""A message as the thread shows it: who wrote it, what kind it is and when; its body,
or the start of a long one; the quoted history of a mail folded to one line; the
files it came with; and, for a reply going out, where it is on its way.

Customer text (names, bodies, file names, a server's reasons) is sanitised and
appended as plain Text: never markup, never an escape sequence for the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text

from cs_tui.domain.channels import Delivery, DeliveryState
from cs_tui.domain.models import Message, MessageKind
from cs_tui.domain.text import file_size, sanitize_line
from cs_tui.tui.format import in_a_notice, plural, when
from cs_tui.tui.widgets.long_text import ELLIPSIS, cut, is_cut
from cs_tui.tui.widgets.ticket_header import SHORT_CHARS

KIND_LABEL = {
    MessageKind.CUSTOMER: "customer",
    MessageKind.REPLY: "reply",
    MessageKind.NOTE: "internal note",
    MessageKind.SYSTEM: "system",
}

DELIVERY_MARK = {
    DeliveryState.QUEUED: ELLIPSIS,
    DeliveryState.SENDING: ELLIPSIS,
    DeliveryState.SENT: "✓",
    DeliveryState.DELIVERED: "✓",
    DeliveryState.READ: "✓",
    DeliveryState.FAILED: "✗",
    DeliveryState.BOUNCED: "✗",
}
"""Readable without colour: on its way, out, or back for the agent to act on."""


@dataclass(frozen=True, slots=True)
class Looks:
    """The styles of a message's parts; the thread takes them from the theme."""

    fold: Style | str = "dim italic"
    """What is left out: the rest of a long body, the quoted history."""
    attachment: Style | str = ""
    delivery: Style | str = "dim"
    trouble: Style | str = "bold red"
    """A reply that did not reach the customer (failed, bounced)."""


PLAIN = Looks()


def message_text(
    message: Message, now: datetime, *, show_all_key: str = "", save_key: str = "", looks: Looks = PLAIN
) -> Text:
    """A message as the thread shows it: its author, kind and time, then its body (or
    the start of a long body) and a line for what is left out, with the key that shows
    it all; its files, with the key that saves one; where a reply is on its way."""
    text = Text()
    text.append(sanitize_line(message.author_name[:SHORT_CHARS]) or "(unknown)", style="bold")
    kind_style = "bold italic" if message.kind is MessageKind.NOTE else "dim"  # a note stands out in mono
    text.append(f"  {message_kind(message)}", style=kind_style)
    text.append(f"  {when(message.created_at, now)}", style="dim")
    body = cut(message.body)
    if body.shown:
        text.append(f"\n{body.shown}")
    left_out = folded_away(message, body.more)
    if left_out and show_all_key:  # the cut body's words as they were; the quoted text's short
        left_out += f" · press {show_all_key} to show all" if body.more else f" · {show_all_key}: show all"
    if left_out:
        text.append(f"\n{ELLIPSIS} {left_out}", style=looks.fold)
    for number, file in enumerate(message.attachments, start=1):
        text.append("\n")
        text.append(attachment_line(file.filename, file.size, file.content_type), style=looks.attachment)
        if save_key and number == len(message.attachments):
            text.append(f" · press {save_key} to save", style=looks.fold)
    if message.delivery is not None:
        trouble = message.delivery.state.needs_the_agent
        text.append("\n")
        text.append(delivery_words(message.delivery), style=looks.trouble if trouble else looks.delivery)
    return text


def message_kind(message: Message) -> str:
    label = KIND_LABEL[message.kind]
    return label + ", automatic" if message.auto else label


def is_folded(message: Message) -> bool:
    """The thread does not show all of this message: its body is cut, or the history
    it quoted is folded away. The show-all key shows it whole."""
    return is_cut(message.body) or has_quoted(message)


def has_quoted(message: Message) -> bool:
    """A mail's quoted history is there (looked at without copying it: it may be long)."""
    return bool(message.quoted) and not message.quoted.isspace()


def quoted_lines(quoted: str) -> int:
    """How many lines a quoted history has (0: there is none)."""
    if not quoted or quoted.isspace():
        return 0
    return quoted.strip("\n").count("\n") + 1


def folded_away(message: Message, more: str) -> str:
    """What the thread leaves out of a message, in words; empty when nothing."""
    quoted = quoted_lines(message.quoted)
    hidden = f"quoted text hidden ({plural(quoted, 'line')})" if quoted else ""
    return ", ".join(words for words in (more, hidden) if words)


def attachment_line(filename: str, size: int, content_type: str) -> str:
    """ "attached: paket.jpg · 3.2 MB · image/jpeg" """
    name = in_a_notice(filename, 120) or "(no name)"
    kind = in_a_notice(content_type, 60) or "unknown type"
    return f"attached: {name} · {file_size(size)} · {kind}"


def delivery_words(delivery: Delivery) -> str:
    """Where a reply is on its way to the customer: "✓ sent", "… queued: <why it waits,
    and when it is tried again>", "✗ failed: <why>"."""
    state = delivery.state
    reason = sanitize_line(delivery.reason[:SHORT_CHARS])
    if state.needs_the_agent and not reason:
        reason = "no reason was given"
    words = f"{DELIVERY_MARK.get(state, '')} {state.value}"
    return f"{words}: {reason}" if reason else words

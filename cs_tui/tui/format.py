"""How ticket fields read on screen: short, fixed-width, the same everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta

from cs_tui.domain.chat import FIRST_RESPONSE_S, VisitorState, chat_wait
from cs_tui.domain.models import Activity, CannedActions, Channel, Priority, Status, Ticket
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import duration

PRIORITY_MARK = {Priority.URGENT: "!!", Priority.HIGH: "! ", Priority.NORMAL: "  ", Priority.LOW: "- "}
"""Two cells before the ticket number; readable without colour."""

PRESENCE_MARK = {Activity.VIEWING: "◉", Activity.REPLYING: "✎"}
"""Another agent on the ticket: looking at it, or writing to its customer."""

SNOOZED_MARK = "↻"
"""Before the time a snoozed ticket comes back, in the queue's SLA column."""

SOON = 3600.0
"""Seconds before an SLA deadline from which the queue warns."""

VISITOR_MARK = {"here": "●", "gone": "○"}
"""Before a chat's subject in the queue: the visitor still on the page, or gone."""


def status_label(status: Status) -> str:
    return status.value.replace("_", " ")


def age(ticket: Ticket, now: datetime) -> str:
    return duration(now - ticket.created_at)


def sla_left(ticket: Ticket, now: datetime, chat_target_s: float = FIRST_RESPONSE_S) -> str:
    """Time left to the next SLA deadline ("3h05m"), or past it ("-12m"); for a chat
    waiting on the team, how long the visitor has waited since they last wrote ("42s");
    for a snoozed ticket, the time until it comes back ("↻3h05m"); "paused" while the
    ticket waits on the customer; blank when none (solved, closed)."""
    wait = chat_wait(ticket, now, chat_target_s)
    if wait is not None:
        return wait.says()
    if ticket.snoozed_until is not None:
        return f"{SNOOZED_MARK}{duration(max(ticket.snoozed_until - now, timedelta()))}"
    if ticket.sla_paused:
        return "paused"
    if ticket.sla_due_at is None:
        return ""
    return duration(ticket.sla_due_at - now)


def sla_state(ticket: Ticket, now: datetime, chat_target_s: float = FIRST_RESPONSE_S) -> str:
    """ "breached", "soon" or "" for the colour of the SLA column; a waiting chat is
    measured against the chat's target (90 s unless the config says otherwise)."""
    wait = chat_wait(ticket, now, chat_target_s)
    if wait is not None:
        return "breached" if wait.late else "soon" if wait.soon else ""
    if ticket.sla_due_at is None:
        return ""
    left = (ticket.sla_due_at - now).total_seconds()
    if left <= 0:
        return "breached"
    return "soon" if left <= SOON else ""


def when(moment: datetime, now: datetime) -> str:
    """A message time: the clock today, the date before ("24 Nov 14:05")."""
    local = moment.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    if local.year == now.astimezone().year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M")


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


NOTICE_SUBJECT_CHARS = 80
"""How much of a subject a notice quotes: the rest is on the ticket."""


def in_a_notice(text: str, most: int = NOTICE_SUBJECT_CHARS) -> str:
    """Customer text for a notice: one line, cleaned, and short enough not to cover the
    screen (a subject may be a thousand characters)."""
    line = sanitize_line(text)
    return line if len(line) <= most else line[: most - 1] + "…"


CHANNEL_LABEL = {
    Channel.EMAIL: "email",
    Channel.CHAT: "chat",
    Channel.WEB: "web",
    Channel.PHONE: "phone",
    Channel.SOCIAL: "social",
    Channel.WHATSAPP: "WhatsApp",
}
"""A channel in words, for how a reply goes out: "by email", "by WhatsApp"."""


def came_in(ticket: Ticket) -> str:
    """How the ticket came in, as the search names it (`channel:email`), and the
    mailbox (or other configured channel) it came through, which replies go out by:
    "email · toko", or just "whatsapp"."""
    kind = ticket.channel.value
    return f"{kind} · {in_a_notice(ticket.channel_name, 40)}" if ticket.channel_name else kind


def addresses(emails: tuple[str, ...], *, most: int = 3) -> str:
    """Addresses for a line of the screen: the first few, then how many more."""
    shown = ", ".join(in_a_notice(email, 60) for email in emails[:most])
    return shown + (f" and {len(emails) - most} more" if len(emails) > most else "")


def describe_actions(actions: CannedActions) -> str:
    """What a canned response does to the ticket, in words: "status solved, tags x"."""
    parts = []
    if actions.status:
        parts.append(f"status {actions.status.value.replace('_', ' ')}")
    if actions.priority:
        parts.append(f"priority {actions.priority.value}")
    if actions.add_tags:
        parts.append("tags " + " ".join(actions.add_tags))
    return ", ".join(parts)


def sentence(words: str) -> str:
    """Words as a sentence starts: the first letter capital, names left as written
    ("assigned to Sari Wulandari", not "sari wulandari")."""
    return words[:1].upper() + words[1:]


def visitor_mark(state: VisitorState | None, now: datetime) -> str:
    """ "here" or "gone" for a chat whose visitor was heard from; "" when none was."""
    if state is None:
        return ""
    return "here" if state.is_here(now) else "gone"


def visitor_line(name: str, state: VisitorState, now: datetime) -> str:
    """What a chat's visitor is doing, for the ticket's header."""
    who = sanitize_line(name) or "The visitor"
    if state.is_typing(now):
        return f"{who} is typing…"
    if state.is_here(now):
        return f"{VISITOR_MARK['here']} {who} is on the page"
    return f"{VISITOR_MARK['gone']} {who} left the chat"

"""When a reply may still go out on a channel that limits it: WhatsApp takes free text
for 24 hours after the customer's last message (then only an approved template);
Messenger and Instagram for 24 hours, or 7 days when a person writes it with the
HUMAN_AGENT tag. Email, chat, forms and every other kind have no window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
WINDOWED_KINDS = ("whatsapp", "messenger", "instagram")


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    """Whether a free-text reply can go out now on `kind`, until when (`closes_at`,
    None when the kind has no window), how long is `left` (timedelta.max for no
    window, zero once closed), and whether it must carry the HUMAN_AGENT tag.
    `closed_for` is how long ago it closed."""

    kind: str
    open: bool
    closes_at: datetime | None
    needs_human_agent_tag: bool
    left: timedelta
    closed_for: timedelta = timedelta(0)
    ever_opened: bool = True
    """False when the customer never wrote on this channel (nothing opened it)."""

    @property
    def has_window(self) -> bool:
        return self.kind in WINDOWED_KINDS

    def says(self) -> str:
        """The window in words, for the conversation's header."""
        if not self.has_window:
            return "no reply window: a reply can go out any time"
        if self.open and self.needs_human_agent_tag:
            return f"24-hour window closed: a reply goes with the human agent tag, {_span(self.left)} left"
        if self.open:
            return f"window open, {_span(self.left)} left"
        after = (
            "only an approved template can go out"
            if self.kind == "whatsapp"
            else "nothing can go out until the customer writes again"
        )
        if not self.ever_opened:
            return f"the customer has not written on {_name(self.kind)}: {after}"
        length = "24-hour" if self.kind == "whatsapp" else "7-day"
        return f"{length} window closed {_ago(self.closed_for)}: {after}"


def reply_window(kind: str, last_customer_message_at: datetime | None, now: datetime) -> ReplyWindow:
    """The window on `kind` at `now`, counted from the customer's last message there
    (None: they never wrote). Open while `now` is before the window's end."""
    if kind not in WINDOWED_KINDS:
        return ReplyWindow(kind, True, None, False, timedelta.max)
    if last_customer_message_at is None:
        return ReplyWindow(kind, False, None, False, timedelta(0), ever_opened=False)
    standard_end = last_customer_message_at + STANDARD_WINDOW
    if now < standard_end:
        return ReplyWindow(kind, True, standard_end, False, standard_end - now)
    if kind == "whatsapp":
        return ReplyWindow(kind, False, standard_end, False, timedelta(0), closed_for=now - standard_end)
    agent_end = last_customer_message_at + HUMAN_AGENT_WINDOW
    if now < agent_end:
        return ReplyWindow(kind, True, agent_end, True, agent_end - now)
    return ReplyWindow(kind, False, agent_end, False, timedelta(0), closed_for=now - agent_end)


def _name(kind: str) -> str:
    return {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}.get(kind, kind)


def _span(delta: timedelta) -> str:
    """What is left, as a countdown: 45m, 3h 12m, 4d 2h."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days}d {hour}h"
    if hours:
        return f"{hours}h {minute}m"
    return f"{minute}m" if minute else "less than a minute"


def _ago(delta: timedelta) -> str:
    """How long ago, in the largest whole unit: 5 minutes ago, 3 hours ago, 2 days ago."""
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        count = seconds // size
        if count:
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"

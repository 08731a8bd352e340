"""The helpdesk's rules for a website chat: who a visitor is (a token the server signs,
so that a reload or a restarted server carries the chat on with nothing kept in
memory), which conversation their messages make, whether they are still there or
typing, and whether anyone of the team is there to answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cs_tui.domain import limits
from cs_tui.domain.customers import Identity, IdentityKind, checked_identity
from cs_tui.domain.models import Channel, Ticket
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import duration

TOKEN_DAYS = 30
"""A visitor's token lasts this long: a customer who comes back within a month finds
their chat where they left it."""
TYPING_S = 6.0
"""A visitor or an agent said to be typing stops being so after this long without a
word: a closed tab does not type forever."""
HERE_S = 60.0
"""A visitor heard from within this long is still on the page (the widget says so
every 20 s while it is open)."""
ONLINE_WINDOW = timedelta(minutes=10)
"""Someone of the team seen within this long (on a ticket, or writing anything) makes
the chat say it is answered now; else it offers to answer by email."""
MESSAGE_CHARS = 5000
"""A chat message's length at most: a chat is a conversation, not a letter."""
SECONDS_SHOWN = 100
"""A waiting chat counts in seconds up to this, past its target; in minutes after."""
FIRST_RESPONSE_S = 90
"""The target for a first answer to a chat, in seconds: what shops quote for live chat."""


class BadToken(ValueError):
    """A visitor token that is not one of ours, or no longer good."""


@dataclass(frozen=True, slots=True)
class Visitor:
    """A website visitor, as their signed token says."""

    id: str
    name: str
    email: str = ""
    phone: str = ""
    issued_at: int = 0
    """Seconds since the epoch."""

    @property
    def address(self) -> str:
        """Where a reply could reach them besides the chat: their email, their phone,
        or, when they left neither, the chat itself (`chat:ID`)."""
        if self.email:
            return self.email
        if self.phone:
            return f"phone:{self.phone}"
        return f"chat:{self.id}"

    def conversation(self, channel: str) -> str:
        """The conversation their messages make on the channel (Inbound.conversation)."""
        return f"chat:{channel}:{self.id}"


def new_visitor(name: str, email: str, phone: str, *, now: datetime) -> Visitor:
    """A visitor from the pre-chat form; ValueError naming the field that is wrong."""
    name = sanitize_line(name)[: limits.NAME_CHARS]
    try:
        email = checked_identity(Identity(IdentityKind.EMAIL, email)).value if email.strip() else ""
    except RuleBroken:
        raise ValueError("email: that is not an email address; leave it empty or give one") from None
    try:
        phone = checked_identity(Identity(IdentityKind.PHONE, phone)).value if phone.strip() else ""
    except RuleBroken:
        raise ValueError("phone: that is not a phone number; give digits, maybe a leading +") from None
    return Visitor(secrets.token_urlsafe(12), name or "Visitor", email, phone, int(now.timestamp()))


def sign(visitor: Visitor, key: bytes) -> str:
    """The visitor's token: what it says, and a signature over it with the channel's key."""
    said = json.dumps(
        {"v": visitor.id, "n": visitor.name, "e": visitor.email, "p": visitor.phone, "t": visitor.issued_at},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    body = base64.urlsafe_b64encode(said).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(key, body, hashlib.sha256).digest()).rstrip(b"=")
    return f"{body.decode()}.{mac.decode()}"


def verify(token: str, key: bytes, *, now: datetime) -> Visitor:
    """The visitor a token names; BadToken when it was not signed with `key` or is too old."""
    body, dot, mac = token.strip().partition(".")
    if not dot or len(token) > 2048:
        raise BadToken("not a visitor token")
    expected = base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).rstrip(b"=")
    if not hmac.compare_digest(expected, mac.encode()):
        raise BadToken("not a visitor token of this chat")
    try:
        said = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        visitor = Visitor(str(said["v"]), str(said["n"]), str(said["e"]), str(said["p"]), int(said["t"]))
    except (ValueError, KeyError, TypeError) as error:
        raise BadToken("not a visitor token") from error
    if now.timestamp() - visitor.issued_at > TOKEN_DAYS * 86400:
        raise BadToken("this chat is too old to carry on; start a new one")
    return visitor


@dataclass(frozen=True, slots=True)
class VisitorState:
    """What a chat's visitor was last heard doing."""

    seen_at: datetime
    typing_at: datetime | None = None
    left_at: datetime | None = None

    def is_here(self, now: datetime) -> bool:
        return self.left_at is None and (now - self.seen_at).total_seconds() <= HERE_S

    def is_typing(self, now: datetime) -> bool:
        return (
            self.is_here(now)
            and self.typing_at is not None
            and (now - self.typing_at).total_seconds() <= TYPING_S
        )


def chat_subject(first_message: str, visitor_name: str) -> str:
    """A chat ticket's subject: its first words, as a mail's subject would say it."""
    words = " ".join(sanitize_line(first_message).split())
    if len(words) > 60:
        words = words[:59].rsplit(" ", 1)[0] + "…"
    return words or f"Chat with {visitor_name}"


@dataclass(frozen=True, slots=True)
class ChatWait:
    """How long a chat's visitor has waited on the team since they last wrote."""

    waited: timedelta
    target: timedelta

    @property
    def late(self) -> bool:
        return self.waited > self.target

    @property
    def soon(self) -> bool:
        """Two thirds of the target gone: an agent should pick it up now."""
        return self.waited * 3 >= self.target * 2

    @property
    def counts_seconds(self) -> bool:
        """Whether what it says changes every second (the first SECONDS_SHOWN)."""
        return self.waited.total_seconds() < SECONDS_SHOWN

    def says(self) -> str:
        """ "42s" while the seconds count, then "3m", "1h10m": past the target a minute
        more or less is no news, and a screen need not be drawn each second for it.
        Past a day, in days as every other age is ("1d05h", "12d"), never "671h50m"."""
        seconds = int(self.waited.total_seconds())
        if seconds < SECONDS_SHOWN:
            return f"{seconds}s"
        if seconds < 3600:
            return f"{seconds // 60}m"
        if seconds < 86400:
            return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        return duration(self.waited)


def chat_wait(ticket: Ticket, now: datetime, target_s: float = FIRST_RESPONSE_S) -> ChatWait | None:
    """For a chat that waits on the team (the visitor wrote last), how long it has
    waited against the target; None for any other ticket. Counted from the visitor's
    last message, as a chat is answered message by message, not once per ticket."""
    since = ticket.waiting_since
    if ticket.channel is not Channel.CHAT or since is None:
        return None
    return ChatWait(max(now - since, timedelta()), timedelta(seconds=target_s))

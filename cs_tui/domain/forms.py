"""The helpdesk's rules for what the shop's website sends in besides a chat: a web
form's post and a chat's away message (an address to answer by email, a message,
each within its length), the key that makes the same post sent twice one ticket,
which mailbox answers them, and the transcript of a chat a visitor asks to be mailed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cs_tui.domain.channels import ChannelInfo
from cs_tui.domain.customers import Identity, IdentityKind, checked_identity
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.text import sanitize, sanitize_line

NAME_CHARS = 200
SUBJECT_CHARS = 200
MESSAGE_CHARS = 20_000
"""A form's message at most: a long letter, not a document (those are attached)."""
FILES_AT_MOST = 5
REPEAT_WINDOW_S = 60
"""The same post again within this minute (a double click, a reload that posts
again) is the same message."""
SUBJECT_WORDS_CHARS = 60


class FormError(ValueError):
    """A post that cannot be taken in: the field to fix and what to do, in words."""

    def __init__(self, field: str, said: str) -> None:
        super().__init__(f"{field}: {said}")
        self.field, self.said = field, said


@dataclass(frozen=True, slots=True)
class FormPost:
    """A post as the helpdesk takes it: cleaned, within its lengths, with an address."""

    name: str
    email: str
    subject: str
    message: str

    @property
    def ticket_subject(self) -> str:
        """The subject the customer gave, else the message's first words."""
        if self.subject:
            return self.subject
        words = " ".join(self.message.split())
        if len(words) > SUBJECT_WORDS_CHARS:
            words = words[: SUBJECT_WORDS_CHARS - 1].rsplit(" ", 1)[0] + "…"
        return words


def checked_post(*, name: str, email: str, subject: str, message: str) -> FormPost:
    """The post as it is taken in; FormError naming the first field to fix."""
    name = sanitize_line(name)
    if len(name) > NAME_CHARS:
        raise FormError("name", f"A name is at most {NAME_CHARS} characters.")
    email = checked_email(email)
    subject = sanitize_line(subject)
    if len(subject) > SUBJECT_CHARS:
        raise FormError("subject", f"A subject is at most {SUBJECT_CHARS} characters.")
    if len(message) > MESSAGE_CHARS * 2:  # not worth cleaning to count
        raise _too_long()
    message = sanitize(message).strip()
    if not message:
        raise FormError("message", "Write your message.")
    if len(message) > MESSAGE_CHARS:
        raise _too_long()
    return FormPost(name, email, subject, message)


def checked_email(email: str) -> str:
    """An address to answer by email, in lower case; FormError when there is none."""
    if not email.strip():
        raise FormError("email", "Give your email address, so that we can answer you.")
    try:
        return checked_identity(Identity(IdentityKind.EMAIL, email)).value
    except RuleBroken:
        raise FormError("email", "That is not an email address; give one like budi@example.com.") from None


def _too_long() -> FormError:
    return FormError(
        "message", f"A message is at most {MESSAGE_CHARS:,} characters; attach the rest as a file."
    )


def post_key(where: str, post: FormPost, file_digests: Iterable[str], at: datetime) -> str:
    """What makes a post known when it comes again within REPEAT_WINDOW_S: the form,
    its fields, its files and the minute."""
    minute = int(at.timestamp()) // REPEAT_WINDOW_S
    said = [where, post.name, post.email, post.subject, post.message, sorted(file_digests), minute]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


def answering_mailbox(channels: Sequence[ChannelInfo], named: str) -> str | None:
    """The mailbox (an email channel) that takes a web channel's posts in and answers
    them: the one named while it is there, else the first set up; None when the shop
    has none."""
    mailboxes = sorted((c for c in channels if c.kind == "email"), key=lambda c: (c.created_at, c.name))
    if any(c.name == named for c in mailboxes):
        return named
    return mailboxes[0].name if mailboxes else None


@dataclass(frozen=True, slots=True)
class Said:
    """One message of a chat as its visitor saw it."""

    who: str
    at: datetime
    body: str
    files: tuple[str, ...] = ()


def transcript(conversation: Sequence[Said]) -> str:
    """A chat as plain text, for the visitor to keep: who said what and when (UTC,
    as the visitor's own time zone is not known)."""
    lines = ["Your chat with us, as you asked for it (times are UTC).", ""]
    for each in conversation:
        lines.append(f"{sanitize_line(each.who)}, {each.at.astimezone(UTC):%Y-%m-%d %H:%M}:")
        if each.body:
            lines.append(sanitize(each.body))
        lines.extend(f"[file: {sanitize_line(name)}]" for name in each.files)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

"""The helpdesk's rules for the messaging apps (WhatsApp, Messenger, Instagram): how
long a webhook delivery is kept once taken in, how a reply's delivery moves as the
app reports it, a conversation's subject, when the customer last wrote, and how an
agent asks for an approved WhatsApp template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.text import sanitize_line

RECEIVED_KEPT = timedelta(days=1)
"""A webhook delivery stays in its channel's inbox this long after it came once it
has been taken in: time to look at what Meta sent when something went wrong."""
MAX_FILE_BYTES = 25 * 1024 * 1024
"""A customer's file is kept up to this size, as a mail's attachments are."""
SUBJECT_WORDS = 60
"""A conversation's subject is its first message's first characters, at most this many."""

_APP_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}
_PROGRESS = {DeliveryState.SENT: 1, DeliveryState.DELIVERED: 2, DeliveryState.READ: 3}
TEMPLATE_COMMAND = "/template"


def delivery_advances(current: DeliveryState, seen: DeliveryState) -> bool:
    """Whether a reply whose delivery is `current` moves to `seen`, as the app reports
    it: sent, then delivered, then read, never back (reports come out of order);
    failed at any time once it went out, and nothing after failed or bounced. A reply
    not yet sent (queued, sending) is its sender's to finish."""
    if current not in _PROGRESS:
        return False
    if seen in (DeliveryState.FAILED, DeliveryState.BOUNCED):
        return True
    return seen in _PROGRESS and _PROGRESS[seen] > _PROGRESS[current]


def conversation_subject(kind: str, text: str, customer_name: str) -> str:
    """A messaging ticket's subject: its first words, as a mail's subject would say
    them, or "WhatsApp message from Budi" when the first message has no words."""
    words = " ".join(sanitize_line(text).split())
    if len(words) > SUBJECT_WORDS:
        words = words[: SUBJECT_WORDS - 1].rsplit(" ", 1)[0] + "…"
    app = _APP_NAMES.get(kind, kind)
    return words or f"{app} message from {sanitize_line(customer_name) or 'a customer'}"


@dataclass(frozen=True, slots=True)
class TemplateRequest:
    """A reply that asks for an approved WhatsApp template rather than free text: its
    name, its language when the agent gave one, and the values of its placeholders."""

    name: str
    language: str | None
    params: tuple[str, ...]


def template_request(body: str) -> TemplateRequest | None:
    """The template a reply asks for, or None for a free-text reply. Such a reply's
    first line is `/template NAME` or `/template NAME:LANGUAGE`; each line after it is
    the value of one placeholder, in order ({{1}}, {{2}}, ...)."""
    lines = body.strip().splitlines()
    if not lines:
        return None
    command, _, rest = lines[0].strip().partition(" ")
    if command.lower() != TEMPLATE_COMMAND:
        return None
    name, _, language = rest.strip().partition(":")
    params = tuple(sanitize_line(line) for line in lines[1:] if line.strip())
    return TemplateRequest(name.strip(), language.strip() or None, params)

"""The helpdesk's rules for the messaging apps (WhatsApp, Messenger, Instagram): how
long a webhook delivery is kept once taken in, how a reply's delivery moves as the
app reports it, a conversation's subject, the approved WhatsApp templates a channel
offers and how an agent asks for one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.templates import PLACEHOLDERS
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


# Meta: a template's name is lowercase letters, digits and underscores; a language is
# a code like en, en_US, pt_BR or zh_HK.
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:_[A-Za-z]{2,4})?")
TEMPLATE_EXAMPLE = "order_update:id:customer.first_name+ticket.id"


class TemplateError(ValueError):
    """A template set up wrongly; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class WhatsAppTemplate:
    """A message template Meta approved for the shop's WhatsApp number: what can go out
    once the customer's 24 hours are over. `params` is how many placeholders ({{1}},
    {{2}}, ...) its body has; `fields`, when set up, what fills each one from the
    ticket (a canned response's placeholder, as customer.first_name; "" for one the
    agent types)."""

    name: str
    language: str
    params: int = 0
    fields: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> WhatsAppTemplate:
        """`name:language:placeholders` (as `order_update:id:2`), the placeholders either
        how many there are or what fills each, joined by + (as
        `customer.first_name+ticket.id`, with `_` for one the agent types); `:…` may be
        left out when the body has none."""
        said = text.strip()
        parts = said.split(":")
        if len(parts) not in (2, 3):
            raise TemplateError(f"{said!r}: write a template as {TEMPLATE_EXAMPLE} (or name:language:2)")
        name, language = parts[0], parts[1]
        given = parts[2] if len(parts) == 3 else "0"
        if not _TEMPLATE_NAME.fullmatch(name):
            raise TemplateError(
                f"{said!r}: a template's name is lowercase letters, digits and _ as WhatsApp Manager shows it"
            )
        if not _LANGUAGE.fullmatch(language):
            raise TemplateError(f"{said!r}: the language is a code like id, en or en_US")
        if given.isdigit():
            if int(given) > 100:
                raise TemplateError(f"{said!r}: a template has at most 100 placeholders")
            return cls(name, language, int(given))
        fields = tuple("" if each == "_" else each for each in given.split("+"))
        unknown = [each for each in fields if each and each not in PLACEHOLDERS]
        if unknown or len(fields) > 100:
            known = ", ".join(PLACEHOLDERS)
            raise TemplateError(f"{said!r}: {unknown[0] if unknown else given!r} is not one of {known}, or _")
        return cls(name, language, len(fields), fields)

    def __str__(self) -> str:
        if self.fields:
            return f"{self.name}:{self.language}:" + "+".join(each or "_" for each in self.fields)
        return f"{self.name}:{self.language}:{self.params}"

    def reply(self, values: Mapping[str, str | None]) -> str:
        """The reply that sends it (template_request reads it back): its first line, then
        a line for each placeholder, filled from the ticket's `values` where the
        template says what fills it, else `{{N}}` for the agent to type over."""
        lines = [f"{TEMPLATE_COMMAND} {self.name}:{self.language}"]
        for number in range(1, self.params + 1):
            field = self.fields[number - 1] if number <= len(self.fields) else ""
            value = values.get(field) if field else None
            lines.append(value or f"{{{{{number}}}}}")
        return "\n".join(lines)

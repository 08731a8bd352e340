"""Canned-response placeholders: checked when saved, filled in when used.

A strict formatter, not a template language: `{{ name }}` is looked up in a fixed
table of known placeholders and nothing in a body is ever evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from cs_tui.domain.models import Agent, Ticket

PLACEHOLDERS: dict[str, str] = {
    "customer.first_name": "the customer's first name",
    "customer.name": "the customer's full name",
    "customer.email": "the customer's email address",
    "agent.first_name": "your first name",
    "agent.name": "your full name",
    "agent.email": "your email address",
    "ticket.id": "the ticket number, as #1042",
    "ticket.ref": "the ticket's id in the system it came from",
    "ticket.subject": "the ticket's subject",
    "ticket.status": "the ticket's status",
    "ticket.priority": "the ticket's priority",
    "ticket.channel": "the channel the ticket came in on",
}

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_OPEN_OR_CLOSE = re.compile(r"\{\{|\}\}")


class TemplateError(ValueError):
    """A canned response body that cannot be saved, with every problem in it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rendered:
    """A filled-in body. Placeholders with no value stay in the text, as written,
    and are listed in `missing` with their spans so the composer can mark them."""

    text: str
    missing: tuple[Placeholder, ...]


def find_placeholders(body: str) -> list[Placeholder]:
    return [Placeholder(m.group(1), m.start(), m.end()) for m in _PLACEHOLDER.finditer(body)]


def check(body: str) -> None:
    """Raise TemplateError naming every unknown placeholder and stray brace pair."""
    problems: list[str] = []
    for placeholder in find_placeholders(body):
        if placeholder.name not in PLACEHOLDERS:
            problems.append(
                f"unknown placeholder {{{{{placeholder.name}}}}} at character "
                f"{placeholder.start + 1}; known: {', '.join(PLACEHOLDERS)}"
            )
    stray = _OPEN_OR_CLOSE.search(_PLACEHOLDER.sub("", body))
    if stray:
        problems.append(f"unmatched '{stray.group()}': write placeholders as {{{{customer.name}}}}")
    if problems:
        raise TemplateError(problems)


def render(body: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill in placeholders from `values`; unknown or empty ones are kept and reported."""
    parts: list[str] = []
    missing: list[Placeholder] = []
    position = 0
    length = 0
    for match in _PLACEHOLDER.finditer(body):
        parts.append(body[position : match.start()])
        length += match.start() - position
        value = values.get(match.group(1))
        if value:
            parts.append(value)
            length += len(value)
        else:
            original = match.group(0)
            missing.append(Placeholder(match.group(1), length, length + len(original)))
            parts.append(original)
            length += len(original)
        position = match.end()
    parts.append(body[position:])
    return Rendered("".join(parts), tuple(missing))


def context_for(ticket: Ticket | None, agent: Agent | None) -> dict[str, str | None]:
    """The placeholder values for one ticket and the agent writing to it."""
    values: dict[str, str | None] = dict.fromkeys(PLACEHOLDERS)
    if ticket is not None:
        values.update(
            {
                "customer.first_name": ticket.customer.first_name or None,
                "customer.name": ticket.customer.name or None,
                "customer.email": ticket.customer.email or None,
                "ticket.id": f"#{ticket.id}",
                "ticket.ref": ticket.ref,
                "ticket.subject": ticket.subject or None,
                "ticket.status": ticket.status.value.replace("_", " "),
                "ticket.priority": ticket.priority.value,
                "ticket.channel": ticket.channel.value,
            }
        )
    if agent is not None:
        values.update(
            {
                "agent.first_name": agent.first_name or None,
                "agent.name": agent.name or None,
                "agent.email": agent.email or None,
            }
        )
    return values

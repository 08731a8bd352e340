"""Every action of the main screen by name, for the `:` command line and the command
palette alike: the keys' actions, each view, order, status and priority, each agent
to assign to, marks, and a ticket by its number."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding

from cs_tui.config import View
from cs_tui.domain.models import Agent, Priority, Status
from cs_tui.domain.query import Sort

TICKET_NUMBER = re.compile(r"\s*#?(\d{1,15})\s*")
"""`1885`, `#1885`: a ticket to open."""


@dataclass(frozen=True, slots=True)
class Command:
    """What is typed after `:` (`status pending`), what it does in words, and the
    action it runs on the main screen (`status('pending')`)."""

    words: str
    does: str
    action: str


def commands(
    bindings: Sequence[object], views: Sequence[View], team: Sequence[Agent], sorts: dict[Sort, str]
) -> list[Command]:
    """The main screen's commands, the keys' actions first."""
    found = [
        Command(binding.id.replace("_", " ").replace(".", " "), binding.description, binding.action)
        for binding in bindings
        if isinstance(binding, Binding) and binding.id and not binding.id.startswith("view.")
    ]
    for view in views:
        found.append(
            Command(f"view {view.name.lower()}", f"View {view.key}: {view.name}", f"view({view.key})")
        )
    for sort, label in sorts.items():
        found.append(Command(f"sort {sort.value}", f"Order the queue {label}", f"sort('{sort.value}')"))
    for status in Status:
        words = status.value.replace("_", " ")
        found.append(Command(f"status {words}", f"Set the status to {words}", f"status('{status.value}')"))
    for priority in Priority:
        value = priority.value
        found.append(Command(f"priority {value}", f"Set the priority to {value}", f"priority('{value}')"))
    found.append(Command("assign me", "Assign to me", "assign('me')"))
    found.append(Command("unassign", "Assign to nobody", "assign('none')"))
    for agent in team:
        if agent.active:
            found.append(
                Command(f"assign {agent.email}", f"Assign to {agent.name}", f"assign('{agent.email}')")
            )
    found += [
        Command("mark all", "Mark every ticket of the view", "mark('all')"),
        Command("mark none", "Unmark every ticket", "mark('none')"),
        Command("mark invert", "Mark the others instead", "mark('invert')"),
    ]
    return _unique(found)


def _unique(found: list[Command]) -> list[Command]:
    seen: dict[str, Command] = {}
    for command in found:
        seen.setdefault(command.words, command)
    return list(seen.values())


def action_for(line: str, known: Sequence[Command]) -> tuple[str | None, str]:
    """The action a command line means, or None and why not, in words. A number opens
    that ticket; `search WORDS` searches; `tag a -b` changes tags; `assign WHO` takes
    any name; otherwise the words of one command (or the start of only one)."""
    text = " ".join(line.split())
    if not text:
        return None, ""
    number = TICKET_NUMBER.fullmatch(text)
    if number:
        return f"open_number({int(number[1])})", ""
    verb, _, rest = text.partition(" ")
    if verb in ("search", "/"):
        return f"search_for({rest!r})", ""
    if verb in ("tag", "tags") and rest:
        return f"tags({rest!r})", ""
    if verb == "snooze" and rest:
        return f"snooze({rest!r})", ""
    if verb == "assign" and rest and not any(c.words == text for c in known):
        return f"assign({rest!r})", ""
    exact = next((c for c in known if c.words == text.lower()), None)
    if exact is not None:
        return exact.action, ""
    starting = [c for c in known if c.words.startswith(text.lower())]
    if len(starting) == 1:
        return starting[0].action, ""
    near = difflib.get_close_matches(text.lower(), [c.words for c in known], n=3)
    if starting:
        return None, f"{text!r} could be " + ", ".join(c.words for c in starting[:6])
    hint = f": did you mean {' or '.join(near)}?" if near else ": tab completes, ctrl+p lists them all"
    return None, f"no command {text!r}{hint}"

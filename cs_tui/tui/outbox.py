"""The outbox: replies, notes and ticket changes that could not reach the store, kept
in a file until they do.

Each goes out exactly once: a reply carries its client id, which the store stores
once however often it is sent; a change carries the version it was made against,
and a change that finds its own result already there counts as delivered.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from cs_tui.domain.models import (
    UNSET,
    AuthorKind,
    Message,
    NewMessage,
    Priority,
    Status,
    Ticket,
    TicketChanges,
)
from cs_tui.domain.timeutil import parse_iso, to_iso, utcnow
from cs_tui.store.base import Conflict, Store, StoreError, StoreUnavailable


def outbox_path(store_label: str, agent_id: int) -> Path:
    """One outbox file per store and agent, in the user's state directory."""
    key = hashlib.sha256(f"{store_label}\n{agent_id}".encode()).hexdigest()[:16]
    return platformdirs.user_state_path("cs-tui", appauthor=False) / "outbox" / f"{key}.jsonl"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A reply or note (`message`), or a ticket change (`changes`), not yet delivered."""

    key: str
    ticket_id: int
    queued_at: datetime
    message: NewMessage | None = None
    changes: TicketChanges | None = None
    expected_version: int = 0
    done: str = ""
    """For a change, what the agent was told it does ("status solved")."""

    @property
    def what(self) -> str:
        if self.message is not None:
            return "note" if self.message.internal else "reply"
        return "change"

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "key": self.key,
            "ticket_id": self.ticket_id,
            "queued_at": to_iso(self.queued_at),
        }
        if self.message is not None:
            line["message"] = {"client_id": self.message.client_id, "body": self.message.body}
            line["message"]["internal"] = self.message.internal
        if self.changes is not None:
            line["changes"] = _changes_json(self.changes)
            line["expected_version"] = self.expected_version
            line["done"] = self.done
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Waiting:
        message = data.get("message")
        changes = data.get("changes")
        return cls(
            key=str(data["key"]),
            ticket_id=int(data["ticket_id"]),
            queued_at=parse_iso(str(data["queued_at"])),
            message=None
            if message is None
            else NewMessage(
                str(message["client_id"]), str(message["body"]), AuthorKind.AGENT, bool(message["internal"])
            ),
            changes=None if changes is None else _changes_from_json(changes),
            expected_version=int(data.get("expected_version", 0)),
            done=str(data.get("done", "")),
        )


@dataclass(slots=True)
class Delivery:
    """What one attempt to empty the outbox did."""

    sent: list[tuple[Waiting, Message | Ticket]] = field(default_factory=list)
    refused: list[tuple[Waiting, StoreError]] = field(default_factory=list)
    """Delivered, but the store said no (a conflict, a deleted ticket): no longer waiting."""
    offline: bool = False
    """The store still cannot be reached; what is left waits."""


class Outbox:
    """What waits, oldest first, in a JSON Lines file (or only in memory, with no path)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._waiting: dict[str, Waiting] = {}
        self.problems: list[str] = []
        """Lines of the file that could not be read; they stay in a `.bad` file beside it."""
        if path is not None and path.exists():
            self._load(path)

    def __len__(self) -> int:
        return len(self._waiting)

    def __iter__(self) -> Iterator[Waiting]:
        return iter(list(self._waiting.values()))

    def add_message(self, ticket_id: int, message: NewMessage) -> Waiting:
        waiting = Waiting(message.client_id, ticket_id, utcnow(), message=message)
        self._keep(waiting)
        return waiting

    def add_change(self, ticket_id: int, changes: TicketChanges, expected_version: int, done: str) -> Waiting:
        waiting = Waiting(
            str(uuid.uuid4()),
            ticket_id,
            utcnow(),
            changes=changes,
            expected_version=expected_version,
            done=done,
        )
        self._keep(waiting)
        return waiting

    def waiting_for(self, ticket_id: int) -> list[Waiting]:
        return [w for w in self._waiting.values() if w.ticket_id == ticket_id]

    async def deliver(self, store: Store, actor_id: int) -> Delivery:
        """Send what waits, in order, until the store cannot be reached."""
        delivery = Delivery()
        for waiting in self:
            try:
                result = await _send(store, waiting, actor_id)
            except StoreUnavailable:
                delivery.offline = True
                break
            except StoreError as error:
                delivery.refused.append((waiting, error))
            else:
                delivery.sent.append((waiting, result))
            self._drop(waiting.key)
        return delivery

    def _keep(self, waiting: Waiting) -> None:
        self._waiting[waiting.key] = waiting
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(waiting.to_json(), ensure_ascii=False) + "\n")
                file.flush()
                os.fsync(file.fileno())

    def _drop(self, key: str) -> None:
        self._waiting.pop(key, None)
        if self.path is None:
            return
        if not self._waiting:
            self.path.unlink(missing_ok=True)
            return
        fresh = self.path.with_suffix(".tmp")
        with fresh.open("w", encoding="utf-8") as file:
            for waiting in self._waiting.values():
                file.write(json.dumps(waiting.to_json(), ensure_ascii=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        fresh.replace(self.path)

    def _load(self, path: Path) -> None:
        bad: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                waiting = Waiting.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                bad.append(line)
                self.problems.append(f"{path}:{number}: {error}")
                continue
            self._waiting[waiting.key] = waiting
        if bad:
            with path.with_suffix(".bad").open("a", encoding="utf-8") as file:
                file.write("".join(f"{line}\n" for line in bad))


async def _send(store: Store, waiting: Waiting, actor_id: int) -> Message | Ticket:
    if waiting.message is not None:
        message = await store.add_message(waiting.ticket_id, waiting.message, actor_id=actor_id)
        await store.delete_draft(actor_id, waiting.ticket_id)
        return message
    assert waiting.changes is not None
    try:
        return await store.update_ticket(
            waiting.ticket_id, waiting.changes, expected_version=waiting.expected_version, actor_id=actor_id
        )
    except Conflict as conflict:
        if _already_applied(waiting.changes, conflict.current):
            return conflict.current  # an earlier try got there and its answer was lost
        raise


def _already_applied(changes: TicketChanges, ticket: Ticket) -> bool:
    return (
        (changes.status is None or ticket.status is changes.status)
        and (changes.priority is None or ticket.priority is changes.priority)
        and (changes.subject is None or ticket.subject == changes.subject.strip())
        and (
            changes.assignee_id is UNSET
            or (ticket.assignee.id if ticket.assignee else None) == changes.assignee_id
        )
        and all(tag in ticket.tags for tag in changes.add_tags)
        and not any(tag in ticket.tags for tag in changes.remove_tags)
    )


def _changes_json(changes: TicketChanges) -> dict[str, Any]:
    data: dict[str, Any] = {
        "status": changes.status.value if changes.status else None,
        "priority": changes.priority.value if changes.priority else None,
        "subject": changes.subject,
        "add_tags": list(changes.add_tags),
        "remove_tags": list(changes.remove_tags),
    }
    if changes.assignee_id is not UNSET:
        data["assignee_id"] = changes.assignee_id
    return data


def _changes_from_json(data: dict[str, Any]) -> TicketChanges:
    return TicketChanges(
        status=Status(data["status"]) if data.get("status") else None,
        priority=Priority(data["priority"]) if data.get("priority") else None,
        assignee_id=data.get("assignee_id", UNSET),
        subject=data.get("subject"),
        add_tags=tuple(data.get("add_tags", ())),
        remove_tags=tuple(data.get("remove_tags", ())),
    )

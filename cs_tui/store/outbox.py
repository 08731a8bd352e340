"""OutboxStore: a Store that keeps the replies, notes and ticket changes it cannot
deliver (the team server is away) in a file, and makes each of them once when the
store is back, also after a restart.

Each goes out exactly once: a reply carries its client id, which the store stores
once however often it is sent; a change carries the version it was made against,
and a change that finds its own result already there counts as delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import platformdirs

from cs_tui.domain.models import (
    UNSET,
    AuthorKind,
    Draft,
    DraftKind,
    Message,
    NewMessage,
    Priority,
    Status,
    Ticket,
    TicketChanges,
    Unset,
)
from cs_tui.domain.timeutil import parse_iso, to_iso, utcnow
from cs_tui.store.base import Conflict, Queued, Store, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

RETRY_S = 3.0
"""Seconds between tries to deliver what waits."""


def state_path(kind: str, store_label: str, agent_id: int) -> Path:
    """A place of one store's and one agent's own in the user's state directory."""
    key = hashlib.sha256(f"{store_label}\n{agent_id}".encode()).hexdigest()[:16]
    return platformdirs.user_state_path("cs-tui", appauthor=False) / kind / key


def outbox_path(store_label: str, agent_id: int) -> Path:
    """One outbox file per store and agent, in the user's state directory."""
    return state_path("outbox", store_label, agent_id).with_suffix(".jsonl")


@dataclass(frozen=True, slots=True)
class Waiting:
    """A reply or note (`message`), or a ticket change (`changes`), not yet delivered."""

    key: str
    ticket_id: int
    actor_id: int | None
    queued_at: datetime
    message: NewMessage | None = None
    changes: TicketChanges | None = None
    expected_version: int = 0

    @property
    def what(self) -> str:
        if self.message is not None:
            return "note" if self.message.internal else "reply"
        return "change"

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "key": self.key,
            "ticket_id": self.ticket_id,
            "actor_id": self.actor_id,
            "queued_at": to_iso(self.queued_at),
        }
        if self.message is not None:
            line["message"] = {
                "client_id": self.message.client_id,
                "body": self.message.body,
                "internal": self.message.internal,
            }
        if self.changes is not None:
            line["changes"] = _changes_json(self.changes)
            line["expected_version"] = self.expected_version
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any], actor_id: int | None) -> Waiting:
        """`actor_id`: whose outbox it is, for lines written before they named the actor."""
        message = data.get("message")
        changes = data.get("changes")
        return cls(
            key=str(data["key"]),
            ticket_id=int(data["ticket_id"]),
            actor_id=int(data["actor_id"]) if data.get("actor_id") is not None else actor_id,
            queued_at=parse_iso(str(data["queued_at"])),
            message=None
            if message is None
            else NewMessage(
                str(message["client_id"]), str(message["body"]), AuthorKind.AGENT, bool(message["internal"])
            ),
            changes=None if changes is None else _changes_from_json(changes),
            expected_version=int(data.get("expected_version", 0)),
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something that reached the store and was refused (a conflict, a deleted ticket,
    a revoked token): it waits no longer. A refused message is kept as its writer's
    draft on the ticket when the store takes that (`kept_as_draft`)."""

    waiting: Waiting
    error: StoreError
    kept_as_draft: bool = False


@dataclass(slots=True)
class Delivery:
    """What the outbox did: delivered, refused, or took in (`offline`)."""

    sent: list[tuple[Waiting, Message | Ticket]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    offline: bool = False
    """The store still cannot be reached; what is left waits."""
    waiting: int = 0
    """How many things wait after this."""


class Outbox:
    """What waits, oldest first, in a JSON Lines file (or only in memory, with no path).
    `actor_id` is whose outbox it is."""

    def __init__(self, path: Path | None = None, actor_id: int | None = None) -> None:
        self.path = path
        self._waiting: dict[str, Waiting] = {}
        self.problems: list[str] = []
        """Lines of the file that could not be read; they stay in a `.bad` file beside it."""
        if path is not None and path.exists():
            self._load(path, actor_id)

    def __len__(self) -> int:
        return len(self._waiting)

    def __iter__(self) -> Iterator[Waiting]:
        return iter(list(self._waiting.values()))

    def keep(self, waiting: Waiting) -> None:
        self._waiting[waiting.key] = waiting
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with private_file(self.path, "a") as file:
                file.write(json.dumps(waiting.to_json(), ensure_ascii=False) + "\n")
                file.flush()
                os.fsync(file.fileno())

    def drop(self, key: str) -> None:
        self._waiting.pop(key, None)
        if self.path is None:
            return
        if not self._waiting:
            self.path.unlink(missing_ok=True)
            return
        fresh = self.path.with_suffix(".tmp")
        with private_file(fresh, "w") as file:
            for waiting in self._waiting.values():
                file.write(json.dumps(waiting.to_json(), ensure_ascii=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        fresh.replace(self.path)

    def _load(self, path: Path, actor_id: int | None) -> None:
        bad: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                waiting = Waiting.from_json(json.loads(line), actor_id)
            except (ValueError, KeyError, TypeError) as error:
                bad.append(line)
                self.problems.append(f"{path}:{number}: {error}")
                continue
            self._waiting[waiting.key] = waiting
        if bad:
            with private_file(path.with_suffix(".bad"), "a") as file:
                file.write("".join(f"{line}\n" for line in bad))


def private_file(path: Path, mode: str) -> IO[str]:
    """`path` opened for writing text, readable by its owner alone (0600): what waits
    is replies to customers."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)  # a file an older cs-tui made readable by others
    return open(fd, mode, encoding="utf-8")


Listener = Callable[[Delivery], None]


class OutboxStore:
    """`inner`, whose replies, notes and ticket changes that find it unreachable wait
    in `outbox` instead of failing: such a write raises Queued, and is made (once)
    when the store answers again, which this store tries every `retry_s` seconds
    while something waits, and before each write so that writes keep their order.
    Everything else is `inner`'s, as it is. Listeners hear of every change to what
    waits."""

    def __init__(self, inner: Store, outbox: Outbox, *, retry_s: float = RETRY_S) -> None:
        self.inner = inner
        self.outbox = outbox
        self.retry_s = retry_s
        self._listeners: list[Listener] = []
        self.latest = Delivery(waiting=len(outbox))
        """The latest news, for a listener that comes late."""
        self._delivering = asyncio.Lock()
        self._worker: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, inner: Store, outbox: Outbox, *, retry_s: float = RETRY_S) -> OutboxStore:
        """The store, delivering at once what an earlier run left waiting."""
        store = cls(inner, outbox, retry_s=retry_s)
        if outbox:
            store._start(wait_first=False)
        return store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each Delivery: what went out or was refused, and while
        anything waits, how many things and whether the store is away. Returns what
        stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        await self.inner.close()

    # The writes that wait when they must

    async def add_message(self, ticket_id: int, new: NewMessage, *, actor_id: int | None) -> Message:
        waiting = Waiting(new.client_id, ticket_id, actor_id, utcnow(), message=new)
        if not await self._caught_up():
            raise self._queue(waiting)
        try:
            return await self.inner.add_message(ticket_id, new, actor_id=actor_id)
        except StoreUnavailable as error:
            raise self._queue(waiting, error) from None

    async def update_ticket(
        self, ticket_id: int, changes: TicketChanges, *, expected_version: int, actor_id: int | None
    ) -> Ticket:
        waiting = Waiting(
            str(uuid.uuid4()),
            ticket_id,
            actor_id,
            utcnow(),
            changes=changes,
            expected_version=expected_version,
        )
        if not await self._caught_up():
            raise self._queue(waiting)
        try:
            return await self.inner.update_ticket(
                ticket_id, changes, expected_version=expected_version, actor_id=actor_id
            )
        except StoreUnavailable as error:
            raise self._queue(waiting, error) from None

    async def get_draft(self, agent_id: int, ticket_id: int) -> Draft | None:
        """None while the agent's message on the ticket waits here: the draft is that
        message, and goes when it does."""
        if any(w.message and w.ticket_id == ticket_id and w.actor_id == agent_id for w in self.outbox):
            return None
        return await self.inner.get_draft(agent_id, ticket_id)

    # Delivering

    async def deliver(self) -> Delivery:
        """Send what waits, in order, until the store cannot be reached."""
        async with self._delivering:
            delivery = Delivery()
            for waiting in self.outbox:
                try:
                    result = await _send(self.inner, waiting)
                except StoreUnavailable:
                    delivery.offline = True
                    break
                except StoreError as error:
                    delivery.refused.append(await self._refused(waiting, error))
                else:
                    delivery.sent.append((waiting, result))
                self.outbox.drop(waiting.key)
            delivery.waiting = len(self.outbox)
        if delivery.sent or delivery.refused or delivery.offline:
            self._tell(delivery)
        return delivery

    async def _caught_up(self) -> bool:
        """Whether nothing waits (after trying to send it): a new write may go straight on."""
        return not self.outbox or not (await self.deliver()).offline

    def _queue(self, waiting: Waiting, error: StoreUnavailable | None = None) -> Queued:
        self.outbox.keep(waiting)
        self._start()
        self._tell(Delivery(offline=True, waiting=len(self.outbox)))
        reason = f"{error}\n" if error is not None else ""
        return Queued(
            f"{reason}Your {waiting.what} waits in the outbox and is made when the store is back.",
            waiting.ticket_id,
            waiting.what,
        )

    async def _refused(self, waiting: Waiting, error: StoreError) -> Refusal:
        if waiting.message is None or waiting.actor_id is None:
            return Refusal(waiting, error)
        kind = DraftKind.NOTE if waiting.message.internal else DraftKind.REPLY
        draft = Draft(waiting.actor_id, waiting.ticket_id, waiting.message.body, kind)
        try:
            await self.inner.save_draft(draft)
        except StoreError:
            return Refusal(waiting, error)
        return Refusal(waiting, error, kept_as_draft=True)

    def _tell(self, delivery: Delivery) -> None:
        self.latest = delivery
        for listener in list(self._listeners):
            listener(delivery)

    def _start(self, *, wait_first: bool = True) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._keep_delivering(wait_first))

    async def _keep_delivering(self, wait_first: bool) -> None:
        """Try again every `retry_s` while something waits (first after a wait when
        something was just taken in: the store has only now failed to answer)."""
        if wait_first:
            await asyncio.sleep(self.retry_s)
        while self.outbox:
            try:
                await self.deliver()
            except Exception:  # a bug must not stop the outbox for good
                log.exception("delivering the outbox failed")
            if self.outbox:
                await asyncio.sleep(self.retry_s)


async def _send(store: Store, waiting: Waiting) -> Message | Ticket:
    actor_id = waiting.actor_id
    if waiting.message is not None:
        message = await store.add_message(waiting.ticket_id, waiting.message, actor_id=actor_id)
        if actor_id is not None:
            await store.delete_draft(actor_id, waiting.ticket_id)
        return message
    assert waiting.changes is not None
    try:
        return await store.update_ticket(
            waiting.ticket_id, waiting.changes, expected_version=waiting.expected_version, actor_id=actor_id
        )
    except Conflict as conflict:
        current: Ticket = conflict.current
        if _already_applied(waiting.changes, current):
            return current  # an earlier try got there and its answer was lost
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
        and (changes.snoozed_until is UNSET or ticket.snoozed_until == changes.snoozed_until)
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
    if not isinstance(changes.snoozed_until, Unset):
        data["snoozed_until"] = changes.snoozed_until and to_iso(changes.snoozed_until)
    return data


def _changes_from_json(data: dict[str, Any]) -> TicketChanges:
    return TicketChanges(
        status=Status(data["status"]) if data.get("status") else None,
        priority=Priority(data["priority"]) if data.get("priority") else None,
        assignee_id=data.get("assignee_id", UNSET),
        subject=data.get("subject"),
        add_tags=tuple(data.get("add_tags", ())),
        remove_tags=tuple(data.get("remove_tags", ())),
        snoozed_until=_snooze_from_json(data.get("snoozed_until", UNSET)),
    )


def _snooze_from_json(value: str | Unset | None) -> datetime | Unset | None:
    return parse_iso(value) if isinstance(value, str) else value

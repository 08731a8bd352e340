"""The small set of errors every store raises, each with a message that says what to
do, and the helpdesk's refusals (RuleBroken) turned into one of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from cs_tui.domain.rules import RuleBroken


class StoreError(Exception):
    """Base of the errors a store raises; the message says what to do."""


class NotFound(StoreError):
    pass


Current = TypeVar("Current")


class Conflict(StoreError, Generic[Current]):
    """A write named a version that is no longer current; `current` is what is: the
    Ticket for update_ticket, the CustomerRecord for update_customer."""

    def __init__(self, message: str, current: Current) -> None:
        super().__init__(message)
        self.current = current


class Unauthorized(StoreError):
    pass


class TokenRefused(Unauthorized):
    """The server does not take this token (wrong, or revoked): no retry helps, only
    a new token does. Not StoreUnavailable, so nothing waits for it to come back."""


class StoreUnavailable(StoreError):
    pass


class StoreUnwritable(StoreError):
    """The store can be read but not written: its file is read-only, its disk is full,
    or it was moved, deleted or replaced while in use. Nothing was written; the
    message says why and what to do. Not StoreUnavailable: no outbox keeps a write for
    it, since it takes a person to mend and the file at that place may by then be
    another store; the TUI keeps the agent's text instead."""


class Queued(StoreError):
    """The store could not be reached, so the write waits (in an OutboxStore's outbox)
    and is made, once, when the store is back: nothing is lost. `what` is "reply",
    "note" or "change"."""

    def __init__(self, message: str, ticket_id: int, what: str) -> None:
        super().__init__(message)
        self.ticket_id = ticket_id
        self.what = what


class StoreTooNew(StoreUnavailable):
    """The store was written by a newer cs-tui than this one."""


class InvalidInput(StoreError):
    """A write or a query the store cannot take. `field` names what is wrong when one
    field is (a front end's hint: the CLI names its option); the message says why."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@contextmanager
def invalid_input() -> Iterator[None]:
    """A refusal by the helpdesk's rules (cs_tui.domain.rules), as InvalidInput."""
    try:
        yield
    except RuleBroken as broken:
        raise InvalidInput(str(broken), broken.field) from None

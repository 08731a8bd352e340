"""What every screen and widget of the app works with: the store, who the agent is,
the clock and the config; and the messages that say the store changed and what its
outbox did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from cs_tui.config import Config
from cs_tui.domain.models import Agent, EventKind
from cs_tui.store.base import Store
from cs_tui.store.outbox import Delivery
from cs_tui.tui.kept import KeptTexts


@dataclass(slots=True)
class Services:
    store: Store
    agent: Agent
    config: Config
    clock: Callable[[], datetime]
    kept: KeptTexts
    """What the agent wrote that the store could not take."""
    unwritable: str | None = None
    """Why the store took nothing the last time it was written to, as the agent was
    told (once for each reason); None when it took the last write."""


class SaysFailures:
    """Mixed into each widget and screen that runs jobs in the background: a job's news
    goes to its own widget alone (it does not bubble), so a failure is passed on to the
    app, the one place where it becomes words for the agent."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            cast(Any, self).app.report_failure(event)


class HasServices(SaysFailures):
    """Mixed into widgets and screens of HelpdeskApp."""

    @property
    def services(self) -> Services:
        assert isinstance(self, Widget)
        services: Services = cast(Any, self.app).services
        return services


class OutboxChanged(Message):
    """The store's outbox took something in, delivered or refused something, or
    still waits for the store to come back."""

    def __init__(self, delivery: Delivery) -> None:
        super().__init__()
        self.delivery = delivery


class StoreChanged(Message):
    """Events arrived: what kinds, and which tickets they touched; `created` are new."""

    def __init__(self, kinds: set[EventKind], ticket_ids: set[int], created: set[int]) -> None:
        super().__init__()
        self.kinds = kinds
        self.ticket_ids = ticket_ids
        self.created = created

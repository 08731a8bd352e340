"""What every screen and widget of the app works with: the store, who the agent is,
the clock and the config; and the message that says the store changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from textual.message import Message
from textual.widget import Widget

from cs_tui.config import Config
from cs_tui.domain.models import Agent
from cs_tui.store.base import Store
from cs_tui.tui.outbox import Outbox


@dataclass(slots=True)
class Services:
    store: Store
    agent: Agent
    config: Config
    clock: Callable[[], datetime]
    outbox: Outbox


class HasServices:
    """Mixed into widgets and screens of HelpdeskApp."""

    @property
    def services(self) -> Services:
        assert isinstance(self, Widget)
        services: Services = cast(Any, self.app).services
        return services


class OutboxChanged(Message):
    """Something was put in the outbox or left it."""


class StoreChanged(Message):
    """Events arrived: what kinds, and which tickets they touched; `created` are new."""

    def __init__(self, kinds: set[str], ticket_ids: set[int], created: set[int]) -> None:
        super().__init__()
        self.kinds = kinds
        self.ticket_ids = ticket_ids
        self.created = created

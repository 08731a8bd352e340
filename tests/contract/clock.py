"""The time a store writes, searches and counts by, set by a test: for the SLA clock,
whose deadlines move with the time tickets spend waiting."""

from __future__ import annotations

from datetime import datetime

import pytest

from cs_tui.store.sqlite import store as sqlite_store_module


class Clock:
    """What `utcnow` says to the store, until the test sets another time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


def store_clock(monkeypatch: pytest.MonkeyPatch, now: datetime) -> Clock:
    """The SQLite store reads the time of its ticket writes, searches and metrics from
    its module's `utcnow`; the contract suite's `cs-tui serve` runs in this process
    (served.py), so one patch sets the clock of both stores. (Another store joins the
    suite with a hook of its own here.)"""
    clock = Clock(now)
    monkeypatch.setattr(sqlite_store_module, "utcnow", clock)
    return clock

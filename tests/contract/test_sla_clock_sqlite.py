"""A store written before the SLA clock stopped for waiting tickets, upgraded: its
tickets pending or on hold stop their clock at their last change."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.metrics import Window
from cs_tui.domain.models import Priority, Status
from cs_tui.domain.query import parse
from cs_tui.domain.timeutil import to_micros
from cs_tui.store import open_store
from cs_tui.store.sqlite.schema import SCHEMA_VERSION

from .clock import Clock, store_clock
from .helpers import BASE, open_ticket, set_status
from .test_sqlite_specific import as_written_by, user_version

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
CLOCK_STOPPED = 8
"""The migration that stops the SLA clock of waiting tickets."""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return store_clock(monkeypatch, BASE)


async def test_an_upgraded_store_stops_the_clock_of_its_waiting_tickets(tmp_path: Path, clock: Clock) -> None:
    now = tmp_path / "now.db"
    store = await open_store(str(now))
    asked = await open_ticket(store, "Menunggu pelanggan")
    held = await open_ticket(store, "Menunggu kurir", email="budi@example.com")
    late = await open_ticket(store, "Belum dibalas", email="sri@example.com")
    clock.set(BASE + HOUR)
    await set_status(store, asked, Status.PENDING)
    clock.set(BASE + 2 * HOUR)
    await set_status(store, held, Status.ON_HOLD)
    await store.close()
    path = tmp_path / "cs-tui.db"
    as_written_by(CLOCK_STOPPED - 1, now, path)
    # As that version wrote them: the target from creation, whatever the status.
    target = to_micros(BASE + store.sla.targets[Priority.NORMAL].first_response)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE tickets SET sla_due_at = ?", (target,))

    clock.set(BASE + 3 * DAY)
    store = await open_store(str(path))
    try:
        waiting = {t.subject: t for t in (await store.list_tickets(parse("status:pending,on_hold"))).tickets}
        assert {s: (t.sla_due_at, t.sla_paused_since) for s, t in waiting.items()} == {
            "Menunggu pelanggan": (None, BASE + HOUR),
            "Menunggu kurir": (None, BASE + 2 * HOUR),
        }
        assert (await store.get_ticket(late.id)).sla_due_at == BASE + 8 * HOUR
        found = await store.list_tickets(parse("breaching:yes"))
        assert [t.subject for t in found.tickets] == ["Belum dibalas"]
        figures = await store.metrics(Window(BASE, BASE + 3 * DAY), now=BASE + 3 * DAY)
        assert figures.open.breaching == 1

        reopened = await set_status(store, asked, Status.OPEN)
        assert reopened.sla_due_at == BASE + 8 * HOUR + (3 * DAY - HOUR)
    finally:
        await store.close()
    assert user_version(path) == SCHEMA_VERSION

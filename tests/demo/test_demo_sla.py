"""The demo shop's SLA figures after `cs-tui demo`: the tickets breaching are the ones
waiting on the team, not those waiting on their customers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from cs_tui.demo import generate_tickets
from cs_tui.domain.metrics import today
from cs_tui.domain.models import Status
from cs_tui.domain.query import parse
from cs_tui.store import open_store

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_the_demos_breaching_tickets_wait_on_the_team(tmp_path: Path) -> None:
    store = await open_store(str(tmp_path / "demo.db"))
    try:
        report = await store.import_tickets(enumerate(generate_tickets(2000, seed=1, now=NOW), start=1))
        assert report.imported == 2000
        page = await store.list_tickets(parse("status:new,open,pending,on_hold"), limit=500)
        assert page.next_cursor is None
        figures = await store.metrics(today(NOW), now=NOW)
    finally:
        await store.close()

    active = page.tickets
    breaching = Counter(t.status for t in active if t.is_breaching(NOW))
    assert figures.open.breaching == sum(breaching.values())
    assert set(breaching) <= {Status.NEW, Status.OPEN}
    assert 0 < figures.open.breaching < len(active) / 3
    # Not for want of tickets waiting on their customers past the targets they had
    # from creation: their clocks stopped when they were set waiting.
    waiting = [t for t in active if t.status in (Status.PENDING, Status.ON_HOLD)]
    assert all(t.sla_due_at is None and t.sla_paused_since == t.updated_at for t in waiting)
    targets = store.sla.targets
    assert any(t.created_at + targets[t.priority].resolution <= NOW for t in waiting)

"""New tickets per hour, for the sidebar's sparkline."""

from __future__ import annotations

from datetime import timedelta

from cs_tui.store import Store

from .helpers import at, import_records, ticket_record


async def test_tickets_are_counted_in_the_hour_they_were_created(store: Store) -> None:
    minutes = [0, 59.99, 60, 61, 150, 239.99, 240, -1]
    records = [ticket_record(f"h{i}", created_at=at(m)) for i, m in enumerate(minutes)]
    await import_records(store, records)
    assert await store.new_tickets_per_hour(at(), at(240)) == [2, 2, 1, 1]
    assert await store.new_tickets_per_hour(at(30), at(90)) == [3]
    assert await store.new_tickets_per_hour(at(1000), at(1000) + timedelta(hours=3)) == [0, 0, 0]

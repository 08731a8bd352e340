"""The tallies of the metrics on PostgreSQL (tickets awaiting a first answer, tickets
with a deadline: schema_metrics): a store from before them has them once opened."""

from __future__ import annotations

import uuid

from cs_tui.store import open_store
from tests import pgserver
from tests.contract.helpers import at, import_records
from tests.contract.test_metric_windows import DAYS, WINDOWS, spread_records
from tests.contract.test_metrics import assert_same, reference


async def test_a_store_from_before_the_tallies_counts_awaiting_and_breaching_once_opened() -> None:
    pg_url = await pgserver.fresh_database(f"t_{uuid.uuid4().hex[:16]}", blank=True)
    async with pgserver.store_at_migration(pg_url, 3) as store:
        assert (await import_records(store, spread_records(5))).problems == []
    store = await open_store(pg_url)
    try:
        now = at(days=DAYS + 3)
        for window in WINDOWS.values():
            expected = await reference(store, window, viewer_id=None, now=now)
            assert_same(await store.metrics(window, now=now), expected)
        whole = await reference(store, WINDOWS["all of it"], viewer_id=None, now=now)
        assert whole.frt.awaiting > 5
        assert whole.open.breaching > 5
    finally:
        await store.close()

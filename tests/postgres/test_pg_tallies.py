"""The tallies of the metrics on PostgreSQL (tickets awaiting a first answer, tickets
with a deadline: schema_metrics): a store from before them has them once opened."""

from __future__ import annotations

import uuid

from cs_tui.store import open_store
from tests import pgserver
from tests.contract.helpers import import_records
from tests.contract.test_metric_windows import assert_upgraded_store_counts_as_defined, spread_records


async def test_a_store_from_before_the_tallies_counts_awaiting_and_breaching_once_opened() -> None:
    pg_url = await pgserver.fresh_database(f"t_{uuid.uuid4().hex[:16]}", blank=True)
    async with pgserver.store_at_migration(pg_url, 3) as store:
        assert (await import_records(store, spread_records(5))).problems == []
    store = await open_store(pg_url)
    try:
        await assert_upgraded_store_counts_as_defined(store)
    finally:
        await store.close()

"""A common word's walk on PostgreSQL asks each ticket's customer one of two ways:
among the ids of the customers with the word, gathered once, where the planner
expects few of them, else by reading the customer; and its page is walked beside
the count where the word is surely common, else after it. Each way finds the same
tickets."""

from __future__ import annotations

import pytest

from cs_tui.domain.query import Sort, parse
from cs_tui.store import open_store
from cs_tui.store.postgres import queue
from tests.contract.helpers import PESANAN, SHOP, fill_shop, matching


@pytest.mark.parametrize(
    "text",
    ["pesanan", "pelanggan", "pesanan -ongkir", "status:open pesanan", "pelanggan -pesanan"],
)
async def test_a_walk_finds_the_same_pages_and_counts_either_way_it_asks_the_customer(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # Counted by walking the whole store, as at a million tickets.
    monkeypatch.setattr(queue, "FEW_TO_SEARCH", 0)
    monkeypatch.setattr(queue, "COUNTED_UP_TO", 0)
    store = await open_store(pg_url)
    try:
        await fill_shop(store)
        query = parse(text)
        queue_few = queue.FEW_CUSTOMERS
        monkeypatch.setattr(queue, "SURELY_COMMON", 0)  # the page walked beside the count
        among_ids = await store.list_tickets(query, sort=Sort.UPDATED, limit=30)
        monkeypatch.setattr(queue, "SURELY_COMMON", 10**9)  # after it
        monkeypatch.setattr(queue, "FEW_CUSTOMERS", -1)  # every customer read
        read = await store.list_tickets(query, sort=Sort.UPDATED, limit=30)
        later = await store.list_tickets(query, sort=Sort.UPDATED, after=read.next_cursor, limit=30)
        monkeypatch.setattr(queue, "FEW_CUSTOMERS", queue_few)
        later_among_ids = await store.list_tickets(
            query, sort=Sort.UPDATED, after=among_ids.next_cursor, limit=30
        )
    finally:
        await store.close()
    assert [t.id for t in among_ids.tickets] == [t.id for t in read.tickets]
    assert (among_ids.total, among_ids.total_is_estimate) == (read.total, read.total_is_estimate)
    assert [t.id for t in later_among_ids.tickets] == [t.id for t in later.tickets]
    assert len(read.tickets) == 30


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("pesanan", PESANAN),
        ("pelanggan", SHOP),  # in every customer's name
        ("status:open pesanan", matching(lambda n: n % 10 != 0 and n % 3 == 0)),
        ("status:closed pesanan -ongkir", matching(lambda n: n % 10 != 0 and n % 3 != 0 and n % 4 != 0)),
    ],
)
async def test_past_a_thousand_the_walk_estimates_from_the_share_of_the_tickets_it_passed(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, text: str, exact: int
) -> None:
    """The newest tickets walked stand for all of them: the matches' share of those
    the filters keep there, times all the filters keep (ticket_counts)."""
    monkeypatch.setattr(queue, "FEW_TO_SEARCH", 0)
    monkeypatch.setattr(queue, "COUNTED_UP_TO", 0)
    store = await open_store(pg_url)
    try:
        await fill_shop(store)
        page = await store.list_tickets(parse(text), limit=10)
        counted = await store.count_tickets(parse(text))
    finally:
        await store.close()
    assert counted == exact
    assert page.total_is_estimate
    assert abs(page.total - exact) <= 0.05 * exact, (page.total, exact)

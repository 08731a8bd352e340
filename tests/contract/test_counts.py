"""Counts: a queue's total is exact up to 1,000 at least; past that a store may answer
an estimate, marked as one and close; count_tickets is exact always."""

from __future__ import annotations

from cs_tui.domain.query import parse
from cs_tui.store import Store

from .helpers import PESANAN, SHOP, fill_shop, matching

ESTIMATE_ERROR = 0.25
"""An estimate may miss by this share of the exact count, at most."""

ONGKIR = matching(lambda n: n % 4 == 0)
KURIR = matching(lambda n: n % 40 == 1)
OPEN_KURIR = matching(lambda n: n % 40 == 1 and n % 3 == 0)
OPEN_PESANAN = matching(lambda n: n % 10 != 0 and n % 3 == 0)


async def test_a_count_of_a_thousand_or_fewer_is_exact(store: Store) -> None:
    await fill_shop(store)
    assert ONGKIR == 1_000
    for text, exact in (
        ("ongkir", ONGKIR),
        ("kurir", KURIR),
        ("status:open kurir", OPEN_KURIR),
        ("status:open ongkir", matching(lambda n: n % 4 == 0 and n % 3 == 0)),
        ("ongkir -pesanan", matching(lambda n: n % 4 == 0 and n % 10 == 0)),
        ("pesanan ongkir", matching(lambda n: n % 4 == 0 and n % 10 != 0)),
    ):
        page = await store.list_tickets(parse(text), limit=10)
        assert (page.total, page.total_is_estimate) == (exact, False), text
        assert await store.count_tickets(parse(text)) == exact, text


async def test_past_a_thousand_a_count_is_exact_or_a_close_estimate_and_count_tickets_is_exact(
    store: Store,
) -> None:
    await fill_shop(store)
    for text, exact in (
        ("pesanan", PESANAN),
        ("status:open pesanan", OPEN_PESANAN),
        ("pesanan -ongkir", matching(lambda n: n % 10 != 0 and n % 4 != 0)),
        ("pelanggan", SHOP),  # in every customer's name, and in no subject or message
        ("status:closed", matching(lambda n: n % 3 != 0)),
        ("", SHOP),
    ):
        assert exact > 1_000, text
        query = parse(text) if text else None
        page = await store.list_tickets(query, limit=10)
        if page.total_is_estimate:
            assert page.total > 1_000, text
            assert abs(page.total - exact) <= ESTIMATE_ERROR * exact, (text, page.total, exact)
        else:
            assert page.total == exact, text
        assert len(page.tickets) == 10, text
        assert page.next_cursor is not None, text
        assert await store.count_tickets(query) == exact, text


async def test_filters_alone_are_counted_exactly_however_many(store: Store) -> None:
    await fill_shop(store)
    closed = matching(lambda n: n % 3 != 0)
    for text, exact in (
        ("status:closed", closed),
        ("-status:open", closed),
        ("channel:email", SHOP),
        ("customer:pelanggan", SHOP),
    ):
        page = await store.list_tickets(parse(text), limit=10)
        assert (page.total, page.total_is_estimate) == (exact, False), text

"""A common word's walk on PostgreSQL asks each ticket's customer one of two ways:
among the ids of the customers with the word, gathered once, where the planner
expects few of them, else by reading the customer; and its page is walked beside
the count where the word is surely common, else after it. Each way finds the same
tickets."""

from __future__ import annotations

import time

import asyncpg
import pytest

from cs_tui.domain.query import Sort, parse
from cs_tui.domain.records import TicketRecord
from cs_tui.store import open_store
from cs_tui.store.postgres import queue, search
from cs_tui.store.postgres.store import PostgresStore
from tests.contract.helpers import (
    PESANAN,
    SHOP,
    at,
    fill_shop,
    import_records,
    matching,
    message_record,
    ticket_record,
)


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
    """The newest tickets walked, and samples of the older ones, stand for all of
    them: the matches' share of those the filters keep there, times all the filters
    keep (ticket_counts). Where the walk passed so many that the samples would cover
    most of the rest, all are counted."""
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
    if page.total_is_estimate:
        assert abs(page.total - exact) <= 0.05 * exact, (page.total, exact)
    else:
        assert page.total == exact
    assert page.total_is_estimate == (text in ("pesanan", "pelanggan"))


async def test_a_word_rarer_among_the_newest_tickets_is_estimated_from_samples_of_the_older_ones_too(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kirim` is in four of five of the 6,000 older tickets and one in five of the
    1,000 newest: the newest walked alone would say about 3,500 for 5,000."""
    monkeypatch.setattr(queue, "FEW_TO_SEARCH", 0)
    monkeypatch.setattr(queue, "COUNTED_UP_TO", 0)

    def record(number: int) -> TicketRecord:
        has_word = number % 5 != 0 if number < 6_000 else number % 5 == 0
        body = f"Halo kak, {'kirim ' if has_word else ''}nomor {number}"
        return ticket_record(
            f"kirim-{number}",
            subject=f"Tiket {number}",
            created_at=at(number),
            messages=(message_record("customer", body, at(number)),),
        )

    store = await open_store(pg_url)
    try:
        report = await import_records(store, (record(number) for number in range(7_000)))
        assert report.imported == 7_000
        page = await store.list_tickets(parse("kirim"), limit=10)
        counted = await store.count_tickets(parse("kirim"))
    finally:
        await store.close()
    assert counted == 5_000
    assert page.total_is_estimate
    assert abs(page.total - counted) <= 0.05 * counted, page.total


async def test_a_guess_kept_from_before_a_word_was_common_still_finds_all_its_tickets(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's guess at a search's words is kept a minute. It chooses only how
    the search is counted: one kept from when the word was in no ticket counts its
    thousands of tickets exactly (where a fresh guess walks and estimates), and pages
    them right."""
    monkeypatch.setattr(queue, "FEW_TO_SEARCH", 0)
    monkeypatch.setattr(queue, "COUNTED_UP_TO", 1_000)
    store = await PostgresStore.open(pg_url)
    fresh = await PostgresStore.open(pg_url)
    try:
        await fill_shop(store)
        connection = await asyncpg.connect(pg_url)
        try:
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        store._word_guesses.put(parse("pesanan").words, search.WordGuess(tickets=0, customers=0))
        query = parse("pesanan")
        first = await store.list_tickets(query, sort=Sort.CREATED, limit=500)
        second = await store.list_tickets(query, sort=Sort.CREATED, after=first.next_cursor, limit=500)
        guessed_afresh = await fresh.list_tickets(query, sort=Sort.CREATED, limit=500)
    finally:
        await fresh.close()
        await store.close()
    assert (first.total, first.total_is_estimate) == (PESANAN, False)
    assert guessed_afresh.total_is_estimate
    assert guessed_afresh.tickets == first.tickets
    shown = [int(t.subject.split()[1]) for t in first.tickets + second.tickets]
    assert shown == [n for n in reversed(range(SHOP)) if n % 10][:1_000]


def test_guesses_are_asked_again_once_old_and_the_least_recent_are_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    guesses = search.WordGuesses(kept_s=60, most=2)
    words = {text: parse(text).words for text in ("pesanan", "ongkir", "kurir")}
    guesses.put(words["pesanan"], search.WordGuess(500_000, 10))
    guesses.put(words["ongkir"], search.WordGuess(1_000, 0))
    assert guesses.get(words["pesanan"]) == search.WordGuess(500_000, 10)
    guesses.put(words["kurir"], search.WordGuess(100, 0))  # ongkir, asked least recently, goes
    assert guesses.get(words["ongkir"]) is None
    assert guesses.get(words["pesanan"]) is not None
    clock[0] += 61
    assert guesses.get(words["pesanan"]) is None
    assert guesses.get(words["kurir"]) is None

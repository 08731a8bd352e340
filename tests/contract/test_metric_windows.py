"""The metrics of many tickets over windows that start and end at odd minutes, before
and after the tickets change: the stores count by hour and day, and read the ends of
a window from the tickets (cs_tui.store.sqlite.metric_counts); every figure, medians
included, must still equal the definition's."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.metrics import Window
from cs_tui.domain.models import Csat, Status
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store import Store, open_store
from cs_tui.store.sqlite.metric_counts import bucket_of
from cs_tui.store.sqlite.metric_pieces import DAY_US, SPANS, Pieces
from cs_tui.store.sqlite.schema import MIGRATIONS

from .conftest import sqlite_store
from .helpers import (
    all_tickets,
    at,
    customer_writes,
    import_records,
    message_record,
    reply,
    set_status,
    ticket_record,
)
from .test_metrics import assert_same, reference
from .test_sqlite_specific import as_written_by

ANA = "agent:ana@tokoku.example"
DAYS = 9

WINDOWS = {
    "all of it": Window(at(days=-1), at(days=DAYS + 4)),
    "odd minutes, a week": Window(at(17, days=1), at(185, days=8)),
    "within one day": Window(at(30, days=2), at(23 * 60 + 10, days=2)),
    "within one hour": Window(at(61, days=3), at(119, days=3)),
    "whole days": Window(at(-9 * 60, days=2), at(-9 * 60, days=5)),
    "whole hours": Window(at(0, days=4), at(7 * 60, days=4)),
}

UP_TO_NOW = {
    "the day up to now": Window(at(13 * 60 + 7, days=4), at(13 * 60 + 7, days=5)),
    "the week up to now": Window(at(22 * 60 + 55, days=1), at(22 * 60 + 55, days=8)),
}
"""Windows read at their end: what lies after it is not read (Pieces), though the
fixture's tickets go on past it."""


def spread_records(seed: int) -> list[TicketRecord]:
    """Tickets over DAYS days: answered after anything from no time to three days
    (often the same number of seconds as another), solved after up to five days,
    some rated; a few never answered."""
    rng = random.Random(seed)
    records: list[TicketRecord] = []
    for n in range(260):
        created = at(rng.randrange(0, DAYS * 24 * 60 * 60) / 60)
        answer = rng.choice([0, 1, 7, 59, 60, 3600]) if n % 7 == 0 else int(10 ** rng.uniform(0, 5.4))
        messages = [message_record("customer", "Halo", created)]
        if n % 11 != 0:
            messages.append(message_record(ANA, "Siap", created + timedelta(seconds=answer)))
        solved = n % 3 == 0 and n % 11 != 0
        solved_at = (
            messages[-1].created_at + timedelta(seconds=int(10 ** rng.uniform(1, 5.6))) if solved else None
        )
        csat = Csat(rng.randint(1, 5), solved_at + timedelta(minutes=5)) if solved_at and n % 2 == 0 else None
        records.append(
            ticket_record(
                f"m-{n}",
                status=Status.SOLVED if solved else Status.OPEN,
                created_at=created,
                messages=tuple(messages),
                solved_at=solved_at,
                csat=csat,
            )
        )
    return records


def test_a_bucket_is_at_most_a_hundredth_wide_and_buckets_keep_the_order() -> None:
    values = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 1009, 1010, 5_612_345, 10**12, 10**12 + 10**9]
    buckets = [bucket_of(value) for value in values]
    assert buckets == sorted(buckets)
    assert bucket_of(5_612_345) == 7561
    assert bucket_of(1000) != bucket_of(1010)
    assert bucket_of(1000) == bucket_of(1009)


def test_a_window_is_its_pieces_each_moment_counted_once() -> None:
    """Every moment of the window is counted once by the pieces' weights, and every
    other moment not at all; what is read from the tickets is at most two stretches of
    less than ten minutes; and a window ending now reads no more than a day and a few
    hours of counters, where hour by hour it read up to 33."""
    rng = random.Random(5)
    for _ in range(5000):
        since = rng.randrange(0, 10**13)
        until = since + rng.choice([0, 1, 10**6, 599 * 10**6, 3 * 10**9, 10**11, 10**12, DAY_US, 7 * DAY_US])
        now = until + rng.choice([0, 0, 10**6, DAY_US, 30 * DAY_US])
        pieces = Pieces.of(since, until, now)
        runs = [*pieces.ends, *((weight, first, last) for weight, _, first, last in pieces.counted)]
        edges = {since, until} | {edge for _, first, last in runs for edge in (first, last)}
        for moment in {edge + step for edge in edges for step in (-1, 0)}:
            counted = sum(weight for weight, first, last in runs if first <= moment < last)
            assert counted == (1 if since <= moment < until else 0), (since, until, moment)
        assert all(first < last and weight for weight, first, last in runs)
        assert all(first % span == 0 and last % span == 0 for _, span, first, last in pieces.counted)
        assert len(pieces.ends) <= 2
        assert all(last - first < SPANS[0] for _, first, last in pieces.ends)
    for until in (rng.randrange(0, 10**13) for _ in range(200)):
        pieces = Pieces.of(until - DAY_US, until, until)
        read = sum(-(-(min(last, until) - first) // span) for _, span, first, last in pieces.counted)
        assert read <= 16, pieces


@pytest.mark.parametrize("seed", [1, 2])
async def test_odd_windows_over_many_tickets_equal_the_definition(store: Store, seed: int) -> None:
    report = await import_records(store, spread_records(seed))
    assert report.problems == []
    now = at(days=DAYS + 3)
    for name, window in WINDOWS.items():
        expected = await reference(store, window, viewer_id=None, now=now)
        assert_same(await store.metrics(window, now=now), expected)
        if name in ("all of it", "odd minutes, a week"):
            # The fixture reaches the medians through the counters, not only the ends.
            assert expected.frt.responded > 100, name
            assert expected.resolution.solved > 40, name
            assert expected.csat.count > 15, name
    for window in UP_TO_NOW.values():
        expected = await reference(store, window, viewer_id=None, now=window.until)
        assert_same(await store.metrics(window, now=window.until), expected)
        assert expected.frt.responded > 20
        # Some deadlines are still to come: breaching is all time's less those.
        later = await reference(store, window, viewer_id=None, now=at(days=DAYS + 3))
        assert 0 < expected.open.breaching < later.open.breaching
        # Read as the days up to now less the hours after it.
        pieces = Pieces.of(to_micros(window.since), to_micros(window.until), to_micros(window.until))
        assert any(weight < 0 for weight, *_ in pieces.counted)


async def test_the_figures_follow_answers_solves_reopens_ratings_and_merges(store: Store) -> None:
    await import_records(store, spread_records(3))
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    tickets = await all_tickets(store, page_size=100)
    waiting = [t for t in tickets if t.first_response_at is None and t.status.is_active]
    solved = [t for t in tickets if t.status is Status.SOLVED]
    answered_open = [t for t in tickets if t.first_response_at is not None and t.status.is_active]
    assert len(waiting) >= 3
    assert len(solved) >= 6

    for ticket in waiting[:3]:
        await reply(store, ticket.id, ana)
    for ticket in solved[:3]:
        await customer_writes(store, ticket.id, "Belum beres")  # reopened: no longer solved
    for ticket in answered_open[:3]:
        await set_status(store, ticket, Status.SOLVED)
    await store.rate_ticket(solved[3].id, Csat(1, utcnow()))
    older, newer = await store.get_ticket(solved[4].id), await store.get_ticket(solved[5].id)
    await store.merge_tickets(
        newer.id,
        older.id,
        expected_version=newer.version,
        into_expected_version=older.version,
        actor_id=ana.id,
    )

    now = utcnow() + timedelta(minutes=1)
    for window in [*WINDOWS.values(), Window(at(days=-1), now), Window(now - timedelta(hours=2), now)]:
        expected = await reference(store, window, viewer_id=ana.id, now=now)
        assert_same(await store.metrics(window, viewer_id=ana.id, now=now), expected)


@pytest.mark.parametrize("counted_by", ["metric_counts", "'awaiting'"])
async def test_a_store_from_before_the_counters_is_counted_when_upgraded(
    tmp_path: Path, counted_by: str
) -> None:
    """The migrations that bring the counters (the window's figures, then the tallies of
    tickets awaiting an answer and past their deadline) count the tickets already stored."""
    now_path, path = tmp_path / "now.db", tmp_path / "cs-tui.db"
    store = await open_store(str(now_path))
    try:
        await import_records(store, spread_records(4))
    finally:
        await store.close()
    counted_from = next(number for number, script in enumerate(MIGRATIONS, start=1) if counted_by in script)
    as_written_by(counted_from - 1, now_path, path)
    async with sqlite_store(tmp_path) as store:
        await assert_upgraded_store_counts_as_defined(store)


async def assert_upgraded_store_counts_as_defined(store: Store) -> None:
    """Every window's figures of an upgraded store (filled with spread_records) are the
    definition's, tickets awaiting an answer and breaching their SLA among them."""
    now = at(days=DAYS + 3)
    for window in WINDOWS.values():
        expected = await reference(store, window, viewer_id=None, now=now)
        assert_same(await store.metrics(window, now=now), expected)
    whole = await reference(store, WINDOWS["all of it"], viewer_id=None, now=now)
    assert whole.frt.awaiting > 5
    assert whole.open.breaching > 5

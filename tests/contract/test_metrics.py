"""The store's metrics equal the definition in cs_tui.domain.metrics over the same tickets."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cs_tui.domain import metrics
from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import Agent, Csat, Priority, Status, TicketChanges
from cs_tui.domain.records import MessageRecord
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store

from .conftest import sqlite_store
from .helpers import (
    all_tickets,
    at,
    customer_writes,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    system_says,
    ticket_record,
)

ANA = "agent:ana@tokoku.example"
RUDI = "agent:rudi@tokoku.example"
US = timedelta(microseconds=1)

WEEK = Window(at(), at(days=7))
"""The window most tests look at; imported tickets sit inside, outside and on its edges."""


@dataclass(frozen=True, slots=True)
class Desk:
    ana: Agent
    rudi: Agent
    live_since: datetime


async def fill_desk(store: Store) -> Desk:
    """Tickets of every kind metrics care about."""

    def msg(author: str, minutes: float, *, internal: bool = False, auto: bool = False) -> MessageRecord:
        return message_record(author, f"pesan dari {author}", at(minutes), internal=internal, auto=auto)

    day = 24 * 60
    records = [
        # On the window's opening edge: answered in 30 minutes, solved, rated in the window.
        ticket_record(
            "edge-open",
            status=Status.SOLVED,
            created_at=WEEK.since,
            messages=(msg("customer", 0), msg(ANA, 30), msg("customer", 60)),
            solved_at=at(120),
            csat=Csat(5, at(180), "Mantap"),
            assignee="ana@tokoku.example",
        ),
        # A microsecond before the window: not in FRT, but solved in the window.
        ticket_record(
            "just-before",
            status=Status.CLOSED,
            created_at=WEEK.since - US,
            messages=(message_record("customer", "Halo", WEEK.since - US), msg(ANA, 45)),
            solved_at=at(day),
            csat=Csat(2, WEEK.since - US, "Lambat"),
        ),
        # Notes and an auto reply before the first real answer.
        ticket_record(
            "notes-first",
            status=Status.PENDING,
            created_at=at(60),
            messages=(
                msg("customer", 60),
                msg(ANA, 61, internal=True),
                msg("system", 62),
                msg(RUDI, 63, auto=True),
                msg(RUDI, 240),
            ),
            assignee="ana@tokoku.example",
        ),
        # Only notes, an auto reply and a system message: still waiting.
        ticket_record(
            "never-answered",
            priority=Priority.HIGH,
            created_at=at(2 * day),
            messages=(
                msg("customer", 2 * day),
                msg(ANA, 2 * day + 5, internal=True),
                msg(RUDI, 2 * day + 6, auto=True),
            ),
        ),
        ticket_record(
            "urgent-waiting",
            status=Status.NEW,
            priority=Priority.URGENT,
            created_at=at(6 * day),
            messages=(msg("customer", 6 * day),),
        ),
        # Solved without an answer: not waiting any more; counted in resolution.
        ticket_record(
            "closed-unanswered",
            status=Status.SOLVED,
            priority=Priority.LOW,
            created_at=at(3 * day),
            messages=(msg("customer", 3 * day),),
            solved_at=at(3 * day + 600),
        ),
        ticket_record(
            "on-hold",
            status=Status.ON_HOLD,
            created_at=at(4 * day),
            messages=(msg("customer", 4 * day), msg(RUDI, 4 * day + 90)),
            assignee="rudi@tokoku.example",
            csat=Csat(4, at(4 * day + 100)),
        ),
        ticket_record(
            "low-answered",
            priority=Priority.LOW,
            created_at=WEEK.until - timedelta(hours=1),
            messages=(message_record("customer", "Halo", WEEK.until - timedelta(hours=1)), msg(ANA, 7 * day)),
            assignee="ana@tokoku.example",
        ),
        # On the closing edge: a microsecond inside, and exactly on it (outside).
        ticket_record(
            "closing-inside",
            created_at=WEEK.until - US,
            messages=(message_record("customer", "Halo", WEEK.until - US),),
        ),
        ticket_record(
            "closing-edge",
            created_at=WEEK.until,
            messages=(message_record("customer", "Halo", WEEK.until), msg(ANA, 7 * day + 30)),
        ),
        # Solved exactly when the window closes, rated after it.
        ticket_record(
            "solved-at-close",
            status=Status.SOLVED,
            created_at=at(5 * day),
            messages=(msg("customer", 5 * day), msg(ANA, 5 * day + 17)),
            solved_at=WEEK.until,
            csat=Csat(1, WEEK.until),
        ),
        ticket_record(
            "long-ago",
            created_at=at(days=-60),
            messages=(message_record("customer", "Halo", at(days=-60)),),
        ),
    ]
    report = await import_records(store, records)
    assert (report.imported, report.problems) == (len(records), [])

    ana = await store.find_agent("ana@tokoku.example")
    rudi = await store.find_agent("rudi@tokoku.example")
    assert ana is not None
    assert rudi is not None

    # And tickets worked live, created now.
    live_since = utcnow()
    answered = await open_ticket(store, "Live dijawab", priority=Priority.HIGH)
    await reply(store, answered.id, ana, internal=True)
    await reply(store, answered.id, ana)
    noted = await open_ticket(store, "Live catatan saja")
    await reply(store, noted.id, rudi, internal=True)
    await system_says(store, noted.id)
    solved = await open_ticket(store, "Live selesai", priority=Priority.URGENT)
    await reply(store, solved.id, rudi)
    await set_status(store, solved, Status.SOLVED)
    await store.rate_ticket(solved.id, Csat(3, utcnow()))
    reopened = await open_ticket(store, "Live dibuka lagi")
    await reply(store, reopened.id, ana)
    await set_status(store, reopened, Status.SOLVED)
    await customer_writes(store, reopened.id, "Belum beres")
    mine = await open_ticket(store, "Live punya Ana")
    current = await store.get_ticket(mine.id)
    await store.update_ticket(
        mine.id, TicketChanges(assignee_id=ana.id), expected_version=current.version, actor_id=ana.id
    )
    return Desk(ana, rudi, live_since)


def assert_same(found: Metrics, expected: Metrics) -> None:
    """Equal to the microsecond in counts and, for seconds and means, to a millisecond."""
    assert found.window == expected.window
    for part in ("frt", "open", "resolution", "csat"):
        assert asdict(getattr(found, part)) == pytest.approx(asdict(getattr(expected, part)), abs=1e-3), part


async def reference(store: Store, window: Window, *, viewer_id: int | None, now: datetime) -> Metrics:
    return metrics.compute(await all_tickets(store, page_size=100), window, now=now, agent_id=viewer_id)


@pytest.mark.parametrize("viewer", ["ana", "rudi", "nobody"])
async def test_the_week_as_each_agent_sees_it(store: Store, viewer: str) -> None:
    desk = await fill_desk(store)
    viewer_id = {"ana": desk.ana.id, "rudi": desk.rudi.id, "nobody": None}[viewer]
    now = at(days=8)

    expected = await reference(store, WEEK, viewer_id=viewer_id, now=now)
    assert_same(await store.metrics(WEEK, viewer_id=viewer_id, now=now), expected)

    # The fixture really exercises the definitions (not 0 == 0).
    assert expected.frt.responded == 5
    assert expected.frt.awaiting == 3
    assert expected.frt.oldest_awaiting_s == (now - at(days=2)).total_seconds()
    assert expected.resolution.solved == 3
    assert expected.csat.count == 2
    assert expected.open.breaching >= 2


async def test_frt_ignores_notes_auto_replies_and_system_messages(store: Store) -> None:
    await fill_desk(store)
    [ticket] = await all_tickets(store, "Tiket notes-first")
    assert ticket.first_response_at == at(240)
    [waiting] = await all_tickets(store, "Tiket never-answered")
    assert waiting.first_response_at is None


@pytest.mark.parametrize(
    "window",
    [
        Window(at(days=-400), at(days=400)),
        Window(at(days=2), at(days=2, minutes=1)),
        Window(at(days=-900), at(days=-800)),
        Window(WEEK.since - US, WEEK.since + US),
    ],
    ids=["everything", "one-minute", "empty", "around-the-edge"],
)
async def test_other_windows(store: Store, window: Window) -> None:
    desk = await fill_desk(store)
    now = at(days=30)
    expected = await reference(store, window, viewer_id=desk.ana.id, now=now)
    assert_same(await store.metrics(window, viewer_id=desk.ana.id, now=now), expected)


async def test_metrics_now_include_live_work(store: Store) -> None:
    desk = await fill_desk(store)
    now = utcnow() + timedelta(minutes=5)
    window = Window(desk.live_since - timedelta(hours=1), now)
    expected = await reference(store, window, viewer_id=desk.ana.id, now=now)
    assert_same(await store.metrics(window, viewer_id=desk.ana.id, now=now), expected)
    assert expected.frt.responded == 3
    assert expected.frt.awaiting == 2
    assert expected.open.mine >= 1


async def test_metrics_follow_a_change(store: Store) -> None:
    desk = await fill_desk(store)
    now = at(days=8)
    before = await store.metrics(WEEK, viewer_id=desk.ana.id, now=now)
    [waiting] = await all_tickets(store, "Tiket urgent-waiting")
    await reply(store, waiting.id, desk.ana)
    after = await store.metrics(WEEK, viewer_id=desk.ana.id, now=now)
    assert after.open.new == before.open.new - 1
    assert after.open.open == before.open.open + 1
    assert_same(after, await reference(store, WEEK, viewer_id=desk.ana.id, now=now))


async def test_times_that_cannot_be_in_an_older_store_give_no_negative_figure(tmp_path: Path) -> None:
    """A store filled before imports settled such times: answers and solved times
    before the ticket, a ticket awaiting since after `now`. (SQLite's own SQL: no door
    lets such times in any more, so they are written into the file here, and the
    triggers count them as they are written.)"""
    answered = [
        ticket_record(
            f"t-{n}",
            status=Status.SOLVED,
            created_at=at(n * 60),
            messages=(
                message_record("customer", "Halo", at(n * 60)),
                message_record(ANA, "Siap", at(n * 60 + 30)),
            ),
        )
        for n in range(3)
    ]
    waiting = ticket_record("waiting", status=Status.NEW, created_at=at(days=2))
    async with sqlite_store(tmp_path) as store:
        report = await import_records(store, [*answered, waiting])
        assert report.imported == 4
    hour_us = 3_600_000_000
    with closing(sqlite3.connect(tmp_path / "cs-tui.db")) as db, db:
        db.execute(
            "UPDATE tickets SET first_response_at = created_at - ?, frt_us = -?,"
            " solved_at = created_at - 2 * ? WHERE ref IN ('t-0', 't-1')",
            (hour_us, hour_us, hour_us),
        )
    window, now = Window(at(-600), at(days=3)), at(days=1)
    async with sqlite_store(tmp_path) as store:
        found = await store.metrics(window, now=now)
        assert_same(found, await reference(store, window, viewer_id=None, now=now))
    assert (found.frt.median_s, found.frt.mean_s, found.frt.responded) == (0, 600, 3)
    assert (found.resolution.median_s, found.resolution.mean_s, found.resolution.solved) == (0, 600, 3)
    assert (found.frt.awaiting, found.frt.oldest_awaiting_s) == (1, 0)

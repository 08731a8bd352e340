"""The metric definitions, worked out by hand against the reference `compute`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cs_tui.domain.metrics import Metrics, Window, compute
from cs_tui.domain.models import AuthorKind, Csat, Message, Priority, SlaPolicy, Status, Ticket

from .factories import ANA, RUDI, T0, ticket

S = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

WINDOW = Window(T0, T0 + DAY)
NOW = T0 + 30 * HOUR


def metrics(*tickets: Ticket, now: datetime = NOW, agent_id: int | None = ANA.id) -> Metrics:
    return compute(tickets, WINDOW, now=now, agent_id=agent_id)


def answered(
    created_at: datetime,
    after: timedelta,
    *,
    status: Status = Status.OPEN,
    solved_at: datetime | None = None,
    csat: Csat | None = None,
) -> Ticket:
    """A ticket first answered `after` its creation."""
    return ticket(
        created_at=created_at,
        first_response_at=created_at + after,
        status=status,
        solved_at=solved_at,
        csat=csat,
    )


def test_frt_median_and_mean_over_an_odd_count() -> None:
    figures = metrics(
        answered(T0 + 1 * HOUR, 10 * MINUTE),
        answered(T0 + 2 * HOUR, 30 * MINUTE),
        answered(T0 + 3 * HOUR, 2 * HOUR),
    ).frt
    assert figures.responded == 3
    assert figures.median_s == 1800  # 30 min
    assert figures.mean_s == 3200  # (600 + 1800 + 7200) / 3


def test_frt_median_of_an_even_count_is_the_middle_pair_averaged() -> None:
    figures = metrics(
        answered(T0 + 1 * HOUR, 10 * MINUTE),
        answered(T0 + 2 * HOUR, 30 * MINUTE),
        answered(T0 + 3 * HOUR, 1 * HOUR),
        answered(T0 + 4 * HOUR, 2 * HOUR),
    ).frt
    assert figures.median_s == 2700  # (1800 + 3600) / 2
    assert figures.mean_s == 3300  # (600 + 1800 + 3600 + 7200) / 4


def test_frt_keeps_sub_second_precision() -> None:
    figures = metrics(answered(T0, 90 * S + timedelta(microseconds=500_000))).frt
    assert figures.median_s == 90.5


def test_only_a_public_hand_written_reply_ends_the_wait() -> None:
    created = T0 + 10 * HOUR
    thread = [
        (AuthorKind.CUSTOMER, False, False, created),
        (AuthorKind.AGENT, False, True, created + 1 * MINUTE),  # automatic acknowledgement
        (AuthorKind.SYSTEM, False, False, created + 2 * MINUTE),  # "assigned to Ana"
        (AuthorKind.AGENT, True, False, created + 5 * MINUTE),  # internal note
        (AuthorKind.AGENT, False, False, created + 40 * MINUTE),  # the reply
        (AuthorKind.AGENT, False, False, created + 50 * MINUTE),
    ]
    messages = [
        Message(i, f"c{i}", 1042, kind, "x", None, "body", internal, auto, at)
        for i, (kind, internal, auto, at) in enumerate(thread)
    ]

    def first_response_in(messages: list[Message]) -> datetime | None:
        return next((m.created_at for m in messages if m.counts_as_first_response), None)

    answered_thread = metrics(ticket(created_at=created, first_response_at=first_response_in(messages))).frt
    assert (answered_thread.responded, answered_thread.median_s) == (1, 40 * 60)

    unanswered = metrics(ticket(created_at=created, first_response_at=first_response_in(messages[:4]))).frt
    assert (unanswered.responded, unanswered.awaiting, unanswered.median_s) == (0, 1, None)
    assert unanswered.oldest_awaiting_s == 20 * 3600


def test_tickets_awaiting_a_first_response_and_the_oldest_age() -> None:
    figures = metrics(
        ticket(created_at=T0 + 5 * HOUR, status=Status.NEW),
        ticket(created_at=T0 + 2 * HOUR, status=Status.PENDING),
        answered(T0 + 1 * HOUR, 15 * MINUTE),
        # Solved without a reply (spam, duplicate): nobody is waiting any more.
        ticket(created_at=T0 + 1 * HOUR, status=Status.SOLVED, solved_at=T0 + 90 * MINUTE),
        ticket(created_at=T0 + 1 * HOUR, status=Status.CLOSED, solved_at=T0 + 90 * MINUTE),
        # Created before the window: still open, but not this window's figure.
        ticket(created_at=T0 - 1 * HOUR, status=Status.NEW),
    ).frt
    assert figures.awaiting == 2
    assert figures.oldest_awaiting_s == 28 * 3600  # NOW - (T0 + 2h)
    assert figures.responded == 1
    assert figures.median_s == figures.mean_s == 900


def test_nothing_to_measure_is_none() -> None:
    figures = metrics()
    assert (figures.frt.median_s, figures.frt.mean_s, figures.frt.oldest_awaiting_s) == (None, None, None)
    assert (figures.frt.responded, figures.frt.awaiting) == (0, 0)
    assert (figures.resolution.median_s, figures.resolution.mean_s, figures.resolution.solved) == (
        None,
        None,
        0,
    )
    assert (figures.csat.mean, figures.csat.count) == (None, 0)


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    end = WINDOW.until
    figures = metrics(
        answered(T0, 60 * S),
        answered(end - timedelta(microseconds=1), 300 * S),
        answered(end, 7 * 60 * S),
        answered(T0 - timedelta(microseconds=1), 11 * 60 * S),
        ticket(created_at=T0, status=Status.NEW),
        ticket(created_at=end, status=Status.NEW),
    ).frt
    assert figures.responded == 2
    assert figures.mean_s == 180  # (60 + 300) / 2
    assert figures.awaiting == 1
    assert figures.oldest_awaiting_s == (NOW - T0).total_seconds()


def test_resolution_and_csat_windows_are_half_open_too() -> None:
    end = WINDOW.until
    figures = metrics(
        ticket(created_at=T0 - 2 * HOUR, status=Status.SOLVED, solved_at=T0, csat=Csat(5, T0)),
        ticket(created_at=end - 5 * HOUR, status=Status.SOLVED, solved_at=end, csat=Csat(1, end)),
    )
    assert figures.resolution.solved == 1
    assert figures.resolution.median_s == 2 * 3600
    assert (figures.csat.mean, figures.csat.count) == (5, 1)


def test_resolution_time_is_creation_to_solved_for_tickets_solved_in_the_window() -> None:
    figures = metrics(
        ticket(created_at=T0 - 2 * HOUR, status=Status.SOLVED, solved_at=T0 + 1 * HOUR),  # 3 h
        ticket(created_at=T0 + 1 * HOUR, status=Status.CLOSED, solved_at=T0 + 3 * HOUR),  # 2 h
        ticket(created_at=T0 + 2 * HOUR, status=Status.SOLVED, solved_at=T0 + 11 * HOUR),  # 9 h
        # Solved before the window: not this window's.
        ticket(created_at=T0 - 5 * HOUR, status=Status.SOLVED, solved_at=T0 - 1 * HOUR),
        # Created in the window, not solved yet.
        answered(T0 + 1 * HOUR, 5 * MINUTE),
    ).resolution
    assert figures.solved == 3
    assert figures.median_s == 3 * 3600
    assert figures.mean_s == (3 + 2 + 9) * 3600 / 3


def test_csat_is_the_mean_of_ratings_given_in_the_window() -> None:
    def rated(rating: int, at: datetime) -> Ticket:
        return ticket(
            status=Status.SOLVED, solved_at=T0 - DAY, created_at=T0 - 2 * DAY, csat=Csat(rating, at)
        )

    figures = metrics(
        rated(5, T0 + 1 * HOUR),
        rated(4, T0 + 2 * HOUR),
        rated(2, T0 + 3 * HOUR),
        rated(1, T0 - 1 * HOUR),
        ticket(status=Status.SOLVED, solved_at=T0 + HOUR),
    ).csat
    assert figures.count == 3
    assert figures.mean == pytest.approx(11 / 3)


def test_open_counts_by_status_unassigned_and_mine() -> None:
    month_ago = T0 - 30 * DAY
    tickets = [
        ticket(status=Status.NEW),
        ticket(status=Status.NEW, assignee=ANA),
        ticket(status=Status.OPEN, assignee=ANA, created_at=month_ago),
        ticket(status=Status.OPEN, assignee=RUDI),
        ticket(status=Status.PENDING),
        ticket(status=Status.ON_HOLD, assignee=ANA),
        ticket(status=Status.SOLVED, assignee=ANA, solved_at=T0 + HOUR),
        ticket(status=Status.CLOSED, solved_at=T0 + HOUR),
    ]
    counts = metrics(*tickets).open
    assert (counts.new, counts.open, counts.pending, counts.on_hold) == (2, 2, 1, 1)
    assert counts.total == 6
    assert counts.unassigned == 2
    assert counts.mine == 3
    assert metrics(*tickets, agent_id=RUDI.id).open.mine == 1
    assert metrics(*tickets, agent_id=None).open.mine == 0


TARGETS = {
    Priority.URGENT: (1 * HOUR, 8 * HOUR),
    Priority.HIGH: (2 * HOUR, 24 * HOUR),
    Priority.NORMAL: (8 * HOUR, 48 * HOUR),
    Priority.LOW: (24 * HOUR, 5 * DAY),
}


@pytest.mark.parametrize("priority", list(Priority))
def test_breaching_the_first_response_target_by_priority(priority: Priority) -> None:
    target, _ = TARGETS[priority]
    just_in_time = ticket(priority=priority, status=Status.NEW, created_at=NOW - target + S)
    late = ticket(priority=priority, status=Status.NEW, created_at=NOW - target - S)
    assert metrics(just_in_time).open.breaching == 0
    assert metrics(late).open.breaching == 1
    assert late.is_breaching(NOW)
    assert not just_in_time.is_breaching(NOW)


@pytest.mark.parametrize("priority", list(Priority))
def test_breaching_the_resolution_target_by_priority(priority: Priority) -> None:
    first_response, resolution = TARGETS[priority]
    created = NOW - resolution - S
    late = ticket(priority=priority, created_at=created, first_response_at=created + first_response / 2)
    in_time = ticket(
        priority=priority, created_at=created + 2 * S, first_response_at=created + first_response / 2
    )
    assert metrics(late, in_time).open.breaching == 1


def test_answering_moves_the_deadline_from_first_response_to_resolution() -> None:
    created = NOW - 3 * HOUR  # past high's 2 h first-response target, within its 24 h resolution
    assert metrics(ticket(priority=Priority.HIGH, created_at=created)).open.breaching == 1
    reply = created + 90 * MINUTE
    assert (
        metrics(ticket(priority=Priority.HIGH, created_at=created, first_response_at=reply)).open.breaching
        == 0
    )


def test_only_tickets_waiting_on_us_breach_and_breaching_ignores_the_window() -> None:
    """Solved and closed tickets have no deadline; pending and on hold ones wait on the
    customer or a third party, their SLA clock stopped: none of them breaches."""
    long_ago = T0 - 60 * DAY
    figures = metrics(
        ticket(priority=Priority.URGENT, status=Status.SOLVED, created_at=long_ago, solved_at=T0),
        ticket(priority=Priority.URGENT, status=Status.CLOSED, created_at=long_ago, solved_at=T0),
        ticket(priority=Priority.LOW, status=Status.PENDING, created_at=long_ago),
        ticket(
            priority=Priority.URGENT, status=Status.ON_HOLD, created_at=long_ago, first_response_at=long_ago
        ),
        ticket(priority=Priority.LOW, status=Status.NEW, created_at=long_ago),
        ticket(priority=Priority.URGENT, status=Status.OPEN, created_at=long_ago, first_response_at=long_ago),
    )
    assert figures.open.breaching == 2


def test_a_custom_policy_sets_the_deadline() -> None:
    policy = SlaPolicy.default()
    strict = SlaPolicy({**policy.targets, Priority.LOW: policy.targets[Priority.URGENT]})
    two_hours_old = ticket(priority=Priority.LOW, created_at=NOW - 2 * HOUR, sla=strict)
    assert metrics(two_hours_old).open.breaching == 1


def test_json_shape_is_the_one_scripts_rely_on() -> None:
    figures = metrics(
        answered(
            T0 + HOUR, 10 * MINUTE, status=Status.SOLVED, solved_at=T0 + 3 * HOUR, csat=Csat(4, T0 + 4 * HOUR)
        ),
        ticket(created_at=T0 + 20 * HOUR, status=Status.NEW, assignee=ANA),
    )
    assert figures.to_json() == {
        "window": {"since": "2026-11-03T00:00:00Z", "until": "2026-11-04T00:00:00Z"},
        "frt": {
            "median_s": 600,
            "mean_s": 600,
            "responded": 1,
            "awaiting": 1,
            "oldest_awaiting_s": 10 * 3600,
        },
        "open": {
            "new": 1,
            "open": 0,
            "pending": 0,
            "on_hold": 0,
            "unassigned": 0,
            "mine": 1,
            "breaching": 1,
        },
        "resolution": {"median_s": 2 * 3600, "mean_s": 2 * 3600, "solved": 1},
        "csat": {"mean": 4, "count": 1},
    }


def test_no_figure_is_negative_for_times_that_cannot_be() -> None:
    """A reply dated before its ticket, a ticket solved before it was created, one
    created after `now` (kept from a store filled before imports settled such times)."""
    figures = metrics(
        answered(T0 + 2 * HOUR, -HOUR),
        answered(T0 + 3 * HOUR, 30 * MINUTE, status=Status.SOLVED, solved_at=T0 + HOUR),
        ticket(created_at=T0 + 20 * HOUR, status=Status.NEW),
        now=T0 + 10 * HOUR,
    )
    assert (figures.frt.median_s, figures.frt.mean_s) == (900, 900)  # 0 and 30 minutes
    assert (figures.resolution.median_s, figures.resolution.mean_s) == (0, 0)
    assert figures.frt.oldest_awaiting_s == 0

"""The SLA clock stands still while a ticket waits on the customer or a third party
(pending, on hold) and runs again when it reopens, the time it stood still added to
its deadline: the rules every store applies (cs_tui.domain.rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from cs_tui.domain.models import AuthorKind, Channel, NewMessage, Priority, SlaPolicy, Status
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.domain.rules import Progress, after_change, after_message, imported, progress

from .factories import T0, ticket

SLA = SlaPolicy.default()
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NORMAL = SLA.targets[Priority.NORMAL]
WAITING = [Status.PENDING, Status.ON_HOLD]


def opened(status: Status = Status.OPEN, *, answered: datetime | None = None) -> Progress:
    return progress(
        SLA,
        status=status,
        priority=Priority.NORMAL,
        created_at=T0,
        first_response_at=answered,
        solved_at=None,
    )


def set_to(before: Progress, status: Status, at: datetime, priority: Priority | None = None) -> Progress:
    return after_change(SLA, before, status=status, priority=priority or before.priority, at=at)


def written(kind: AuthorKind, *, internal: bool = False) -> NewMessage:
    return NewMessage("m-1", "Sudah saya kirim fotonya.", kind, internal=internal)


@pytest.mark.parametrize("waiting", WAITING)
def test_three_hours_waiting_move_the_deadline_three_hours_later(waiting: Status) -> None:
    ticket_ = opened()
    assert ticket_.sla_due_at == T0 + NORMAL.first_response

    paused = set_to(ticket_, waiting, T0 + HOUR)
    assert paused.sla_due_at is None, "waiting on someone else, it has no running deadline"
    assert (paused.sla_paused_for, paused.sla_paused_since) == (timedelta(), T0 + HOUR)

    reopened = set_to(paused, Status.OPEN, T0 + 4 * HOUR)
    assert reopened.sla_due_at == T0 + NORMAL.first_response + 3 * HOUR
    assert (reopened.sla_paused_for, reopened.sla_paused_since) == (3 * HOUR, None)


def test_every_stretch_waiting_adds_up() -> None:
    ticket_ = opened(answered=T0 + HOUR)
    ticket_ = set_to(ticket_, Status.PENDING, T0 + 2 * HOUR)
    ticket_ = set_to(ticket_, Status.OPEN, T0 + 5 * HOUR)  # 3 hours
    ticket_ = set_to(ticket_, Status.ON_HOLD, T0 + DAY)
    ticket_ = set_to(ticket_, Status.NEW, T0 + DAY + 30 * timedelta(minutes=1))  # 30 minutes
    assert ticket_.sla_paused_for == 3 * HOUR + 30 * timedelta(minutes=1)
    assert ticket_.sla_due_at == T0 + NORMAL.resolution + ticket_.sla_paused_for


def test_moving_between_pending_and_on_hold_keeps_one_stretch() -> None:
    paused = set_to(opened(), Status.PENDING, T0 + HOUR)
    held = set_to(paused, Status.ON_HOLD, T0 + 2 * HOUR)
    assert (held.sla_due_at, held.sla_paused_since) == (None, T0 + HOUR)
    reopened = set_to(held, Status.OPEN, T0 + 6 * HOUR)
    assert reopened.sla_paused_for == 5 * HOUR


def test_a_customer_writing_to_a_pending_ticket_starts_its_clock_again() -> None:
    paused = set_to(opened(answered=T0 + HOUR), Status.PENDING, T0 + 2 * HOUR)
    reopened = after_message(SLA, paused, written(AuthorKind.CUSTOMER), T0 + 2 * DAY)
    assert reopened.status is Status.OPEN
    assert reopened.sla_paused_for == 2 * DAY - 2 * HOUR
    assert reopened.sla_due_at == T0 + NORMAL.resolution + 2 * DAY - 2 * HOUR


def test_what_leaves_a_ticket_waiting_leaves_its_clock_stopped() -> None:
    """A customer writing to a ticket on hold does not reopen it (it waits on a third
    party); an agent's reply or note to a pending one does not either."""
    held = set_to(opened(answered=T0 + HOUR), Status.ON_HOLD, T0 + 2 * HOUR)
    still = after_message(SLA, held, written(AuthorKind.CUSTOMER), T0 + 3 * HOUR)
    assert (still.status, still.sla_due_at, still.sla_paused_since) == (Status.ON_HOLD, None, T0 + 2 * HOUR)
    pending = set_to(opened(), Status.PENDING, T0 + HOUR)
    for new in (written(AuthorKind.AGENT), written(AuthorKind.AGENT, internal=True)):
        after = after_message(SLA, pending, new, T0 + 3 * HOUR)
        assert (after.status, after.sla_due_at, after.sla_paused_since) == (Status.PENDING, None, T0 + HOUR)


def test_an_answer_and_a_new_priority_while_waiting_count_when_the_clock_runs_again() -> None:
    paused = set_to(opened(), Status.PENDING, T0 + HOUR)
    answered = after_message(SLA, paused, written(AuthorKind.AGENT), T0 + 2 * HOUR)
    assert answered.first_response_at == T0 + 2 * HOUR
    urgent = set_to(answered, Status.PENDING, T0 + 3 * HOUR, Priority.URGENT)
    assert urgent.sla_due_at is None
    reopened = set_to(urgent, Status.OPEN, T0 + 5 * HOUR)
    assert reopened.sla_due_at == T0 + SLA.targets[Priority.URGENT].resolution + 4 * HOUR


def test_solving_a_waiting_ticket_ends_the_stretch_and_time_solved_is_not_paused() -> None:
    """Only pending and on hold stop the clock: a solved ticket has no deadline, and
    one reopened later counts its time solved."""
    paused = set_to(opened(answered=T0 + HOUR), Status.PENDING, T0 + 2 * HOUR)
    solved = set_to(paused, Status.SOLVED, T0 + 3 * HOUR)
    assert (solved.sla_due_at, solved.sla_paused_for, solved.sla_paused_since) == (None, HOUR, None)
    reopened = after_message(SLA, solved, written(AuthorKind.CUSTOMER), T0 + DAY)
    assert reopened.sla_due_at == T0 + NORMAL.resolution + HOUR


def test_a_waiting_ticket_past_its_old_deadline_is_not_breaching() -> None:
    long_ago = T0 - 30 * DAY
    for status in WAITING:
        waiting = ticket(status=status, created_at=long_ago, first_response_at=long_ago + HOUR)
        assert waiting.sla_due_at is None
        assert not waiting.is_breaching(T0)
        # By definition, whatever deadline a store may have kept for it.
        assert not replace(waiting, sla_due_at=long_ago).is_breaching(T0)
    assert ticket(status=Status.OPEN, created_at=long_ago).is_breaching(T0)


def record(status: Status, *, updated_at: datetime | None = None) -> TicketRecord:
    messages = (
        MessageRecord(AuthorKind.CUSTOMER, None, "Halo", T0),
        MessageRecord(AuthorKind.AGENT, "ana@tokoku.example", "Boleh kirim fotonya?", T0 + HOUR),
    )
    return TicketRecord(
        ref="shop-1",
        subject="Paket rusak",
        status=status,
        priority=Priority.NORMAL,
        channel=Channel.EMAIL,
        customer_name="Budi",
        customer_email="budi@example.com",
        assignee_email=None,
        tags=(),
        created_at=T0,
        messages=messages,
        updated_at=updated_at,
    )


@pytest.mark.parametrize("waiting", WAITING)
def test_an_imported_waiting_ticket_stopped_its_clock_at_its_last_change(waiting: Status) -> None:
    state, updated_at = imported(SLA, record(waiting, updated_at=T0 + 2 * HOUR))
    assert (state.sla_due_at, state.sla_paused_since, state.sla_paused_for) == (
        None,
        T0 + 2 * HOUR,
        timedelta(),
    )
    assert updated_at == T0 + 2 * HOUR
    state, _ = imported(SLA, record(waiting))  # no updated_at: its last message
    assert state.sla_paused_since == T0 + HOUR
    reopened = set_to(state, Status.OPEN, T0 + 5 * HOUR)
    assert reopened.sla_due_at == T0 + NORMAL.resolution + 4 * HOUR


def test_an_imported_ticket_waiting_on_us_counted_no_time_paused() -> None:
    """Its statuses before the import are not in the file."""
    state, _ = imported(SLA, record(Status.OPEN, updated_at=T0 + 2 * HOUR))
    assert (state.sla_due_at, state.sla_paused_since, state.sla_paused_for) == (
        T0 + NORMAL.resolution,
        None,
        timedelta(),
    )

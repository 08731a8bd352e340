"""Snoozing: what an agent types for "until", read in their time zone, the picker's
choices, a snooze said back in words, and the rules a snooze follows (pending until
its time; any other status, or the customer writing, ends it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from cs_tui.domain.matching import ticket_matches
from cs_tui.domain.models import (
    UNSET,
    AuthorKind,
    NewMessage,
    Priority,
    SlaPolicy,
    Status,
    TicketChanges,
    Unset,
)
from cs_tui.domain.query import parse
from cs_tui.domain.rules import (
    Progress,
    RuleBroken,
    after_change,
    after_message,
    progress,
    snooze_after_change,
)
from cs_tui.domain.snooze import SNOOZE_MORNING, parse_until, snooze_choices, until_words, woken

from .factories import ticket

WIB = timezone(timedelta(hours=7), "WIB")
"""Jakarta's time: no summer time, so every day is 24 hours."""
NOW = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)
"""Wednesday 9 December 2026, 10:00 in Jakarta."""
SLA = SlaPolicy.default()
HOUR = timedelta(hours=1)


def local(text: str, now: datetime = NOW) -> str:
    """When `text` ends a snooze, as a Jakarta agent reads it: "Thu 2026-12-10 09:00"."""
    return f"{parse_until(text, now=now, tz=WIB).astimezone(WIB):%a %Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("typed", "comes_back"),
    [
        ("2h", "Wed 2026-12-09 12:00"),
        ("30m", "Wed 2026-12-09 10:30"),
        ("3d", "Sat 2026-12-12 10:00"),
        ("1w", "Wed 2026-12-16 10:00"),
        ("1h30m", "Wed 2026-12-09 11:30"),
        ("in 2 hours", "Wed 2026-12-09 12:00"),
        ("2 jam", "Wed 2026-12-09 12:00"),
        ("2 jam lagi", "Wed 2026-12-09 12:00"),
        ("dalam 3 hari", "Sat 2026-12-12 10:00"),
        ("tomorrow", "Thu 2026-12-10 09:00"),
        ("Tomorrow", "Thu 2026-12-10 09:00"),
        ("besok", "Thu 2026-12-10 09:00"),
        ("lusa", "Fri 2026-12-11 09:00"),
        ("tomorrow 14:00", "Thu 2026-12-10 14:00"),
        ("tomorrow 9:00", "Thu 2026-12-10 09:00"),
        ("besok jam 14", "Thu 2026-12-10 14:00"),
        ("besok 14.30", "Thu 2026-12-10 14:30"),
        ("mon", "Mon 2026-12-14 09:00"),
        ("monday", "Mon 2026-12-14 09:00"),
        ("next monday", "Mon 2026-12-14 09:00"),
        ("senin", "Mon 2026-12-14 09:00"),
        ("senin depan", "Mon 2026-12-14 09:00"),
        ("selasa", "Tue 2026-12-15 09:00"),
        ("rabu", "Wed 2026-12-16 09:00"),  # today is Wednesday: the next one
        ("kamis", "Thu 2026-12-10 09:00"),
        ("jumat", "Fri 2026-12-11 09:00"),
        ("sabtu", "Sat 2026-12-12 09:00"),
        ("minggu", "Sun 2026-12-13 09:00"),
        ("next week", "Mon 2026-12-14 09:00"),
        ("minggu depan", "Mon 2026-12-14 09:00"),
        ("monday 10:30", "Mon 2026-12-14 10:30"),
        ("senin 10.30", "Mon 2026-12-14 10:30"),
        ("fri 5pm", "Fri 2026-12-11 17:00"),
        ("17:00", "Wed 2026-12-09 17:00"),
        ("9:00", "Thu 2026-12-10 09:00"),  # past today: tomorrow
        ("5pm", "Wed 2026-12-09 17:00"),
        ("jam 17", "Wed 2026-12-09 17:00"),
        ("pukul 17.00", "Wed 2026-12-09 17:00"),
        ("today 17:00", "Wed 2026-12-09 17:00"),
        ("hari ini 17:00", "Wed 2026-12-09 17:00"),
        ("2026-12-10", "Thu 2026-12-10 09:00"),
        ("2026-12-10 09:00", "Thu 2026-12-10 09:00"),
        ("2026-12-10T09:00", "Thu 2026-12-10 09:00"),
        ("2026-12-10T02:00:00Z", "Thu 2026-12-10 09:00"),
        ("2026-12-10T09:00+07:00", "Thu 2026-12-10 09:00"),
        ("10 dec", "Thu 2026-12-10 09:00"),
        ("dec 10 14:00", "Thu 2026-12-10 14:00"),
        ("10 desember 2026", "Thu 2026-12-10 09:00"),
        ("8 jan", "Fri 2027-01-08 09:00"),  # past this year: next year's
    ],
)
def test_what_an_agent_types_comes_back_then_in_their_time(typed: str, comes_back: str) -> None:
    assert local(typed) == comes_back


def test_the_time_is_in_utc() -> None:
    assert parse_until("tomorrow", now=NOW, tz=WIB) == datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
    assert SNOOZE_MORNING.hour == 9


def test_a_weekday_typed_on_that_day_is_next_weeks() -> None:
    monday = datetime(2026, 12, 14, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta, before 09:00
    assert local("monday", monday) == "Mon 2026-12-21 09:00"
    assert local("09:00", monday) == "Mon 2026-12-14 09:00"


def test_a_snooze_to_a_day_across_summer_time_keeps_the_morning() -> None:
    try:
        amsterdam = ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:
        pytest.skip("no time zone database here")
    saturday = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # the clocks go forward on Sunday
    until = parse_until("tomorrow", now=saturday, tz=amsterdam)
    assert until == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 summer time
    assert until.astimezone(amsterdam).hour == 9


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "say until when"),
        ("yesterday", "cannot read 'yesterday' as a time"),
        ("9", "cannot read '9' as a time"),
        ("today", 'say when today, as in "today 17:00"'),
        ("2026-12-01", "'2026-12-01' has passed"),
        ("today 08:00", "'today 08:00' has passed"),
        ("2027-12-10", "'2027-12-10' is more than a year ahead"),
        ("366d", "'366d' is more than a year ahead"),
        ("25:00", "'25:00' is not a time of day"),
        ("13pm", "with am or pm, the hour is 1 to 12"),
        ("2026-02-30", "'2026-02-30' is not a day of the calendar"),
    ],
)
def test_what_cannot_be_a_snooze_is_refused_saying_what_to_type(typed: str, said: str) -> None:
    with pytest.raises(RuleBroken) as refused:
        parse_until(typed, now=NOW, tz=WIB)
    assert said in str(refused.value)
    assert refused.value.field == "snoozed_until"
    if typed != "today":
        assert 'try "2h", "tomorrow"' in str(refused.value)


def test_a_year_ahead_is_the_longest_snooze() -> None:
    assert parse_until("365d", now=NOW, tz=WIB) == NOW + timedelta(days=365)


def test_the_picker_offers_an_hour_four_hours_tomorrow_and_monday() -> None:
    choices = snooze_choices(NOW, WIB)
    assert [c.label for c in choices] == ["In 1 hour", "In 4 hours", "Tomorrow 09:00", "Monday 09:00"]
    assert [c.until for c in choices] == [
        NOW + HOUR,
        NOW + 4 * HOUR,
        datetime(2026, 12, 10, 2, 0, tzinfo=UTC),
        datetime(2026, 12, 14, 2, 0, tzinfo=UTC),
    ]
    assert all(parse_until(c.typed, now=NOW, tz=WIB) == c.until for c in choices)


def test_on_a_sunday_the_picker_has_no_second_monday() -> None:
    sunday = datetime(2026, 12, 13, 3, 0, tzinfo=UTC)
    assert [c.label for c in snooze_choices(sunday, WIB)] == ["In 1 hour", "In 4 hours", "Tomorrow 09:00"]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("17:00", "today 17:00"),
        ("besok", "tomorrow 09:00"),
        ("senin 10:30", "Mon 14 Dec 10:30"),
        ("8 jan", "Fri 8 Jan 2027 09:00"),
    ],
)
def test_a_snooze_is_said_back_in_words(typed: str, words: str) -> None:
    assert until_words(parse_until(typed, now=NOW, tz=WIB), now=NOW, tz=WIB) == words


# The rules


def change(status: Status, changes: TicketChanges) -> tuple[Status, datetime | Unset | None]:
    return snooze_after_change(status, changes, at=NOW)


def test_snoozing_sets_a_ticket_pending_until_then() -> None:
    until = NOW + 2 * HOUR
    for status in (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED):
        assert change(status, TicketChanges(snoozed_until=until)) == (Status.PENDING, until)
    assert change(Status.OPEN, TicketChanges(status=Status.PENDING, snoozed_until=until)) == (
        Status.PENDING,
        until,
    )


@pytest.mark.parametrize(
    ("status", "changes", "said"),
    [
        (Status.OPEN, TicketChanges(snoozed_until=NOW - HOUR), "that time has passed"),
        (Status.OPEN, TicketChanges(snoozed_until=NOW), "that time has passed"),
        (Status.OPEN, TicketChanges(snoozed_until=NOW + timedelta(days=366)), "at most 365 days ahead"),
        (Status.CLOSED, TicketChanges(snoozed_until=NOW + HOUR), "a closed ticket stays closed"),
        (
            Status.OPEN,
            TicketChanges(status=Status.SOLVED, snoozed_until=NOW + HOUR),
            "pending until its time, not solved",
        ),
    ],
)
def test_a_snooze_that_cannot_be_is_refused(status: Status, changes: TicketChanges, said: str) -> None:
    with pytest.raises(RuleBroken, match=said):
        change(status, changes)


def test_ending_a_snooze_or_changing_something_else_leaves_the_status() -> None:
    assert change(Status.PENDING, TicketChanges(snoozed_until=None)) == (Status.PENDING, None)
    assert change(Status.PENDING, TicketChanges(priority=Priority.HIGH)) == (Status.PENDING, UNSET)
    assert change(Status.PENDING, TicketChanges(status=Status.OPEN)) == (Status.OPEN, UNSET)


def snoozed(until: datetime = NOW + 2 * HOUR) -> Progress:
    opened = progress(
        SLA,
        status=Status.OPEN,
        priority=Priority.NORMAL,
        created_at=NOW - HOUR,
        first_response_at=None,
        solved_at=None,
    )
    return after_change(
        SLA, opened, status=Status.PENDING, priority=Priority.NORMAL, at=NOW, snoozed_until=until
    )


def test_a_snoozed_ticket_keeps_its_snooze_while_pending_and_loses_it_with_any_other_status() -> None:
    before = snoozed()
    assert (before.status, before.snoozed_until, before.sla_due_at) == (Status.PENDING, NOW + 2 * HOUR, None)
    later = NOW + HOUR
    kept = after_change(SLA, before, status=Status.PENDING, priority=Priority.URGENT, at=later)
    assert kept.snoozed_until == NOW + 2 * HOUR
    for status in (Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED):
        assert (
            after_change(SLA, before, status=status, priority=Priority.NORMAL, at=later).snoozed_until is None
        )


def written(kind: AuthorKind, *, internal: bool = False, auto: bool = False) -> NewMessage:
    return NewMessage("c1", "Halo", kind, internal=internal, auto=auto)


def test_the_customer_writing_ends_a_snooze_and_the_team_writing_does_not() -> None:
    before = snoozed()
    reopened = after_message(SLA, before, written(AuthorKind.CUSTOMER), NOW + HOUR)
    assert (reopened.status, reopened.snoozed_until) == (Status.OPEN, None)
    for quiet in (
        written(AuthorKind.AGENT),
        written(AuthorKind.AGENT, internal=True),
        written(AuthorKind.SYSTEM),
        written(AuthorKind.CUSTOMER, auto=True),  # an auto-reply is not the customer writing
    ):
        after = after_message(SLA, before, quiet, NOW + HOUR)
        assert (after.status, after.snoozed_until) == (Status.PENDING, NOW + 2 * HOUR)


def test_a_ticket_wakes_open_its_sla_clock_running_again() -> None:
    asleep = replace(
        ticket(status=Status.PENDING, created_at=NOW - HOUR),
        sla_due_at=None,
        sla_paused_since=NOW,
        snoozed_until=NOW + 2 * HOUR,
    )
    awake = woken(SLA, asleep, NOW + 2 * HOUR)
    assert (awake.status, awake.snoozed_until, awake.sla_paused_since) == (Status.OPEN, None, None)
    assert awake.sla_paused_for == 2 * HOUR
    assert awake.sla_due_at == NOW - HOUR + SLA.targets[Priority.NORMAL].first_response + 2 * HOUR


def test_snoozed_yes_finds_the_snoozed_tickets() -> None:
    asleep = replace(ticket(status=Status.PENDING), snoozed_until=NOW + HOUR)
    waiting = ticket(status=Status.PENDING)
    for query, found in (("snoozed:yes", [asleep]), ("snoozed:no", [waiting]), ("-snoozed:yes", [waiting])):
        matched = [
            t for t in (asleep, waiting) if ticket_matches(parse(query), t, bodies=(), viewer_id=1, now=NOW)
        ]
        assert matched == found, query

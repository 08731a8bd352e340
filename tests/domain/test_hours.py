"""A shop's business hours as its owner writes them, in English or Indonesian, in the
shop's time zone: open or not at a given moment, and when it opens next."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cs_tui.domain.hours import HoursError, parse_hours

JAKARTA = "Asia/Jakarta"  # UTC+7


def test_hours_in_indonesian_and_english_are_the_same_hours() -> None:
    english = parse_hours("mon-fri 09:00-17:00, sat 09:00-13:00", JAKARTA)
    indonesian = parse_hours("senin-jumat 09.00-17.00; sabtu 09:00-13:00", JAKARTA)

    assert english == indonesian


@pytest.mark.parametrize(
    ("day", "hour", "minute", "open_"),
    [
        (0, 9, 0, True),  # Monday at opening
        (0, 8, 59, False),
        (4, 16, 59, True),  # Friday just before closing
        (4, 17, 0, False),
        (5, 12, 30, True),  # Saturday morning
        (5, 13, 0, False),
        (6, 11, 0, False),  # Sunday
    ],
)
def test_open_in_the_shops_own_time(day: int, hour: int, minute: int, open_: bool) -> None:
    hours = parse_hours("mon-fri 09:00-17:00, sat 09:00-13:00", JAKARTA)
    moment = datetime(2026, 12, 7 + day, hour, minute, tzinfo=ZoneInfo(JAKARTA))

    assert hours.open_at(moment) is open_


def test_it_says_when_it_opens_next() -> None:
    hours = parse_hours("mon-fri 09:00-17:00, sat 09:00-13:00", JAKARTA)
    jakarta = ZoneInfo(JAKARTA)

    assert hours.opens_next(datetime(2026, 12, 7, 7, 0, tzinfo=jakarta)) == "today at 09:00"
    assert hours.opens_next(datetime(2026, 12, 7, 18, 0, tzinfo=jakarta)) == "tomorrow at 09:00"
    assert hours.opens_next(datetime(2026, 12, 12, 14, 0, tzinfo=jakarta)) == "Monday at 09:00"


def test_no_hours_is_always_open() -> None:
    assert parse_hours("", JAKARTA).open_at(datetime(2026, 12, 13, 3, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "zone", "said"),
    [
        ("mon-fri 9-17", JAKARTA, "write days and hours as mon-fri 09:00-17:00"),
        ("someday 09:00-17:00", JAKARTA, "'someday' is not a day"),
        ("mon 17:00-09:00", JAKARTA, "closes after it opens"),
        ("mon 09:00-25:00", JAKARTA, "not a time of day"),
        ("mon 09:00-17:00", "Jakarta", "not a time zone"),
    ],
)
def test_hours_that_cannot_be_read_say_how_to_write_them(text: str, zone: str, said: str) -> None:
    with pytest.raises(HoursError, match=said):
        parse_hours(text, zone)

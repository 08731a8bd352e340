"""A shop's business hours, as its owner writes them: "mon-fri 09:00-17:00, sat
09:00-13:00" (or in Indonesian, "senin-jumat 09:00-17:00, sabtu 09:00-13:00"), in
the shop's own time zone. Outside them its chat offers to answer by email."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = {
    "mon": 0, "monday": 0, "senin": 0, "sen": 0,
    "tue": 1, "tuesday": 1, "selasa": 1, "sel": 1,
    "wed": 2, "wednesday": 2, "rabu": 2, "rab": 2,
    "thu": 3, "thursday": 3, "kamis": 3, "kam": 3,
    "fri": 4, "friday": 4, "jumat": 4, "jum": 4, "jum'at": 4,
    "sat": 5, "saturday": 5, "sabtu": 5, "sab": 5,
    "sun": 6, "sunday": 6, "minggu": 6, "min": 6, "ahad": 6,
}  # fmt: skip
"""Day names in English and Indonesian, whole or cut to three letters."""
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PART = re.compile(r"^\s*([a-z']+)(?:\s*-\s*([a-z']+))?\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})\s*$")


class HoursError(ValueError):
    """Hours that cannot be read, saying how to write them."""


@dataclass(frozen=True, slots=True)
class Span:
    day: int
    """0 for Monday."""
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class BusinessHours:
    spans: tuple[Span, ...]
    zone: str
    """The shop's time zone, as the IANA database names it (Asia/Jakarta)."""

    def open_at(self, now: datetime) -> bool:
        """Whether the shop is open at `now` (an aware time); always, with no spans."""
        if not self.spans:
            return True
        local = now.astimezone(ZoneInfo(self.zone))
        return any(
            span.day == local.weekday() and span.opens <= local.time() < span.closes for span in self.spans
        )

    def opens_next(self, now: datetime) -> str:
        """When the shop opens next, in words in its own time: "Monday at 09:00"."""
        local = now.astimezone(ZoneInfo(self.zone))
        for ahead in range(8):
            day = local + timedelta(days=ahead)
            starts = sorted(s.opens for s in self.spans if s.day == day.weekday())
            for opens in starts:
                if ahead or opens > local.time():
                    when = "today" if ahead == 0 else "tomorrow" if ahead == 1 else DAY_NAMES[day.weekday()]
                    return f"{when} at {opens:%H:%M}"
        return ""


def parse_hours(text: str, zone: str) -> BusinessHours:
    """Hours as written, in the time zone `zone`; HoursError saying what is wrong."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError(f"{zone!r} is not a time zone: give one as Asia/Jakarta or Asia/Makassar") from None
    spans: list[Span] = []
    for part in filter(str.strip, re.split(r"[,;]", text.lower())):
        found = _PART.match(part)
        if found is None:
            raise HoursError(f"{part.strip()!r}: write days and hours as mon-fri 09:00-17:00")
        first, last, opens, closes = found.groups()
        days = _days(first, last or first)
        start, end = _time(opens), _time(closes)
        if end <= start:
            raise HoursError(f"{part.strip()!r}: the shop closes after it opens (use 24-hour times)")
        spans += [Span(day, start, end) for day in days]
    return BusinessHours(tuple(spans), zone)


def _days(first: str, last: str) -> list[int]:
    if first not in DAYS or last not in DAYS:
        unknown = first if first not in DAYS else last
        raise HoursError(f"{unknown!r} is not a day: write mon, tue, ... or senin, selasa, ...")
    start, end = DAYS[first], DAYS[last]
    return [(start + step) % 7 for step in range((end - start) % 7 + 1)]


def _time(text: str) -> time:
    hours, minutes = (int(each) for each in re.split(r"[:.]", text))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise HoursError(f"{text!r} is not a time of day: write 09:00 or 17:30")
    return time(hours, minutes)

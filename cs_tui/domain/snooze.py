"""Snoozing a ticket: what an agent types for "until", read in their own time zone,
the choices a picker offers, and a snooze's time said back in words.

A snoozed ticket is pending until its time and then comes back open (the rules that
keep it so are in rules.py: snooze_after_change, snooze_kept, checked_snooze).

What "until" takes, in English or Indonesian, relative to now:

    2h  30m  3d  1w  1h30m  "in 2 hours"  "2 jam"  "dalam 3 hari"    from now
    tomorrow  besok  lusa                                            09:00 that day
    monday  mon  next monday  senin  senin depan  ... minggu         the next one, 09:00
    next week  minggu depan                                          next Monday, 09:00
    tomorrow 14:00  besok jam 14  monday 10:30  senin 10.30          that day, that time
    17:00  5pm  jam 17  pukul 17.00                                  today, or tomorrow when past
    today 17:00  hari ini 17:00                                      today
    2026-12-10  10 dec  10 desember 2026                             09:00 that day
    2026-12-10 09:00  2026-12-10T09:00  10 dec 14:00                 that day, that time
    2026-12-10T02:00:00Z  2026-12-10T09:00+07:00                     that moment (for scripts)

A time that has passed or is more than a year ahead is refused, saying what to type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from cs_tui.domain.models import SlaPolicy, Status, Ticket
from cs_tui.domain.rules import SNOOZE_AT_MOST_DAYS, Progress, RuleBroken, after_change

SNOOZE_MORNING = time(9, 0)
"""The time of day a snooze to a day ("tomorrow", "monday", a date) ends."""

WOKE_NOTE = "Snooze ended: the ticket is open again."
"""The system message a snoozed ticket gets when its time comes."""
WAKE_EVERY_S = 30.0
"""How often a store in use is asked to wake the snoozed tickets whose time came."""

EXAMPLES = '"2h", "tomorrow", "besok 14:00", "monday 10:30", "17:00" or "2026-12-10 09:00"'
"""What to type, for the words of a refusal."""

_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "menit"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "jam"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days", "hari"), timedelta(days=1)),
    **dict.fromkeys(("w", "week", "weeks", "minggu"), timedelta(weeks=1)),
}
_WEEKDAYS = {
    **dict.fromkeys(("monday", "mon", "senin"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "selasa"), 1),
    **dict.fromkeys(("wednesday", "wed", "rabu"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "kamis"), 3),
    **dict.fromkeys(("friday", "fri", "jumat", "jum'at"), 4),
    **dict.fromkeys(("saturday", "sat", "sabtu"), 5),
    **dict.fromkeys(("sunday", "sun", "minggu", "ahad"), 6),
}
_MONTHS = {
    **dict.fromkeys(("jan", "january", "januari"), 1),
    **dict.fromkeys(("feb", "february", "februari", "pebruari"), 2),
    **dict.fromkeys(("mar", "march", "maret"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("may", "mei"), 5),
    **dict.fromkeys(("jun", "june", "juni"), 6),
    **dict.fromkeys(("jul", "july", "juli"), 7),
    **dict.fromkeys(("aug", "august", "agu", "agt", "agustus"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("oct", "october", "okt", "oktober"), 10),
    **dict.fromkeys(("nov", "november", "nop", "nopember"), 11),
    **dict.fromkeys(("dec", "december", "des", "desember"), 12),
}
_DAYS_AHEAD = {"today": 0, "hari ini": 0, "tomorrow": 1, "besok": 1, "day after tomorrow": 2, "lusa": 2}
_NEXT_WEEK = ("next week", "minggu depan")

_SPAN = re.compile(r"(\d{1,4})\s*([a-z]+)")
_SPANS = re.compile(r"(?:in |dalam )?((?:\d{1,4}\s*[a-z]+\s*)+?)(?: lagi| later| from now)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2})[:.](\d{2})(?::\d{2})?)?")
_ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[ t]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})")
_CLOCK = re.compile(r"(?:\b(?:at|jam|pukul|pkl\.?)\s*)?\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?(?=\s|$)")
_DAY_MONTH = re.compile(r"(\d{1,2}) ([a-z]+)(?: (\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]+) (\d{1,2})(?: (\d{4}))?")


def parse_until(text: str, *, now: datetime, tz: tzinfo | None = None) -> datetime:
    """When a snooze typed as `text` ends, in UTC, read in time zone `tz` (the
    machine's local time zone when None) relative to `now`. RuleBroken (a ValueError;
    its field "snoozed_until") saying what to type, for words it cannot read, a time
    that has passed, or one more than a year ahead."""
    words = " ".join(text.lower().replace(",", " ").split())
    if not words:
        raise _refused("say until when")
    local_now = _local(now, tz)
    span = _span(words)
    if span is not None:
        until = now + span
    elif _ISO_WITH_OFFSET.fullmatch(words):
        until = _moment(words)
    else:
        wall = _iso(words) or _day_and_clock(words, local_now)
        if wall is None:
            raise _refused(f"cannot read {text.strip()[:40]!r} as a time")
        until = _aware(wall, tz)
    return _checked(until, now, text.strip())


def _span(words: str) -> timedelta | None:
    """How long "2h", "1h30m", "in 3 days", "2 jam lagi" says, or None."""
    match = _SPANS.fullmatch(words)
    if match is None:
        return None
    total = timedelta()
    for count, unit in _SPAN.findall(match.group(1)):
        if unit not in _UNITS:
            return None
        total += int(count) * _UNITS[unit]
    return total if total else None


def _iso(words: str) -> datetime | None:
    """An ISO date (09:00 that day) or date and time, as wall-clock time."""
    match = _ISO.fullmatch(words)
    if match is None:
        return None
    year, month, day, hour, minute = match.groups()
    on = _date(int(year), int(month), int(day), words)
    clock = SNOOZE_MORNING if hour is None else _clock(int(hour), int(minute), None, words)
    return datetime.combine(on, clock)


def _moment(words: str) -> datetime:
    """An ISO 8601 time with its offset, as scripts write it."""
    try:
        return datetime.fromisoformat(words.upper())
    except ValueError:
        raise _refused(f"{words!r} is not a time of the calendar") from None


def _day_and_clock(words: str, local_now: datetime) -> datetime | None:
    """A day in words and a time of day, in either order, either one alone, as
    wall-clock time: None when the words are neither."""
    clock = None
    found = list(_CLOCK.finditer(words))
    if found:
        match = found[-1]
        prefixed = match.group(0)[0].isalpha()
        if prefixed or match.group(2) is not None or match.group(3) is not None:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            clock = _clock(hour, minute, match.group(3), words)
            words = (words[: match.start()] + words[match.end() :]).strip()
    today = local_now.date()
    if not words:
        if clock is None:
            return None
        moment = datetime.combine(today, clock)
        return moment if moment > local_now.replace(tzinfo=None) else moment + timedelta(days=1)
    on = _day(words, today)
    if on is None:
        return None
    if on == today and clock is None:
        raise _refused('say when today, as in "today 17:00"', examples=False)
    return datetime.combine(on, clock or SNOOZE_MORNING)


def _day(words: str, today: date) -> date | None:
    """The day that words such as "besok", "next monday", "senin depan", "10 dec" name."""
    words = words.removeprefix("hari ").strip() if words != "hari ini" else words
    if words in _DAYS_AHEAD:
        return today + timedelta(days=_DAYS_AHEAD[words])
    if words in _NEXT_WEEK:
        return today + timedelta(days=7 - today.weekday())
    name = words.removeprefix("next ").removesuffix(" depan").strip()
    if name in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[name] - today.weekday() - 1) % 7 + 1)
    return _day_of_month(words, today)


def _day_of_month(words: str, today: date) -> date | None:
    """ "10 dec", "dec 10", "10 desember 2026": a date, this year's while still ahead."""
    match = _DAY_MONTH.fullmatch(words)
    if match is not None:
        day, month_name, year = match.groups()
    elif (match := _MONTH_DAY.fullmatch(words)) is not None:
        month_name, day, year = match.groups()
    else:
        return None
    if month_name not in _MONTHS:
        return None
    month = _MONTHS[month_name]
    if year is not None:
        return _date(int(year), month, int(day), words)
    on = _date(today.year, month, int(day), words) if _valid(today.year, month, int(day)) else None
    if on is None or on < today:
        on = _date(today.year + 1, month, int(day), words)
    return on


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _date(year: int, month: int, day: int, words: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _refused(f"{words!r} is not a day of the calendar") from None


def _clock(hour: int, minute: int, half: str | None, words: str) -> time:
    if half is not None:
        if not 1 <= hour <= 12:
            raise _refused(f"{words!r}: with am or pm, the hour is 1 to 12")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _refused(f"{words!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def _aware(wall: datetime, tz: tzinfo | None) -> datetime:
    """Wall-clock time in `tz` (the machine's zone when None, its summer time and all)."""
    try:
        return wall.replace(tzinfo=tz) if tz is not None else wall.astimezone()
    except (OverflowError, OSError):
        raise _refused(f"{wall.date().isoformat()} is too far away") from None


def _checked(until: datetime, now: datetime, typed: str) -> datetime:
    if until <= now:
        raise _refused(f"{typed[:40]!r} has passed: snooze until a time ahead")
    if until - now > timedelta(days=SNOOZE_AT_MOST_DAYS):
        raise _refused(f"{typed[:40]!r} is more than a year ahead: snooze for a year at most")
    return until.astimezone(UTC)


def _refused(why: str, *, examples: bool = True) -> RuleBroken:
    return RuleBroken(f"{why}; try {EXAMPLES}" if examples else why, "snoozed_until")


@dataclass(frozen=True, slots=True)
class SnoozeChoice:
    """One choice of a snooze picker."""

    label: str
    """What the picker shows: "In 1 hour", "Tomorrow 09:00", "Monday 09:00"."""
    until: datetime
    """When the snooze ends, in UTC."""
    typed: str
    """What an agent would type for it ("1h", "tomorrow", "monday")."""


def snooze_choices(now: datetime, tz: tzinfo | None = None) -> list[SnoozeChoice]:
    """The picker's choices at `now` in time zone `tz` (the machine's when None): in
    1 hour, in 4 hours, tomorrow 09:00, and Monday 09:00 when that is another day."""
    choices = [
        SnoozeChoice("In 1 hour", parse_until("1h", now=now, tz=tz), "1h"),
        SnoozeChoice("In 4 hours", parse_until("4h", now=now, tz=tz), "4h"),
        SnoozeChoice(
            f"Tomorrow {_hhmm(SNOOZE_MORNING)}", parse_until("tomorrow", now=now, tz=tz), "tomorrow"
        ),
    ]
    monday = parse_until("monday", now=now, tz=tz)
    if monday != choices[-1].until:
        choices.append(SnoozeChoice(f"Monday {_hhmm(SNOOZE_MORNING)}", monday, "monday"))
    return choices


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def until_words(until: datetime, *, now: datetime, tz: tzinfo | None = None) -> str:
    """A snooze's end as an agent reads it, in time zone `tz` (the machine's when
    None): "today 17:00", "tomorrow 09:00", "Mon 14 Dec 09:00", "Mon 4 Jan 2027 09:00"."""
    local, today = _local(until, tz), _local(now, tz).date()
    clock = _hhmm(local.time())
    if local.date() == today:
        return f"today {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow {clock}"
    day = f"{_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"{day}{year} {clock}"


def _hhmm(clock: time) -> str:
    return f"{clock.hour:02d}:{clock.minute:02d}"


def woken(sla: SlaPolicy, ticket: Ticket, at: datetime) -> Progress:
    """A snoozed ticket as it wakes at `at`: open, its snooze over, its SLA clock
    running again from `at` (it stood still while the ticket was pending)."""
    before = Progress(
        ticket.status,
        ticket.priority,
        ticket.created_at,
        ticket.first_response_at,
        ticket.solved_at,
        ticket.sla_due_at,
        ticket.sla_paused_for,
        ticket.sla_paused_since,
        ticket.snoozed_until,
    )
    return after_change(sla, before, status=Status.OPEN, priority=ticket.priority, at=at, snoozed_until=None)

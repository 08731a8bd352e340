"""Times are timezone-aware UTC datetimes; stores keep them as integer microseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


def to_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, microseconds only when there are any."""
    text = moment.astimezone(UTC).isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601; a time without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC time
        raise ValueError(f"{text!r} is out of range in UTC") from None


def parse_local(text: str) -> datetime:
    """Parse an ISO 8601 date or time that a person typed, as a bound of a window: one
    without an offset is local time, as "today" is, so a bare date is local midnight.
    In UTC."""
    moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    try:
        return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)
    except (OverflowError, OSError):  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise ValueError(f"{text!r} is out of range in UTC") from None


def duration(delta: timedelta | float) -> str:
    """A span as an agent reads it at a glance: 45s, 12m, 3h05m, 14h, 1d05h, 12d."""
    seconds = delta if isinstance(delta, int | float) else delta.total_seconds()
    sign = "-" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if minutes == 0:
        return f"{sign}{int(abs(seconds))}s"
    if hours == 0:
        return f"{sign}{minutes}m"
    if days == 0:
        return f"{sign}{hours}h{minute:02d}m" if hours < 10 and minute else f"{sign}{hours}h"
    if days < 10 and hour:
        return f"{sign}{days}d{hour:02d}h"
    return f"{sign}{days}d"

"""A website chat's settings: the sites its widget may run on, and what it says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from cs_tui.domain.hours import BusinessHours, HoursError, parse_hours

DEFAULT_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
)
"""What a visitor may send: photos of a parcel or a receipt, a PDF, a text file.
Nothing a browser or an agent's machine would run."""


TITLE = "Chat with us"
GREETING = "Hi! How can we help?"
AWAY = "Nobody is here right now. Leave a message and we will answer by email."


class ChatSettingsError(ValueError):
    """Settings that cannot work, saying which option to give."""


@dataclass(frozen=True, slots=True)
class ChatSettings:
    origins: tuple[str, ...]
    """The sites the widget may run on, as browsers send them (`https://tokoku.id`)."""
    title: str = TITLE
    greeting: str = GREETING
    away: str = AWAY
    file_bytes: int = DEFAULT_FILE_BYTES
    answer_from: str = ""
    """The mailbox (an email channel) that mails a transcript and answers an away
    message; empty: the first mailbox set up."""
    hours: str = ""
    """The shop's business hours as written (domain.hours); empty: always open."""
    timezone: str = "UTC"
    """The time zone the hours are in."""

    @property
    def business_hours(self) -> BusinessHours:
        return parse_hours(self.hours, self.timezone)

    @classmethod
    def parse(
        cls,
        *,
        origins: Sequence[str],
        title: str | None = None,
        greeting: str | None = None,
        away: str | None = None,
        file_mb: float | None = None,
        answer_from: str | None = None,
        hours: str | None = None,
        timezone: str | None = None,
    ) -> ChatSettings:
        if not origins:
            raise ChatSettingsError(
                "give the sites the chat may run on: --origin https://tokoku.id (again for each)"
            )
        checked = tuple(dict.fromkeys(origin_of(each) for each in origins))
        size = DEFAULT_FILE_BYTES if file_mb is None else int(file_mb * 1024 * 1024)
        if not 0 < size <= 100 * 1024 * 1024:
            raise ChatSettingsError("--max-file-mb: give a size above 0 and at most 100")
        try:
            parse_hours(hours or "", timezone or "UTC")
        except HoursError as error:
            raise ChatSettingsError(f"--hours/--timezone: {error}") from None
        return cls(
            checked,
            title or TITLE,
            greeting or GREETING,
            away or AWAY,
            size,
            answer_from or "",
            hours or "",
            timezone or "UTC",
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "origins": " ".join(self.origins),
            "title": self.title,
            "greeting": self.greeting,
            "away": self.away,
            "file_bytes": str(self.file_bytes),
            "answer_from": self.answer_from,
            "hours": self.hours,
            "timezone": self.timezone,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, str]) -> ChatSettings:
        return cls(
            tuple(stored.get("origins", "").split()),
            stored.get("title") or TITLE,
            stored.get("greeting") or GREETING,
            stored.get("away") or AWAY,
            int(stored.get("file_bytes") or DEFAULT_FILE_BYTES),
            stored.get("answer_from", ""),
            stored.get("hours", ""),
            stored.get("timezone") or "UTC",
        )

    def allows(self, origin: str | None) -> bool:
        """Whether a page of `origin` may use the chat."""
        return origin is not None and origin.lower().rstrip("/") in self.origins


def origin_of(url: str) -> str:
    """A site as browsers name it in Origin: scheme, host and a port other than the
    scheme's own; ChatSettingsError for what is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChatSettingsError(f"--origin {url!r}: give a site as https://tokoku.id")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ChatSettingsError(f"--origin {url!r}: give the site alone, without a path")
    port = parts.port
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" if port in (None, default) else f"{parts.scheme}://{host}:{port}"

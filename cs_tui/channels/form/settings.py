"""A web form's settings: the sites that may post to it, where the customer goes after
sending it, the mailbox that takes it in and answers it, and how large a file may be."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from cs_tui.channels.chat.settings import DEFAULT_FILE_BYTES, ChatSettingsError, origin_of


class FormSettingsError(ValueError):
    """Settings that cannot work, saying which option to give."""


@dataclass(frozen=True, slots=True)
class FormSettings:
    mailbox: str
    """The email channel that takes the posts in: replies go by it."""
    origins: tuple[str, ...] = ()
    """The sites whose pages may post to it (`https://tokoku.id`); none: any."""
    redirect: str = ""
    """Where a browser goes once the form is sent; empty: our own thank-you page."""
    file_bytes: int = DEFAULT_FILE_BYTES

    @classmethod
    def parse(
        cls,
        *,
        mailbox: str,
        origins: Sequence[str] = (),
        redirect: str | None = None,
        file_mb: float | None = None,
    ) -> FormSettings:
        try:
            checked = tuple(dict.fromkeys(origin_of(each) for each in origins))
        except ChatSettingsError as error:
            raise FormSettingsError(str(error)) from None
        size = DEFAULT_FILE_BYTES if file_mb is None else int(file_mb * 1024 * 1024)
        if not 0 < size <= 100 * 1024 * 1024:
            raise FormSettingsError("--max-file-mb: give a size above 0 and at most 100")
        redirect = (redirect or "").strip()
        if redirect:
            parts = urlsplit(redirect)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FormSettingsError(
                    f"--redirect {redirect!r}: give a whole address, as https://tokoku.id/thanks"
                )
        return cls(mailbox, checked, redirect, size)

    def to_dict(self) -> dict[str, str]:
        return {
            "mailbox": self.mailbox,
            "origins": " ".join(self.origins),
            "redirect": self.redirect,
            "file_bytes": str(self.file_bytes),
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, str]) -> FormSettings:
        return cls(
            stored.get("mailbox", ""),
            tuple(stored.get("origins", "").split()),
            stored.get("redirect", ""),
            int(stored.get("file_bytes") or DEFAULT_FILE_BYTES),
        )

    def allows(self, origin: str | None) -> bool:
        """Whether a post from a page of `origin` is taken: any when no sites are set,
        and one that names no site (an old browser's plain form post)."""
        return not self.origins or origin is None or origin.lower().rstrip("/") in self.origins

"""What a Meta webhook delivery holds, the same for WhatsApp, Messenger and Instagram:
messages from customers and the delivery states of the shop's own messages, with what
could not be read said in words rather than dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cs_tui.channels.meta.settings import MetaKind
from cs_tui.domain.channels import DeliveryState


class PayloadError(ValueError):
    """A webhook delivery that cannot be read at all; the message says what was
    wrong."""


class ItemError(ValueError):
    """One entry, change or event of a delivery that cannot be read; the rest of the
    delivery still is."""


@dataclass(frozen=True, slots=True)
class MetaMedia:
    """A file a customer sent: WhatsApp gives a media id to download through the
    Graph API (within 7 days), Messenger and Instagram a URL that needs no token."""

    ref: str
    """The media id (WhatsApp) or the URL (Messenger, Instagram)."""
    kind: str
    """What Meta calls it: image, video, audio, document, sticker, file, ..."""
    mime_type: str = ""
    filename: str | None = None
    sha256: str | None = None
    """The file's SHA-256 as WhatsApp gives it (hex, or base64 in older payloads)."""

    @property
    def is_url(self) -> bool:
        return self.ref.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class MetaMessage:
    """A message from a customer. `sender_key` is who they are on the channel and
    stays the same (WhatsApp: the business-scoped user id when Meta gives one, else
    the phone number; Messenger and Instagram: the page- or Instagram-scoped id);
    `sender_phone` is the WhatsApp number when Meta still shares it."""

    kind: MetaKind
    business_id: str
    """The shop's number id (WhatsApp), Page id (Messenger) or Instagram account id it
    came to."""
    external_id: str
    """Meta's id of the message (wamid.… or mid.…): what makes taking it twice store
    it once."""
    sender_key: str
    sender_phone: str | None
    sender_name: str
    """The customer's profile name (WhatsApp); Messenger and Instagram send none."""
    timestamp: datetime
    text: str
    media: tuple[MetaMedia, ...] = ()
    reply_to: str | None = None
    """The external id of the message this one answers or reacts to, if any."""


@dataclass(frozen=True, slots=True)
class MetaStatus:
    """Where one of the shop's messages is: sent, delivered, read or failed (with why).
    Messenger also says "everything sent to this customer up to `up_to` was read" (a
    watermark): then `external_id` is None and `customer` says to whom."""

    kind: MetaKind
    business_id: str
    external_id: str | None
    state: DeliveryState
    timestamp: datetime
    reason: str = ""
    permanent: bool = False
    """For a failure: whether sending the same again cannot help."""
    customer: str | None = None
    up_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookContents:
    """Everything one webhook delivery held, from all its entries. `problems` says in
    words which items could not be read; the others are here."""

    kind: MetaKind
    messages: list[MetaMessage] = field(default_factory=list)
    statuses: list[MetaStatus] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def text_of(value: Any, what: str) -> str:
    """A string field that must be there."""
    if not isinstance(value, str) or not value:
        raise ItemError(f"{what} is missing")
    return value


def optional_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ItemError(f"{what} is not an object")
    return value


def part(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """An object inside another that may be left out: an empty one then."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def items(value: Any, what: str) -> list[Any]:
    """A list that may be left out (an empty one) but is a list when there."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ItemError(f"{what} is not a list")
    return value


def from_seconds(value: Any, what: str) -> datetime:
    """WhatsApp's timestamps: seconds since 1970, as a string."""
    return _moment(value, what, scale=1)


def from_milliseconds(value: Any, what: str) -> datetime:
    """Messenger's and Instagram's timestamps: milliseconds since 1970, as a number."""
    return _moment(value, what, scale=1000)


def _moment(value: Any, what: str, *, scale: int) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ItemError(f"{what} has no timestamp")
    text = str(value).strip()
    if not text.isdigit():
        raise ItemError(f"{what} has a timestamp that is not a number: {text[:40]!r}")
    try:
        return datetime.fromtimestamp(int(text) / scale, UTC)
    except (OverflowError, OSError, ValueError):
        raise ItemError(f"{what} has a timestamp out of range: {text[:40]!r}") from None

"""A raw mail, read as an agent needs it: who wrote, to whom, about what, in reply to
which messages, the text (from HTML when there is no plain part), the attachments,
and whether a person or a machine sent it. Real mail is read as it comes: any
charset (iso-8859-1 as windows-1252, which is what such mail really is), RFC 2047
and raw 8-bit headers, quoted-printable and base64, broken MIME. Reading never
fails on content: what cannot be decoded is replaced, and the raw bytes stay
the truth, kept beside the ticket."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from inscriptis import get_text

from cs_tui.channels.email.quotes import split_quoted
from cs_tui.domain.models import is_email_address
from cs_tui.domain.text import sanitize, sanitize_line

# Labels mail says that are not the charset it is in.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    content_id: str | None = None
    """The `cid:` an HTML part shows it by (an inline image)."""


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str
    """Where the sender asks answers to go ("" when they did not say): a shop's web
    form sends from its own address with the customer's here."""
    date: datetime | None
    text: str
    """What the sender wrote now, cleaned."""
    quoted: str
    """The history they quoted under it, for the conversation to fold."""
    attachments: tuple[Attachment, ...]
    automatic: str | None
    """Why a machine sent it (an auto-reply, a bounce, a list), or None: a person did."""

    @property
    def full_text(self) -> str:
        return f"{self.text}\n\n{self.quoted}" if self.quoted else self.text


def read_mail(raw: bytes) -> Mail:
    message = message_from_bytes(raw, policy=policy.default)
    from_name, from_address = _sender(message)
    text = _text_of(message)
    new, quoted = split_quoted(text)
    return Mail(
        message_id=next(iter(_ids(message, "Message-ID")), None),
        in_reply_to=_ids(message, "In-Reply-To"),
        references=_ids(message, "References"),
        subject=sanitize_line(_header(message, "Subject")),
        from_name=from_name,
        from_address=from_address,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        reply_to=next(iter(_addresses(message, "Reply-To")), ""),
        date=_date(message),
        text=new,
        quoted=quoted,
        attachments=tuple(_attachments(message)),
        automatic=automatic(message, from_address),
    )


def _header(message: Message, name: str) -> str:
    """A header as text: RFC 2047 decoded, and raw 8-bit bytes read as UTF-8, else
    windows-1252 (what mailers that send them use)."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except (ValueError, IndexError, TypeError, AttributeError):  # a header the parser cannot read
        text = _as_it_came(message, name) or ""
    if not text:
        return ""
    if "\ufffd" in text:  # raw 8-bit bytes, which the parser replaced: read them again
        text = _as_it_came(message, name) or text
    if any("\udc80" <= c <= "\udcff" for c in text):
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
    return text


def _as_it_came(message: Message, name: str) -> str | None:
    """A header's value before any parsing, 8-bit bytes kept (as surrogate escapes)."""
    return next((str(raw) for key, raw in message.raw_items() if key.lower() == name.lower()), None)


def _ids(message: Message, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MESSAGE_ID.findall(_header(message, name))))


def _sender(message: Message) -> tuple[str, str]:
    name, address = parseaddr(_header(message, "From"))
    address = sanitize_line(address).lower()
    return sanitize_line(name), address if is_email_address(address) else ""


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    found = getaddresses([_header(message, name)])
    cleaned = (sanitize_line(address).lower() for _, address in found)
    return tuple(dict.fromkeys(address for address in cleaned if is_email_address(address)))


def _date(message: Message) -> datetime | None:
    try:
        return parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return None


def _decoded(part: Message) -> str:
    """A text part's content, whatever charset it claims."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else str(part.get_payload()).encode("utf-8", "replace")
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        if charset == "utf-8":
            return data.decode("cp1252", "replace")
        return data.decode(charset, "replace")


def _text_of(message: Message) -> str:
    """The plain part, or the HTML part turned into readable text, cleaned."""
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html is None:
            html = _decoded(part)
    if plain is not None and plain.strip():
        text = plain
    elif html is not None:
        text = get_text(html)
    else:
        text = plain or ""
    lines = [line.rstrip() for line in sanitize(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _is_attachment(part: Message) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    return part.get_content_maintype() not in ("text", "multipart", "message") or (
        disposition == "inline" and part.get_filename() is not None
    )


def _attachments(message: Message) -> list[Attachment]:
    found: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart() or not _is_attachment(part):
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        content_id = _MESSAGE_ID.findall(str(part.get("Content-ID", "")))
        name = sanitize_line(part.get_filename() or "") or f"attachment-{len(found) + 1}"
        found.append(Attachment(name, part.get_content_type(), data, content_id[0] if content_id else None))
    return found


_BULK = {"bulk", "junk", "list", "auto_reply"}


def automatic(message: Message, from_address: str = "") -> str | None:
    """Why a machine sent the mail (RFC 3834 and what mailers say instead), or None.
    Such mail is kept on its ticket, but nothing answers it: that is how loops start."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if message.get_content_type() == "multipart/report":
        return "a delivery report (bounce)"
    local = from_address.partition("@")[0]
    if local in ("mailer-daemon", "postmaster"):
        return f"sent by {from_address}"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in _BULK:
        return f"Precedence: {precedence}"
    suppress = {value.strip().lower() for value in _header(message, "X-Auto-Response-Suppress").split(",")}
    if suppress & {"all", "oof", "dr", "rn", "nrn"}:
        return "X-Auto-Response-Suppress is set"
    for name in ("X-Autoreply", "X-Autorespond", "X-Loop", "List-Id", "List-Unsubscribe"):
        if _header(message, name):
            return f"{name} is set"
    return None

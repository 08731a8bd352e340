"""A bounce read: which mail of ours did not arrive, for which addresses, and why, in
words. Standard delivery reports (RFC 3464, as Postfix, Exchange and Gmail send
them) and the plain-text notices of mailers that send none (Exim's, and others
that paste the returned mail's headers as text). Never fails on content."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, message_from_string, policy
from email.message import Message
from email.utils import getaddresses, parseaddr

from cs_tui.channels.email.reading import _decoded, _header
from cs_tui.domain.models import is_email_address
from cs_tui.domain.text import sanitize_line


@dataclass(frozen=True, slots=True)
class Bounce:
    """Mail of ours that did not arrive. `permanent` False is a delay notice: the
    mailer still tries, so the address is not to be marked undeliverable yet, but
    the agent may want to know the customer has not had the reply."""

    original_message_id: str | None
    """The Message-ID of the mail that bounced (bare, as reading.py gives ids)."""
    recipients: tuple[str, ...]
    status: str
    """The enhanced status code (RFC 3463), like 5.1.1; X.0.0 when none is given."""
    reason: str
    permanent: bool


# What enhanced status codes mean, in an agent's words (RFC 3463 and RFC 5248).
_STATUS_WORDS = {
    "1.1": "the address does not exist",
    "1.2": "the domain of the address does not exist",
    "1.3": "the address is not written right",
    "1.6": "the address has moved",
    "1.10": "the domain does not take mail",
    "2.1": "the mailbox is disabled",
    "2.2": "the mailbox is full",
    "2.3": "the mail is too large for the mailbox",
    "3.4": "the mail is too large",
    "4.1": "the receiving server did not answer",
    "4.4": "the receiving server could not be found",
    "4.7": "the mail could not be delivered in time",
    "7.1": "the receiving server refused it",
    "7.26": "the receiving server could not verify it came from us (SPF/DKIM/DMARC)",
}
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY_CODE = re.compile(r"(?<![\d.])([45]\d\d)[ -]")
_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*Message-ID:[ \t]*<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Where a plain-text notice starts quoting the returned mail.
_COPY_STARTS = re.compile(
    r"^.*(?:original message|copy of the message|returned message|message headers|"
    r"undelivered message|pesan asli).*$",
    re.IGNORECASE | re.MULTILINE,
)
_DELAYED_WORDS = re.compile(
    r"not yet been delivered|delayed|will (?:continue|keep) (?:to )?try|still trying|being retried",
    re.IGNORECASE,
)
_FAILED_WORDS = re.compile(
    r"could not be delivered|couldn't be delivered|wasn't delivered|was not delivered|undeliverable|"
    r"delivery (?:has )?failed|permanent (?:error|failure)|address(?:\(es\))? failed|"
    r"tidak dapat dikirim|gagal",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon")


def read_bounce(raw: bytes) -> Bounce | None:
    """The bounce in a mail, or None when it is not one (a person's mail, an
    auto-reply, a report that the mail was delivered). A delay notice is a
    Bounce with `permanent` False."""
    message = message_from_bytes(raw, policy=policy.default)
    report = _delivery_status(message)
    if report is not None:
        return _from_report(message, report)
    if _from_a_mailer(message):
        return _from_notice(message)
    return None


def _delivery_status(message: Message) -> Message | None:
    """The message/delivery-status part of a report, if the mail is one."""
    if message.get_content_type() != "multipart/report":
        return None
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            return part
    return None


def _from_report(message: Message, report: Message) -> Bounce | None:
    """Reads the report's per-recipient fields: the failed ones are a bounce, the
    delayed ones a delay notice, delivered/relayed/expanded ones nothing."""
    failed: list[tuple[str, str, str]] = []
    delayed: list[tuple[str, str, str]] = []
    for fields in _field_blocks(report)[1:]:
        action = _header(fields, "Action").strip().lower()
        recipient = _recipient(_header(fields, "Final-Recipient") or _header(fields, "Original-Recipient"))
        found = _STATUS.search(_header(fields, "Status"))
        diagnostic = _header(fields, "Diagnostic-Code").partition(";")
        said = sanitize_line(diagnostic[2] if diagnostic[1] else diagnostic[0])
        if action == "failed":
            failed.append((recipient, found.group() if found else "5.0.0", said))
        elif action == "delayed":
            delayed.append((recipient, found.group() if found else "4.0.0", said))
    chosen, permanent = (failed, True) if failed else (delayed, False)
    if not chosen:
        return None
    _, status, said = chosen[0]
    recipients = tuple(dict.fromkeys(address for address, _, _ in chosen if address))
    return Bounce(_original_id(message), recipients, status, _reason(status, said, permanent), permanent)


def _field_blocks(report: Message) -> list[Message]:
    """The blocks of a delivery-status part: the per-message fields, then one block
    a recipient. The email package parses them as messages, or leaves a part it
    could not read (say, base64) as text, read here the same way."""
    payload = report.get_payload()
    if isinstance(payload, list) and all(isinstance(block, Message) for block in payload):
        return list(payload)
    text = _decoded(report) if not isinstance(payload, list) else ""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip("\n"))
    return [message_from_string(block + "\n", policy=policy.default) for block in blocks if block.strip()]


def _recipient(field: str) -> str:
    """`rfc822; budi@example.com` as the address."""
    kind, separator, value = field.partition(";")
    address = (value if separator else kind).strip().strip("<>").strip().lower()
    return address if is_email_address(address) else ""


def _from_a_mailer(message: Message) -> bool:
    """Whether a mail is a mailer's notice: from a mailer-daemon or postmaster, with
    the null sender, or with Exim's X-Failed-Recipients."""
    local = parseaddr(_header(message, "From"))[1].lower().partition("@")[0]
    return (
        local in _DAEMONS
        or _header(message, "Return-Path").strip() == "<>"
        or bool(_header(message, "X-Failed-Recipients").strip())
    )


def _from_notice(message: Message) -> Bounce | None:
    """A plain-text notice: the addresses and the status it names before it quotes
    the returned mail, and whether it says the mail failed or is delayed."""
    text = _notice_text(message)
    copy = _COPY_STARTS.search(text)
    notice = text[: copy.start()] if copy else text
    delayed = _DELAYED_WORDS.search(notice) is not None and _FAILED_WORDS.search(notice) is None
    found = _STATUS.search(notice)
    if found is None and _FAILED_WORDS.search(notice) is None and not delayed:
        return None  # a mailer's mail that is no bounce: a report, a warning, a reply
    permanent = not delayed and (found is None or found.group(1) == "5")
    status = found.group() if found else ("5.0.0" if permanent else "4.0.0")
    recipients = _failed_recipients(message, notice)
    return Bounce(
        _original_id(message, text), recipients, status, _reason(status, _said(notice), permanent), permanent
    )


def _notice_text(message: Message) -> str:
    """The notice's text parts, and any returned mail's headers as text."""
    texts = []
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/rfc822-headers"):
            texts.append(_decoded(part))
    if not texts:
        texts = [_decoded(part) for part in message.walk() if part.get_content_maintype() == "text"]
    return "\n".join(texts).replace("\r\n", "\n")


def _failed_recipients(message: Message, notice: str) -> tuple[str, ...]:
    named = [address for _, address in getaddresses([_header(message, "X-Failed-Recipients")])]
    if not any(named):
        ours = {
            parseaddr(_header(message, name))[1].lower() for name in ("From", "To", "Return-Path", "Sender")
        }
        without_ids = _MESSAGE_ID_LINE.sub("", notice)
        named = [address for address in _ADDRESS.findall(without_ids) if address.lower() not in ours]
    cleaned = (address.strip().lower() for address in named)
    return tuple(dict.fromkeys(address for address in cleaned if is_email_address(address)))


def _said(notice: str) -> str:
    """The server's own words in a notice: the line with a reply code or status, and
    the indented lines that go on with it."""
    lines = notice.split("\n")
    for number, line in enumerate(lines):
        if _REPLY_CODE.search(line) or _STATUS.search(line):
            said = [line]
            for more in lines[number + 1 :]:
                if not more.strip() or not more[:1].isspace():
                    break
                said.append(more)
            return sanitize_line(" ".join(said))[:500]
    return ""


def _original_id(message: Message, text: str = "") -> str | None:
    """The Message-ID of the returned mail: from the attached mail or its headers,
    else from the headers a notice pastes as text."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = _MESSAGE_ID_LINE.search(f"Message-ID: {_header(inner[0], 'Message-ID')}")
                if found:
                    return found.group(1)
        elif kind == "text/rfc822-headers":
            found = _MESSAGE_ID_LINE.search(_decoded(part))
            if found:
                return found.group(1)
    found = _MESSAGE_ID_LINE.search(text or _notice_text(message))
    return found.group(1) if found else None


def _reason(status: str, said: str, permanent: bool) -> str:
    """The status in words, then the receiving server's own."""
    _, _, detail = status.partition(".")
    words = _STATUS_WORDS.get(detail) or (
        "the mail could not be delivered" if permanent else "the mail is delayed; the mailer goes on trying"
    )
    if not permanent and detail in _STATUS_WORDS:
        words += "; the mailer goes on trying"
    return f"{words} ({said})" if said else words

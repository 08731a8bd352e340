"""The mail an agent's reply goes out as, and the automatic acknowledgement of a new
ticket: who it is from, the subject with the ticket's number, the headers that keep
it on the customer's thread, the headers that keep auto-responders from answering
it, and a UTF-8 body. Building a mail does no I/O; sending.py sends it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime

from cs_tui.channels.email.reading import Attachment
from cs_tui.domain.models import is_email_address
from cs_tui.domain.text import sanitize, sanitize_line
from cs_tui.domain.threads import subject_tag

# Our own Message-IDs start with this, so mail that carries one is known as ours.
_OURS = "cs-tui."
# Mail clients keep References short: the thread's first message and the latest ones.
MAX_REFERENCES = 20
# A Message-ID as reading.py gives it (no angle brackets), in printable ASCII, that
# fits on a header line (RFC 5322 allows 998 characters a line).
_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,900}")
_TAG = re.compile(r"\[#\d{1,15}\]")
# The same prefixes domain.threads.bare_subject strips, kept here because it also
# folds the case, which a subject shown to the customer must keep.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|balas|bls|teruskan|trs|aw|wg|sv|vs|tr|rv)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def new_message_id(domain: str) -> str:
    """A Message-ID for a mail we send, `cs-tui.<random>@<domain>`, without angle
    brackets as reading.py gives them; the domain is the mailbox address's."""
    return f"{_OURS}{secrets.token_hex(16)}@{_ascii_domain(domain)}"


def is_ours(message_id: str, domain: str) -> bool:
    """Whether a Message-ID is one of ours: mail coming in with it is our own mail
    come back (a loop), never a customer's."""
    bare = message_id.strip().strip("<>").lower()
    try:
        ours = _ascii_domain(domain)
    except ValueError:
        return False
    return bare.startswith(_OURS) and bare.endswith(f"@{ours}")


def reply_subject(subject: str, ticket_id: int) -> str:
    """`Re: <subject> [#123]`: the customer's subject as they wrote it, without the
    Re:/Balas: prefixes their clients added and without ticket tags, then the tag,
    so a client that drops the threading headers still threads."""
    return " ".join(part for part in ("Re:", plain_subject(subject), subject_tag(ticket_id)) if part)


def plain_subject(subject: str) -> str:
    """A subject without prefixes and ticket tags, on one line, in its own case."""
    text = _TAG.sub(" ", sanitize_line(subject))
    while True:
        stripped = _PREFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


def reference_chain(in_reply_to: str | None, earlier: Sequence[str]) -> tuple[str, ...]:
    """The References of a reply (RFC 5322 3.6.4): the customer's References, then
    the Message-ID answered; each once, ids that cannot be written dropped, and at
    most MAX_REFERENCES of them, keeping the thread's first and the latest."""
    chain = _message_ids([*earlier, *([in_reply_to] if in_reply_to else [])])
    if len(chain) <= MAX_REFERENCES:
        return chain
    return (chain[0], *chain[-(MAX_REFERENCES - 1) :])


def reply_mail(
    *,
    mailbox_address: str,
    agent_name: str,
    to_address: str,
    to_name: str,
    cc: Sequence[str],
    ticket_id: int,
    ticket_subject: str,
    body: str,
    message_id: str,
    in_reply_to: str | None,
    references: Sequence[str],
    attachments: Sequence[Attachment] = (),
    date: datetime | None = None,
) -> EmailMessage:
    """An agent's reply to a customer, from "Agent Name <mailbox address>", to the
    customer with the ticket's Cc, on the customer's thread. It tells Exchange and
    other auto-responders not to answer (X-Auto-Response-Suppress, X-Loop) but is
    not marked Auto-Submitted: a person wrote it. Names and subjects from customer
    text are put on one line, so they can never start a header of their own.

    Raises ValueError for an address that is not one address."""
    message = _mail(
        mailbox_address=mailbox_address,
        from_name=agent_name,
        to_address=to_address,
        to_name=to_name,
        cc=cc,
        subject=reply_subject(ticket_subject, ticket_id),
        message_id=message_id,
        in_reply_to=in_reply_to,
        earlier=references,
        date=date,
    )
    _set_body(message, body, attachments)
    return message


def acknowledgement_mail(
    *,
    mailbox_address: str,
    mailbox_name: str,
    to_address: str,
    to_name: str,
    ticket_id: int,
    ticket_subject: str,
    body: str,
    message_id: str,
    in_reply_to: str | None,
    references: Sequence[str],
    date: datetime | None = None,
) -> EmailMessage:
    """The automatic "we have your message" mail to whoever opened a ticket, on its
    thread. It is marked as RFC 3834 says an automatic answer is (Auto-Submitted:
    auto-replied), so that auto-responders and other helpdesks do not answer it,
    and goes to the sender only: a Cc'd address may be a machine as well. RFC 3834
    also asks for an empty envelope sender, so that a bounce of it goes nowhere;
    whoever sends it chooses that (sending.send_mail's `sender`). Precedence is
    not set: RFC 3834 does not define it, and Auto-Submitted is what mail
    software reads now."""
    message = _mail(
        mailbox_address=mailbox_address,
        from_name=mailbox_name,
        to_address=to_address,
        to_name=to_name,
        cc=(),
        subject=reply_subject(ticket_subject, ticket_id),
        message_id=message_id,
        in_reply_to=in_reply_to,
        earlier=references,
        date=date,
    )
    message["Auto-Submitted"] = "auto-replied"
    _set_body(message, body, ())
    return message


def _mail(
    *,
    mailbox_address: str,
    from_name: str,
    to_address: str,
    to_name: str,
    cc: Sequence[str],
    subject: str,
    message_id: str,
    in_reply_to: str | None,
    earlier: Sequence[str],
    date: datetime | None,
) -> EmailMessage:
    mailbox = _address(mailbox_address, "the mailbox's address")
    customer = _address(to_address, "the customer's address")
    message = EmailMessage(policy=email_policy.default)
    message["From"] = Address(display_name=sanitize_line(from_name), addr_spec=mailbox)
    message["To"] = Address(display_name=sanitize_line(to_name), addr_spec=customer)
    copied = [
        address
        for address in dict.fromkeys(_address(each, "a Cc address") for each in cc)
        if address not in (mailbox, customer)  # never a copy to ourselves: it would come back in
    ]
    if copied:
        message["Cc"] = [Address(addr_spec=address) for address in copied]
    message["Subject"] = subject
    message["Date"] = format_datetime(date or datetime.now().astimezone())
    own = _message_ids([message_id])
    if not own:
        raise ValueError(f"a Message-ID must be printable ASCII without spaces; got {message_id!r}")
    message["Message-ID"] = _IdsHeader("Message-ID", own)
    answered = _message_ids([in_reply_to] if in_reply_to else [])
    if answered:
        message["In-Reply-To"] = _IdsHeader("In-Reply-To", answered)
    chain = reference_chain(in_reply_to, earlier)
    if chain:
        message["References"] = _IdsHeader("References", chain)
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Loop"] = mailbox
    return message


def _set_body(message: EmailMessage, body: str, attachments: Iterable[Attachment]) -> None:
    """A text/plain UTF-8 body (the email package picks 7bit, 8bit, quoted-printable
    or base64 for what it holds), and any attachments after it."""
    text = sanitize(body).replace("\r\n", "\n")
    message.set_content(text if text.endswith("\n") else f"{text}\n", charset="utf-8")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not (maintype.isascii() and subtype.isascii() and maintype.strip() and subtype.strip()):
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            attachment.data,
            maintype=maintype.strip().lower(),
            subtype=subtype.strip().lower(),
            filename=sanitize_line(attachment.filename) or "attachment",
        )


def _address(text: str, what: str) -> str:
    address = text.strip()
    if not is_email_address(address):
        raise ValueError(f"{what} must be one address like budi@example.com; got {text!r}")
    return address


def _ascii_domain(domain: str) -> str:
    """A domain as a header can carry it: IDNA for a name in other scripts."""
    name = domain.strip().rstrip(".").lower()
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(f"{domain!r} is not a domain a Message-ID can carry") from error
    if not ascii_name or not _MESSAGE_ID.fullmatch(ascii_name) or "@" in ascii_name:
        raise ValueError(f"{domain!r} is not a domain a Message-ID can carry")
    return ascii_name


def _message_ids(ids: Iterable[str]) -> tuple[str, ...]:
    """Message-IDs bare (as reading.py gives them, brackets taken off if there), each
    once, in order; one that could not be written on a header line is left out."""
    bare = (each.strip().removeprefix("<").removesuffix(">") for each in ids)
    return tuple(dict.fromkeys(each for each in bare if _MESSAGE_ID.fullmatch(each)))


class _IdsHeader(str):
    """A header of Message-IDs, one a line. The email package (up to Python 3.13 at
    least) reads In-Reply-To and References as free text and writes an id longer
    than a line (Outlook's are) as RFC 2047 encoded words, which no mail client
    matches to a thread: this header folds itself, between ids only, whichever
    policy writes it (aiosmtplib flattens with its own)."""

    name: str
    ids: tuple[str, ...]

    def __new__(cls, name: str, ids: tuple[str, ...]) -> _IdsHeader:
        header = super().__new__(cls, " ".join(f"<{each}>" for each in ids))
        header.name = name
        header.ids = ids
        return header

    def fold(self, *, policy: Policy) -> str:
        separator = f"{policy.linesep} "
        return f"{self.name}: {separator.join(f'<{each}>' for each in self.ids)}{policy.linesep}"

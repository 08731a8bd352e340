"""A raw mail as the store takes it in: read (reading.py), its bounce recognised
(bounces.py), marked automatic when a machine sent it or it is our own mail come
back, answered where its sender asks (Reply-To), and its attachments kept only up
to the mailbox's size limit. The same for IMAP intake and `cs-tui mail import`."""

from __future__ import annotations

import hashlib

from cs_tui.channels.email.bounces import Bounce, read_bounce
from cs_tui.channels.email.reading import Mail, read_mail
from cs_tui.channels.email.writing import is_ours
from cs_tui.domain.channels import Inbound, InboundFile
from cs_tui.domain.text import file_size


def inbound_from_mail(
    raw: bytes,
    *,
    mailbox_address: str,
    max_mail_bytes: int,
    whole_size: int | None = None,
    dated: bool = False,
) -> Inbound:
    """`raw` as the store takes it in. Attachments are kept while they come to no
    more than `max_mail_bytes` together; past that the text is taken in with a word
    on where the whole mail is. `whole_size`, when `raw` is only the first part of
    a mail too large to fetch whole (see fetch_limit): its text is read as far as
    it came. `dated`: the message is placed at the mail's Date (an import of old
    mail), not now."""
    mail = read_mail(raw)
    bounce = read_bounce(raw)
    domain = mailbox_address.rpartition("@")[2]
    automatic = mail.automatic
    if automatic is None and mail.message_id and is_ours(mail.message_id, domain):
        automatic = "our own mail come back"
    files = tuple(InboundFile(each.filename, each.content_type, each.data) for each in mail.attachments)
    body = bounce_text(bounce) if bounce is not None else mail.text
    quoted = mail.full_text if bounce is not None else mail.quoted
    attached = sum(len(each.data) for each in files)
    if whole_size is not None or attached > max_mail_bytes:
        size = whole_size if whole_size is not None else attached
        body = f"{body}\n\n{_over_limit(size, max_mail_bytes, whole=whole_size is not None)}"
        files = ()
    return Inbound(
        external_id=mail.message_id,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender=_answer_to(mail, mailbox_address),
        sender_name=mail.from_name,
        subject=mail.subject,
        body=body,
        quoted=quoted,
        in_reply_to=mail.in_reply_to,
        references=mail.references,
        cc=tuple(address for address in mail.cc if address != mailbox_address.lower()),
        automatic=automatic,
        files=files,
        raw=raw if whole_size is None else b"",
        received_at=mail.date if dated and mail.date is not None and mail.date.tzinfo else None,
        bounced_id=bounce.original_message_id if bounce is not None else None,
        bounce_reason=bounce.reason if bounce is not None else "",
        bounce_permanent=bounce.permanent if bounce is not None else True,
    )


def bounce_text(bounce: Bounce) -> str:
    """What a bounce says, in a line for the agent."""
    who = ", ".join(bounce.recipients) or "the customer"
    if bounce.permanent:
        return f"The reply did not reach {who}: {bounce.reason}."
    return f"The reply has not reached {who} yet: {bounce.reason}. Their mail server is still trying."


def _answer_to(mail: Mail, mailbox_address: str) -> str:
    """Reply-To when the sender set one (and it is not us), else From."""
    if mail.reply_to and mail.reply_to != mailbox_address.lower():
        return mail.reply_to
    return mail.from_address


def fetch_limit(max_mail_bytes: int) -> int:
    """The largest mail fetched whole: attachments of `max_mail_bytes` grow by a
    third when encoded for mail, and the text and headers come on top."""
    return max_mail_bytes * 3 // 2


def _over_limit(size: int, limit: int, *, whole: bool) -> str:
    if whole:
        return (
            f"[This mail is {file_size(size)}, too large to take in whole here (the limit is "
            f"{file_size(limit)} of attachments): its attachments were not kept and its text may be "
            "cut short. The whole mail stays in the mailbox.]"
        )
    return (
        f"[Its attachments come to {file_size(size)}, over this mailbox's limit of {file_size(limit)}: "
        "they were not kept here. The whole mail stays in the mailbox.]"
    )

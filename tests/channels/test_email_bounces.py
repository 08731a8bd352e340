"""Bounces as mailers write them, built here as they do: Postfix's RFC 3464 report and
its delay notice, Exchange's report with the returned headers only, Exim's plain
text, Gmail's notice with the headers pasted as text. Each names our reply, the
address and why in words; mail that is no bounce is None; no bytes crash it."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.channels.email.bounces import Bounce, read_bounce
from cs_tui.channels.email.writing import is_ours, reply_mail

OUR_ID = "cs-tui.5f2c9a@tokoku.example"


def our_reply(to: str = "budi@example.invalid") -> bytes:
    return reply_mail(
        mailbox_address="cs@tokoku.example",
        agent_name="Sari Wulandari",
        to_address=to,
        to_name="Budi",
        cc=[],
        ticket_id=123,
        ticket_subject="Pesanan belum sampai",
        body="Halo Kak, paketnya sudah dikirim. 🙏",
        message_id=OUR_ID,
        in_reply_to="m2@mail.example.com",
        references=[],
    ).as_bytes(policy=SMTP)


def postfix_report(
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <budi@example.invalid>: Recipient address\r\n"
    "    rejected: User unknown in virtual mailbox table",
    subject: str = "Undelivered Mail Returned to Sender",
    returned: str = "message/rfc822",
    original: bytes | None = None,
) -> bytes:
    """What Postfix's bounce daemon writes (bounce_notify_util.c): a notice, the
    report, and the returned mail (`original`, or a reply of ours)."""
    original = original or our_reply()
    if returned == "text/rfc822-headers":
        original = original.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    boundary = "A1B2C3D4.1764730802/mx.tokoku.example"
    return (
        (
            "Return-Path: <>\r\n"
            "Date: Thu,  3 Dec 2026 10:00:02 +0700 (WIB)\r\n"
            "From: MAILER-DAEMON@mx.tokoku.example (Mail Delivery System)\r\n"
            f"Subject: {subject}\r\n"
            "To: cs@tokoku.example\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            f'\tboundary="{boundary}"\r\n'
            "Content-Transfer-Encoding: 8bit\r\n"
            "Message-Id: <20261203030002.A1B2C3D4@mx.tokoku.example>\r\n"
            "\r\n"
            "This is a MIME-encapsulated message.\r\n"
            "\r\n"
            f"--{boundary}\r\n"
            "Content-Description: Notification\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n"
            "This is the mail system at host mx.tokoku.example.\r\n"
            "\r\n"
            "I'm sorry to have to inform you that your message could not\r\n"
            "be delivered to one or more recipients. It's attached below.\r\n"
            "\r\n"
            "<budi@example.invalid>: host mx.example.invalid[192.0.2.10] said: 550 5.1.1\r\n"
            "    <budi@example.invalid>: Recipient address rejected: User unknown (in reply\r\n"
            "    to RCPT TO command)\r\n"
            "\r\n"
            f"--{boundary}\r\n"
            "Content-Description: Delivery report\r\n"
            "Content-Type: message/delivery-status\r\n"
            "\r\n"
            "Reporting-MTA: dns; mx.tokoku.example\r\n"
            "X-Postfix-Queue-ID: A1B2C3D4\r\n"
            "X-Postfix-Sender: rfc822; cs@tokoku.example\r\n"
            "Arrival-Date: Thu,  3 Dec 2026 10:00:01 +0700 (WIB)\r\n"
            "\r\n"
            "Final-Recipient: rfc822; budi@example.invalid\r\n"
            "Original-Recipient: rfc822;budi@example.invalid\r\n"
            f"Action: {action}\r\n"
            f"Status: {status}\r\n"
            "Remote-MTA: dns; mx.example.invalid\r\n"
            f"Diagnostic-Code: {diagnostic}\r\n"
            "\r\n"
            f"--{boundary}\r\n"
            "Content-Description: Undelivered Message\r\n"
            f"Content-Type: {returned}\r\n"
            "Content-Transfer-Encoding: 8bit\r\n"
            "\r\n"
        ).encode()
        + original
        + f"\r\n--{boundary}--\r\n".encode()
    )


def exim_bounce() -> bytes:
    """Exim's default bounce: plain text, X-Failed-Recipients, the mail pasted under it."""
    return (
        b"Return-path: <>\r\n"
        b"From: Mail Delivery System <Mailer-Daemon@mx.hosting.example>\r\n"
        b"To: cs@tokoku.example\r\n"
        b"Subject: Mail delivery failed: returning message to sender\r\n"
        b"Message-Id: <E1kXyZ-0001Ab-Cd@mx.hosting.example>\r\n"
        b"X-Failed-Recipients: budi@example.invalid\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"Date: Thu, 03 Dec 2026 10:00:02 +0700\r\n"
        b"\r\n"
        b"This message was created automatically by mail delivery software.\r\n"
        b"\r\n"
        b"A message that you sent could not be delivered to one or more of its\r\n"
        b"recipients. This is a permanent error. The following address(es) failed:\r\n"
        b"\r\n"
        b"  budi@example.invalid\r\n"
        b"    host mx.example.invalid [192.0.2.10]\r\n"
        b"    SMTP error from remote mail server after RCPT TO:<budi@example.invalid>:\r\n"
        b"    550 5.2.2 <budi@example.invalid>: mailbox full\r\n"
        b"\r\n"
        b"------ This is a copy of the message, including all the headers. ------\r\n"
        b"\r\n"
    ) + our_reply()


def gmail_style_notice() -> bytes:
    """A notice as Gmail's reads, with the returned mail's headers pasted as text
    under "Original message", and an HTML twin."""
    headers = our_reply().split(b"\r\n\r\n", 1)[0].decode()
    text = (
        "** Address not found **\n\n"
        "Your message wasn't delivered to budi@example.invalid because the address couldn't be "
        "found, or is unable to receive mail.\n\n"
        "The response from the remote server was:\n"
        "550 5.1.1 The email account that you tried to reach does not exist. - gsmtp\n\n"
        "----- Original message -----\n\n" + headers.replace("\r\n", "\n") + "\n"
    )
    notice = EmailMessage()
    notice["From"] = "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    notice["To"] = "cs@tokoku.example"
    notice["Subject"] = "Delivery Status Notification (Failure)"
    notice.set_content(text)
    notice.add_alternative(f"<html><body><pre>{text}</pre></body></html>", subtype="html")
    return notice.as_bytes(policy=SMTP)


def test_a_postfix_report_names_our_reply_the_address_and_why() -> None:
    bounce = read_bounce(postfix_report())
    assert bounce == Bounce(
        original_message_id=OUR_ID,
        recipients=("budi@example.invalid",),
        status="5.1.1",
        reason="the address does not exist (550 5.1.1 <budi@example.invalid>: Recipient address "
        "rejected: User unknown in virtual mailbox table)",
        permanent=True,
    )
    assert is_ours(bounce.original_message_id or "", "tokoku.example")


def test_a_report_with_the_returned_headers_only_names_our_reply() -> None:
    # Exchange and others return text/rfc822-headers, not the whole mail.
    bounce = read_bounce(
        postfix_report(
            status="5.7.1",
            diagnostic="smtp;550 5.7.1 RESOLVER.RST.AuthRequired; authentication required",
            subject="Undeliverable: Re: Pesanan belum sampai [#123]",
            returned="text/rfc822-headers",
        )
    )
    assert bounce is not None
    assert bounce.original_message_id == OUR_ID
    assert bounce.status == "5.7.1"
    assert bounce.reason == (
        "the receiving server refused it (550 5.7.1 RESOLVER.RST.AuthRequired; authentication required)"
    )
    assert bounce.permanent


def test_a_delay_notice_is_no_permanent_bounce() -> None:
    bounce = read_bounce(
        postfix_report(
            action="delayed",
            status="4.4.1",
            diagnostic="X-Postfix; connect to mx.example.invalid[192.0.2.10]:25: Connection timed out",
            subject="Delayed Mail (still being retried)",
        )
    )
    assert bounce is not None
    assert not bounce.permanent
    assert bounce.recipients == ("budi@example.invalid",)
    assert bounce.original_message_id == OUR_ID
    assert bounce.reason.startswith("the receiving server did not answer; the mailer goes on trying (connect")


def test_a_report_that_the_mail_was_delivered_is_no_bounce() -> None:
    assert read_bounce(postfix_report(action="delivered", status="2.0.0", diagnostic="smtp; 250 ok")) is None


def test_an_exim_bounce_in_plain_text() -> None:
    assert read_bounce(exim_bounce()) == Bounce(
        original_message_id=OUR_ID,
        recipients=("budi@example.invalid",),
        status="5.2.2",
        reason="the mailbox is full (550 5.2.2 <budi@example.invalid>: mailbox full)",
        permanent=True,
    )


def test_a_gmail_style_notice_with_the_headers_as_text() -> None:
    bounce = read_bounce(gmail_style_notice())
    assert bounce is not None
    assert bounce.original_message_id == OUR_ID
    assert bounce.recipients == ("budi@example.invalid",)
    assert bounce.status == "5.1.1"
    assert bounce.permanent
    assert bounce.reason.startswith("the address does not exist (550 5.1.1 The email account")


def test_an_exim_delay_warning_is_no_permanent_bounce() -> None:
    warning = (
        b"From: Mail Delivery System <Mailer-Daemon@mx.hosting.example>\r\n"
        b"To: cs@tokoku.example\r\n"
        b"Subject: Warning: message 1kXyZ-0001Ab-Cd delayed 24 hours\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"\r\n"
        b"This message was created automatically by mail delivery software.\r\n"
        b"A message that you sent has not yet been delivered to one or more of its\r\n"
        b"recipients after more than 24 hours on the queue on mx.hosting.example.\r\n"
        b"\r\n"
        b"  budi@example.invalid\r\n"
        b"    Delay reason: SMTP error from remote mail server after RCPT TO:<budi@example.invalid>:\r\n"
        b"    451 4.7.1 Greylisted, please try again later\r\n"
        b"\r\n"
        b"The message identifier is:     1kXyZ-0001Ab-Cd\r\n"
        b"Message-ID: <" + OUR_ID.encode() + b">\r\n"
    )
    bounce = read_bounce(warning)
    assert bounce is not None
    assert not bounce.permanent
    assert bounce.status == "4.7.1"
    assert bounce.recipients == ("budi@example.invalid",)
    assert bounce.original_message_id == OUR_ID


@pytest.mark.parametrize(
    "raw",
    [
        our_reply(),
        b"From: Budi <budi@example.com>\r\nSubject: Re: Pesanan\r\n\r\n"
        b"Kak, email saya ke toko lain gagal: 550 5.1.1 user unknown. Message-ID: <x@y.example>\r\n",
        b"From: Budi <budi@example.com>\r\nSubject: Saya sedang cuti\r\nAuto-Submitted: auto-replied\r\n\r\n"
        b"Saya sedang cuti sampai 10 Desember.\r\n",
        b"From: postmaster@tokoku.example\r\nSubject: Laporan mingguan\r\n\r\nSemua berjalan normal.\r\n",
        b"",
    ],
    ids=["our-reply", "customer-quotes-an-error", "vacation", "postmaster-report", "empty"],
)
def test_mail_that_is_no_bounce_is_none(raw: bytes) -> None:
    assert read_bounce(raw) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_read_without_a_crash(raw: bytes) -> None:
    read_bounce(raw)


REPORT = postfix_report()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(REPORT)), st.integers(0, 200), st.binary(max_size=40)), max_size=8)
)
def test_a_report_broken_anywhere_reads_without_a_crash(edits: list[tuple[int, int, bytes]]) -> None:
    raw = REPORT
    for at, cut, inserted in edits:
        raw = raw[:at] + inserted + raw[at + cut :]
    bounce = read_bounce(raw)
    assert bounce is None or isinstance(bounce.reason, str)

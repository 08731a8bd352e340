"""Mail as a real IMAP server (Dovecot) keeps and hands it back: put in with APPEND,
as a mail client's sent mail arrives, fetched without marking it read, and read as
the agent will see it."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from imap_tools import MailBoxUnencrypted, MailMessageFlags

from cs_tui.channels.email.reading import read_mail

from ..mailserver import Mailbox

pytestmark = pytest.mark.slow


def gmail_reply_in_indonesian() -> bytes:
    message = EmailMessage()
    message["From"] = "Budi Santoso <budi@example.com>"
    message["To"] = "cs@tokoku.example"
    message["Subject"] = "Re: Pesanan belum sampai [#12]"
    message["Message-ID"] = "<balas-1@mail.example.com>"
    message["In-Reply-To"] = "<r1@tokoku.example>"
    message.set_content(
        "Baik, saya tunggu.\n\nPada Rab, 2 Des 2026 pukul 10.00 CS Tokoku <cs@tokoku.example>\n"
        "menulis:\n> Paket sedang dikirim ulang.\n"
    )
    return message.as_bytes()


def latin1_outlook() -> bytes:
    return (
        b"From: =?iso-8859-1?Q?Andr=E9?= <andre@example.fr>\r\nTo: cs@tokoku.example\r\n"
        b"Subject: =?iso-8859-1?Q?R=E9servation?=\r\nMessage-ID: <o1@example.fr>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Merci =93beaucoup=94 =80\r\n"
    )


def html_only() -> bytes:
    message = EmailMessage()
    message["From"] = "promo@marketplace.example"
    message["Subject"] = "Pesanan dikirim"
    message["Message-ID"] = "<h1@marketplace.example>"
    message["Precedence"] = "bulk"
    message.set_content("<p>Pesanan <b>TN123</b> sudah dikirim.</p>", subtype="html")
    return message.as_bytes()


def test_mail_fetched_from_dovecot_reads_as_the_agent_needs_and_stays_unread(served: Mailbox) -> None:
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password) as box:
        for raw in (gmail_reply_in_indonesian(), latin1_outlook(), html_only()):
            box.append(raw, "INBOX", flag_set=[])
        status = box.folder.status("INBOX")
        assert status["MESSAGES"] == 3
        assert status["UIDVALIDITY"] > 0
        fetched = list(box.fetch(mark_seen=False))
        read = [read_mail(message.obj.as_bytes()) for message in fetched]
        flags = [message.flags for message in box.fetch(mark_seen=False)]

    reply, outlook, promo = read
    assert (reply.from_address, reply.in_reply_to) == ("budi@example.com", ("r1@tokoku.example",))
    assert (reply.text, reply.quoted.startswith("Pada Rab")) == ("Baik, saya tunggu.", True)
    assert (outlook.from_name, outlook.subject, outlook.text) == (
        "André",
        "Réservation",
        "Merci “beaucoup” €",
    )
    assert promo.text == "Pesanan TN123 sudah dikirim."
    assert promo.automatic == "Precedence: bulk"
    assert all(MailMessageFlags.SEEN not in found for found in flags)  # fetched, not marked read

"""An agent's reply sent to a real SMTP server (aiosmtpd on a loopback port): it
arrives with every header and its UTF-8 text, over STARTTLS and implicit TLS with
a test CA too; each refusal and breakdown is told apart as may-pass or will-not,
in words an agent understands."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from cs_tui.channels.email.sending import (
    PermanentFailure,
    Sent,
    SmtpSettings,
    TemporaryFailure,
    send_mail,
)
from cs_tui.channels.email.writing import reply_mail
from cs_tui.domain.channels import GIVE_UP_AFTER, retry_delay

from ..mailserver import SmtpSink, free_port
from ..mailserver import smtp_server as mail_smtp_server

# Sign-in without TLS is what these loopback tests want; aiosmtpd warns of it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

OUTLOOK_ID = "SEZPR06MB6954A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8@SEZPR06MB6954.apcprd06.prod.outlook.com"
BODY = "Halo Kak Budi,\n\nMohon maaf atas keterlambatannya – paket dikirim ulang hari ini. 🙏\n"


def only_toko(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    """aiosmtpd's authenticator. handled=False: aiosmtpd answers a refusal itself
    (535); by default it leaves that to the authenticator and the client waits."""
    assert isinstance(data, LoginPassword)
    return AuthResult(success=(data.login, data.password) == (b"toko", b"rahasia-toko"), handled=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """Starts aiosmtpd on a free loopback port with the given options; stops it after."""
    with ExitStack() as started:

        def start(sink: SmtpSink | None = None, **options: Any) -> tuple[int, SmtpSink]:
            return started.enter_context(mail_smtp_server(sink, **options))

        yield start


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def reply(**changes: Any) -> EmailMessage:
    options: dict[str, Any] = {
        "mailbox_address": "cs@tokoku.example",
        "agent_name": "Dewi Ayu Lestari – CS",
        "to_address": "budi@example.com",
        "to_name": "Budi Santoso",
        "cc": ["siti@example.com"],
        "ticket_id": 123,
        "ticket_subject": "RE: Balas: Pesanan belum sampai",
        "body": BODY,
        "message_id": "cs-tui.abc@tokoku.example",
        "in_reply_to": OUTLOOK_ID,
        "references": ["t0@tokoku.example"],
    }
    options.update(changes)
    return reply_mail(**options)


async def send(port: int, message: EmailMessage | None = None, **changes: Any) -> Sent:
    options: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": "plain", "timeout": 5.0}
    recipients = changes.pop("recipients", ["budi@example.com", "siti@example.com"])
    options.update(changes)
    return await send_mail(
        SmtpSettings(**options), message or reply(), sender="cs@tokoku.example", recipients=recipients
    )


async def test_a_reply_arrives_with_every_header_and_its_text(smtp_server: Any) -> None:
    port, sink = smtp_server()
    sent = await send(port)
    assert sent == Sent("2.0.0 Ok: queued as 4F1A2B3C")
    [envelope] = sink.received
    assert envelope.mail_from == "cs@tokoku.example"
    assert envelope.rcpt_tos == ["budi@example.com", "siti@example.com"]
    assert isinstance(envelope.content, bytes)
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["From"].addresses[0].display_name == "Dewi Ayu Lestari – CS"
    assert mail["From"].addresses[0].addr_spec == "cs@tokoku.example"
    assert str(mail["To"]) == "Budi Santoso <budi@example.com>"
    assert str(mail["Cc"]) == "siti@example.com"
    assert str(mail["Subject"]) == "Re: Pesanan belum sampai [#123]"
    assert str(mail["Message-ID"]) == "<cs-tui.abc@tokoku.example>"
    assert str(mail["In-Reply-To"]) == f"<{OUTLOOK_ID}>"
    assert str(mail["References"]).split() == ["<t0@tokoku.example>", f"<{OUTLOOK_ID}>"]
    assert str(mail["X-Loop"]) == "cs@tokoku.example"
    assert str(mail["X-Auto-Response-Suppress"]) == "All"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == BODY


async def test_one_address_refused_among_others_is_named_and_the_rest_get_it(smtp_server: Any) -> None:
    port, sink = smtp_server(
        SmtpSink(answers={"siti@example.com": "550 5.1.1 <siti@example.com>: no such user"})
    )
    sent = await send(port)
    assert sent.refused == {"siti@example.com": "550 5.1.1 <siti@example.com>: no such user"}
    assert sent.deferred == {}
    assert [envelope.rcpt_tos for envelope in sink.received] == [["budi@example.com"]]


async def test_one_address_greylisted_among_others_is_deferred(smtp_server: Any) -> None:
    port, _ = smtp_server(SmtpSink(answers={"siti@example.com": "450 4.2.0 greylisted, try again later"}))
    sent = await send(port)
    assert sent.deferred == {"siti@example.com": "450 4.2.0 greylisted, try again later"}
    assert sent.refused == {}


async def test_the_only_address_refused_is_a_permanent_failure_in_words(smtp_server: Any) -> None:
    port, sink = smtp_server(SmtpSink(answers={"budi@example.invalid": "550 5.1.1 no such user"}))
    with pytest.raises(PermanentFailure) as failed:
        await send(port, reply(to_address="budi@example.invalid", cc=[]), recipients=["budi@example.invalid"])
    assert (
        failed.value.reason
        == "the mail server refused the address budi@example.invalid: 550 5.1.1 no such user"
    )
    assert sink.received == []


async def test_a_server_that_says_try_later_is_a_temporary_failure(smtp_server: Any) -> None:
    answers = {"budi@example.com": "451 4.3.0 mailbox busy", "siti@example.com": "550 5.1.1 no such user"}
    port, _ = smtp_server(SmtpSink(answers=answers))
    with pytest.raises(TemporaryFailure) as failed:
        await send(port)
    assert failed.value.reason == (
        "the mail server refused every address: budi@example.com (451 4.3.0 mailbox busy); "
        "siti@example.com (550 5.1.1 no such user)"
    )


async def test_nothing_listening_is_a_temporary_failure() -> None:
    port = free_port()
    with pytest.raises(TemporaryFailure) as failed:
        await send(port)
    assert failed.value.reason == f"could not reach 127.0.0.1:{port} (connection refused)"


async def test_a_mail_too_large_for_the_server_is_refused_in_words(smtp_server: Any) -> None:
    port, sink = smtp_server(data_size_limit=2000)
    with pytest.raises(PermanentFailure) as failed:
        await send(port, reply(body="Foto paket terlampir.\n" + "x" * 5000))
    assert failed.value.reason.startswith("the mail server refused the mail as too large (552 ")
    assert sink.received == []


async def test_starttls_with_the_shops_ca(smtp_server: Any, ca: trustme.CA) -> None:
    port, sink = smtp_server(tls_context=server_context(ca), require_starttls=True)
    await send(port, security="starttls", tls_context=client_context(ca))
    assert len(sink.received) == 1


async def test_implicit_tls_with_the_shops_ca(smtp_server: Any, ca: trustme.CA) -> None:
    port, sink = smtp_server(ssl_context=server_context(ca))
    await send(port, security="tls", tls_context=client_context(ca))
    assert len(sink.received) == 1


async def test_a_server_without_starttls_is_never_sent_to_unencrypted(smtp_server: Any) -> None:
    port, sink = smtp_server()
    with pytest.raises(PermanentFailure, match="does not offer STARTTLS"):
        await send(port, security="starttls")
    assert sink.received == []


async def test_a_certificate_from_an_unknown_ca_is_said(smtp_server: Any, ca: trustme.CA) -> None:
    port, sink = smtp_server(ssl_context=server_context(ca))
    with pytest.raises(TemporaryFailure, match=r"certificate .* is not trusted"):
        await send(port, security="tls", tls_context=ssl.create_default_context())
    assert sink.received == []


async def test_the_right_password_signs_in(smtp_server: Any) -> None:
    port, sink = smtp_server(authenticator=only_toko, auth_required=True, auth_require_tls=False)
    await send(port, username="toko", password="rahasia-toko")
    assert len(sink.received) == 1


async def test_a_wrong_password_is_a_permanent_failure_that_says_so(smtp_server: Any) -> None:
    port, sink = smtp_server(authenticator=only_toko, auth_required=True, auth_require_tls=False)
    with pytest.raises(PermanentFailure) as failed:
        await send(port, username="toko", password="salah")
    assert failed.value.reason.startswith("the mail server refused the password for toko (535 ")
    assert "salah" not in failed.value.reason
    assert sink.received == []


async def test_a_server_that_needs_sign_in_refuses_the_sender_without_it(smtp_server: Any) -> None:
    port, _ = smtp_server(authenticator=only_toko, auth_required=True, auth_require_tls=False)
    with pytest.raises(
        PermanentFailure, match=r"^the mail server refused to send from cs@tokoku.example: 530"
    ):
        await send(port)


def test_tries_come_sooner_first_then_hourly_until_given_up() -> None:
    delays = [retry_delay(attempt) for attempt in range(1, 8)]
    assert delays[:4] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(minutes=30),
    ]
    assert delays[4:] == [timedelta(hours=1)] * 3
    assert retry_delay(0) == timedelta(seconds=30)
    assert retry_delay(10_000) == timedelta(hours=1)
    assert timedelta(days=2) == GIVE_UP_AFTER


async def test_a_server_that_offers_no_sign_in_is_said(smtp_server: Any) -> None:
    port, sink = smtp_server()
    with pytest.raises(PermanentFailure, match=r"offers no sign-in \(AUTH\) here, so it cannot send as toko"):
        await send(port, username="toko", password="rahasia-toko")
    assert sink.received == []


async def test_a_server_that_never_answers_is_a_temporary_failure() -> None:
    with socket.socket() as silent:  # takes the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(TemporaryFailure) as failed:
            await send(port, timeout=0.3)
    assert failed.value.reason == f"the mail server on 127.0.0.1:{port} did not answer within 0.3 s"


async def test_an_acknowledgement_goes_with_the_null_sender(smtp_server: Any) -> None:
    port, sink = smtp_server()
    settings = SmtpSettings("127.0.0.1", port, "plain", timeout=5.0)
    await send_mail(settings, reply(cc=[]), sender="", recipients=["budi@example.com"])
    assert [envelope.mail_from for envelope in sink.received] == ["<>"]

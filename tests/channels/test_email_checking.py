"""`channel check` for a mailbox against real servers: Dovecot (plain, STARTTLS and
implicit TLS with a test CA) and aiosmtpd on loopback ports. What works is said,
what does not is told apart in words, the password never shows, and the check
changes nothing on either server."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imap_tools import MailBoxUnencrypted

from cs_tui.channels.email.checking import CheckLine, check_mailbox
from cs_tui.channels.email.settings import MailboxSettings

from ..mailserver import Mailbox, SmtpSink, dovecot, free_port
from ..mailserver import smtp_server as mail_smtp_server

pytestmark = pytest.mark.slow

PASSWORD = "rahasia-toko"  # the one tests/mailserver.py gives Dovecot's user


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def served(ca: trustme.CA) -> Iterator[Mailbox]:
    """One Dovecot for the module (a check changes nothing, and the tests show it):
    two mails in INBOX, an Archive folder, STARTTLS on its port and imaps on another."""
    with dovecot(ca.issue_cert("127.0.0.1", "localhost")) as mailbox:
        with MailBoxUnencrypted(mailbox.host, mailbox.port).login(mailbox.user, mailbox.password) as box:
            for number in (1, 2):
                mail = EmailMessage()
                mail["From"], mail["Subject"] = "budi@example.com", f"Pesanan {number}"
                mail.set_content("Halo")
                box.append(mail.as_bytes(), "INBOX", flag_set=[])
            box.folder.create("Archive")
        yield mailbox


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "toko-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def only_the_shop(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    """aiosmtpd's authenticator: the shop's user with the same password as at Dovecot."""
    assert isinstance(data, LoginPassword)
    # handled=False: aiosmtpd then answers 535 itself; its default (True) means the
    # authenticator has answered, and a refusal would leave the client waiting.
    return AuthResult(success=(data.login, data.password) == (b"toko", PASSWORD.encode()), handled=False)


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """Starts aiosmtpd on a free loopback port with the given options; stops it after."""
    with ExitStack() as started:

        def start(sink: SmtpSink | None = None, **options: Any) -> tuple[int, SmtpSink]:
            return started.enter_context(mail_smtp_server(sink, **options))

        yield start


def server_context(certificate: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    return context


def settings(imap: str, smtp: str, **changes: Any) -> MailboxSettings:
    options: dict[str, Any] = {"address": "cs@toko.example", "password_env": "TOKO_MAIL"}
    options.update(changes)
    return MailboxSettings.parse(imap=imap, smtp=smtp, **options)


def by_what(lines: list[CheckLine]) -> dict[str, CheckLine]:
    return {line.what: line for line in lines}


@pytest.fixture
def plain_smtp(smtp_server: Any) -> tuple[int, SmtpSink]:
    port, sink = smtp_server(authenticator=only_the_shop, auth_require_tls=False)
    return port, sink


async def test_the_right_password_signs_in_to_both_and_nothing_changes(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink]
) -> None:
    smtp_port, sink = plain_smtp
    mailbox = settings(
        f"imap://{served.user}@{served.host}:{served.port}/INBOX", f"smtp://toko@127.0.0.1:{smtp_port}"
    )
    lines = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": served.password}))
    imap = lines["IMAP"]
    assert imap.ok, imap
    assert imap.said == (
        f"imap://toko@127.0.0.1:{served.port}: unencrypted (this machine only), signed in as toko; "
        "IDLE and MOVE supported"
    )
    assert lines["IMAP folder"].ok
    assert lines["IMAP folder"].said.startswith("INBOX has 2 mails; UIDVALIDITY ")
    assert lines["processed folder"] == CheckLine(
        True,
        "processed folder",
        "cs-tui-processed does not exist yet: cs-tui creates it on its first run (a check changes nothing)",
    )
    assert lines["SMTP"].ok, lines["SMTP"]
    assert lines["SMTP"].said.startswith(
        f"smtp://toko@127.0.0.1:{smtp_port}: unencrypted (this machine only), signed in as toko"
    )
    assert lines["SMTP sender"] == CheckLine(
        True, "SMTP sender", "sending from cs@toko.example is accepted (nothing was sent)"
    )
    assert sink.received == []
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password) as box:
        assert sorted(folder.name for folder in box.folder.list()) == ["Archive", "INBOX"]
        assert len(list(box.fetch(mark_seen=False))) == 2
        assert all("\\Seen" not in mail.flags for mail in box.fetch(mark_seen=False))


async def test_a_wrong_password_is_told_in_words_and_never_shown(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink]
) -> None:
    mailbox = settings(f"imap://toko@127.0.0.1:{served.port}", f"smtp://toko@127.0.0.1:{plain_smtp[0]}")
    lines = await check_mailbox(mailbox, environ={"TOKO_MAIL": "salah-Sandi-42"})
    found = by_what(lines)
    assert not found["IMAP"].ok
    assert found["IMAP"].said.startswith(
        "the IMAP server refused the password for toko ([AUTHENTICATIONFAILED] Authentication failed.): "
        "check the password in the environment variable TOKO_MAIL; Gmail and Yahoo need an app password"
    )
    assert not found["SMTP"].ok
    assert set(found) == {"IMAP", "SMTP"}, "nothing past a refused sign-in is tried"
    assert all("salah-Sandi-42" not in line.said for line in lines)


async def test_a_folder_that_does_not_exist_is_named_with_those_that_do(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink]
) -> None:
    mailbox = settings(
        f"imap://toko@127.0.0.1:{served.port}/Support", f"smtp://toko@127.0.0.1:{plain_smtp[0]}"
    )
    found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": served.password}))
    assert found["IMAP"].ok
    assert found["IMAP folder"] == CheckLine(
        False,
        "IMAP folder",
        "there is no folder Support for toko; the folders are: INBOX, Archive. Write the one new mail "
        f"arrives in after the port, as in imap://toko@127.0.0.1:{served.port}/INBOX",
    )


async def test_a_processed_folder_already_there_is_said_to_be(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink]
) -> None:
    mailbox = settings(
        f"imap://toko@127.0.0.1:{served.port}",
        f"smtp://toko@127.0.0.1:{plain_smtp[0]}",
        processed_folder="Archive",
    )
    found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": served.password}))
    assert found["processed folder"] == CheckLine(True, "processed folder", "Archive exists and has 0 mails")


async def test_nothing_listening_is_told_for_both_servers() -> None:
    imap_port, smtp_port = free_port(), free_port()
    mailbox = settings(f"imap://toko@127.0.0.1:{imap_port}", f"smtp://toko@127.0.0.1:{smtp_port}")
    found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": "x"}))
    assert found["IMAP"] == CheckLine(
        False,
        "IMAP",
        f"imap://toko@127.0.0.1:{imap_port}: nothing is listening on 127.0.0.1:{imap_port} (connection "
        "refused): check the port; imaps:// is usually on port 993, imap+starttls:// on 143",
    )
    assert found["SMTP"].said.startswith(f"smtp://toko@127.0.0.1:{smtp_port}: nothing is listening on ")
    assert found["SMTP"].said.endswith("smtps:// is usually on port 465, smtp+starttls:// on 587")


async def test_a_server_that_never_answers_is_a_timeout_not_a_hang() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        mailbox = settings(f"imap+starttls://toko@127.0.0.1:{port}", f"smtps://toko@127.0.0.1:{port}")
        found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": "x"}, answer_within=0.5))
    assert found["IMAP"].said == (
        f"imap+starttls://toko@127.0.0.1:{port}: 127.0.0.1:{port} did not answer within 0.5 s; if that port "
        "is for implicit TLS, write imaps://…:993, otherwise a firewall may be dropping the connection"
    )
    assert "did not answer within 0.5 s; a firewall may be dropping" in found["SMTP"].said


async def test_a_host_not_in_dns_is_named() -> None:
    mailbox = settings("imaps://toko@no-such-host.invalid", "smtps://toko@no-such-host.invalid")
    found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": "x"}))
    for kind in ("IMAP", "SMTP"):
        assert not found[kind].ok
        assert "no-such-host.invalid" in found[kind].said
        assert "not found in DNS" in found[kind].said or "could not be looked up" in found[kind].said


async def test_a_missing_password_tries_nothing() -> None:
    with socket.socket() as watching:
        watching.bind(("127.0.0.1", 0))
        watching.listen(8)
        watching.setblocking(False)
        port = watching.getsockname()[1]
        mailbox = settings(f"imap://toko@127.0.0.1:{port}", f"smtp://toko@127.0.0.1:{port}")
        lines = await check_mailbox(mailbox, environ={})
        with pytest.raises(BlockingIOError):
            watching.accept()
    assert lines == [
        CheckLine(
            False,
            "password",
            "the environment variable TOKO_MAIL is not set or empty; it must hold the mailbox's password; "
            "nothing was tried",
        )
    ]


async def test_a_password_file_others_can_read_is_a_finding_and_the_check_goes_on(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink], tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text(served.password + "\n")
    secret.chmod(0o640)
    mailbox = settings(
        f"imap://toko@127.0.0.1:{served.port}",
        f"smtp://toko@127.0.0.1:{plain_smtp[0]}",
        password_env=None,
        password_file=str(secret),
    )
    lines = await check_mailbox(mailbox)
    assert lines[0] == CheckLine(
        False,
        "password",
        f"the password file {secret} can be read by other users (mode 0640): chmod 600 {secret}",
    )
    assert by_what(lines)["IMAP"].ok


async def test_imap_over_tls_with_the_shops_ca_is_verified(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink], ca_file: str
) -> None:
    environ = {"TOKO_MAIL": served.password}
    smtp = f"smtp://toko@127.0.0.1:{plain_smtp[0]}"
    implicit = settings(f"imaps://toko@127.0.0.1:{served.tls_port}", smtp, ca_file=ca_file)
    found = by_what(await check_mailbox(implicit, environ=environ))
    assert found["IMAP"].ok, found["IMAP"]
    assert found["IMAP"].said.startswith(f"imaps://toko@127.0.0.1:{served.tls_port}: TLS (TLSv1.")
    assert ", certificate verified), signed in as toko" in found["IMAP"].said
    upgraded = settings(f"imap+starttls://toko@localhost:{served.port}", smtp, ca_file=ca_file)
    found = by_what(await check_mailbox(upgraded, environ=environ))
    assert found["IMAP"].ok, found["IMAP"]
    assert found["IMAP"].said.startswith(f"imap+starttls://toko@localhost:{served.port}: STARTTLS (TLSv1.")


async def test_imap_tls_problems_say_what_to_change(
    served: Mailbox, plain_smtp: tuple[int, SmtpSink], ca_file: str
) -> None:
    environ = {"TOKO_MAIL": served.password}
    smtp = f"smtp://toko@127.0.0.1:{plain_smtp[0]}"
    untrusted = by_what(
        await check_mailbox(settings(f"imaps://toko@127.0.0.1:{served.tls_port}", smtp), environ=environ)
    )
    assert untrusted["IMAP"].said.startswith(
        f"imaps://toko@127.0.0.1:{served.tls_port}: the server's certificate is not trusted (unable to "
        "get local issuer certificate)"
    )
    assert "give the shop's CA certificate" in untrusted["IMAP"].said
    not_tls = settings(f"imaps://toko@127.0.0.1:{served.port}", smtp, ca_file=ca_file)
    found = by_what(await check_mailbox(not_tls, environ=environ))
    assert found["IMAP"].said == (
        f"imaps://toko@127.0.0.1:{served.port}: the server on 127.0.0.1:{served.port} does not speak TLS "
        "from the start; it may want STARTTLS: write imap+starttls://…:143, or the port for implicit TLS "
        "(imaps://…:993)"
    )


async def test_starttls_not_offered_is_said_before_any_password_is_sent(smtp_server: Any) -> None:
    with dovecot() as plain:  # no certificate: Dovecot offers no STARTTLS
        smtp_port, _sink = smtp_server(authenticator=only_the_shop, auth_require_tls=False)
        mailbox = settings(
            f"imap+starttls://toko@127.0.0.1:{plain.port}", f"smtp+starttls://toko@127.0.0.1:{smtp_port}"
        )
        found = by_what(await check_mailbox(mailbox, environ={"TOKO_MAIL": plain.password}))
    assert found["IMAP"] == CheckLine(
        False,
        "IMAP",
        f"imap+starttls://toko@127.0.0.1:{plain.port}: the server does not offer STARTTLS on port "
        f"{plain.port}, so the password would go unencrypted; write imaps://…:993 if it offers implicit TLS",
    )
    assert "does not offer STARTTLS" in found["SMTP"].said
    assert "write smtps://…:465" in found["SMTP"].said


async def test_smtp_over_starttls_and_tls_with_the_shops_ca(
    smtp_server: Any, ca: trustme.CA, ca_file: str, served: Mailbox
) -> None:
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    starttls_port, _ = smtp_server(
        authenticator=only_the_shop, tls_context=server_context(certificate), require_starttls=True
    )
    # aiosmtpd counts only STARTTLS as TLS when it decides whether to offer AUTH, so
    # over implicit TLS it is told that AUTH needs no (further) TLS.
    tls_port, _ = smtp_server(
        authenticator=only_the_shop, ssl_context=server_context(certificate), auth_require_tls=False
    )
    imap = f"imap://toko@127.0.0.1:{served.port}"
    for url, how in (
        (f"smtp+starttls://toko@127.0.0.1:{starttls_port}", "STARTTLS"),
        (f"smtps://toko@localhost:{tls_port}", "TLS"),
    ):
        found = by_what(
            await check_mailbox(settings(imap, url, ca_file=ca_file), environ={"TOKO_MAIL": PASSWORD})
        )
        assert found["SMTP"].ok, found["SMTP"]
        assert found["SMTP"].said.startswith(f"{url}: {how} (TLSv1.")
        assert ", certificate verified), signed in as toko; takes mails up to 32 MB" in found["SMTP"].said
        assert found["SMTP sender"].ok


async def test_smtp_certificate_untrusted_or_for_another_name(
    smtp_server: Any, ca: trustme.CA, ca_file: str, served: Mailbox
) -> None:
    imap = f"imap://toko@127.0.0.1:{served.port}"
    ours = server_context(ca.issue_cert("127.0.0.1"))
    elsewhere = server_context(ca.issue_cert("mail.elsewhere.example"))
    starttls_port, _ = smtp_server(authenticator=only_the_shop, tls_context=ours)
    tls_port, _ = smtp_server(authenticator=only_the_shop, ssl_context=elsewhere)
    environ = {"TOKO_MAIL": PASSWORD}
    untrusted = by_what(
        await check_mailbox(
            settings(imap, f"smtp+starttls://toko@127.0.0.1:{starttls_port}"), environ=environ
        )
    )
    assert "the server's certificate is not trusted (unable to get local issuer certificate)" in (
        untrusted["SMTP"].said
    )
    wrong_name = by_what(
        await check_mailbox(
            settings(imap, f"smtps://toko@127.0.0.1:{tls_port}", ca_file=ca_file), environ=environ
        )
    )
    assert wrong_name["SMTP"].said.startswith(
        f"smtps://toko@127.0.0.1:{tls_port}: the server's certificate is not for 127.0.0.1 "
        "(IP address mismatch"
    )


async def test_smtp_refusing_the_sender_or_offering_no_sign_in(smtp_server: Any, served: Mailbox) -> None:
    imap = f"imap://toko@127.0.0.1:{served.port}"
    environ = {"TOKO_MAIL": PASSWORD}
    strict_port, _ = smtp_server(
        SmtpSink(only_sender="toko@toko.example"), authenticator=only_the_shop, auth_require_tls=False
    )
    found = by_what(
        await check_mailbox(settings(imap, f"smtp://toko@127.0.0.1:{strict_port}"), environ=environ)
    )
    assert found["SMTP"].ok
    assert found["SMTP sender"] == CheckLine(
        False,
        "SMTP sender",
        "the SMTP server will not send from cs@toko.example for toko (553 5.7.1 Sender address rejected: not "
        "owned by user): the address must be one the account may send as",
    )
    open_port, _ = smtp_server()
    found = by_what(
        await check_mailbox(settings(imap, f"smtp://toko@127.0.0.1:{open_port}"), environ=environ)
    )
    assert not found["SMTP"].ok
    assert "the server offers no sign-in (AUTH) here, so cs-tui cannot send as toko" in found["SMTP"].said

"""`cs-tui channel check` for a mailbox: a live visit to its IMAP and SMTP servers
that says in words what works and what does not, and changes nothing on either
(no folder created, no mail moved or marked, no mail sent)."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import os
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

import aiosmtplib
from imap_tools import BaseMailBox, ImapToolsError, MailBox, MailboxLoginError, MailBoxUnencrypted

from cs_tui.channels.email.settings import (
    PASSWORD_HINT,
    ImapServer,
    MailboxSettings,
    SettingsError,
    SmtpServer,
    password_file_exposed,
    read_password,
    tls_context,
)

DEFAULT_TIMEOUT_S = 20.0
_FOLDERS_SHOWN = 12
_PORT_HINTS = {
    "IMAP": "imaps:// is usually on port 993, imap+starttls:// on 143",
    "SMTP": "smtps:// is usually on port 465, smtp+starttls:// on 587",
}
_STARTTLS_SCHEMES = {"IMAP": "imap+starttls://…:143", "SMTP": "smtp+starttls://…:587"}
_TLS_SCHEMES = {"IMAP": "imaps://…:993", "SMTP": "smtps://…:465"}
# OpenSSL's verify codes, as ssl.SSLCertVerificationError carries them.
_EXPIRED, _NOT_YET_VALID, _HOSTNAME_MISMATCH, _IP_MISMATCH = 10, 9, 62, 64


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One finding of a check: whether it is fine, what it is about ("IMAP",
    "IMAP folder", "SMTP", ...) and what was found, in words."""

    ok: bool
    what: str
    said: str


async def check_mailbox(
    settings: MailboxSettings,
    *,
    environ: Mapping[str, str] = os.environ,
    answer_within: float = DEFAULT_TIMEOUT_S,
) -> list[CheckLine]:
    """Sign in to both servers (at the same time) and say what works. Without a
    password, or with a CA file that cannot be read, nothing is tried; a password
    file other users can read is a finding of its own, and both servers are still
    tried. The password never appears in a line. `answer_within` is how many seconds
    a server may take to answer before it counts as not answering."""
    try:
        password = read_password(settings, environ)
    except SettingsError as error:
        return [CheckLine(False, "password", f"{error}; nothing was tried")]
    try:
        context = tls_context(settings)
    except SettingsError as error:
        return [CheckLine(False, "TLS", f"{error}; nothing was tried")]
    lines: list[CheckLine] = []
    exposed = password_file_exposed(settings)
    if exposed:
        lines.append(CheckLine(False, "password", exposed))
    imap_lines, smtp_lines = await asyncio.gather(
        _check_imap(settings, password, context, answer_within),
        _check_smtp(settings, password, context, answer_within),
    )
    return lines + imap_lines + smtp_lines


# IMAP: imap-tools is blocking, so it runs in a thread; its socket timeout ends any
# wait, and the outer wait_for is only a backstop for a server that trickles bytes.


async def _check_imap(
    settings: MailboxSettings, password: str, context: ssl.SSLContext, answer_within: float
) -> list[CheckLine]:
    server = settings.imap
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_imap_lines, settings, password, context, answer_within), answer_within * 4
        )
    except TimeoutError:
        return [CheckLine(False, "IMAP", _timed_out("IMAP", server, answer_within))]


def _imap_lines(
    settings: MailboxSettings, password: str, context: ssl.SSLContext, answer_within: float
) -> list[CheckLine]:
    server = settings.imap
    try:
        box = connect_imap(server, context, answer_within)
    except StartTlsMissing:
        return [CheckLine(False, "IMAP", no_starttls("IMAP", server))]
    except (OSError, imaplib.IMAP4.error) as error:
        return [CheckLine(False, "IMAP", connection_failed("IMAP", server, error, answer_within))]
    try:
        return _signed_in_lines(box, settings, password)
    except MailboxLoginError as error:
        said = _server_words(error.command_result)
        return [
            CheckLine(
                False,
                "IMAP",
                f"the IMAP server refused the password for {server.username} ({said}): check the "
                f"password in {settings.password_source}; {PASSWORD_HINT}",
            )
        ]
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as error:
        return [CheckLine(False, "IMAP", connection_failed("IMAP", server, error, answer_within))]
    finally:
        # The server may have hung up already; the finding above says why.
        with contextlib.suppress(OSError, imaplib.IMAP4.error, ImapToolsError):
            box.logout()


class StartTlsMissing(Exception):
    """The server does not offer STARTTLS on the port it was asked on."""


def connect_imap(server: ImapServer, context: ssl.SSLContext, answer_within: float) -> BaseMailBox:
    # MailBox is given the context explicitly: without one, imaplib makes a context
    # that checks no certificate at all.
    if server.security == "tls":
        return MailBox(server.host, server.port, timeout=answer_within, ssl_context=context)
    box = MailBoxUnencrypted(server.host, server.port, timeout=answer_within)
    if server.security == "starttls":
        # imap-tools' MailBoxStartTls says only "TLS not supported by server" when
        # STARTTLS is missing; asked first, the words can say what to write instead.
        try:
            if "STARTTLS" not in box.client.capabilities:
                raise StartTlsMissing
            box.client.starttls(context)
        except BaseException:
            box.client.shutdown()
            raise
    return box


def _signed_in_lines(box: BaseMailBox, settings: MailboxSettings, password: str) -> list[CheckLine]:
    server = settings.imap
    if "LOGINDISABLED" in box.client.capabilities:
        return [
            CheckLine(
                False,
                "IMAP",
                f"{server.origin}: the server does not let anyone sign in without TLS here: use "
                f"{_TLS_SCHEMES['IMAP']} or {_STARTTLS_SCHEMES['IMAP']}",
            )
        ]
    box.login(server.username, password, initial_folder=None)
    # Servers announce what they can do again once signed in (Dovecot names MOVE
    # only then), so the capabilities are asked for anew.
    _typ, answer = box.client.capability()
    capabilities = {word.upper() for word in b" ".join(answer).decode(errors="replace").split()}
    said = [f"{server.origin}: {_imap_secured(box, server)}, signed in as {server.username}"]
    if {"IDLE", "MOVE"} <= capabilities:
        said.append("IDLE and MOVE supported")
    if "IDLE" not in capabilities:
        said.append("no IDLE, so new mail is found by polling every few minutes")
    if "MOVE" not in capabilities:
        said.append(
            "no MOVE, so processed mail is flagged where it is instead of moved to "
            + settings.processed_folder
        )
    lines = [CheckLine(True, "IMAP", "; ".join(said))]
    listed = [folder.name for folder in box.folder.list() if "\\Noselect" not in folder.flags]
    folders = sorted(listed, key=lambda name: (name.upper() != "INBOX", name.casefold()))
    lines.append(_folder_line(box, server.folder, folders, server))
    lines.append(_processed_line(box, settings.processed_folder, folders))
    return lines


def _imap_secured(box: BaseMailBox, server: ImapServer) -> str:
    sock = getattr(box.client, "sock", None)
    if isinstance(sock, ssl.SSLSocket):
        how = "STARTTLS" if server.security == "starttls" else "TLS"
        return f"{how} ({sock.version()}, certificate verified)"
    return "unencrypted (this machine only)" if server.security == "plain" else "unencrypted"


def _folder_line(box: BaseMailBox, folder: str, folders: list[str], server: ImapServer) -> CheckLine:
    found = _find_folder(folder, folders)
    if found is None:
        shown = ", ".join(folders[:_FOLDERS_SHOWN])
        if len(folders) > _FOLDERS_SHOWN:
            shown += f" and {len(folders) - _FOLDERS_SHOWN} more"
        return CheckLine(
            False,
            "IMAP folder",
            f"there is no folder {folder} for {server.username}; the folders are: {shown or 'none'}. "
            f"Write the one new mail arrives in after the port, as in {server.origin}/INBOX",
        )
    status = box.folder.status(found, ["MESSAGES", "UIDVALIDITY"])
    return CheckLine(
        True,
        "IMAP folder",
        f"{found} has {_mails(status.get('MESSAGES', 0))}; UIDVALIDITY {status.get('UIDVALIDITY', '?')}",
    )


def _processed_line(box: BaseMailBox, folder: str, folders: list[str]) -> CheckLine:
    found = _find_folder(folder, folders)
    if found is None:
        return CheckLine(
            True,
            "processed folder",
            f"{folder} does not exist yet: cs-tui creates it on its first run (a check changes nothing)",
        )
    status = box.folder.status(found, ["MESSAGES"])
    return CheckLine(True, "processed folder", f"{found} exists and has {_mails(status.get('MESSAGES', 0))}")


def _find_folder(folder: str, folders: list[str]) -> str | None:
    # INBOX is the one name IMAP says is the same in any case (RFC 3501 5.1).
    for name in folders:
        if name == folder or (folder.upper() == "INBOX" and name.upper() == "INBOX"):
            return name
    return None


def _mails(count: int) -> str:
    return "1 mail" if count == 1 else f"{count} mails"


def _server_words(command_result: object) -> str:
    """What the server said with its refusal, as text ('[AUTHENTICATIONFAILED]
    Authentication failed.')."""
    if isinstance(command_result, tuple) and len(command_result) == 2:
        parts = command_result[1] if isinstance(command_result[1], list) else [command_result[1]]
        text = " ".join(
            part.decode(errors="replace") if isinstance(part, bytes) else str(part) for part in parts
        )
        return text.strip() or "no reason given"
    return str(command_result)


# SMTP: aiosmtplib, step by step (connect, STARTTLS, AUTH, MAIL FROM, RSET) so each
# refusal is told apart; no DATA is ever sent.


async def _check_smtp(
    settings: MailboxSettings, password: str, context: ssl.SSLContext, answer_within: float
) -> list[CheckLine]:
    server = settings.smtp
    client = aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        use_tls=server.security == "tls",
        start_tls=False,
        tls_context=context,
        timeout=answer_within,
    )
    try:
        return await asyncio.wait_for(_smtp_lines(client, settings, password), answer_within * 4)
    except TimeoutError:
        return [CheckLine(False, "SMTP", _timed_out("SMTP", server, answer_within))]
    except (aiosmtplib.SMTPException, OSError) as error:
        return [CheckLine(False, "SMTP", connection_failed("SMTP", server, error, answer_within))]
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


async def _smtp_lines(client: aiosmtplib.SMTP, settings: MailboxSettings, password: str) -> list[CheckLine]:
    server = settings.smtp
    await client.connect()
    await client.ehlo()
    if server.security == "starttls":
        if not client.supports_extension("starttls"):
            return [CheckLine(False, "SMTP", no_starttls("SMTP", server))]
        await client.starttls()
        await client.ehlo()
    secured = _smtp_secured(client, server)
    if not client.supports_extension("auth"):
        return [
            CheckLine(
                False,
                "SMTP",
                f"{server.origin}: {secured}; the server offers no sign-in (AUTH) here, so cs-tui cannot "
                f"send as {server.username}: {_PORT_HINTS['SMTP']}, where servers offer it",
            )
        ]
    try:
        await client.login(server.username, password)
    except aiosmtplib.SMTPAuthenticationError as error:
        return [
            CheckLine(
                False,
                "SMTP",
                f"the SMTP server refused the password for {server.username} ({error.code} "
                f"{error.message}): check the password in {settings.password_source}; {PASSWORD_HINT}",
            )
        ]
    except aiosmtplib.SMTPException:
        methods = ", ".join(client.server_auth_methods).upper() or "none"
        return [
            CheckLine(
                False,
                "SMTP",
                f"{server.origin}: {secured}; the server offers no way of signing in that cs-tui knows "
                f"(it offers {methods}; cs-tui signs in with PLAIN, LOGIN or CRAM-MD5)",
            )
        ]
    said = f"{server.origin}: {secured}, signed in as {server.username}"
    size = client.esmtp_extensions.get("size", "").strip()
    if size.isdigit() and int(size) > 0:
        said += f"; takes mails up to {int(size) / 1024 / 1024:.0f} MB"
    lines = [CheckLine(True, "SMTP", said)]
    try:
        await client.mail(settings.address)
    except aiosmtplib.SMTPSenderRefused as error:
        lines.append(
            CheckLine(
                False,
                "SMTP sender",
                f"the SMTP server will not send from {settings.address} for {server.username} "
                f"({error.code} {error.message}): the address must be one the account may send as",
            )
        )
        return lines
    await client.rset()
    lines.append(
        CheckLine(True, "SMTP sender", f"sending from {settings.address} is accepted (nothing was sent)")
    )
    return lines


def _smtp_secured(client: aiosmtplib.SMTP, server: SmtpServer) -> str:
    tls = client.get_transport_info("ssl_object")
    if isinstance(tls, ssl.SSLObject):
        how = "STARTTLS" if server.security == "starttls" else "TLS"
        return f"{how} ({tls.version()}, certificate verified)"
    return "unencrypted (this machine only)" if server.security == "plain" else "unencrypted"


# Words for what went wrong on the way in, the same for both servers.


def connection_failed(
    kind: str, server: ImapServer | SmtpServer, error: BaseException, answer_within: float
) -> str:
    where = f"{server.origin}"
    at = f"{server.host}:{server.port}"
    cause = _root_cause(error)
    if isinstance(cause, socket.gaierror):
        if cause.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return f"{where}: there is no server called {server.host} (not found in DNS): check its spelling"
        return f"{where}: {server.host} could not be looked up ({cause.strerror}): is this machine online?"
    if isinstance(cause, ConnectionRefusedError):
        return (
            f"{where}: nothing is listening on {at} (connection refused): check the port; "
            + _PORT_HINTS[kind]
        )
    if isinstance(cause, TimeoutError):
        return _timed_out(kind, server, answer_within)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"{where}: {_certificate_words(cause, server.host)}"
    if isinstance(cause, ssl.SSLError):
        if server.security == "tls" and cause.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"):
            return (
                f"{where}: the server on {at} does not speak TLS from the start; it may want STARTTLS: "
                f"write {_STARTTLS_SCHEMES[kind]}, or the port for implicit TLS ({_TLS_SCHEMES[kind]})"
            )
        return f"{where}: TLS with {at} failed ({cause.reason or cause})"
    if isinstance(cause, (ConnectionResetError, ConnectionAbortedError, EOFError)) or _hung_up(cause):
        return (
            f"{where}: the server on {at} closed the connection before it was signed in: " + _PORT_HINTS[kind]
        )
    if isinstance(cause, OSError):
        return f"{where}: could not connect to {at} ({cause.strerror or cause})"
    return f"{where}: the {kind} server on {at} answered in a way cs-tui does not understand ({cause})"


def _root_cause(error: BaseException) -> BaseException:
    """The error under aiosmtplib's wrappers: its connect errors carry the OSError
    (a refusal, a DNS failure, a certificate) as their cause."""
    seen = error
    while seen.__cause__ is not None and seen.__cause__ is not seen:
        seen = seen.__cause__
    return seen


def _hung_up(error: BaseException) -> bool:
    words = str(error).lower()
    return isinstance(error, (aiosmtplib.SMTPServerDisconnected, imaplib.IMAP4.abort)) or "eof" in words


def _certificate_words(error: ssl.SSLCertVerificationError, host: str) -> str:
    code = error.verify_code
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return (
            f"the server's certificate is not for {host} ({error.verify_message}): write the name the "
            "certificate is for (often mail.<domain> or the provider's own server name)"
        )
    if code == _EXPIRED:
        return "the server's certificate has expired: its admin must renew it"
    if code == _NOT_YET_VALID:
        return "the server's certificate is not valid yet: is this machine's clock right?"
    return (
        f"the server's certificate is not trusted ({error.verify_message}): it is self-signed or from "
        "a CA this machine does not know; give the shop's CA certificate in the mailbox's settings (ca_file)"
    )


def _timed_out(kind: str, server: ImapServer | SmtpServer, answer_within: float) -> str:
    said = f"{server.origin}: {server.host}:{server.port} did not answer within {answer_within:g} s"
    if server.security != "tls":
        return (
            f"{said}; if that port is for implicit TLS, write {_TLS_SCHEMES[kind]}, otherwise a "
            "firewall may be dropping the connection"
        )
    return f"{said}; a firewall may be dropping the connection, or the port is wrong: {_PORT_HINTS[kind]}"


def no_starttls(kind: str, server: ImapServer | SmtpServer) -> str:
    return (
        f"{server.origin}: the server does not offer STARTTLS on port {server.port}, so the password "
        f"would go unencrypted; write {_TLS_SCHEMES[kind]} if it offers implicit TLS"
    )

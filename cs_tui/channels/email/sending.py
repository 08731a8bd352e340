"""Sending one mail by SMTP (aiosmtplib), with every way it can go wrong told apart:
a failure that may pass (try again later) from one that will not (tell the agent),
each in words an agent understands, and when to try again."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

import aiosmtplib
from aiosmtplib.typing import Default

from cs_tui.channels.email.settings import PASSWORD_HINT
from cs_tui.domain.text import sanitize_line

Security = Literal["tls", "starttls", "plain"]
"""Implicit TLS from the first byte (smtps, port 465), STARTTLS required (port 587),
or no encryption (a relay on this machine)."""

# Enhanced status codes (RFC 3463) and the one reply code a server says "too big" with.
_TOO_LARGE = ("5.3.4", "5.2.3", "4.3.4")
_SIZE_EXCEEDED = 552


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where a mailbox's mail is sent from: the server, how the connection is
    secured, who signs in (no one when `username` is None), how long to wait for
    each answer, and the TLS context (None: the system's CAs)."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Sent:
    """The server took the mail. `refused` are recipients it will never deliver to
    (5xx), `deferred` ones it would not take now (4xx) and may later: both with the
    server's words, the mail went to the others."""

    answer: str
    refused: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)


class SendFailed(Exception):
    """The mail was not sent; `reason` says why, in words for the agent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(SendFailed):
    """It may work later: the server could not be reached, did not answer, or said
    4xx. Try again after domain.channels.retry_delay()."""


class PermanentFailure(SendFailed):
    """It will not work as it is: the server refused the sender, every recipient,
    the password or the mail itself (5xx), or the settings cannot work."""


async def send_mail(
    settings: SmtpSettings,
    message: EmailMessage,
    *,
    sender: str,
    recipients: Sequence[str],
    before_data: Callable[[], Awaitable[None]] | None = None,
) -> Sent:
    """Sends one mail: connects, secures the connection as the settings say (never
    falling back to none), signs in, gives the envelope (`sender` "" is the null
    sender of RFC 3834's automatic answers) and the mail, and says goodbye.
    `before_data` is awaited once the server has taken the envelope, just before it
    is given the mail itself: up to then, nothing can have been sent.

    Raises TemporaryFailure or PermanentFailure, with the reason in words."""
    if not recipients:
        raise PermanentFailure("the mail has no recipient")
    client = _Client(
        before_data,
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=settings.security == "starttls",
        tls_context=settings.tls_context,
        timeout=settings.timeout,
    )
    try:
        await client.connect()
        if settings.username is not None:
            await client.login(settings.username, settings.password or "")
        errors, answer = await client.send_message(message, sender=sender, recipients=list(recipients))
    except (aiosmtplib.SMTPException, OSError, ValueError) as error:
        raise _failure(error, settings) from error
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):  # the mail is sent or failed already
                client.close()
    refused = {address: _said(r.code, r.message) for address, r in errors.items() if r.code >= 500}
    deferred = {address: _said(r.code, r.message) for address, r in errors.items() if r.code < 500}
    return Sent(sanitize_line(answer), refused, deferred)


class _Client(aiosmtplib.SMTP):
    """aiosmtplib's client, telling its caller when the mail itself is about to go."""

    def __init__(self, before_data: Callable[[], Awaitable[None]] | None, **options: Any) -> None:
        super().__init__(**options)
        self._before_data = before_data

    async def data(self, message: str | bytes, timeout: Any = Default.token) -> Any:  # noqa: ASYNC109 - its signature
        if self._before_data is not None:
            await self._before_data()
        return await super().data(message, timeout=timeout)


def _failure(error: BaseException, settings: SmtpSettings) -> SendFailed:
    """What went wrong, in words, and whether it may pass."""
    where = settings.where
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refusals = [(r.recipient, r.code, _said(r.code, r.message)) for r in error.recipients]
        if len(refusals) == 1:
            reason = f"the mail server refused the address {refusals[0][0]}: {refusals[0][2]}"
        else:
            reason = "the mail server refused every address: " + "; ".join(
                f"{address} ({said})" for address, _, said in refusals
            )
        temporary = any(code < 500 for _, code, _ in refusals)
        return TemporaryFailure(reason) if temporary else PermanentFailure(reason)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _refusal(error, settings)
    if isinstance(error, aiosmtplib.SMTPException) and "starttls extension not" in str(error).lower():
        # aiosmtplib says so with a bare SMTPException.
        return PermanentFailure(
            f"the mail server on {where} does not offer STARTTLS, so nothing was sent "
            "unencrypted: use implicit TLS (smtps, usually port 465) if the server offers it"
        )
    if isinstance(error, aiosmtplib.SMTPNotSupported):  # SMTPUTF8 for an address not in ASCII
        return PermanentFailure(f"the mail server on {where} cannot take this mail: {_words(error)}")
    if isinstance(error, ValueError):
        return PermanentFailure(f"the mail cannot be sent as it is: {error}")
    cause = _root_cause(error)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return TemporaryFailure(
            f"the certificate of the mail server on {where} is not trusted ({cause.verify_message}): "
            "its admin must fix it, or the mailbox's settings must name the server's CA"
        )
    if isinstance(cause, ssl.SSLError):
        return TemporaryFailure(f"TLS with the mail server on {where} failed ({cause.reason or cause})")
    if isinstance(cause, socket.gaierror):
        return TemporaryFailure(
            f"could not find the mail server {settings.host} ({cause.strerror}): check its spelling "
            "and this machine's network"
        )
    if isinstance(cause, ConnectionRefusedError):
        return TemporaryFailure(f"could not reach {where} (connection refused)")
    if isinstance(error, TimeoutError) or isinstance(cause, TimeoutError):
        return TemporaryFailure(f"the mail server on {where} did not answer within {settings.timeout:g} s")
    if isinstance(error, aiosmtplib.SMTPServerDisconnected) or isinstance(cause, ConnectionError):
        return TemporaryFailure(f"the mail server on {where} closed the connection ({_words(cause)})")
    if isinstance(cause, OSError):
        return TemporaryFailure(f"could not reach {where} ({cause.strerror or _words(cause)})")
    if "auth extension is not" in str(error).lower():  # aiosmtplib says so with a bare SMTPException
        return PermanentFailure(
            f"the mail server on {where} offers no sign-in (AUTH) here, so it cannot send as "
            f"{settings.username}: it may offer it over TLS, or on port 587 or 465"
        )
    return TemporaryFailure(
        f"the mail server on {where} answered in a way cs-tui does not understand ({error})"
    )


def _refusal(error: aiosmtplib.SMTPResponseException, settings: SmtpSettings) -> SendFailed:
    """A reply code the server refused with: 4xx may pass, 5xx will not."""
    said = _said(error.code, error.message)
    kind = TemporaryFailure if error.code < 500 else PermanentFailure
    if error.code == _SIZE_EXCEEDED or any(code in error.message for code in _TOO_LARGE):
        return kind(
            f"the mail server refused the mail as too large ({said}): send smaller or fewer attachments"
        )
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        if error.code < 500:
            return kind(f"the mail server could not check the password for {settings.username} now ({said})")
        return kind(
            f"the mail server refused the password for {settings.username} ({said}): check the "
            f"mailbox's password; {PASSWORD_HINT}"
        )
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        sender = error.sender or "<>"
        return kind(f"the mail server refused to send from {sender}: {said}")
    if isinstance(error, aiosmtplib.SMTPDataError):
        if error.code < 500:
            return kind(f"the mail server could not take the mail now: {said}")
        return kind(f"the mail server refused the mail: {said}")
    return kind(f"the mail server on {settings.where} said {said}")


def _said(code: int, message: str) -> str:
    return f"{code} {sanitize_line(message)}".strip()


def _words(error: BaseException) -> str:
    return sanitize_line(str(error)) or type(error).__name__


def _root_cause(error: BaseException) -> BaseException:
    """The error under aiosmtplib's wrappers: a connect error carries the OSError (a
    refusal, a DNS failure, a certificate) as its cause."""
    seen = error
    for _ in range(10):  # a cycle of causes ends somewhere
        if seen.__cause__ is None:
            break
        seen = seen.__cause__
    return seen

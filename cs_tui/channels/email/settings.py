"""A mailbox's settings: as the store keeps them (strings, never a password) and as
intake, delivery and the check use them (parsed server URLs, the password read from
the file or environment variable they name, one TLS context for both servers)."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import ssl
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from cs_tui.domain.models import is_email_address

log = logging.getLogger(__name__)

Security = Literal["tls", "starttls", "plain"]

# Mail is moved here once it is a ticket, so the inbox shows what is still to do and
# a restart never takes it in twice. One flat name: no hierarchy separator to guess
# ("/" on most servers, "." on Dovecot's default layout). Intake creates it on its
# first run; the check only says whether it is there, it changes nothing.
DEFAULT_PROCESSED_FOLDER = "cs-tui-processed"
DEFAULT_MAX_MAIL_BYTES = 25 * 1024 * 1024  # what Gmail and Outlook send at most
PASSWORD_HINT = (
    "Gmail and Yahoo need an app password, not the account's own; Outlook.com and Microsoft 365 "
    "no longer take a password here (see docs/email.md)"
)
"""What to say when a server refuses a mailbox's password."""

_IMAP_SCHEMES: dict[str, tuple[Security, int]] = {
    "imaps": ("tls", 993),
    "imap+starttls": ("starttls", 143),
    "imap": ("plain", 143),
}
_SMTP_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtps": ("tls", 465),
    "smtp+starttls": ("starttls", 587),
    "smtp": ("plain", 25),
}
_IMAP_EXAMPLE = "imaps://user@host:993/INBOX"
_SMTP_EXAMPLE = "smtp+starttls://user@host:587"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PASSWORD_OPTIONS = "--password-file F or --password-env VAR"
# user:password@ in a URL, with or without its scheme; the user may hold an @.
_URL_PASSWORD = re.compile(r"^((?:[^:/@]+://)?[^:/]*):(?!//)[^@]*@")


class SettingsError(ValueError):
    """Settings that cannot work; the message says what to write instead and never
    holds a password."""


@dataclass(frozen=True, slots=True)
class ImapServer:
    """Where mail is read: how the connection is secured, the server, who signs in
    and the folder new mail arrives in."""

    security: Security
    host: str
    port: int
    username: str
    folder: str = "INBOX"

    @property
    def origin(self) -> str:
        """Who signs in where, as in `imaps://shop@imap.example.com:993`, for messages."""
        return f"{_scheme(_IMAP_SCHEMES, self.security)}://{_netloc(self.username, self.host, self.port)}"

    @property
    def url(self) -> str:
        """The settings as one URL, in the form `--imap` takes."""
        return f"{self.origin}/{quote(self.folder, safe='/')}"


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where replies are sent: how the connection is secured, the server and who
    signs in."""

    security: Security
    host: str
    port: int
    username: str

    @property
    def url(self) -> str:
        """The settings as one URL, in the form `--smtp` takes."""
        return f"{_scheme(_SMTP_SCHEMES, self.security)}://{_netloc(self.username, self.host, self.port)}"

    origin = url


@dataclass(frozen=True, slots=True)
class MailboxSettings:
    """One mailbox: its address, both servers, where its password is read from (a
    file or an environment variable, never the password itself), where processed
    mail goes, the largest mail taken in, and whether unencrypted connections to
    another machine were allowed on purpose. `ca_file` trusts a shop's own CA (and
    only it) instead of the system's."""

    address: str
    imap: ImapServer
    smtp: SmtpServer
    password_file: str | None = None
    password_env: str | None = None
    processed_folder: str = DEFAULT_PROCESSED_FOLDER
    max_mail_bytes: int = DEFAULT_MAX_MAIL_BYTES
    allow_plain: bool = False
    ca_file: str | None = None
    display_name: str = ""
    """Who the shop's automatic mail is from ("Tokoku CS"); an agent's reply is from
    the agent's name."""
    acknowledgement: str = ""
    """The text of the automatic answer to a new ticket (canned-response placeholders
    filled in); "" sends none, the default."""

    def __post_init__(self) -> None:
        if not is_email_address(self.address):
            raise SettingsError(f"--address must be one address like cs@shop.example; got {self.address!r}")
        if (self.password_file is None) == (self.password_env is None):
            raise SettingsError(f"a mailbox reads its password from one place: {_PASSWORD_OPTIONS}")
        if self.password_file is not None and not self.password_file.strip():
            raise SettingsError("--password-file needs the path of a file holding the password")
        if self.password_env is not None and not _ENV_NAME.fullmatch(self.password_env):
            raise SettingsError(
                "--password-env takes the name of an environment variable (letters, digits and _, "
                "like SHOP_MAIL_PASSWORD), not the password; "
                f"got a value of {len(self.password_env)} characters"
            )
        if not self.processed_folder.strip():
            raise SettingsError("the processed folder needs a name, like " + DEFAULT_PROCESSED_FOLDER)
        if self.processed_folder == self.imap.folder:
            raise SettingsError(
                f"processed mail cannot go back into {self.imap.folder}, the folder it is read from"
            )
        if self.max_mail_bytes <= 0:
            raise SettingsError(f"the largest mail must be more than 0 bytes; got {self.max_mail_bytes}")
        _refuse_plain("--imap", self.imap.security, self.imap.host, allow_plain=self.allow_plain)
        _refuse_plain("--smtp", self.smtp.security, self.smtp.host, allow_plain=self.allow_plain)

    @classmethod
    def parse(
        cls,
        *,
        address: str,
        imap: str,
        smtp: str,
        password_file: str | None = None,
        password_env: str | None = None,
        processed_folder: str = DEFAULT_PROCESSED_FOLDER,
        max_mail_bytes: int = DEFAULT_MAX_MAIL_BYTES,
        allow_plain: bool = False,
        ca_file: str | None = None,
        display_name: str = "",
        acknowledgement: str = "",
    ) -> MailboxSettings:
        """Settings from what `cs-tui channel add email` is given: the URLs parsed,
        the user in each defaulting to the address."""
        return cls(
            address=address,
            imap=parse_imap_url(imap, default_username=address, allow_plain=allow_plain),
            smtp=parse_smtp_url(smtp, default_username=address, allow_plain=allow_plain),
            password_file=password_file,
            password_env=password_env,
            processed_folder=processed_folder,
            max_mail_bytes=max_mail_bytes,
            allow_plain=allow_plain,
            ca_file=ca_file,
            display_name=display_name,
            acknowledgement=acknowledgement,
        )

    def to_dict(self) -> dict[str, str]:
        """What the store keeps: strings only, a setting left unset left out, and the
        name of where the password is, never the password."""
        stored = {
            "address": self.address,
            "imap": self.imap.url,
            "smtp": self.smtp.url,
            "password_file": self.password_file,
            "password_env": self.password_env,
            "processed_folder": self.processed_folder,
            "max_mail_bytes": str(self.max_mail_bytes),
            "allow_plain": "yes" if self.allow_plain else "no",
            "ca_file": self.ca_file,
            "display_name": self.display_name or None,
            "acknowledgement": self.acknowledgement or None,
        }
        return {key: value for key, value in stored.items() if value is not None}

    @classmethod
    def from_dict(cls, stored: Mapping[str, str]) -> MailboxSettings:
        """Settings back from what `to_dict` wrote, checked again as when they were
        added. Keys it does not know (a newer cs-tui's) are ignored."""
        for key in ("address", "imap", "smtp"):
            if not stored.get(key):
                raise SettingsError(f"the mailbox's stored settings have no {key}: add the channel again")
        size = stored.get("max_mail_bytes", str(DEFAULT_MAX_MAIL_BYTES))
        if not size.isdigit():
            raise SettingsError(f"the stored largest mail size must be a number of bytes; got {size!r}")
        return cls.parse(
            address=stored["address"],
            imap=stored["imap"],
            smtp=stored["smtp"],
            password_file=stored.get("password_file"),
            password_env=stored.get("password_env"),
            processed_folder=stored.get("processed_folder", DEFAULT_PROCESSED_FOLDER),
            max_mail_bytes=int(size),
            allow_plain=stored.get("allow_plain", "no") == "yes",
            ca_file=stored.get("ca_file"),
            display_name=stored.get("display_name", ""),
            acknowledgement=stored.get("acknowledgement", ""),
        )

    @property
    def password_source(self) -> str:
        """Where the password is read from, in words, for messages."""
        if self.password_file is not None:
            return f"the file {self.password_file}"
        return f"the environment variable {self.password_env}"


def parse_imap_url(url: str, *, default_username: str | None = None, allow_plain: bool = False) -> ImapServer:
    """`imaps://user@host:993/INBOX` (implicit TLS, port 993), `imap+starttls://`
    (143) or `imap://` (unencrypted, 143; to this machine only unless allowed). The
    user is percent-decoded (`budi%40toko.id@imap.gmail.com` is budi@toko.id); the
    path is the folder, INBOX when left out."""
    security, host, port, username, path = _split(
        "--imap", url, _IMAP_SCHEMES, _IMAP_EXAMPLE, default_username
    )
    _refuse_plain("--imap", security, host, allow_plain=allow_plain)
    folder = unquote(path.lstrip("/")).rstrip("/") or "INBOX"
    return ImapServer(security, host, port, username, folder)


def parse_smtp_url(url: str, *, default_username: str | None = None, allow_plain: bool = False) -> SmtpServer:
    """`smtps://user@host:465` (implicit TLS), `smtp+starttls://user@host:587` or
    `smtp://` (unencrypted, 25; to this machine only unless allowed)."""
    security, host, port, username, path = _split(
        "--smtp", url, _SMTP_SCHEMES, _SMTP_EXAMPLE, default_username
    )
    if path.strip("/"):
        raise SettingsError(f"--smtp must look like {_SMTP_EXAMPLE}, without a folder; got {_shown(url)}")
    _refuse_plain("--smtp", security, host, allow_plain=allow_plain)
    return SmtpServer(security, host, port, username)


def read_password(settings: MailboxSettings, environ: Mapping[str, str] = os.environ) -> str:
    """The mailbox's password, from its file (one trailing line break dropped) or its
    environment variable. What is wrong is named (the file, the variable), never
    what it holds. A file other users can read is logged as a warning; the check
    reports it too (`password_file_exposed`)."""
    if settings.password_env is not None:
        value = environ.get(settings.password_env, "")
        if not value:
            raise SettingsError(
                f"the environment variable {settings.password_env} is not set or empty; "
                "it must hold the mailbox's password"
            )
        return value
    path = Path(settings.password_file or "").expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"the password file {path} does not exist") from None
    except IsADirectoryError:
        raise SettingsError(f"the password file {path} is a folder, not a file") from None
    except PermissionError:
        raise SettingsError(f"cs-tui may not read the password file {path} (permission denied)") from None
    except OSError as error:
        raise SettingsError(f"the password file {path} cannot be read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"the password file {path} is not UTF-8 text") from None
    password = text.removesuffix("\n").removesuffix("\r")
    if not password:
        raise SettingsError(f"the password file {path} is empty")
    exposed = password_file_exposed(settings)
    if exposed:
        log.warning(exposed)
    return password


def password_file_exposed(settings: MailboxSettings) -> str | None:
    """A warning when the password file can be read by other users of this machine,
    with the command that fixes it; None when it cannot (or there is no file)."""
    if settings.password_file is None or os.name != "posix":
        return None
    path = Path(settings.password_file).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"the password file {path} can be read by other users "
            f"(mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
        )
    return None


def tls_context(settings: MailboxSettings) -> ssl.SSLContext:
    """The TLS context both servers are reached with: certificates and host names
    verified, TLS 1.2 or newer, against the system's CAs or only `ca_file`."""
    if settings.ca_file is not None and not Path(settings.ca_file).expanduser().is_file():
        raise SettingsError(f"the CA file {settings.ca_file} does not exist")
    try:
        context = ssl.create_default_context(
            cafile=str(Path(settings.ca_file).expanduser()) if settings.ca_file else None
        )
    except ssl.SSLError:
        raise SettingsError(f"the CA file {settings.ca_file} holds no PEM certificate") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost, 127.0.0.0/8, ::1), where an
    unencrypted connection never leaves it."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split(
    option: str,
    url: str,
    schemes: Mapping[str, tuple[Security, int]],
    example: str,
    default_username: str | None,
) -> tuple[Security, str, int, str, str]:
    wanted = f"{option} must look like {example}"
    text = url.strip()
    if "://" not in text:
        raise SettingsError(f"{wanted}; got {_shown(url)}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise SettingsError(f"{wanted} (a port is a number up to 65535); got {_shown(url)}") from None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        known = ", ".join(f"{name}://" for name in schemes)
        raise SettingsError(f"{wanted}: it starts with one of {known}; got {_shown(url)}")
    if parts.password is not None:
        raise SettingsError(
            f"{option} has a password in it: keep it out of the URL (and so out of the shell's "
            f"history and the settings) and give {_PASSWORD_OPTIONS}"
        )
    if parts.query or parts.fragment:
        raise SettingsError(f"{wanted}, without ? or #; got {_shown(url)}")
    host = parts.hostname or ""
    if not host:
        raise SettingsError(f"{wanted}: the server's name is missing; got {_shown(url)}")
    username = unquote(parts.username) if parts.username else (default_username or "")
    if not username:
        raise SettingsError(f"{wanted}: say who signs in (user@ before the server); got {_shown(url)}")
    if port == 0:
        raise SettingsError(f"{wanted}: port 0 is no port; got {_shown(url)}")
    security, default_port = schemes[scheme]
    return security, host, port or default_port, username, parts.path


def _refuse_plain(option: str, security: Security, host: str, *, allow_plain: bool) -> None:
    if security != "plain" or allow_plain or is_loopback(host):
        return
    kind = "IMAP" if option == "--imap" else "SMTP"
    secured = (
        "imaps://…:993 or imap+starttls://…:143"
        if kind == "IMAP"
        else "smtps://…:465 or smtp+starttls://…:587"
    )
    raise SettingsError(
        f"{option}: unencrypted {kind} to {host} would send the password in the clear; use {secured}. "
        "Unencrypted is only for this machine (localhost, 127.0.0.1, ::1) unless plain connections "
        "are allowed on purpose"
    )


def _scheme(schemes: Mapping[str, tuple[Security, int]], security: Security) -> str:
    return next(name for name, (secured, _port) in schemes.items() if secured == security)


def _netloc(username: str, host: str, port: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    return f"{quote(username, safe='')}@{shown_host}:{port}"


def _shown(url: str) -> str:
    """The URL as given, for an error message, with anything that may be a password
    in it (between the user's `:` and the `@`) hidden."""
    return repr(_URL_PASSWORD.sub(r"\1:***@", url.strip(), count=1))

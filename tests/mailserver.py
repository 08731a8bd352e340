"""Real mail servers for the tests. IMAP: Debian's Dovecot, started as an
unprivileged user (the one running the tests, or Dovecot's own user when that is
root) from a temporary directory on a loopback port, serving one mailbox (IDLE,
MOVE and UIDPLUS on), and over TLS on a second port when given a certificate;
`.ci/run` installs it, where it is missing or cannot start the test says so and is
skipped. SMTP: aiosmtpd, keeping what it is sent."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

CONFIG = """\
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
{ssl}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
auth_failure_delay = 0secs
login_trusted_networks = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service imap-login {{
  chroot =
  user = {user}
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u/Maildir
first_valid_uid = {uid}
"""
UNPRIVILEGED = "dovecot"
"""Whom Dovecot runs as when the tests run as root: the user its package made."""
START_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    tls_port: int = 0
    """Implicit TLS (imaps), when started with a certificate; 0 otherwise."""
    config: str = ""
    """Dovecot's configuration file, for restart()."""

    def restart(self) -> None:
        """Stops Dovecot (dropping every connection) and starts it again on the same
        mail and port, as an upgrade or a crash does."""
        _control(Path(self.config), "stop", check=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while _answers(self):  # until the old one has let go of the port
            if time.monotonic() > deadline:
                raise AssertionError("Dovecot did not stop")
            time.sleep(0.05)
        _control(Path(self.config))
        _wait_until_it_answers(self)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dovecot(
    certificate: trustme.LeafCert | None = None, *, without: tuple[str, ...] = ()
) -> Iterator[Mailbox]:
    """Dovecot on a place of its own, which Dovecot's user owns (not under pytest's
    temporary directories, which only the tests' user may enter). With a
    certificate it also offers STARTTLS on its port and implicit TLS on `tls_port`;
    `without` names capabilities it says it does not have (IDLE, MOVE)."""
    place = Path(tempfile.mkdtemp(prefix="cs-tui-dovecot-"))
    place.chmod(0o755)
    try:
        with _dovecot(place, certificate, without) as mailbox:
            yield mailbox
    finally:
        shutil.rmtree(place, ignore_errors=True)


@contextmanager
def _dovecot(
    place: Path, certificate: trustme.LeafCert | None, without: tuple[str, ...]
) -> Iterator[Mailbox]:
    if not Path(_BINARY).exists():
        pytest.skip("needs Dovecot (Debian's dovecot-imapd; .ci/run installs it)")
    user = _runs_as()
    root = place / "dovecot"
    for folder in ("mail", "run", "state"):
        (root / folder).mkdir(parents=True)
    tls_port = free_port() if certificate else 0
    mailbox = Mailbox("127.0.0.1", free_port(), "toko", "rahasia-toko", tls_port)
    ssl = "ssl = no"
    if certificate is not None:
        certificate.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
        certificate.private_key_pem.write_to_path(str(root / "key.pem"))
        ssl = f"ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem"
    (root / "passwd").write_text(f"{mailbox.user}:{{PLAIN}}{mailbox.password}::::::\n")
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=mailbox.port,
            ssl=ssl,
            tls_port=tls_port,
            user=user.pw_name,
            group=grp.getgrgid(user.pw_gid).gr_name,
            uid=user.pw_uid,
        )
        + _announced_without(without)
    )
    for path in (place, *place.rglob("*")):
        os.chown(path, user.pw_uid, user.pw_gid)
    mailbox = replace(mailbox, config=str(config))
    if _control(config).returncode != 0:
        pytest.skip(f"Dovecot did not start: {(root / 'dovecot.log').read_text(errors='replace')[-500:]}")
    try:
        _wait_until_it_answers(mailbox)
        yield mailbox
    finally:
        _control(config, "stop")


_BINARY = shutil.which("dovecot") or "/usr/sbin/dovecot"
_CAPABILITIES = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT "
    "CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE LITERAL+"
)
"""What Dovecot 2.3 says it can do once signed in."""


def _announced_without(missing: tuple[str, ...]) -> str:
    """Dovecot's setting that makes it say, once signed in, that it cannot do `missing`
    (IDLE, MOVE), as servers that cannot say."""
    if not missing:
        return ""
    kept = " ".join(word for word in _CAPABILITIES.split() if word not in missing)
    return f"protocol imap {{\n  imap_capability = {kept}\n}}\n"


def _runs_as() -> pwd.struct_passwd:
    """Whom Dovecot runs as: the user running the tests, or Dovecot's own user when
    that is root (it serves no mail as root)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        pytest.skip(f"Dovecot runs as its user {UNPRIVILEGED}, which its package makes; there is none")


def _control(config: Path, *command: str, check: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Runs `dovecot -c CONFIG [command]` as the user Dovecot runs as."""
    as_user = ["runuser", "-u", UNPRIVILEGED, "--"] if os.geteuid() == 0 else []
    with open(os.devnull, "wb") as quiet:  # the daemon keeps its output: never a pipe
        return subprocess.run(
            [*as_user, _BINARY, "-c", str(config), *command], stdout=quiet, stderr=quiet, check=check
        )


def _answers(mailbox: Mailbox) -> bool:
    try:
        with socket.create_connection((mailbox.host, mailbox.port), timeout=1) as sock:
            return sock.recv(100).startswith(b"* OK")
    except OSError:
        return False


def _wait_until_it_answers(mailbox: Mailbox) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(mailbox):
        if time.monotonic() > deadline:
            raise AssertionError(f"Dovecot did not answer on {mailbox.port}")
        time.sleep(0.1)


@dataclass
class SmtpSink:
    """An SMTP server's handler: keeps each mail it takes; refuses senders other than
    `only_sender` when set, and answers RCPT for the addresses in `answers` with
    what is written there."""

    only_sender: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    received: list[Envelope] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.only_sender is not None and address != self.only_sender:
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 2.0.0 Ok: queued as 4F1A2B3C"


@contextmanager
def smtp_server(sink: SmtpSink | None = None, **options: Any) -> Iterator[tuple[int, SmtpSink]]:
    """aiosmtpd on a free loopback port with `options` (aiosmtpd's SMTP's), and what
    it keeps."""
    sink = sink or SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


def signs_in(user: str, password: str) -> Any:
    """An aiosmtpd authenticator that lets `user` in with `password` alone. It answers
    handled=False, so that aiosmtpd refuses the others itself (535)."""

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        matches = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=matches, handled=False)

    return authenticate

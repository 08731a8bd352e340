"""The servers and cs-tui's processes the email benchmark runs: Dovecot and an SMTP
server that notes when each mail's DATA came (tests/mailserver.py's), a client of the
bench's own in IDLE, a store with the mailbox set up, and `cs-tui channel run`."""

from __future__ import annotations

import contextlib
import logging
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from imap_tools import BaseMailBox, MailBoxUnencrypted

from bench.tui_bench import program_env
from cs_tui.channels.email.settings import MailboxSettings
from cs_tui.store.sqlite import SqliteStore
from tests.mailserver import Mailbox, SmtpSink, signs_in, smtp_server

ADDRESS = "cs@tokoku.example"
CHANNEL = "toko"
PASSWORD_ENV = "TOKO_MAIL"


class BenchFailed(Exception):
    """Something the bench needs did not happen; the message says what."""


def signed_in_box(served: Mailbox) -> BaseMailBox:
    """A client that appends: signed in, no folder selected (so it hears nothing of cs-tui's moves)."""
    return MailBoxUnencrypted(served.host, served.port).login(
        served.user, served.password, initial_folder=None
    )


@dataclass
class TimedSink(SmtpSink):
    """Keeps each mail, and when its DATA came (perf_counter_ns, this machine's clock)."""

    data_at_ns: list[int] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        at = time.perf_counter_ns()
        answer = await super().handle_DATA(server, session, envelope)
        self.data_at_ns.append(at)  # after the mail is kept: a waiter finds both
        return answer


@contextlib.contextmanager
def smtp(served: Mailbox) -> Iterator[tuple[int, TimedSink]]:
    """aiosmtpd on a free port, letting the mailbox's user sign in, noting when each DATA came."""
    # aiosmtpd warns of AUTH without TLS (on loopback, meant) and of its own login_data at each AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        with smtp_server(
            TimedSink(), authenticator=signs_in(served.user, served.password), auth_require_tls=False
        ) as (port, sink):
            assert isinstance(sink, TimedSink)
            yield port, sink


def mailbox_settings(served: Mailbox, smtp_port: int) -> MailboxSettings:
    return MailboxSettings.parse(
        address=ADDRESS,
        imap=f"imap://{served.user}@{served.host}:{served.port}/INBOX",
        smtp=f"smtp://{served.user}@127.0.0.1:{smtp_port}",
        password_env=PASSWORD_ENV,
    )


async def new_store(path: Path, settings: MailboxSettings) -> SqliteStore:
    store = await SqliteStore.open(path)
    await store.add_channel(CHANNEL, "email", settings.to_dict())
    return store


def program_env_for(home: Path, served: Mailbox) -> dict[str, str]:
    """cs-tui's environment (bench.tui_bench's), with the mailbox's password where its settings say."""
    return {**program_env(home), PASSWORD_ENV: served.password}


def cs_tui_command(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cs_tui", "--store", str(store), *args]


@contextlib.contextmanager
def channel_run(store: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`cs-tui channel run` on `store`, what it says going to `log`; stopped at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            cs_tui_command(store, "channel", "run"),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # Ctrl-C reaches the bench, which stops it in order
        )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_log(process: subprocess.Popen[bytes], log: Path, text: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while text not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise BenchFailed(f"cs-tui channel run never said {text!r}:\n{tail(log)}")
        time.sleep(0.02)


def tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


class IdleWatch:
    """Dovecot's own part of a mail's way: a client of the bench's in IDLE on a folder
    of its own, noting when each new mail there is announced (EXISTS). Not the INBOX:
    there cs-tui's intake, woken by anything, at times takes a mail in before Dovecot
    announces it to the others, who then never hear of it."""

    def __init__(self, served: Mailbox, folder: str) -> None:
        self.exists_ns: list[int] = []
        self._sock = socket.create_connection((served.host, served.port), timeout=10)
        self._buffer = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="bench idle", daemon=True)
        self._read_line()  # the greeting
        self._command(f'a LOGIN "{served.user}" "{served.password}"', b"a OK")
        self._command(f'b SELECT "{folder}"', b"b OK")
        self._command("c IDLE", b"+ ")
        self._sock.settimeout(None)

    def _command(self, line: str, answer: bytes) -> None:
        self._sock.sendall(line.encode() + b"\r\n")
        while not (said := self._read_line()).startswith(answer):
            if said[:1] not in (b"*", b""):
                raise BenchFailed(f"Dovecot answered {line.split()[1]} with {said!r}")

    def _read_line(self) -> bytes:
        while b"\r\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise BenchFailed("Dovecot closed the bench's own IMAP connection")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line

    def _watch(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._sock], [], [], 0.2)[0]:
                continue
            chunk = self._sock.recv(65536)
            if not chunk:
                return
            at = time.perf_counter_ns()
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\r\n")
            if any(line.endswith(b" EXISTS") for line in lines):
                self.exists_ns.append(at)

    def announced_after(self, moment_ns: int, within_s: float) -> int:
        """When the first mail after `moment_ns` was announced."""
        deadline = time.monotonic() + within_s
        while not (later := [at for at in self.exists_ns if at > moment_ns]):
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise BenchFailed(f"Dovecot's IDLE announced no new mail within {within_s:g} s")
            time.sleep(0.01)
        return later[0]

    def __enter__(self) -> IdleWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        with contextlib.suppress(OSError):
            self._sock.sendall(b"DONE\r\nd LOGOUT\r\n")
        self._sock.close()


def folder_count(served: Mailbox, name: str) -> int:
    with signed_in_box(served) as box:
        return int(box.folder.status(name)["MESSAGES"])


def dovecot_version() -> str:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    with contextlib.suppress(OSError):
        answer = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
        return answer.stdout.split()[0] if answer.stdout else "?"
    return "?"

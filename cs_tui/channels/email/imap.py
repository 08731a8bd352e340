"""Mail in: one mailbox's folder, worked by a thread of its own (imap-tools is
blocking). It waits with IDLE, re-issued before servers and routers drop it, or
polls where there is no IDLE; after every (re)connection it catches up from its
cursor. Each mail is fetched without marking it read, taken in with its cursor in
one transaction, and only then moved to the processed folder (flagged where the
server cannot MOVE), so a crash at any moment loses nothing and doubles nothing.
A mail that cannot be taken in is quarantined raw and the mailbox goes on."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import os
import re
import select
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from imap_tools import BaseMailBox, ImapToolsError, MailboxLoginError

from cs_tui.channels.email.checking import StartTlsMissing, connect_imap, connection_failed, no_starttls
from cs_tui.channels.email.inbound import fetch_limit, inbound_from_mail
from cs_tui.channels.email.settings import (
    PASSWORD_HINT,
    MailboxSettings,
    SettingsError,
    read_password,
    tls_context,
)
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import ChannelStore, NotFound, StoreUnavailable, StoreUnwritable

log = logging.getLogger(__name__)

IDLE_S = 9 * 60
"""How long one IDLE lasts before it is re-issued: RFC 2177 says at most 29 minutes,
and home routers forget a quiet connection after 10 or so."""
POLL_S = 60.0
"""How often a server without IDLE is asked for new mail."""
ANSWER_WITHIN_S = 30.0
"""How long the server may take to answer a command."""
FETCH_BATCH = 25
"""Mails fetched in one command: one round trip for many, little memory for each."""
BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
"""Waits before each reconnection after a failure; the last one repeats."""
STOP_CHECK_S = 0.5
"""How soon a stopped worker notices while it waits."""
OLD_MAIL_MARGIN = timedelta(minutes=10)
"""Mail the server got this long before the mailbox was set up is old mail (the
margin covers clocks that differ and a mail written while it was being set up)."""
JUST_COME = timedelta(minutes=1)
"""Mail the server got this recently is taken in as come now."""
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")

Report = Callable[[str, bool], None]
"""Says what the worker is doing, in words, and whether that is well."""
T = TypeVar("T")


class _StoreTrouble(Exception):
    """The store could not take what was fetched: nothing was lost (the cursor did not
    move), the catch-up is tried again after a wait."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far a folder was taken in: its UIDVALIDITY and the last UID taken."""

    uidvalidity: int
    last_uid: int

    def __str__(self) -> str:
        return f"{self.uidvalidity}:{self.last_uid}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        validity, _, last = (text or "").partition(":")
        if not (validity.isdigit() and last.isdigit()):
            return None
        return cls(int(validity), int(last))


class MailIntake:
    """Takes one mailbox's mail in, in its own thread, until `stop` is set."""

    def __init__(
        self,
        store: ChannelStore,
        name: str,
        settings: MailboxSettings,
        *,
        loop: asyncio.AbstractEventLoop,
        report: Report,
        set_up_at: datetime,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self.name = name
        self.settings = settings
        self.set_up_at = set_up_at
        """When the mailbox was set up in cs-tui."""
        self._loop = loop
        self._report = report
        self._environ = environ

    def run(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                with self._signed_in() as box:
                    failures = 0
                    self._work(box, stop)
            except _StoreTrouble as trouble:
                failures += 1
                self._report(f"cannot store new mail now ({trouble}); trying again", False)
            except (SettingsError, StartTlsMissing, MailboxLoginError) as refusal:
                failures = max(failures + 1, len(BACKOFF_S))  # a person must act: no haste
                self._report(self._refusal_words(refusal), False)
            except (OSError, EOFError, imaplib.IMAP4.error, ImapToolsError) as error:
                failures += 1
                self._report(
                    connection_failed("IMAP", self.settings.imap, error, ANSWER_WITHIN_S) + "; reconnecting",
                    False,
                )
            except NotFound:
                self._report("the mailbox was removed", False)
                return
            stop.wait(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1] if failures else 0)

    def _refusal_words(self, refusal: Exception) -> str:
        server = self.settings.imap
        if isinstance(refusal, StartTlsMissing):
            return no_starttls("IMAP", server)
        if isinstance(refusal, MailboxLoginError):
            return (
                f"the IMAP server refused the password for {server.username}: check "
                f"{self.settings.password_source}; {PASSWORD_HINT}"
            )
        return str(refusal)

    @contextlib.contextmanager
    def _signed_in(self) -> Iterator[BaseMailBox]:
        password = read_password(self.settings, self._environ)
        box = connect_imap(self.settings.imap, tls_context(self.settings), ANSWER_WITHIN_S)
        try:
            box.login(self.settings.imap.username, password, initial_folder=None)
            yield box
        finally:
            with contextlib.suppress(OSError, EOFError, imaplib.IMAP4.error, ImapToolsError):
                box.logout()

    def _work(self, box: BaseMailBox, stop: threading.Event) -> None:
        reader = _Reader(box.client.sock)
        box.client.file = reader  # type: ignore[assignment] # see _Reader
        # Servers name some capabilities only once signed in (Dovecot's MOVE).
        _typ, answer = box.client.capability()
        capabilities = {word.upper() for word in b" ".join(answer).decode(errors="replace").split()}
        moves = "MOVE" in capabilities
        if moves and not box.folder.exists(self.settings.processed_folder):
            box.folder.create(self.settings.processed_folder)
        how = "waiting for new mail (IDLE)" if "IDLE" in capabilities else f"checking every {POLL_S:g} s"
        while not stop.is_set():
            self._catch_up(box, moves=moves)
            self._report(f"signed in to {self.settings.imap.origin}, {how}", True)
            if "IDLE" in capabilities:
                box.idle.start()  # type: ignore[no-untyped-call]
                try:
                    _wait_for_news(box.client, reader, IDLE_S, stop)
                finally:
                    box.idle.stop()  # type: ignore[no-untyped-call]
            else:
                stop.wait(POLL_S)
                box.client.noop()

    def _catch_up(self, box: BaseMailBox, *, moves: bool) -> None:
        """Everything in the folder past the cursor, taken in by UID; with MOVE, what
        a crash left behind after taking it in is moved on as well."""
        box.folder.set(self.settings.imap.folder)
        said = box.client.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
        uidvalidity = int(said if isinstance(said, bytes) else said[0])
        cursor = Cursor.parse(self._call(self.store.channel_cursor(self.name)))
        last = cursor.last_uid if cursor is not None and cursor.uidvalidity == uidvalidity else 0
        criteria = "ALL" if moves else f"UID {last + 1}:*"  # N:* always holds the last mail: filtered below
        uids = sorted(int(uid) for uid in box.uids(criteria))
        self._processed(box, [uid for uid in uids if uid <= last], moves=moves)
        for batch in _batches([uid for uid in uids if uid > last], FETCH_BATCH):
            taken = self._take_batch(box, uidvalidity, batch)
            self._processed(box, taken, moves=moves)

    def _take_batch(self, box: BaseMailBox, uidvalidity: int, batch: Sequence[int]) -> list[int]:
        limit = fetch_limit(self.settings.max_mail_bytes)
        facts = _facts(box, batch)
        small = [uid for uid in batch if uid in facts and facts[uid].size <= limit]
        large = [uid for uid in batch if uid in facts and facts[uid].size > limit]
        raws = _fetch(box, small, "BODY.PEEK[]") if small else {}
        if large:  # only as much as the limit: its text is near the top
            raws.update(_fetch(box, large, f"BODY.PEEK[]<0.{limit}>"))
        taken: list[int] = []
        for uid in batch:
            if uid not in raws:  # gone since the search (moved or deleted by someone else)
                continue
            fact = facts[uid]
            self._take(
                raws[uid],
                str(Cursor(uidvalidity, uid)),
                whole_size=fact.size if uid in large else None,
                received_at=fact.received_at,
            )
            taken.append(uid)
        return taken

    def _take(
        self,
        raw: bytes,
        cursor: str,
        *,
        whole_size: int | None,
        received_at: datetime | None,
    ) -> None:
        """Takes one mail in, at the time the server got it (the customer has waited
        since then, whenever cs-tui looked), or quarantines it. Mail the server had
        well before the mailbox was set up is old: taken in, never acknowledged,
        or connecting a mailbox would answer years of it."""
        try:
            inbound = inbound_from_mail(
                raw,
                mailbox_address=self.settings.address,
                max_mail_bytes=self.settings.max_mail_bytes,
                whole_size=whole_size,
            )
            inbound = replace(inbound, received_at=received_at)
            old = received_at is not None and received_at < self.set_up_at - OLD_MAIL_MARGIN
            acknowledgement = None if old else (self.settings.acknowledgement or None)
            self._call(self.store.take_in(self.name, inbound, cursor=cursor, acknowledgement=acknowledgement))
        except (StoreUnavailable, StoreUnwritable) as trouble:
            raise _StoreTrouble(str(trouble)) from trouble
        except NotFound:
            raise
        except Exception as error:  # whatever it is, this mail must not hold up the others
            log.exception("mail %s of %s could not be taken in", cursor, self.name)
            reason = sanitize_line(str(error)) or type(error).__name__
            self._call(
                self.store.quarantine(self.name, raw, f"it could not be read: {reason}", cursor=cursor)
            )
            self._report(
                f"a mail could not be read and was kept aside ({reason}): cs-tui quarantine list", False
            )

    def _processed(self, box: BaseMailBox, uids: Sequence[int], *, moves: bool) -> None:
        if not uids:
            return
        listed = ",".join(map(str, uids))
        if moves:
            folder = self.settings.processed_folder
            box.client.uid("MOVE", listed, _quoted(folder))
        else:  # the mail stays; the cursor keeps it from being taken in again
            box.client.uid("STORE", listed, "+FLAGS.SILENT", r"(\Flagged)")

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        try:
            return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()
        except (StoreUnavailable, StoreUnwritable) as trouble:
            raise _StoreTrouble(str(trouble)) from trouble


class _Reader:
    """What imaplib reads the server's answers from, in place of the buffered file it
    makes: the same reads, but with the buffer in sight, so that an answer that came
    in one packet with the previous one ("+ idling" and "* 5 EXISTS") is seen at once
    instead of after the next packet."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buffer = bytearray()

    @property
    def has_data(self) -> bool:
        sock = self._sock
        return bool(self._buffer) or (isinstance(sock, ssl.SSLSocket) and sock.pending() > 0)

    def _fill(self) -> bool:
        chunk = self._sock.recv(1 << 16)
        self._buffer += chunk
        return bool(chunk)

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0 or (0 <= limit <= len(self._buffer)):
                cut = end + 1 if end >= 0 else limit
                if 0 <= limit < cut:
                    cut = limit
                return self._take(cut)
            if not self._fill():
                return self._take(len(self._buffer))

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size and self._fill():
            pass
        return self._take(min(size, len(self._buffer)))

    def _take(self, count: int) -> bytes:
        taken = bytes(self._buffer[:count])
        del self._buffer[:count]
        return taken

    def close(self) -> None:
        self._buffer.clear()


def _wait_for_news(client: imaplib.IMAP4, reader: _Reader, seconds: float, stop: threading.Event) -> bool:
    """Waits in IDLE until the server says anything (new mail, an expunge, a
    keep-alive: each is a reason to look), `seconds` pass, or `stop` is set. A
    dropped connection raises, which reconnects."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if reader.has_data or select.select([client.sock], [], [], min(STOP_CHECK_S, left))[0]:
            if not client.readline():
                raise EOFError("the IMAP server closed the connection")
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Fact:
    size: int
    received_at: datetime | None
    """When the server got the mail (INTERNALDATE)."""


def _facts(box: BaseMailBox, uids: Sequence[int]) -> dict[int, _Fact]:
    _typ, data = box.client.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE INTERNALDATE)")
    facts: dict[int, _Fact] = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes):
            uid, size = _UID.search(line), _SIZE.search(line)
            if uid and size:
                facts[int(uid[1])] = _Fact(int(size[1]), _internal_date(line))
    return facts


def _internal_date(line: bytes) -> datetime | None:
    """When the server got the mail, for mail that waited: None (now) for mail that
    came within the past minute, as INTERNALDATE has whole seconds only, and a mail
    just come placed up to a second back would sort below what was written after it."""
    found = imaplib.Internaldate2tuple(line)
    if found is None:
        return None
    received = datetime.fromtimestamp(time.mktime(found), UTC)
    return received if datetime.now(UTC) - received > JUST_COME else None


def _fetch(box: BaseMailBox, uids: Sequence[int], part: str) -> dict[int, bytes]:
    """Each mail's bytes by UID. A server may put the UID before the literal or after
    it: both are read."""
    _typ, data = box.client.uid("FETCH", ",".join(map(str, uids)), f"(UID {part})")
    found: dict[int, bytes] = {}
    pending: bytes | None = None
    for item in data:
        if isinstance(item, tuple):
            head, body = item
            uid = _UID.search(head)
            if uid:
                found[int(uid[1])] = bytes(body)
                pending = None
            else:
                pending = bytes(body)
        elif isinstance(item, bytes) and pending is not None:
            uid = _UID.search(item)
            if uid:
                found[int(uid[1])] = pending
            pending = None
    return found


def _batches(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'

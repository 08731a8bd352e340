"""The email benchmark: cs-tui's mailbox against real servers, Dovecot for IMAP and
aiosmtpd for SMTP, started as the tests start them (tests/mailserver.py).

    python -m bench.email_bench [--mails 100] [--backlog 1000] [--replies 100] [--timeout 30]

Mail to the queue: `cs-tui channel run` works the mailbox (IMAP IDLE) and the real
cs-tui runs in a pseudo-terminal (as bench.tui_bench runs it) on the same store, on
its All open view. Each mail, its subject carrying a token, is appended to the INBOX
once the one before is on the screen; timed from the APPEND's answer to the bytes
that show the token in the queue. The baseline, interleaved with the mails: a ticket
written straight into the store by this process, to the same screen (what the live
update alone costs). Dovecot's own share, just before each mail: a mail appended to
a folder of the bench's, to the bench's own client in IDLE there hearing of it. Once
measured, both tickets are solved, so that the view stays shorter than the screen.

Reply to SMTP: on the tickets that came in by mail, a reply written as the TUI writes
it once its undo window ends, one after another; timed from the store's answer to the
SMTP server taking the mail (its DATA). The baseline: the same mail sent straight to
the same server from this process (what SMTP itself costs).

Backlog: a fresh Dovecot with the mails already in its INBOX, then `cs-tui channel
run` started, timed from its launch until the store holds a ticket for each. The
baseline: the same mails as an mbox file into another fresh store by `cs-tui mail
import`, the whole process timed.

A report, not a test: it exits 0 when a target is missed, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import mailbox
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from uuid import uuid4

import pytest

from bench import results_md
from bench.email_report import Backlog, Replies, ToQueue, print_report
from bench.email_servers import (
    ADDRESS,
    CHANNEL,
    BenchFailed,
    IdleWatch,
    TimedSink,
    channel_run,
    cs_tui_command,
    dovecot_version,
    folder_count,
    mailbox_settings,
    new_store,
    program_env_for,
    signed_in_box,
    smtp,
    tail,
    wait_for_log,
)
from bench.terminal import Terminal, TimedOut
from bench.tui_bench import (
    QUIET_S,
    byte_compile,
    cs_tui,
    open_all_open_view,
    queue_width,
    running,
)
from cs_tui.channels.email.sending import SmtpSettings, send_mail
from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.models import NewMessage, NewTicket, Status, TicketChanges
from cs_tui.store.sqlite import SqliteStore
from tests.mailserver import Mailbox, dovecot

AGENT = ("Sari", "sari@tokoku.example")
SIGNED_IN = "waiting for new mail (IDLE)"
"""What `cs-tui channel run` says once it has caught up and waits in IDLE."""
PROCESSED = "cs-tui-processed"
IDLE_FOLDER = "bench-idle"
"""Where the bench's own IDLE client hears of mail: a folder cs-tui does not work."""
CUSTOMERS = 40
"""Mails come from this many customers, in turn."""
POLL_S = 0.05
"""How often the store is asked how many tickets it holds, in the backlog."""
REPLY_BODY = (
    "Halo Kak, terima kasih sudah menunggu. Paket Kakak tertahan di gudang transit dan sudah "
    "kami kirim ulang hari ini dengan resi baru; estimasi sampai 2-3 hari kerja. Mohon maaf "
    "atas ketidaknyamanannya ya Kak."
)


def say(text: str) -> None:
    """Progress, on stderr: stdout is the report."""
    print(text, file=sys.stderr, flush=True)


# The mail


def customer_mail(number: int, token: str) -> bytes:
    """A customer's mail as Gmail sends it (text and HTML), its subject starting with `token`."""
    customer = number % CUSTOMERS
    message = EmailMessage()
    message["From"] = f"Pelanggan {customer} <pelanggan{customer}@example.com>"
    message["To"] = f"Tokoku CS <{ADDRESS}>"
    message["Subject"] = f"{token} Pesanan belum sampai"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(f"bench{number}", domain="mail.example.com")
    text = (
        f"Halo Tokoku,\n\nPesanan saya nomor INV/2026/{number:06d} sudah dibayar lewat transfer "
        "lima hari lalu, tapi paketnya belum sampai dan resinya tidak bisa dilacak. Mohon dicek "
        "ya, karena barangnya untuk hadiah ulang tahun minggu depan.\n\nTerima kasih,\n"
        f"Pelanggan {customer}\n"
    )
    message.set_content(text)
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n\n"))
    message.add_alternative(f'<div dir="ltr">{paragraphs}</div>', subtype="html")
    return message.as_bytes()


def token_width(count: int) -> int:
    """Digits in each token: all of one width, so that no token is part of another."""
    return max(4, len(str(count)))


def settle_at_top(term: Terminal) -> None:
    """The screen settled, the queue's cursor back on its first line: the cursor stays on
    its ticket as new ones come in above it, and would push them off the top at length."""
    term.drain(QUIET_S * 4)
    term.send("g")
    term.drain(QUIET_S * 4)


def in_queue(token: str) -> Callable[[Terminal], bool]:
    """The token is on a line of the queue pane (not in a notification elsewhere)."""
    return lambda term: any(token in line[: queue_width(term)] for line in term.lines())


# Mail to the queue, and replies to SMTP


async def mail_to_queue(
    term: Terminal, store: SqliteStore, served: Mailbox, count: int, within_s: float
) -> tuple[ToQueue, list[int]]:
    """Each mail, then a ticket written straight into the store, to the screen; the
    ids of the tickets the mails became."""
    found = ToQueue(count)
    width = token_width(count)
    mailed: list[int] = []
    with signed_in_box(served) as box:
        box.folder.create(IDLE_FOLDER)
        with IdleWatch(served, IDLE_FOLDER) as idle:
            for number in range(1, count + 1):
                box.append(customer_mail(number, f"IDLE-{number:0{width}d}"), IDLE_FOLDER, flag_set=[])
                appended = time.perf_counter_ns()
                found.idle_ns.append(idle.announced_after(appended, within_s) - appended)
                token = f"MAIL-{number:0{width}d}"
                box.append(customer_mail(number, token), "INBOX", flag_set=[])
                appended = time.perf_counter_ns()
                found.mail_ns.append(term.wait_for(in_queue(token), within_s).at_ns - appended)
                settle_at_top(term)
                token = f"DIRECT-{number:0{width}d}"
                new = NewTicket(
                    f"{token} Pesanan belum sampai", f"langsung{number % CUSTOMERS}@example.com", "Halo"
                )
                direct = await store.create_ticket(new, actor_id=None)
                written = time.perf_counter_ns()
                found.direct_ns.append(term.wait_for(in_queue(token), within_s).at_ns - written)
                settle_at_top(term)
                await solve(store, direct.id)
                mailed.append(await ticket_of(store, f"MAIL-{number:0{width}d}"))
                await solve(store, mailed[-1])
                settle_at_top(term)
                if number % 10 == 0:
                    say(f"  {number} of {count} mails")
    return found, sorted(mailed)


async def ticket_of(store: SqliteStore, token: str) -> int:
    """The ticket whose subject starts with `token`, among the newest."""
    page = await store.list_tickets(limit=20, with_total=False)
    found = [ticket.id for ticket in page.tickets if ticket.subject.startswith(token + " ")]
    if len(found) != 1:
        raise BenchFailed(f"the store has {len(found)} tickets for the mail {token}")
    return found[0]


async def solve(store: SqliteStore, ticket_id: int) -> None:
    """Solved, out of the All open view: kept shorter than the screen, the queue shows
    each new ticket on its first line (on a longer one it keeps the cursor's ticket on
    its line, and a new ticket comes in above the screen)."""
    ticket = await store.get_ticket(ticket_id)
    await store.update_ticket(
        ticket_id, TicketChanges(status=Status.SOLVED), expected_version=ticket.version, actor_id=None
    )


def wait_for_mail(sink: TimedSink, before: int, term: Terminal, within_s: float) -> int:
    """When the SMTP server took its next mail, keeping the TUI's screen read meanwhile
    (a program whose terminal is not read stops when the terminal's buffer is full)."""
    deadline = time.monotonic() + within_s
    while len(sink.data_at_ns) <= before:
        if time.monotonic() > deadline:
            raise BenchFailed(f"the SMTP server got no mail within {within_s:g} s")
        term.pump(0.002)
    if len(sink.data_at_ns) > before + 1:
        raise BenchFailed("the SMTP server got more mails than were sent")
    return sink.data_at_ns[before]


async def wait_until_sent(store: SqliteStore, ticket_id: int, message_id: int, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while True:
        page = await store.get_messages(ticket_id)
        reply = next(m for m in page.messages if m.id == message_id)
        state = reply.delivery.state if reply.delivery is not None else None
        if state is DeliveryState.SENT:
            return
        if state is not None and state not in (DeliveryState.QUEUED, DeliveryState.SENDING):
            raise BenchFailed(f"the reply on #{ticket_id} was not sent: {state}: {reply.delivery}")
        if time.monotonic() > deadline:
            raise BenchFailed(f"the reply on #{ticket_id} is still {state} after {within_s:g} s")
        await asyncio.sleep(0.02)


async def replies_to_smtp(
    term: Terminal,
    store: SqliteStore,
    sink: TimedSink,
    smtp_settings: SmtpSettings,
    tickets: list[int],
    count: int,
    within_s: float,
) -> Replies:
    """Each reply written into the store to the SMTP server, then the same mail sent
    straight from here."""
    found = Replies(count)
    agent = await store.ensure_agent(*AGENT)
    for number in range(count):
        ticket_id = tickets[number % len(tickets)]
        before = len(sink.data_at_ns)
        reply = await store.add_message(ticket_id, NewMessage(str(uuid4()), REPLY_BODY), actor_id=agent.id)
        written = time.perf_counter_ns()
        found.reply_ns.append(wait_for_mail(sink, before, term, within_s) - written)
        content = sink.received[before].original_content or b""
        mail = message_from_bytes(content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        if f"[#{ticket_id}]" not in str(mail["Subject"]):
            raise BenchFailed(f"the mail for #{ticket_id} came as {mail['Subject']!r}")
        await wait_until_sent(store, ticket_id, reply.id, within_s)
        term.drain(QUIET_S)

        before = len(sink.data_at_ns)
        recipients = list(sink.received[before - 1].rcpt_tos)
        started = time.perf_counter_ns()
        await send_mail(smtp_settings, mail, sender=ADDRESS, recipients=recipients)
        found.direct_ns.append(wait_for_mail(sink, before, term, within_s) - started)
        term.drain(QUIET_S)
        if (number + 1) % 10 == 0:
            say(f"  {number + 1} of {count} replies")
    return found


async def live(args: argparse.Namespace, home: Path) -> tuple[ToQueue, Replies]:
    """Mail to the queue and replies to SMTP, on one Dovecot, one store and one TUI."""
    with dovecot() as served, smtp(served) as (smtp_port, sink):
        env = program_env_for(home, served)
        path = home / "live.db"
        settings = mailbox_settings(served, smtp_port)
        store = await new_store(path, settings)
        try:
            log = home / "channel-run-live.log"
            with channel_run(path, env, log) as process:
                wait_for_log(process, log, SIGNED_IN, args.timeout)
                if await store.lease_holder(CHANNEL) is None:
                    raise BenchFailed(f"cs-tui channel run does not hold the mailbox:\n{tail(log)}")
                with running(cs_tui(path), env) as term:
                    open_all_open_view(term)
                    say(f"Mail to the queue: {args.mails} mails...")
                    to_queue, tickets = await mail_to_queue(term, store, served, args.mails, args.timeout)
                    say(f"Replies to SMTP: {args.replies} replies...")
                    smtp_settings = SmtpSettings(
                        "127.0.0.1", smtp_port, "plain", served.user, served.password
                    )
                    replies = await replies_to_smtp(
                        term, store, sink, smtp_settings, tickets, args.replies, args.timeout
                    )
                if process.poll() is not None:
                    raise BenchFailed(f"cs-tui channel run stopped:\n{tail(log)}")
        finally:
            await store.close()
    return to_queue, replies


# The backlog


async def backlog(args: argparse.Namespace, home: Path) -> Backlog:
    count = args.backlog
    width = token_width(count)
    mails = [customer_mail(number, f"OLD-{number:0{width}d}") for number in range(1, count + 1)]
    found = Backlog(count)
    with dovecot() as served, smtp(served) as (smtp_port, _sink):
        env = program_env_for(home, served)
        settings = mailbox_settings(served, smtp_port)
        say(f"Backlog: {count:,} mails appended to a fresh INBOX (not timed)...")
        with signed_in_box(served) as box:
            for raw in mails:
                box.append(raw, "INBOX", flag_set=[])
        if folder_count(served, "INBOX") != count:
            raise BenchFailed(f"Dovecot's INBOX does not hold the {count} mails appended")

        say(f"Backlog: cs-tui channel run taking {count:,} mails in...")
        path = home / "backlog.db"
        store = await new_store(path, settings)
        try:
            log = home / "channel-run-backlog.log"
            deadline = time.monotonic() + max(args.timeout, count * 0.5)
            started = time.perf_counter_ns()
            with channel_run(path, env, log) as process:
                while (tickets := await store.count_tickets()) < count:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise BenchFailed(f"the store holds {tickets} of {count} tickets:\n{tail(log)}")
                    await asyncio.sleep(POLL_S)
                found.intake_s = (time.perf_counter_ns() - started) / 1e9
                wait_for_log(process, log, SIGNED_IN, args.timeout)
                found.tickets = await store.count_tickets()
                found.inbox_left = folder_count(served, "INBOX")
                found.processed = folder_count(served, PROCESSED)
        finally:
            await store.close()

    say(f"Backlog: the same {count:,} mails by cs-tui mail import...")
    path = home / "import.db"
    store = await new_store(path, settings)
    await store.close()
    found.import_s = time_import(mails, home / "backlog.mbox", path, env)
    store = await SqliteStore.open(path)
    try:
        found.imported = await store.count_tickets()
    finally:
        await store.close()
    return found


def time_import(mails: list[bytes], mbox_path: Path, store: Path, env: dict[str, str]) -> float:
    """`cs-tui mail import` of `mails` written as an mbox file: seconds, the whole process."""
    file = mailbox.mbox(mbox_path)
    try:
        for raw in mails:
            file.add(raw)
        file.flush()
    finally:
        file.close()
    started = time.perf_counter_ns()
    done = subprocess.run(
        cs_tui_command(store, "mail", "import", str(mbox_path)), env=env, capture_output=True, check=False
    )
    took_s = (time.perf_counter_ns() - started) / 1e9
    if done.returncode != 0:
        raise BenchFailed(f"cs-tui mail import failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    return took_s


# The run


async def run(args: argparse.Namespace, home: Path) -> tuple[ToQueue, Replies, Backlog]:
    byte_compile()
    to_queue, replies = await live(args, home)
    found = await backlog(args, home)
    return to_queue, replies, found


def _interrupted(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.email_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=100, help="mails to the queue (default 100)")
    parser.add_argument("--backlog", type=int, default=1000, help="mails in the backlog (default 1000)")
    parser.add_argument("--replies", type=int, default=100, help="replies to SMTP (default 100)")
    parser.add_argument("--timeout", type=float, default=30, help="longest wait for one mail, s (default 30)")
    args = parser.parse_args(argv)
    if min(args.mails, args.backlog, args.replies) < 1:
        parser.error("--mails, --backlog and --replies must be at least 1")
    # Ctrl-C interrupts at once, wherever the bench waits (asyncio's own handling would
    # wait for its next await); every process and folder is still cleaned up on the way out.
    signal.signal(signal.SIGINT, _interrupted)
    with tempfile.TemporaryDirectory(prefix="cs-tui-email-") as folder:
        started = time.monotonic()
        try:
            to_queue, replies, found = asyncio.run(run(args, Path(folder)))
        except pytest.skip.Exception as skipped:
            # tests/mailserver.py says why: no Dovecot, or it could not start here.
            print(
                f"bench: not run, it needs Dovecot (Debian's dovecot-imapd): {skipped.msg}", file=sys.stderr
            )
            return 0
        except (BenchFailed, TimedOut) as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("bench: interrupted; servers and cs-tui stopped", file=sys.stderr)
            return 130
    took_s = time.monotonic() - started
    title = "Email: mail in by IMAP, replies out by SMTP"
    with results_md.section("email", title, "bench.email_bench"):
        print_report(to_queue, replies, found, dovecot_version(), took_s)
    return 0  # a report: missed targets are printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

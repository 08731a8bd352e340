"""The big-message benchmark: the real cs-tui in a pseudo-terminal, as bench.tui_bench
runs it, opening tickets whose message is 1 KB (the baseline), 1 MB on one line, 1 MB
of short lines and 15 MB of short lines (what a store written before messages had a
limit may hold); one whose subject is 10,000 characters; and a page of 50 messages of
14 KB, none long enough to be cut.

    python -m bench.big_messages [--rounds 7] [--huge-mb 15] [--timeout 60] [--opens-only]

Each ticket in turn, round after round: from `enter` to the frame that shows the
ticket; and from a key typed 50 ms after `enter` (`?`) to the frame that shows the
keys screen, what an agent who goes on typing waits for. Then, the ticket open, `f`:
to the reader's first frame and, `end` typed at once, to the frame with the message's
last line. Every figure is against the 1 KB ticket's in the same run (the reader's,
against a 20 KB message, the shortest the thread cuts).

A report, not a test: it exits 0 when a target fails, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import results_md
from bench.report import Check
from bench.terminal import Terminal, TimedOut
from bench.tui_bench import (
    ENTER,
    ESCAPE,
    QUIET_S,
    byte_compile,
    cs_tui,
    cursor_moved,
    cursor_text,
    learn_cursor_background,
    open_all_open_view,
    program_env,
    running,
    ticket_header_shows,
)
from bench.tui_report import SIZE
from cs_tui.domain.models import AuthorKind, NewMessage, NewTicket
from cs_tui.store import open_store

BASELINE = "1 KB"
READER_BASELINE = "20 KB"
"""The reader's baseline: a message just long enough for the thread to cut it."""
SUBJECT = "subject of 10,000"
THREAD_MESSAGES = 50
THREAD_CHARS = 14_000
THREAD = f"{THREAD_MESSAGES} messages of 14 KB"
"""A page of long messages, none long enough to be cut: a mail thread, each quoting all before."""
END = "\x1b[F"
"""The end key, as a terminal sends it."""
END_MARK = "AKHIR-PESAN"
NEXT_KEY_AFTER_S = 0.05
"""When the agent types the next key after `enter`."""
OPEN_OVER_BASELINE = 2.0
"""Opening any ticket costs at most this times opening the 1 KB one (medians)..."""
NEXT_KEY_OVER_BASELINE = 2.0
"""... and so does the key typed after it."""
READER_OVER_BASELINE = 2.0
"""The reader's first frame on a big message, against the 20 KB message's."""


def prose(chars: int) -> str:
    words = "Halo Kak, pesanan saya belum sampai padahal sudah dibayar lewat transfer. "
    return (words * (chars // len(words) + 1))[: chars - len(END_MARK) - 1] + " " + END_MARK


def one_line(chars: int) -> str:
    filler = "lorem ipsum dolor sit amet " * (chars // 27 + 1)
    return filler[: chars - len(END_MARK) - 1] + " " + END_MARK


def short_lines(chars: int) -> str:
    lines: list[str] = []
    size = 0
    while size < chars - 60:
        lines.append(f"{len(lines):08d} 2026-11-30T10:00:00 GET /api/orders 200 12ms")
        size += len(lines[-1]) + 1
    return "\n".join([*lines, END_MARK])


@dataclass(slots=True)
class Ticket:
    name: str
    id: int
    cut: bool = True
    """The thread cuts something of it: the reader is measured on it."""
    opens_ns: list[int] = field(default_factory=list)
    next_key_ns: list[int] = field(default_factory=list)
    reader_ns: list[int] = field(default_factory=list)
    reader_end_ns: list[int] = field(default_factory=list)


def build_store(path: Path, huge_chars: int) -> list[Ticket]:
    """A small demo shop and the tickets measured, newest first as the queue lists them."""
    subprocess.run(
        [sys.executable, "-m", "cs_tui", "demo", "--store", str(path), "--no-open", "--tickets", "200"],
        check=True,
        capture_output=True,
    )
    huge = f"{huge_chars / 1e6:g} MB, short lines"
    bodies = {
        BASELINE: prose(1_000),
        READER_BASELINE: prose(20_000),
        "1 MB, one line": one_line(1_000_000),
        "1 MB, short lines": short_lines(1_000_000),
        **({huge: "stored below"} if huge_chars else {}),
        SUBJECT: prose(1_000),
        THREAD: prose(THREAD_CHARS),
    }

    async def create() -> list[Ticket]:
        store = await open_store(str(path))
        try:
            made = []
            for name, body in bodies.items():
                new = NewTicket(f"Bench {name}", "bench@example.com", body, customer_name="Bench")
                ticket_id = (await store.create_ticket(new, actor_id=None)).id
                made.append(Ticket(name, ticket_id, cut=name not in (BASELINE, THREAD)))
            for number in range(1, THREAD_MESSAGES):
                reply = NewMessage(f"bench-{number}", prose(THREAD_CHARS), AuthorKind.CUSTOMER)
                await store.add_message(made[-1].id, reply, actor_id=None)
            return made
        finally:
            await store.close()

    made = asyncio.run(create())
    by_name = {ticket.name: ticket for ticket in made}
    with sqlite3.connect(path) as db:  # past today's limits: as an older store may hold them
        if huge_chars:
            db.execute(
                "UPDATE messages SET body = ? WHERE ticket_id = ?",
                (short_lines(huge_chars), by_name[huge].id),
            )
        db.execute(
            "UPDATE tickets SET subject = ? WHERE id = ?", ("PAKET" + "x" * 9_995, by_name[SUBJECT].id)
        )
    return made


def to_ticket(term: Terminal, cursor_bg: str, ticket_id: int, timeout: float) -> None:
    """The queue's cursor on the ticket (the measured ones are at the top)."""
    term.send("g")
    term.drain(QUIET_S * 4)
    for _ in range(30):
        term.wait_for(lambda t: cursor_text(t, cursor_bg) is not None, timeout)
        line = cursor_text(term, cursor_bg)
        if f"#{ticket_id} " in (line or ""):
            return
        term.send("j")
        term.wait_for(cursor_moved(cursor_bg, line), timeout)
        term.drain(QUIET_S)
    raise RuntimeError(f"#{ticket_id} is not near the top of the queue:\n{term.text()}")


def back_to_queue(term: Terminal, cursor_bg: str, timeout: float) -> None:
    term.send(ESCAPE)
    term.wait_for(lambda t: cursor_text(t, cursor_bg) is not None, timeout)
    term.drain(QUIET_S * 4)


def shows(text: str) -> Callable[[Terminal], bool]:
    return lambda term: text in term.text()


def reader_shows(ticket_id: int) -> Callable[[Terminal], bool]:
    return lambda term: term.line(0).startswith(f"╭─ #{ticket_id} ")


def measure(term: Terminal, cursor_bg: str, ticket: Ticket, timeout: float, reader: bool) -> None:
    """Open the ticket; the reader, if the ticket has something cut; open it again with
    a key typed right after."""
    to_ticket(term, cursor_bg, ticket.id, timeout)
    sent = term.send(ENTER)
    ticket.opens_ns.append(term.wait_for(ticket_header_shows(ticket.id), timeout).at_ns - sent)
    term.drain(QUIET_S * 4)
    if reader and ticket.cut:
        sent = term.send("f")
        ticket.reader_ns.append(term.wait_for(reader_shows(ticket.id), timeout).at_ns - sent)
        term.send(END)
        shown = term.wait_for(lambda t: reader_shows(ticket.id)(t) and END_MARK in t.text(), timeout)
        ticket.reader_end_ns.append(shown.at_ns - sent)
        term.drain(QUIET_S * 4)
        term.send(ESCAPE)
        term.wait_for(lambda t: not reader_shows(ticket.id)(t), timeout)
        term.drain(QUIET_S * 4)
    back_to_queue(term, cursor_bg, timeout)
    # Again, with the next key typed right after: the ticket is read and drawn again.
    term.send(ENTER)
    time.sleep(NEXT_KEY_AFTER_S)
    sent = term.send("?")
    ticket.next_key_ns.append(term.wait_for(shows("queue.down"), timeout).at_ns - sent)
    term.drain(QUIET_S * 4)
    term.send(ESCAPE)
    term.wait_for(lambda t: "queue.down" not in t.text(), timeout)
    term.drain(QUIET_S * 4)
    back_to_queue(term, cursor_bg, timeout)


def median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6


def report(tickets: list[Ticket], rounds: int, reader: bool) -> list[Check]:
    columns, lines = SIZE
    print(
        f"cs-tui big-message benchmark · {columns}x{lines} · Python {platform.python_version()}"
        f" · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    base = tickets[0]
    print(f"\nKey to frame, medians of {rounds} rounds (ms), and against the {BASELINE} message's")
    heads = ["open (enter)", "next key (?)"] + (["reader (f)", "its end"] if reader else [])
    print(f"  {'ticket':<22}" + "".join(f"{h:>14} {'':>6}" for h in heads))
    found: list[Check] = []
    reader_base = next(t for t in tickets if t.name == READER_BASELINE)
    for ticket in tickets:
        row = f"  {ticket.name:<22}"
        pairs = [(ticket.opens_ns, base.opens_ns), (ticket.next_key_ns, base.next_key_ns)]
        if reader and ticket.reader_ns:
            pairs += [
                (ticket.reader_ns, reader_base.reader_ns),
                (ticket.reader_end_ns, reader_base.reader_end_ns),
            ]
        for samples, baseline in pairs:
            ms, ratio = median_ms(samples), median_ms(samples) / median_ms(baseline)
            row += f"{ms:>14.1f} {ratio:>5.2f}x"
        print(row)
        if ticket is base:
            continue
        found.append(
            Check(
                f"open / {BASELINE} <= {OPEN_OVER_BASELINE}x",
                ticket.name,
                median_ms(ticket.opens_ns) / median_ms(base.opens_ns),
                OPEN_OVER_BASELINE,
                "x",
            )
        )
        found.append(
            Check(
                f"next key / {BASELINE} <= {NEXT_KEY_OVER_BASELINE}x",
                ticket.name,
                median_ms(ticket.next_key_ns) / median_ms(base.next_key_ns),
                NEXT_KEY_OVER_BASELINE,
                "x",
            )
        )
        if reader and ticket.cut and ticket is not reader_base:
            found.append(
                Check(
                    f"reader / {READER_BASELINE} <= {READER_OVER_BASELINE}x",
                    ticket.name,
                    median_ms(ticket.reader_ns) / median_ms(reader_base.reader_ns),
                    READER_OVER_BASELINE,
                    "x",
                )
            )
    if reader:
        print(
            f"  (the reader's figures against the {READER_BASELINE} message's, the shortest the thread cuts;"
            " its end: from `f`, `end` typed at once)"
        )
    print("\nTargets")
    for check in found:
        mark = "PASS" if check.passed else "FAIL"
        print(f"  {mark}  {check.target}: {check.subject} {check.measured:.2f} {check.unit}")
    failed = sum(not check.passed for check in found)
    print(
        f"  => {f'{failed} of {len(found)} checks FAILED' if failed else f'all {len(found)} checks passed'}"
    )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.big_messages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=7, help="opens of each ticket (default 7)")
    parser.add_argument(
        "--huge-mb", type=float, default=15, help="the biggest message, MB (default 15; 0: none)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="longest wait for a frame, s (default 60)")
    parser.add_argument("--opens-only", action="store_true", help="no reader (for a cs-tui without it)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cs-tui-big-") as folder:
        home = Path(folder)
        store = home / "big.db"
        tickets = build_store(store, int(args.huge_mb * 1e6))
        byte_compile()
        env = program_env(home)
        try:
            with running(cs_tui(store), env) as term:
                open_all_open_view(term)
                cursor_bg = learn_cursor_background(term)
                for _ in range(args.rounds):
                    for ticket in tickets:
                        measure(term, cursor_bg, ticket, args.timeout, reader=not args.opens_only)
        except TimedOut as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
    title = "Big messages in the TUI"
    with results_md.section("big", title, "bench.big_messages"):
        report(tickets, args.rounds, reader=not args.opens_only)
    return 0  # a report: failed targets are printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

"""The TUI benchmark: the real cs-tui in a pseudo-terminal, read by a terminal emulator
(pyte) the way an agent's terminal reads it.

    python -m bench.tui_bench [--rebuild] [--launches 9] [--moves 200] [--opens 40]

First, time to the first interactive frame for a bare Textual app, cs-tui on an empty
store and cs-tui on the 100,000-ticket demo store, launched in turn. Then, on the big
store: key-to-frame latency for moving in the queue, opening a ticket and typing a
search; bytes written to the terminal per cursor move; resident memory against the
empty store after the same keys. Every time is from the moment a key is written to the
terminal to the moment the bytes that show its effect arrive.

A report, not a test: it exits 0 when a target fails, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from bench import bare_open, results_md
from bench.demo_stores import ROOT, BuildFailed, demo_store, scratch_copy
from bench.terminal import Terminal
from bench.tui_report import (
    OPEN,
    OPEN_FOCUSED,
    SIZE,
    TICKETS,
    Launches,
    Run,
    Session,
    checks,
    print_report,
    save_json,
)
from cs_tui.config import DEFAULT_VIEWS
from cs_tui.domain.query import parse
from cs_tui.store import open_store

BARE_APP = ROOT / "bench" / "bare_app.py"
BARE_OPEN = ROOT / "bench" / "bare_open.py"
AGENT = "sari@tokonusantara.example"
QUEUE_COUNT = re.compile(r"(\d[\d,]*)-(\d[\d,]*) of ([\d,]+)|0 of 0")
"""The queue's "1-40 of 12,345": the sign that the queue is drawn and takes keys."""
TICKET_ID = re.compile(r"#(\d+)")
SEARCHES = ("pesanan", "refund", "priority:urgent", "status:pending channel:whatsapp")
"""Typed one key at a time: a common word, a rarer one, and the field syntax."""
SEARCHED_VIEW = "3"
"""The view the session works in, All open: a search narrows it."""
KEY_INTERVAL_S = 0.12
"""A quick typist's pace: long enough for the live search to run between keys."""
QUIET_S = 0.05
"""The screen counts as settled after this long without output."""
ESCAPE, CLEAR_LINE, ENTER = "\x1b", "\x15", "\r"

# The screen, as read off the emulator


def queue_width(term: Terminal) -> int:
    """Columns of the queue pane: up to the second pane's top-left corner."""
    top = term.line(0)
    second = top.find("╭", 1)
    return second if second > 0 else len(top)


def backgrounds(term: Terminal) -> list[str]:
    """The background of each line at the queue's first text column."""
    return [term.screen.buffer[y][2].bg for y in range(term.screen.lines)]


def cursor_line(term: Terminal, cursor_bg: str) -> int | None:
    """The screen line the queue's cursor is on, if the screen shows it."""
    return next((y for y, bg in enumerate(backgrounds(term)) if bg == cursor_bg), None)


def cursor_text(term: Terminal, cursor_bg: str) -> str | None:
    """The queue line the cursor is on, if the screen shows it."""
    y = cursor_line(term, cursor_bg)
    return None if y is None else term.line(y)[: queue_width(term)]


def learn_cursor_background(term: Terminal) -> str:
    """The cursor row's colour: the one that moves down a line when `j` is pressed."""
    before = backgrounds(term)
    term.send("j")
    term.drain(QUIET_S * 4)
    after = backgrounds(term)
    term.send("k")
    term.drain(QUIET_S * 4)
    changed = [y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if len(changed) != 2 or before[changed[0]] != after[changed[1]]:
        raise RuntimeError(f"could not find the queue's cursor: lines {changed} changed colour on `j`")
    return after[changed[1]]


def cursor_moved(cursor_bg: str, before: str | None) -> Callable[[Terminal], bool]:
    """The cursor is on another line, or the queue scrolled under it."""
    return lambda term: cursor_text(term, cursor_bg) not in (None, before)


def ticket_header_shows(ticket_id: int) -> Callable[[Terminal], bool]:
    """The ticket pane's first line names the ticket (drawn with its messages, in one go)."""
    header = f" #{ticket_id} "
    return lambda term: header in term.line(1)[queue_width(term) :]


def search_line(term: Terminal) -> str:
    """The search input: the first line inside the queue pane."""
    return term.line(1)[2 : queue_width(term)]


def shown_count(term: Terminal) -> str | None:
    found = QUEUE_COUNT.search(term.text())
    return found.group(0) if found else None


# Launching


def program_env(home: Path) -> dict[str, str]:
    """The user's environment with config, data and state kept in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CS_TUI_")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    env["COLORTERM"] = "truecolor"
    return env


def byte_compile() -> None:
    """Compile cs-tui's modules as pip does when it installs a package, so no launch
    compiles them from source: the bare app's Textual is installed, compiled, and a
    checkout run with PYTHONDONTWRITEBYTECODE (or read-only) would pay 60 ms a launch."""
    compileall.compile_dir(ROOT / "cs_tui", quiet=1)


def cs_tui(store: Path) -> list[str]:
    return [sys.executable, "-m", "cs_tui", "--store", str(store), "--agent", AGENT]


@contextmanager
def running(argv: Sequence[str], env: dict[str, str]) -> Iterator[Terminal]:
    term = Terminal(argv, env=env, size=SIZE)
    try:
        yield term
    finally:
        term.close()


def first_frame(
    argv: Sequence[str], env: dict[str, str], ready: Callable[[Terminal], bool]
) -> tuple[float, int]:
    with running(argv, env) as term:
        shown = term.wait_for(ready, timeout=60)
        return (shown.at_ns - term.started_ns) / 1e6, shown.bytes_read


def launches(
    programs: dict[str, tuple[list[str], Callable[[Terminal], bool]]], env: dict[str, str], rounds: int
) -> Launches:
    """Each program launched `rounds` times, in turn, after one launch each to warm the disk cache."""
    found = Launches()
    for argv, ready in programs.values():
        first_frame(argv, env, ready)
    for _ in range(rounds):
        for name, (argv, ready) in programs.items():
            found.add(name, *first_frame(argv, env, ready))
    return found


# One session on the big store


def open_all_open_view(term: Terminal) -> None:
    term.wait_for(lambda t: shown_count(t) is not None, timeout=60)
    term.drain(QUIET_S * 4)
    term.send(SEARCHED_VIEW)
    term.wait_for_text("3 All open")
    term.drain(QUIET_S * 4)


def measure_moves(term: Terminal, session: Session, moves: int, cursor_bg: str) -> None:
    samples = session.latency_ns.setdefault("move in the queue (j)", [])
    for _ in range(moves):
        before, read_before = cursor_text(term, cursor_bg), term.bytes_read
        line_before = cursor_line(term, cursor_bg)
        sent = term.send("j")
        shown = term.wait_for(cursor_moved(cursor_bg, before))
        samples.append(shown.at_ns - sent)
        term.drain(QUIET_S)
        kind = "scrolls the queue" if cursor_line(term, cursor_bg) == line_before else "within the screen"
        session.move_bytes.setdefault(kind, []).append(term.bytes_read - read_before)


def measure_opens(term: Terminal, session: Session, opens: int, cursor_bg: str) -> None:
    samples = session.latency_ns.setdefault(OPEN, [])
    focus_samples = session.latency_ns.setdefault(OPEN_FOCUSED, [])
    for _ in range(opens):
        line = cursor_text(term, cursor_bg) or ""
        found = TICKET_ID.search(line)
        if found is None:
            raise RuntimeError(f"no ticket id on the cursor line: {line!r}")
        sent = term.send(ENTER)
        shown = term.wait_for(ticket_header_shows(int(found.group(1))))
        samples.append(shown.at_ns - sent)
        # The focus moves in the same frame or a later one: the queue's cursor row
        # loses its focused colour.
        moved = term.wait_for(lambda t: cursor_text(t, cursor_bg) is None)
        focus_samples.append(moved.at_ns - sent)
        term.drain(QUIET_S)
        term.send(ESCAPE)  # back to the queue, whose cursor shows its focused colour again
        term.wait_for(lambda t: cursor_text(t, cursor_bg) is not None)
        term.drain(QUIET_S)
        term.send("j")
        term.wait_for(cursor_moved(cursor_bg, cursor_text(term, cursor_bg)))
        term.drain(QUIET_S)


def measure_searches(term: Terminal, session: Session, counts: dict[str, int], everything: int) -> None:
    """Type each search a key at a time; time each key's echo and each search's count."""
    samples = session.latency_ns.setdefault("type a search (echo)", [])
    term.send("/")
    term.drain(QUIET_S * 4)
    for query, count in counts.items():
        term.send(CLEAR_LINE)
        term.wait_for(lambda t: _count_of(t) == everything)
        term.drain(QUIET_S * 4)
        typed = ""
        for key in query:
            typed += key
            sent = term.send(key)
            shown = term.wait_for(partial(_search_starts, typed=typed))
            samples.append(shown.at_ns - sent)
            term.pump(max(0.0, KEY_INTERVAL_S - (shown.at_ns - sent) / 1e9))
        last = sent
        shown = term.wait_for(partial(_count_is, count=count))
        session.results_ms[query] = (shown.at_ns - last) / 1e6
        term.drain(QUIET_S * 4)
    term.send(ENTER)
    term.drain(QUIET_S * 4)


def _search_starts(term: Terminal, typed: str) -> bool:
    return search_line(term).startswith(typed)


def _count_is(term: Terminal, count: int) -> bool:
    return _count_of(term) == count


def _count_of(term: Terminal) -> int | None:
    found = QUEUE_COUNT.search(term.text())
    if found is None:
        return None
    return int(found.group(3).replace(",", "")) if found.group(3) else 0


def big_session(
    store: Path, env: dict[str, str], moves: int, opens: int, counts: dict[str, int], in_view: int
) -> Session:
    session = Session()
    with running(cs_tui(store), env) as term:
        open_all_open_view(term)
        session.rss_start = term.rss_bytes()
        cursor_bg = learn_cursor_background(term)
        measure_moves(term, session, moves, cursor_bg)
        term.send("g")
        term.drain(QUIET_S * 4)
        measure_opens(term, session, opens, cursor_bg)
        measure_searches(term, session, counts, in_view)
        session.rss_end = term.rss_bytes()
    return session


def bare_opens(env: dict[str, str], opens: int) -> list[int]:
    """Key-to-frame for the bare app's open (bench/bare_open.py)."""
    samples: list[int] = []
    with running([sys.executable, str(BARE_OPEN)], env) as term:
        term.wait_for_text(bare_open.READY)
        term.drain(QUIET_S * 4)
        for opened in range(1, opens + 1):
            sent = term.send(ENTER)
            shown = term.wait_for_text(bare_open.header(opened))
            samples.append(shown.at_ns - sent)
            term.drain(QUIET_S)
            term.send(ESCAPE)
            term.drain(QUIET_S * 4)  # past Textual's wait for what follows a lone escape
    return samples


def same_keys_on_empty(store: Path, env: dict[str, str], moves: int, opens: int) -> tuple[int, int]:
    """The big session's keys on the empty store (nothing to wait for): memory at start and end."""
    with running(cs_tui(store), env) as term:
        open_all_open_view(term)
        start = term.rss_bytes()
        keys = ["j"] * moves + [ENTER, ESCAPE, "j"] * opens + ["/"]
        for query in SEARCHES:
            keys += [CLEAR_LINE, *query]
        for key in [*keys, ENTER]:
            term.send(key)
            term.drain(0.01)
        term.drain(QUIET_S * 4)
        return start, term.rss_bytes()


async def expected_counts(store: Path) -> tuple[dict[str, int], int]:
    """What each search finds in the view it is typed in (All open), and what the view
    holds (what an emptied search line shows)."""
    view = next(view.query for view in DEFAULT_VIEWS if view.key == SEARCHED_VIEW)
    opened = await open_store(str(store))
    try:
        counts = {query: await opened.count_tickets(parse(f"{view} {query}")) for query in SEARCHES}
        return counts, await opened.count_tickets(parse(view))
    finally:
        await opened.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tui_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="fill the demo store again, even if cached")
    parser.add_argument("--launches", type=int, default=9, help="launches of each program (default 9)")
    parser.add_argument("--moves", type=int, default=200, help="cursor moves timed (default 200)")
    parser.add_argument("--opens", type=int, default=40, help="tickets opened (default 40)")
    args = parser.parse_args(argv)
    try:
        demo = demo_store(TICKETS, rebuild=args.rebuild)
    except BuildFailed as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="cs-tui-bench-") as folder, scratch_copy(demo) as big:
        home = Path(folder)
        env = program_env(home)
        empty = home / "empty.db"
        counts, in_view = asyncio.run(expected_counts(big))
        byte_compile()
        found = launches(
            {
                "bare": ([sys.executable, str(BARE_APP)], lambda t: "ready" in t.text()),
                "empty": (cs_tui(empty), lambda t: shown_count(t) is not None),
                "100k": (cs_tui(big), lambda t: shown_count(t) is not None),
            },
            env,
            args.launches,
        )
        session = big_session(big, env, args.moves, args.opens, counts, in_view)
        session.bare_open_ns = bare_opens(env, args.opens)
        empty_rss = same_keys_on_empty(empty, env, args.moves, args.opens)
    run = Run(demo, found, session, empty_rss, counts)
    results = checks(run)
    saved = save_json(run, results)
    with results_md.section("tui", "The TUI in a terminal", "bench.tui_bench"):
        print_report(run, results, saved)
    return 0  # a report: failed targets are printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

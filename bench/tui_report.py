"""What the TUI benchmark found, the targets it is held to, and how both read: a
table on stdout and JSON in bench/results/."""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.demo_stores import ROOT, DemoStore
from bench.report import Check
from bench.timing import Timing

RESULTS = ROOT / "bench" / "results"
TICKETS = 100_000
SIZE = (160, 48)
OPEN = "open a ticket (enter)"
OPEN_FOCUSED = "open a ticket: the focus there too"

LATENCY_MEDIAN_MS = 16.0
LATENCY_P95_MS = 50.0
FIRST_FRAME_BIG_OVER_EMPTY = 1.2
FIRST_FRAME_EMPTY_OVER_BARE = 1.5
MEMORY_BIG_OVER_EMPTY = 1.2


@dataclass(slots=True)
class Launches:
    """Milliseconds to the first interactive frame, and bytes written until then, per program."""

    ms: dict[str, list[float]] = field(default_factory=dict)
    bytes: dict[str, list[int]] = field(default_factory=dict)

    def add(self, name: str, ms: float, written: int) -> None:
        self.ms.setdefault(name, []).append(ms)
        self.bytes.setdefault(name, []).append(written)

    def median(self, name: str) -> float:
        return statistics.median(self.ms[name])


@dataclass(slots=True)
class Session:
    """What one session on the big store measured."""

    latency_ns: dict[str, list[int]] = field(default_factory=dict)
    move_bytes: dict[str, list[int]] = field(default_factory=dict)
    """Bytes written per cursor move: moves within the screen, and moves that scroll the queue."""
    results_ms: dict[str, float] = field(default_factory=dict)
    """From the last key of a search to its count on screen, debounce included."""
    bare_open_ns: list[int] = field(default_factory=list)
    """The same focus move and text change in a bare Textual app: the floor for opening."""
    rss_start: int = 0
    rss_end: int = 0

    def timing(self, name: str) -> Timing:
        return Timing.of(self.latency_ns[name])


@dataclass(frozen=True, slots=True)
class Run:
    demo: DemoStore
    launches: Launches
    session: Session
    empty_rss: tuple[int, int]
    counts: dict[str, int]


def checks(run: Run) -> list[Check]:
    found = [
        Check(
            f"first frame, {TICKETS:,} tickets / empty store <= {FIRST_FRAME_BIG_OVER_EMPTY}x (medians)",
            "cs-tui",
            run.launches.median("100k") / run.launches.median("empty"),
            FIRST_FRAME_BIG_OVER_EMPTY,
            "x",
        ),
        Check(
            f"first frame, empty store / bare Textual app <= {FIRST_FRAME_EMPTY_OVER_BARE}x (medians)",
            "cs-tui",
            run.launches.median("empty") / run.launches.median("bare"),
            FIRST_FRAME_EMPTY_OVER_BARE,
            "x",
        ),
    ]
    for name in run.session.latency_ns:
        timing = run.session.timing(name)
        found.append(
            Check(
                f"key to frame, median <= {LATENCY_MEDIAN_MS:g} ms",
                name,
                timing.median_ms,
                LATENCY_MEDIAN_MS,
                "ms",
            )
        )
        found.append(
            Check(f"key to frame, p95 <= {LATENCY_P95_MS:g} ms", name, timing.p95_ms, LATENCY_P95_MS, "ms")
        )
    found.append(
        Check(
            f"resident memory, {TICKETS:,} tickets / empty store <= {MEMORY_BIG_OVER_EMPTY}x",
            "after the same keys",
            run.session.rss_end / run.empty_rss[1],
            MEMORY_BIG_OVER_EMPTY,
            "x",
        )
    )
    return found


def print_report(run: Run, found: list[Check], saved: Path) -> None:
    columns, lines = SIZE
    print(
        f"cs-tui TUI benchmark · {columns}x{lines} · Python {platform.python_version()}"
        f" · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    print(f"\nFirst interactive frame ({len(run.launches.ms['bare'])} launches each, in turn)")
    print(f"  {'program':<34} {'median':>9} {'min':>9} {'max':>9} {'bytes':>9}")
    labels = {
        "bare": "bare Textual app",
        "empty": "cs-tui, empty store",
        "100k": f"cs-tui, {TICKETS:,} tickets",
    }
    for name, label in labels.items():
        ms = run.launches.ms[name]
        written = int(statistics.median(run.launches.bytes[name]))
        print(f"  {label:<34} {statistics.median(ms):9.1f} {min(ms):9.1f} {max(ms):9.1f} {written:>9,}")
    print(f"\nKey to frame on {TICKETS:,} tickets (ms)")
    print(f"  {'action':<34} {'median':>9} {'p95':>9} {'max':>9} {'keys':>6}")
    for name, samples in run.session.latency_ns.items():
        timing = run.session.timing(name)
        worst = max(samples) / 1e6
        print(f"  {name:<34} {timing.median_ms:9.2f} {timing.p95_ms:9.2f} {worst:9.2f} {timing.runs:>6}")
    bare = Timing.of(run.session.bare_open_ns)
    opening = run.session.timing(OPEN)
    print(
        f"  {'(bare Textual app, the same open)':<34} {bare.median_ms:9.2f} {bare.p95_ms:9.2f}"
        f" {max(run.session.bare_open_ns) / 1e6:9.2f} {bare.runs:>6}"
        f"   open / bare: {opening.median_ms / bare.median_ms:.2f}x"
    )
    print(
        "\nSearch results, typed in view 3 (All open): last key to the count on screen"
        " (120 ms of typing pause included)"
    )
    for query, result_ms in run.session.results_ms.items():
        print(f"  {query:<34} {result_ms:9.1f} ms   {run.counts[query]:>9,} tickets")
    print("\nBytes to the terminal per cursor move")
    for kind, moves in run.session.move_bytes.items():
        print(f"  {kind:<34} median {statistics.median(moves):>9,.0f}   ({len(moves)} moves)")
    print("\nResident memory (MB)")
    print(f"  {'':<34} {'start':>9} {'after':>9}")
    for label, (start, end) in (
        ("cs-tui, empty store", run.empty_rss),
        (f"cs-tui, {TICKETS:,} tickets", (run.session.rss_start, run.session.rss_end)),
    ):
        print(f"  {label:<34} {start / 2**20:9.1f} {end / 2**20:9.1f}")
    print("\nTargets")
    for check in found:
        verdict = "PASS" if check.passed else "FAIL"
        print(f"  {verdict}  {check.target}: {check.subject} {check.measured:.2f} {check.unit}")
    failed = sum(not check.passed for check in found)
    print(f"  => {f'{failed} of {len(found)} checks FAILED' if failed else 'every check passed'}")
    print(f"\nJSON: {saved.relative_to(ROOT)}")


def to_json(run: Run, found: list[Check]) -> dict[str, Any]:
    return {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "terminal": {"columns": SIZE[0], "lines": SIZE[1]},
        "first_frame_ms": run.launches.ms,
        "first_frame_bytes": run.launches.bytes,
        "key_to_frame": {name: run.session.timing(name).to_json() for name in run.session.latency_ns},
        "bare_open": Timing.of(run.session.bare_open_ns).to_json(),
        "search_results_ms": run.session.results_ms,
        "search_counts": run.counts,
        "bytes_per_move": run.session.move_bytes,
        "rss_bytes": {
            "empty": {"start": run.empty_rss[0], "end": run.empty_rss[1]},
            "100k": {"start": run.session.rss_start, "end": run.session.rss_end},
        },
        "checks": [check.to_json() for check in found],
        "failed": sum(not check.passed for check in found),
    }


def save_json(run: Run, found: list[Check]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"tui-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(to_json(run, found), indent=2) + "\n")
    return path

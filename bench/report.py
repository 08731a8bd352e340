"""What a benchmark run found, the targets it is held to, and how both read:
a table on stdout and JSON in bench/results/."""

from __future__ import annotations

import enum
import json
import platform
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.demo_stores import ROOT, DemoStore
from bench.timing import Timing

ESTIMATE_ERROR_TARGET = 0.05
"""An estimated count may miss the exact one by this share of it, at most."""
FILL_TARGET_S = 60.0
FILL_TARGET_TICKETS = 100_000
SCALING_TARGET = 1.5
"""No operation on the largest store may take more than this times the smallest's."""


class Kind(enum.StrEnum):
    PAGE = "page + count"
    OPEN = "open ticket"
    REPLY = "reply"
    METRICS = "metrics"

    @property
    def target_ms(self) -> float | None:
        """The most the store's median may take, when the kind has a target."""
        return {Kind.PAGE: 5.0, Kind.REPLY: 2.0, Kind.METRICS: 10.0}.get(self)


@dataclass(frozen=True, slots=True)
class Found:
    """What an operation found: a few words for the table (how many tickets a view
    matched), and how many rows the store handed back (tickets on the page)."""

    note: str
    rows: int = 1


@dataclass(frozen=True, slots=True)
class Counted:
    """A search's count: the page's total against the exact count (plain sqlite3's),
    and the same page counted exactly, timed in the same run."""

    exact: int
    total: int
    estimated: bool
    counted_exactly: Timing
    """The store's list_tickets with its estimates off: what an exact count costs."""

    @property
    def error(self) -> float:
        """The total's error, as a share of the exact count."""
        return (self.total - self.exact) / self.exact if self.exact else 0.0


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    kind: Kind
    store: Timing
    plain: Timing
    found: Found
    disagreement: str | None = None
    """Set when the store and plain sqlite3 did not return the same thing."""
    counted: Counted | None = None
    """For a search of words: its count against the exact one."""

    @property
    def store_over_plain(self) -> float:
        return self.store.median_ms / self.plain.median_ms


@dataclass(frozen=True, slots=True)
class StoreRun:
    demo: DemoStore
    fixtures: dict[str, Any]
    """What the views were given: who "me" is, the tag, the words, the long ticket."""
    measured: list[Measured]

    def find(self, like: Measured) -> Measured:
        """This run's measurement of the same operation."""
        return next(m for m in self.measured if m.name == like.name)


@dataclass(frozen=True, slots=True)
class Check:
    target: str
    subject: str
    measured: float
    limit: float
    unit: str

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "subject": self.subject,
            "measured": round(self.measured, 4),
            "limit": self.limit,
            "unit": self.unit,
            "passed": self.passed,
        }


def checks(runs: list[StoreRun]) -> list[Check]:
    found: list[Check] = []
    for run in runs:
        if run.demo.filled_now and run.demo.tickets == FILL_TARGET_TICKETS and run.demo.fill_s is not None:
            target = f"filling {FILL_TARGET_TICKETS:,} tickets < {FILL_TARGET_S:.0f} s"
            found.append(Check(target, "cs-tui demo", run.demo.fill_s, FILL_TARGET_S, "s"))
    for kind in Kind:
        if kind.target_ms is None:
            continue
        target = f"{kind} <= {kind.target_ms:g} ms (store median)"
        for run in runs:
            for m in run.measured:
                if m.kind is kind:
                    subject = f"{m.name} @ {run.demo.tickets:,}"
                    found.append(Check(target, subject, m.store.median_ms, kind.target_ms, "ms"))
    target = f"estimated count within {ESTIMATE_ERROR_TARGET:.0%} of the exact count"
    for run in runs:
        for m in run.measured:
            if m.counted is not None and m.counted.estimated:
                subject = f"{m.name} @ {run.demo.tickets:,}"
                found.append(
                    Check(target, subject, abs(m.counted.error) * 100, ESTIMATE_ERROR_TARGET * 100, "%")
                )
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        target = (
            f"{large.demo.tickets:,} / {small.demo.tickets:,} tickets <= {SCALING_TARGET}x (store median)"
        )
        for m in large.measured:
            before = small.find(m)
            ratio = m.store.median_ms / before.store.median_ms
            found.append(Check(target, m.name + _fewer_rows(before, m), ratio, SCALING_TARGET, "x"))
    return found


def print_report(runs: list[StoreRun], found: list[Check], saved: Path) -> None:
    print(
        f"cs-tui store benchmark · SQLite {sqlite3.sqlite_version} · Python {platform.python_version()}"
        f" · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    print("\nDemo stores (cs-tui demo --seed 1)")
    for run in runs:
        demo = run.demo
        fill = f"{demo.fill_s:.1f} s" if demo.fill_s is not None else "?"
        how = f"filled now in {fill}" if demo.filled_now else f"cached (filled in {fill})"
        size = f"{demo.size_bytes / 2**20:.1f} MB"
        print(f"  {demo.tickets:>9,} tickets  {_relative(demo.path):<30} {size:>9}  {how}")
    for run in runs:
        _print_store_run(run)
    _print_counts(runs)
    if len(runs) >= 2:
        _print_scaling(runs[0], runs[-1])
    _print_checks(found)
    for run in runs:
        for m in run.measured:
            if m.disagreement:
                print(f"\nWARNING {m.name} @ {run.demo.tickets:,}: store and plain sqlite3 disagree: ")
                print(f"  {m.disagreement}")
    print(f"\nJSON: {_relative(saved)}")


def _print_store_run(run: StoreRun) -> None:
    given = ", ".join(f"{key} = {value}" for key, value in run.fixtures.items())
    print(f"\n{run.demo.tickets:,} tickets  ({given})")
    print(
        f"  {'operation':<22} {'found':<28} {'store':>9} {'p95':>9} {'plain':>9} {'p95':>9}"
        f" {'store/plain':>11}"
    )
    for m in run.measured:
        print(
            f"  {m.name:<22} {m.found.note:<28} {_ms(m.store.median_ms)} {_ms(m.store.p95_ms)}"
            f" {_ms(m.plain.median_ms)} {_ms(m.plain.p95_ms)} {m.store_over_plain:>10.1f}x"
        )
    print("  (medians and p95 in ms; store = SqliteStore through the Store protocol)")


def _print_counts(runs: list[StoreRun]) -> None:
    counted = [(run, m) for run in runs for m in run.measured if m.counted is not None]
    if not counted:
        return
    print("\nCounts of the searches: the page's total against the exact count (medians)")
    print(
        f"  {'search':<22} {'tickets':>9} {'exact':>8} {'total':>8} {'error':>7}"
        f" {'list':>9} {'counted exactly':>15} {'ratio':>6}"
    )
    for run, m in counted:
        assert m.counted is not None
        c = m.counted
        total = f"~{c.total:,}" if c.estimated else f"{c.total:,}"
        print(
            f"  {m.name:<22} {run.demo.tickets:>9,} {c.exact:>8,} {total:>8} {c.error:>+7.1%}"
            f" {_ms(m.store.median_ms)} {_ms(c.counted_exactly.median_ms):>15}"
            f" {c.counted_exactly.median_ms / m.store.median_ms:>5.1f}x"
        )
    print(
        "  (~: an estimate, exact up to 1,000; list = list_tickets as the queue asks it;"
        " counted exactly = the same with the estimates off)"
    )


def _print_scaling(small: StoreRun, large: StoreRun) -> None:
    print(f"\n{large.demo.tickets:,} against {small.demo.tickets:,} tickets (medians)")
    print(
        f"  {'operation':<22} {'store':>9} {'store':>9} {'ratio':>7}   {'plain':>9} {'plain':>9} {'ratio':>7}"
    )
    for m in large.measured:
        before = small.find(m)
        name = m.name + ("*" if _fewer_rows(before, m) else "")
        print(
            f"  {name:<22} {_ms(before.store.median_ms)} {_ms(m.store.median_ms)}"
            f" {m.store.median_ms / before.store.median_ms:>6.1f}x"
            f"   {_ms(before.plain.median_ms)} {_ms(m.plain.median_ms)}"
            f" {m.plain.median_ms / before.plain.median_ms:>6.1f}x"
        )
    if any(_fewer_rows(small.find(m), m) for m in large.measured):
        print("  * fewer rows on the smaller store's page, so part of the ratio is cost per row")


def _print_checks(found: list[Check]) -> None:
    print("\nTargets")
    for target in dict.fromkeys(check.target for check in found):
        mine = [check for check in found if check.target == target]
        failed = [check for check in mine if not check.passed]
        if not failed:
            worst = max(mine, key=lambda check: check.measured / check.limit)
            print(f"  PASS  {target}  (worst: {worst.subject} {_value(worst)})")
            continue
        print(f"  FAIL  {target}  ({len(failed)} of {len(mine)} over)")
        for check in sorted(failed, key=lambda check: -check.measured / check.limit):
            print(f"          {check.subject}: {_value(check)}")
    failed_count = sum(not check.passed for check in found)
    summary = f"{failed_count} of {len(found)} checks FAILED" if failed_count else "every check passed"
    print(f"  => {summary}")


def to_json(runs: list[StoreRun], found: list[Check]) -> dict[str, Any]:
    return {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "argv": sys.argv[1:],
        "stores": [
            {
                "tickets": run.demo.tickets,
                "path": _relative(run.demo.path),
                "size_bytes": run.demo.size_bytes,
                "fill_s": run.demo.fill_s,
                "filled_now": run.demo.filled_now,
                "fixtures": run.fixtures,
                "operations": [
                    {
                        "name": m.name,
                        "kind": m.kind.value,
                        "found": m.found.note,
                        "rows": m.found.rows,
                        "store": m.store.to_json(),
                        "plain": m.plain.to_json(),
                        "store_over_plain": round(m.store_over_plain, 3),
                        "disagreement": m.disagreement,
                        "counted": _counted_json(m.counted),
                    }
                    for m in run.measured
                ],
            }
            for run in runs
        ],
        "checks": [check.to_json() for check in found],
        "failed": sum(not check.passed for check in found),
    }


def _counted_json(counted: Counted | None) -> dict[str, Any] | None:
    if counted is None:
        return None
    return {
        "exact": counted.exact,
        "total": counted.total,
        "estimated": counted.estimated,
        "error": round(counted.error, 5),
        "counted_exactly": counted.counted_exactly.to_json(),
    }


def save_json(runs: list[StoreRun], found: list[Check], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"store-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(to_json(runs, found), indent=2, ensure_ascii=False) + "\n")
    return path


def _fewer_rows(small: Measured, large: Measured) -> str:
    if small.found.rows >= large.found.rows:
        return ""
    return f" ({small.found.rows} rows against {large.found.rows})"


def _ms(value: float) -> str:
    return f"{value:9.3f}" if value < 10 else f"{value:9.1f}"


def _value(check: Check) -> str:
    return f"{check.measured:.2f} {check.unit} (limit {check.limit:g} {check.unit})"


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

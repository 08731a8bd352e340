"""What the scale bench found and the targets it is held to: a table on stdout (and in
bench/RESULTS.md) and JSON in bench/results/."""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.demo_stores import ROOT
from bench.report import ESTIMATE_ERROR_TARGET, SCALING_TARGET, Check
from bench.timing import Timing
from cs_tui.config import DEFAULT_VIEWS
from cs_tui.domain.query import Sort

TARGET_MS = 5.0
"""The most any operation's median may take on the largest store, on either engine."""
FILL_TARGET_S = 600.0
FILL_TARGET_TICKETS = 1_000_000
ENGINES = ("SQLite", "PostgreSQL")


@dataclass(frozen=True, slots=True)
class Filled:
    """A demo store as `cs-tui demo` filled it, on one engine."""

    engine: str
    tickets: int
    where: str
    """A file under the project, or a database on the server."""
    size_bytes: int
    fill_s: float | None
    filled_now: bool
    filled_at: str | None
    settle_s: float | None = None
    """PostgreSQL: the VACUUM ANALYZE after the fill, not part of fill_s."""


@dataclass(frozen=True, slots=True)
class Counted:
    """A page's count against the exact one (count_tickets, asked once)."""

    total: int
    estimated: bool
    exact: int
    exact_ms: float

    @property
    def error(self) -> float:
        return (self.total - self.exact) / self.exact if self.exact else 0.0


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    timing: Timing
    note: str
    """What it found, in a few words (how many tickets a view matched)."""
    rows: int
    counted: Counted | None = None


@dataclass(frozen=True, slots=True)
class StoreRun:
    filled: Filled
    fixtures: dict[str, Any]
    measured: list[Measured]
    sorts: list[Measured] = field(default_factory=list)
    """Each view in the queue's other sorts (scale_bench.other_sorts): no target."""

    def find(self, name: str) -> Measured | None:
        return _find(self.measured, name)


def _runs_of(runs: list[StoreRun], engine: str) -> list[StoreRun]:
    return sorted((run for run in runs if run.filled.engine == engine), key=lambda run: run.filled.tickets)


def checks(runs: list[StoreRun]) -> list[Check]:
    found: list[Check] = []
    for run in runs:
        filled = run.filled
        if filled.tickets == FILL_TARGET_TICKETS and filled.fill_s is not None:
            target = f"cs-tui demo --tickets {FILL_TARGET_TICKETS:,} <= {FILL_TARGET_S:.0f} s"
            found.append(Check(target, filled.engine, filled.fill_s, FILL_TARGET_S, "s"))
    for engine in ENGINES:
        mine = _runs_of(runs, engine)
        if not mine:
            continue
        large = mine[-1]
        target = f"median <= {TARGET_MS:g} ms at {large.filled.tickets:,} tickets"
        for m in large.measured:
            found.append(Check(target, f"{engine}: {m.name}", m.timing.median_ms, TARGET_MS, "ms"))
        if len(mine) >= 2:
            small = mine[0]
            target = (
                f"{large.filled.tickets:,} / {small.filled.tickets:,} tickets <= {SCALING_TARGET}x (median)"
            )
            for m in large.measured:
                before = small.find(m.name)
                if before is not None:
                    ratio = m.timing.median_ms / before.timing.median_ms
                    found.append(Check(target, f"{engine}: {m.name}", ratio, SCALING_TARGET, "x"))
    target = f"estimated count within {ESTIMATE_ERROR_TARGET:.0%} of the exact count"
    for run in runs:
        for m in run.measured:
            if m.counted is not None and m.counted.estimated:
                subject = f"{run.filled.engine}: {m.name} @ {run.filled.tickets:,}"
                error = abs(m.counted.error) * 100
                found.append(Check(target, subject, error, ESTIMATE_ERROR_TARGET * 100, "%"))
    return found


def print_report(runs: list[StoreRun], found: list[Check], about: list[str], saved: Path) -> None:
    print(
        f"cs-tui scale benchmark · SQLite {sqlite3.sqlite_version} · Python {platform.python_version()}"
        f" · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    for line in about:
        print(line)
    _print_stores(runs)
    _print_fixtures(runs)
    for engine in ENGINES:
        _print_engine(_runs_of(runs, engine), engine)
    _print_counts(runs)
    _print_sorts(runs)
    _print_checks(found)
    print(f"\nJSON: {saved.relative_to(ROOT)}")


def _print_stores(runs: list[StoreRun]) -> None:
    print("\nDemo stores (cs-tui demo --no-open --seed 1 --tickets N)")
    print(f"  {'engine':<11} {'tickets':>9}  {'where':<30} {'size':>9}  fill")
    for run in runs:
        filled = run.filled
        fill = f"{filled.fill_s:.1f} s" if filled.fill_s is not None else "?"
        how = f"filled now in {fill}" if filled.filled_now else f"cached, filled in {fill}"
        if filled.filled_at and not filled.filled_now:
            how += f" at {filled.filled_at[:16].replace('T', ' ')}"
        if filled.settle_s is not None:
            how += f"; then VACUUM ANALYZE {filled.settle_s:.1f} s"
        size = f"{filled.size_bytes / 2**20:,.0f} MB"
        print(f"  {filled.engine:<11} {filled.tickets:>9,}  {filled.where:<30} {size:>9}  {how}")


def _print_fixtures(runs: list[StoreRun]) -> None:
    print("\nWhat the operations were given (chosen from each store's data)")
    for run in runs:
        given = ", ".join(f"{key} = {value}" for key, value in run.fixtures.items())
        print(f"  {run.filled.engine} {run.filled.tickets:,}: {given}")


def _print_engine(mine: list[StoreRun], engine: str) -> None:
    if not mine:
        return
    sizes = [run.filled.tickets for run in mine]
    print(f"\n{engine}, through the Store protocol: medians and p95 in ms")
    header = "".join(f" {_short(n) + ' med':>10} {'p95':>8}" for n in sizes)
    ratio = f" {_short(sizes[-1]) + '/' + _short(sizes[0]):>10}" if len(mine) >= 2 else ""
    print(f"  {'operation':<18}{header}{ratio}   found at {sizes[-1]:,}")
    for m in mine[-1].measured:
        cells, before = "", None
        for run in mine:
            found = run.find(m.name)
            before = before or found
            if found is None:
                cells += f" {'-':>10} {'-':>8}"
            else:
                cells += f" {_ms(found.timing.median_ms):>10} {_ms(found.timing.p95_ms):>8}"
        scaled = ""
        if len(mine) >= 2 and before is not None:
            value = m.timing.median_ms / before.timing.median_ms
            fewer = "+" if before.rows < m.rows else " "
            scaled = f" {value:>8.2f}x{fewer}"
        over = " *" if m.timing.median_ms > TARGET_MS else "  "
        print(f"  {m.name:<18}{cells}{scaled}{over} {m.note}")
    print(
        f"  (* over the {TARGET_MS:g} ms target; ~: an estimated count; +: fewer rows on the smaller"
        " store's page, so part of the ratio is cost per row)"
    )


def _print_counts(runs: list[StoreRun]) -> None:
    counted = [(run, m) for run in runs for m in run.measured if m.counted is not None]
    if not counted:
        return
    print("\nCounts: the page's total against the exact one (count_tickets, asked once, its time)")
    print(
        f"  {'engine':<11} {'tickets':>9}  {'search':<16} {'total':>9} {'exact':>9} {'error':>7}"
        f" {'count_tickets':>14}"
    )
    for run, m in counted:
        assert m.counted is not None
        c = m.counted
        total = f"~{c.total:,}" if c.estimated else f"{c.total:,}"
        print(
            f"  {run.filled.engine:<11} {run.filled.tickets:>9,}  {m.name:<16} {total:>9} {c.exact:>9,}"
            f" {c.error:>+7.1%} {_ms(c.exact_ms) + ' ms':>14}"
        )
    print("  (~: an estimate, as ARCHITECTURE.md's Counts allows past 1,000; else exact)")


def _print_sorts(runs: list[StoreRun]) -> None:
    """Each view's page in every sort on the largest stores: medians in ms, its own
    sort from the main table."""
    largest = [mine[-1] for engine in ENGINES if (mine := _runs_of(runs, engine)) and mine[-1].sorts]
    if not largest:
        return
    sorts = list(Sort)
    print(f"\nEach view in every sort at {largest[0].filled.tickets:,} tickets: medians in ms")
    print(f"  {'view':<18}{'engine':<12}" + "".join(f"{sort:>10}" for sort in sorts))
    for view in DEFAULT_VIEWS:
        for run in largest:
            cells = []
            for sort in sorts:
                m = run.find(view.name) if sort == view.sort else _find(run.sorts, f"{view.name} · {sort}")
                mark = "" if m is None else ("*" if m.timing.median_ms > TARGET_MS else " ")
                cells.append("-" if m is None else f"{_ms(m.timing.median_ms)}{mark}")
            print(f"  {view.name:<18}{run.filled.engine:<12}" + "".join(f"{cell:>10}" for cell in cells))
    print(
        f"  (no target: the targets are each view in its own sort; * over {TARGET_MS:g} ms;"
        " a quarter of the runs)"
    )


def _find(measured: list[Measured], name: str) -> Measured | None:
    return next((m for m in measured if m.name == name), None)


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


def save_json(runs: list[StoreRun], found: list[Check], about: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scale-{datetime.now():%Y%m%d-%H%M%S}.json"
    figures = {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "about": about,
        "platform": platform.platform(),
        "argv": sys.argv[1:],
        "stores": [
            {
                "engine": run.filled.engine,
                "tickets": run.filled.tickets,
                "where": run.filled.where,
                "size_bytes": run.filled.size_bytes,
                "fill_s": run.filled.fill_s,
                "settle_s": run.filled.settle_s,
                "filled_now": run.filled.filled_now,
                "filled_at": run.filled.filled_at,
                "fixtures": run.fixtures,
                "operations": [_measured_json(m) for m in run.measured],
                "other_sorts": [_measured_json(m) for m in run.sorts],
            }
            for run in runs
        ],
        "checks": [check.to_json() for check in found],
        "failed": sum(not check.passed for check in found),
    }
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return path


def _measured_json(m: Measured) -> dict[str, Any]:
    counted = None
    if m.counted is not None:
        c = m.counted
        counted = {
            "total": c.total,
            "estimated": c.estimated,
            "exact": c.exact,
            "error": round(c.error, 5),
            "count_tickets_ms": round(c.exact_ms, 3),
        }
    return {"name": m.name, "found": m.note, "rows": m.rows, **m.timing.to_json(), "counted": counted}


def _short(tickets: int) -> str:
    if tickets >= 1_000_000 and tickets % 1_000_000 == 0:
        return f"{tickets // 1_000_000}M"
    if tickets >= 1000 and tickets % 1000 == 0:
        return f"{tickets // 1000}k"
    return str(tickets)


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _value(check: Check) -> str:
    return f"{check.measured:.2f} {check.unit} (limit {check.limit:g} {check.unit})"

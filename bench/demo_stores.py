"""The stores the benchmark reads: filled by the real `cs-tui demo`, cached in bench/.cache/."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cs_tui.demo
from cs_tui.store.sqlite.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
SEED = 1


class BuildFailed(Exception):
    """`cs-tui demo` did not leave a complete store behind."""


@dataclass(frozen=True, slots=True)
class DemoStore:
    tickets: int
    path: Path
    fill_s: float | None
    """Wall time of `cs-tui demo` when it filled this store (None if nobody wrote it down)."""
    filled_now: bool
    """True when this run filled the store; False when it came from the cache."""

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def demo_store(tickets: int, *, rebuild: bool = False) -> DemoStore:
    """The cached demo store of this many tickets, filled first if it is missing,
    incomplete, from another schema version or another version of the demo data,
    or `rebuild` is asked for."""
    path = CACHE / f"demo-{tickets}.db"
    notes = path.with_suffix(".json")
    demo = _demo_fingerprint()
    if not rebuild and notes.exists() and _is_complete(path, tickets):
        noted = json.loads(notes.read_text())
        if noted.get("demo") == demo:
            return DemoStore(tickets, path, noted.get("fill_s"), filled_now=False)
    _remove(path)
    notes.unlink(missing_ok=True)
    fill_s = _fill(path, tickets)
    if not _is_complete(path, tickets):
        raise BuildFailed(f"cs-tui demo left {path} without {tickets:,} tickets")
    notes.write_text(
        json.dumps(
            {
                "tickets": tickets,
                "seed": SEED,
                "schema": SCHEMA_VERSION,
                "demo": demo,
                "fill_s": round(fill_s, 2),
                "filled_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
    )
    return DemoStore(tickets, path, fill_s, filled_now=True)


def _fill(path: Path, tickets: int) -> float:
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "cs_tui", "demo", "--no-open"]
    command += ["--tickets", str(tickets), "--seed", str(SEED), "--store", str(path)]
    started = time.perf_counter()
    # The demo's progress goes to stderr; stdout stays the benchmark's report.
    result = subprocess.run(command, cwd=ROOT, stdout=sys.stderr, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise BuildFailed(f"`{' '.join(command[1:])}` exited with {result.returncode}")
    return elapsed


def _demo_fingerprint() -> str:
    """A hash of the demo generator's source: when it changes, so does the data."""
    digest = hashlib.sha256()
    for source in sorted(Path(cs_tui.demo.__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def _is_complete(path: Path, tickets: int) -> bool:
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            (count,) = db.execute("SELECT count(*) FROM tickets").fetchone()
    except sqlite3.Error:
        return False
    return bool(version == SCHEMA_VERSION and count == tickets)


@contextmanager
def scratch_copy(store: DemoStore) -> Iterator[Path]:
    """A copy of the store to write to, so timed replies never grow the cache."""
    copy = CACHE / f"scratch-{store.tickets}.db"
    _remove(copy)
    with closing(sqlite3.connect(store.path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    try:
        yield copy
    finally:
        _remove(copy)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

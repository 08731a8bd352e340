"""The window figures of the metrics (FRT, resolution time, CSAT: how many, their mean
and median) from counters kept by ten minutes, hour and day, so that a week of a
busy desk costs what a quiet one does. Definitions: cs_tui.domain.metrics.

`metric_counts` holds, for each kind of figure, ten minutes, hour and UTC day
(SPANS), how many tickets count in it and the sum of their values, by bucket of
value. A bucket keeps a value's number of digits and its first three: 5,612,345 µs
is bucket 7561 (seven digits, 561), so a bucket is at most 1% wide and buckets in
order are values in order. Each is counted twice: alone (its `parent` the coarse
bucket, bucket // 100, one significant digit) and in its coarse bucket (parent
COARSE). Triggers on tickets keep them (SQLite's below, PostgreSQL's in
cs_tui.store.postgres.schema_metrics), so every write path counts alike.

A window is read from the counters of whole days, hours and ten minutes, some added
and some taken away, and the odd minutes at either end from the tickets themselves
(Pieces): a window up to now reads its days and takes away the hours after now, where
nothing is counted yet. A median then needs no sort of the
window: the coarse counts say which coarse bucket holds the middle value, the fine
counts under it which bucket, and that bucket's tickets in the window (an index on the
bucket and the time) which value.

The SQL here is read by the schemas' migrations: change it only with a new migration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from cs_tui.store.sqlite.metric_pieces import EVER, SPANS, Pieces

COARSE = -1
"""The parent of a coarse bucket's row."""


def bucket_sql(value: str) -> str:
    """The bucket of a value (an integer, at least 0) in SQL that SQLite and PostgreSQL
    read alike, and can index."""
    text = f"CAST({value} AS TEXT)"
    return f"(length({text}) * 1000 + CAST(substr({text}, 1, 3) AS INTEGER))"


def bucket_of(value: int) -> int:
    """bucket_sql in Python."""
    text = str(value)
    return len(text) * 1000 + int(text[:3])


@dataclass(frozen=True, slots=True)
class Kind:
    """A figure counted by hour and day. The SQL is written with `{r}` before each of
    the ticket's columns, for `new.` in a trigger and nothing in a query."""

    name: str
    at: str
    """The time that puts a ticket in a window."""
    value: str
    present: str
    """Whether a ticket counts at all."""
    inputs: tuple[str, ...]
    """The columns its figure is made of."""
    medians: bool
    """Counted by bucket of value, for a median; else by value (a rating)."""
    order: str = ""
    """The value as the bucket index orders it."""
    covering: str = ""
    """The columns the bucket index keeps after the bucket: the time, then the value's."""
    ever: bool = False
    """Counted over all time as well (one counter of span EVER)."""
    read_by: str = ""
    """The index a window's ends are read by, named: without table statistics SQLite
    prefers the (active, ...) one and reads every open ticket."""

    def bucket(self, r: str = "") -> str:
        return bucket_sql(self.value.format(r=r)) if self.medians else self.value.format(r=r)

    @property
    def spans(self) -> tuple[int, ...]:
        return (*SPANS, EVER) if self.ever else SPANS

    @property
    def index(self) -> str:
        return f"tickets_{self.name}_bucket"


FRT = Kind(
    "frt",
    at="{r}created_at",
    value="max({r}frt_us, 0)",
    present="{r}frt_us IS NOT NULL AND {r}merged_into IS NULL",
    inputs=("created_at", "frt_us", "merged_into"),
    medians=True,
    order="frt_us",
    covering="created_at, frt_us",
)
RESOLUTION = Kind(
    "resolution",
    at="{r}solved_at",
    value="max({r}solved_at - {r}created_at, 0)",
    present="{r}solved_at IS NOT NULL AND {r}merged_into IS NULL",
    inputs=("created_at", "solved_at", "merged_into"),
    medians=True,
    order="solved_at - created_at",
    covering="solved_at, created_at",
)
CSAT = Kind(
    "csat",
    at="{r}csat_at",
    value="{r}csat_rating",
    present="{r}csat_at IS NOT NULL AND {r}csat_rating IS NOT NULL AND {r}merged_into IS NULL",
    inputs=("csat_at", "csat_rating", "merged_into"),
    medians=False,
)
KINDS = (FRT, RESOLUTION, CSAT)
"""The window's figures, counted since migration 16."""
AWAITING = Kind(
    "awaiting",
    at="{r}created_at",
    value="0",
    present="{r}first_response_at IS NULL AND {r}active = 1",
    inputs=("created_at", "first_response_at", "active"),
    medians=False,
    read_by="tickets_awaiting",
)
"""The tickets awaiting a first answer, by when they were created."""
DUE = Kind(
    "due",
    at="{r}sla_due_at",
    value="0",
    present="{r}sla_due_at IS NOT NULL",
    inputs=("sla_due_at",),
    medians=False,
    ever=True,
    read_by="tickets_due",
)
"""The tickets with a deadline, by their deadline: those breaching it are all of them
less those whose deadline is still to come, which is near."""
TALLIES = (AWAITING, DUE)
"""Counted since migration 17."""

_COLUMNS = "kind, span, start, parent, bucket, n, total"


def contributions(kind: Kind, r: str, sign: int, source: str = "") -> str:
    """A SELECT of the rows (as _COLUMNS) that the tickets of `source` (or the one row
    `r` names in a trigger) add to the counters, times `sign`: one a span, each at both
    levels of bucket (a rating, or a tally, at one)."""
    value = kind.value.format(r=r)
    counted = (
        f"SELECT '{kind.name}' AS kind, {kind.at.format(r=r)} AS at, {kind.bucket(r)} AS b, {sign} AS n,"
        f" {sign} * {value} AS total{source} WHERE {kind.present.format(r=r)}"
    )
    if kind.medians:
        levels = "(SELECT 0 AS fine UNION ALL SELECT 1)"
        parent, bucket = (
            f"CASE WHEN l.fine = 1 THEN v.b / 100 ELSE {COARSE} END",
            "CASE WHEN l.fine = 1 THEN v.b ELSE v.b / 100 END",
        )
    else:
        levels, parent, bucket = "(SELECT 0 AS fine)", str(COARSE), "v.b"
    spans = " UNION ALL ".join(f"SELECT {span} AS span" for span in kind.spans)
    return (
        f"SELECT v.kind, s.span, v.at - v.at % s.span AS start, {parent} AS parent, {bucket} AS bucket,"
        f" v.n, v.total FROM ({counted}) v, ({spans}) s, {levels} l"
    )


def upsert(selects: Iterable[str]) -> str:
    """The counters changed by the rows of `selects`, summed first."""
    return (
        f"INSERT INTO metric_counts ({_COLUMNS})"
        f" SELECT kind, span, start, parent, bucket, sum(n), sum(total) FROM (\n        "
        + "\n        UNION ALL ".join(selects)
        + "\n    ) c WHERE TRUE GROUP BY kind, span, start, parent, bucket"
        " ORDER BY kind, span, parent, start, bucket ON CONFLICT (kind, span, parent, start, bucket)"
        " DO UPDATE SET n = metric_counts.n + excluded.n, total = metric_counts.total + excluded.total"
    )


def _index(kind: Kind) -> str:
    present = kind.present.format(r="")
    return f"CREATE INDEX {kind.index} ON tickets({kind.bucket()}, {kind.covering}) WHERE {present};"


TABLE = """
    CREATE TABLE metric_counts (
        kind TEXT NOT NULL,
        span BIGINT NOT NULL,
        start BIGINT NOT NULL,
        parent INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        n BIGINT NOT NULL,
        total BIGINT NOT NULL,
        PRIMARY KEY (kind, span, parent, start, bucket)
    )"""
"""The counters' table (SQLite adds WITHOUT ROWID)."""


def fill(kinds: Iterable[Kind]) -> str:
    """The counters of the tickets already stored."""
    return ";\n    ".join(upsert([contributions(kind, "", 1, " FROM tickets")]) for kind in kinds) + ";"


FILL = fill(KINDS)

INDEXES = "\n    ".join(_index(kind) for kind in KINDS if kind.medians)


def _sqlite_triggers(inserted: tuple[Kind, ...], updated: tuple[Kind, ...]) -> str:
    triggers = [
        "CREATE TRIGGER tickets_ai_metrics AFTER INSERT ON tickets BEGIN\n    "
        + upsert(contributions(kind, "new.", 1) for kind in inserted)
        + ";\n    END;"
    ]
    for kind in updated:
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in kind.inputs)
        triggers.append(
            f"CREATE TRIGGER tickets_au_{kind.name}_counts"
            f" AFTER UPDATE OF {', '.join(kind.inputs)} ON tickets WHEN {changed} BEGIN\n    "
            + upsert([contributions(kind, "old.", -1), contributions(kind, "new.", 1)])
            + ";\n    END;"
        )
    return "\n    ".join(triggers)


SQLITE_MIGRATION = f"""
    {TABLE} WITHOUT ROWID;
    {INDEXES}
    DROP INDEX tickets_frt_value;
    DROP INDEX tickets_resolution_value;
    {FILL}
    {_sqlite_triggers(KINDS, KINDS)}
"""
"""SQLite's migration 16: the counters, filled, and their triggers."""

SQLITE_TALLIES = f"""
    DROP TRIGGER tickets_ai_metrics;
    {fill(TALLIES)}
    {_sqlite_triggers(KINDS + TALLIES, TALLIES)}
"""
"""SQLite's migration 17: the tallies, filled, and their triggers."""


# Reading


@dataclass(slots=True)
class Figure:
    """One kind's figures over a window: how many, the sum of their values, and their
    counts by coarse bucket (and by fine bucket at the window's ends)."""

    n: int = 0
    total: int = 0
    coarse: Counter[int] = field(default_factory=Counter)
    fine_at_ends: Counter[int] = field(default_factory=Counter)
    median: float | None = None

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


_COUNTED = "FROM metric_counts WHERE kind = ? AND span = ? AND parent = ? AND start >= ? AND start < ?"


def _weighed(weight: int, column: str) -> str:
    return column if weight == 1 else f"{weight} * {column}"


async def window_figures(reader: aiosqlite.Connection, since: int, until: int, now: int) -> dict[str, Figure]:
    """The figures of each kind (by name) over [since, until), medians included, and the
    tallies: the tickets created in the window that await a first answer, and those
    past their deadline at `now` (`due`). Nothing is counted after `now`, which chooses
    how the window is read (Pieces)."""
    pieces = Pieces.of(since, until, now)
    read = [*((kind, pieces) for kind in (*KINDS, AWAITING)), (DUE, Pieces.before(now + 1))]
    figures = [Figure() for _ in read]
    # Each part summed by bucket on its own, and named by a number: a GROUP BY of all
    # the parts together sorts the rows by a text column too, at twice the cost.
    parts: list[str] = []
    params: list[Any] = []
    for place, (kind, pieces) in enumerate(read):
        if pieces.counted:
            counted = " UNION ALL ".join(
                f"SELECT bucket, {_weighed(weight, 'n')} AS n, {_weighed(weight, 'total')} AS total"
                f" {_COUNTED}"
                for weight, *_ in pieces.counted
            )
            parts.append(f"SELECT {place}, 0, bucket, sum(n), sum(total) FROM ({counted}) c GROUP BY bucket")
            params += [
                v for _, span, start, end in pieces.counted for v in (kind.name, span, COARSE, start, end)
            ]
        at, present, value = kind.at.format(r=""), kind.present.format(r=""), kind.value.format(r="")
        tickets = f"tickets INDEXED BY {kind.read_by}" if kind.read_by else "tickets"
        for weight, start, end in pieces.ends:
            parts.append(
                f"SELECT {place}, 1, {kind.bucket()} AS b, {_weighed(weight, 'count(*)')},"
                f" {_weighed(weight, f'sum({value})')} FROM {tickets}"
                f" WHERE {at} >= ? AND {at} < ? AND {present} GROUP BY b"
            )
            params += [start, end]
    found = await reader.execute_fetchall(" UNION ALL ".join(parts), params) if parts else []
    for place, at_end, bucket, n, total in found:
        figure, kind = figures[place], read[place][0]
        figure.n += int(n)
        figure.total += int(total)
        if at_end and kind.medians:
            figure.coarse[int(bucket) // 100] += int(n)
            figure.fine_at_ends[int(bucket)] += int(n)
        else:
            figure.coarse[int(bucket)] += int(n)
    await _medians(reader, figures[: len(KINDS)], read[0][1], since, until)
    return {kind.name: figure for (kind, _), figure in zip(read, figures, strict=True)}


def _find(counts: Counter[int], rank: int) -> tuple[int, int]:
    """The bucket holding the value of this rank (from 0) in bucket order, and its rank
    within the bucket."""
    for bucket in sorted(counts):
        if rank < counts[bucket]:
            return bucket, rank
        rank -= counts[bucket]
    raise LookupError("the counters hold fewer values than they count")


@dataclass(frozen=True, slots=True)
class _Middle:
    """One of the middle values of a kind's figures: its coarse bucket, and its rank
    (from 0) among that coarse bucket's values."""

    kind: Kind
    coarse: int
    rank: int


async def _medians(
    reader: aiosqlite.Connection, figures: list[Figure], pieces: Pieces, since: int, until: int
) -> None:
    """Each kind's median over the window (the mean of the middle two values), set on
    its figure: the coarse counts say which coarse bucket holds each middle value, the
    counts under those buckets which bucket, and those buckets' tickets in the window
    which value. Every kind's middle values in two statements, where each kind took
    up to four."""
    middles: list[tuple[Figure, list[_Middle]]] = []
    for kind, figure in zip(KINDS, figures, strict=True):
        if kind.medians and figure.n:
            ranks = sorted({(figure.n - 1) // 2, figure.n // 2})
            middles.append((figure, [_Middle(kind, *_find(figure.coarse, rank)) for rank in ranks]))
    if not middles:
        return
    fine = {  # the window's ends' counts under each middle value's coarse bucket
        (m.kind.name, m.coarse): Counter(
            {b: n for b, n in figure.fine_at_ends.items() if b // 100 == m.coarse}
        )
        for figure, found in middles
        for m in found
    }
    await _add_counted_under(reader, fine, pieces)
    selects: list[str] = []
    params: list[Any] = []
    for place, (_, found) in enumerate(middles):
        for middle in found:
            bucket, rank = _find(fine[middle.kind.name, middle.coarse], middle.rank)
            kind = middle.kind
            at, present, value = kind.at.format(r=""), kind.present.format(r=""), kind.value.format(r="")
            selects.append(
                f"SELECT * FROM (SELECT {place}, {value} FROM tickets INDEXED BY {kind.index}"
                f" WHERE {kind.bucket()} = ? AND {at} >= ? AND {at} < ? AND {present}"
                f" ORDER BY {kind.order} LIMIT 1 OFFSET ?) middle{len(selects)}"
            )
            params += [bucket, since, until, rank]
    values: dict[int, list[int]] = {}
    for place, value in await reader.execute_fetchall(" UNION ALL ".join(selects), params):
        values.setdefault(int(place), []).append(int(value))
    for place, (figure, _) in enumerate(middles):
        figure.median = sum(values[place]) / len(values[place])


async def _add_counted_under(
    reader: aiosqlite.Connection, fine: dict[tuple[str, int], Counter[int]], pieces: Pieces
) -> None:
    """Add to the counts by bucket under each (kind name, coarse bucket) of `fine` (those
    of the window's ends) the counters' over the rest of the window."""
    pairs = list(fine)
    counted = " UNION ALL ".join(
        f"SELECT bucket, {_weighed(weight, 'n')} AS n {_COUNTED}" for weight, *_ in pieces.counted
    )
    parts = [
        f"SELECT {place}, bucket, sum(n) FROM ({counted}) c GROUP BY bucket" for place in range(len(pairs))
    ]
    params = [
        value
        for name, coarse in pairs
        for _, span, start, end in pieces.counted
        for value in (name, span, coarse, start, end)
    ]
    if pieces.counted:
        for place, bucket, n in await reader.execute_fetchall(" UNION ALL ".join(parts), params):
            fine[pairs[place]][int(bucket)] += int(n)

"""The scale benchmark: the queue views' first pages with their counts, a rare and a
common word, opening a ticket of about 50 messages, a reply, and the day's and the
week's metrics, on a 100,000- and a 1,000,000-ticket demo store, on SQLite and on
PostgreSQL, in one run, through the Store protocol; and how long `cs-tui demo` took to
fill each store.

    python -m bench.scale_bench [--postgres postgresql://USER@HOST:PORT]
                                [--tickets 100000 1000000] [--rebuild] [--runs 200]

Without --postgres, a throwaway PostgreSQL cluster is started, filled and deleted
(nothing is kept). A report, not a test: it exits 0 when a target fails, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import asyncpg

from bench import results_md, store_bench
from bench.demo_stores import ROOT, BuildFailed, DemoStore, demo_store, scratch_copy
from bench.pg_demos import NotAServer, PgDemo, PgServer, pg_demo, postgres_server, scratch_database
from bench.scale_report import Counted, Filled, Measured, StoreRun, checks, print_report, save_json
from bench.timing import Budget, time_async
from cs_tui.config import DEFAULT_VIEWS
from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import Message, MessagePage, NewMessage, Ticket, TicketPage
from cs_tui.domain.query import Query, Sort, parse
from cs_tui.domain.timeutil import from_micros
from cs_tui.store import open_store
from cs_tui.store.base import Store

RESULTS = ROOT / "bench" / "results"
PAGE_SIZE = store_bench.PAGE_SIZE
COMMON_WORD = store_bench.COMMON_WORD
REPLY_BODY = store_bench.REPLY_BODY

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fixtures:
    """What the operations are given, chosen from each store's own data."""

    me: int
    """The agent with the most open tickets: who `assignee:me` means."""
    rare_word: str
    """A word in as few tickets as any (store_bench's choice, from SQLite's index of
    the same demo data: the same seed fills both stores with the same words)."""
    long_ticket: int
    long_ticket_messages: int
    reply_tickets: tuple[int, ...]
    """The top of the open queue; replies go to these in turn."""
    now: datetime
    """The store's latest activity, where the metrics' windows end."""

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["now"] = self.now.isoformat(timespec="seconds")
        found["reply_tickets"] = len(self.reply_tickets)
        return found


@dataclass(frozen=True)  # not slots: a generic slotted dataclass breaks on 3.11
class Operation(Generic[T]):
    name: str
    call: Callable[[], Awaitable[T]]
    describe: Callable[[T], tuple[str, int]]
    """What the call found, in a few words, and how many rows it handed back."""
    query: Query | None = None
    """A page's query, counted exactly once when the page's count is an estimate or
    the query searches words."""
    words: bool = False


# Choosing the fixtures


def sqlite_fixtures(demo: DemoStore) -> Fixtures:
    found = store_bench.discover(demo.path)
    return Fixtures(
        found.me,
        found.rare_word,
        found.long_ticket,
        found.long_ticket_messages,
        found.reply_tickets,
        found.now,
    )


async def postgres_fixtures(url: str, rare_word: str) -> Fixtures:
    connection = await asyncpg.connect(url)
    try:
        me = await connection.fetchval(
            "SELECT assignee_id FROM tickets WHERE active = 1 AND assignee_id IS NOT NULL"
            " GROUP BY assignee_id ORDER BY count(*) DESC, assignee_id LIMIT 1"
        )
        long_ticket = await connection.fetchrow(
            "SELECT id, message_count FROM tickets ORDER BY least(message_count, $1) DESC, id LIMIT 1",
            PAGE_SIZE,
        )
        reply_tickets = await connection.fetch(
            "SELECT id FROM tickets WHERE active = 1 ORDER BY updated_at DESC, id DESC LIMIT $1", PAGE_SIZE
        )
        latest = await connection.fetchval("SELECT max(updated_at) FROM tickets")
    finally:
        await connection.close()
    if long_ticket is None:
        raise BuildFailed(f"{url} has no tickets")
    return Fixtures(
        int(me),
        rare_word,
        int(long_ticket["id"]),
        int(long_ticket["message_count"]),
        tuple(int(row["id"]) for row in reply_tickets),
        from_micros(int(latest)),
    )


# The operations


def page_operation(
    name: str, text: str, sort: Sort, store: Store, fixtures: Fixtures
) -> Operation[TicketPage]:
    query = parse(text)

    async def call() -> TicketPage:
        return await store.list_tickets(query, viewer_id=fixtures.me, sort=sort, limit=PAGE_SIZE)

    def describe(page: TicketPage) -> tuple[str, int]:
        return f"{'~' if page.total_is_estimate else ''}{page.total:,} tickets", len(page.tickets)

    words = text in (COMMON_WORD, fixtures.rare_word)
    return Operation(name, call, describe, query=query, words=words)


def reading_operations(store: Store, fixtures: Fixtures) -> list[Operation[Any]]:
    views: list[Operation[Any]] = [
        page_operation(view.name, view.query, view.sort, store, fixtures) for view in DEFAULT_VIEWS
    ]
    words = [
        page_operation("word, common", COMMON_WORD, Sort.UPDATED, store, fixtures),
        page_operation("word, rare", fixtures.rare_word, Sort.UPDATED, store, fixtures),
    ]
    return [
        *views,
        *words,
        open_operation(store, fixtures),
        metrics_operation("metrics, day", 1, store, fixtures),
        metrics_operation("metrics, week", 7, store, fixtures),
    ]


def other_sorts(store: Store, fixtures: Fixtures) -> list[Operation[TicketPage]]:
    """Each view's page in each of the queue's sorts but its own (which
    reading_operations has): what an agent gets on sorting the view otherwise."""
    return [
        page_operation(f"{view.name} · {sort}", view.query, sort, store, fixtures)
        for view in DEFAULT_VIEWS
        for sort in Sort
        if sort != view.sort
    ]


def open_operation(store: Store, fixtures: Fixtures) -> Operation[tuple[Ticket, MessagePage]]:
    ticket_id = fixtures.long_ticket

    async def call() -> tuple[Ticket, MessagePage]:
        return await store.get_ticket(ticket_id), await store.get_messages(ticket_id, limit=PAGE_SIZE)

    def describe(opened: tuple[Ticket, MessagePage]) -> tuple[str, int]:
        ticket, page = opened
        return f"#{ticket.id}: {len(page.messages)} of {ticket.message_count} messages", len(page.messages)

    return Operation("open ticket", call, describe)


def metrics_operation(name: str, days: int, store: Store, fixtures: Fixtures) -> Operation[Metrics]:
    window = Window(fixtures.now - timedelta(days=days), fixtures.now)

    async def call() -> Metrics:
        return await store.metrics(window, viewer_id=fixtures.me, now=fixtures.now)

    def describe(figures: Metrics) -> tuple[str, int]:
        return f"{figures.frt.responded:,} answered, {figures.resolution.solved:,} solved", 1

    return Operation(name, call, describe)


def reply_operation(store: Store, fixtures: Fixtures) -> Operation[Message]:
    targets = fixtures.reply_tickets
    numbers = itertools.count()

    async def call() -> Message:
        n = next(numbers)
        new = NewMessage(client_id=f"bench-scale-{n}", body=REPLY_BODY)
        return await store.add_message(targets[n % len(targets)], new, actor_id=fixtures.me)

    def describe(message: Message) -> tuple[str, int]:
        return f"to {len(targets)} open tickets in turn", 1

    return Operation("reply", call, describe)


# Running them


async def measure(operation: Operation[Any], store: Store, fixtures: Fixtures, budget: Budget) -> Measured:
    first = await operation.call()
    note, rows = operation.describe(first)
    timing = await time_async(operation.call, budget)
    counted = None
    if isinstance(first, TicketPage) and (operation.words or first.total_is_estimate):
        started = time.perf_counter()
        exact = await store.count_tickets(operation.query, viewer_id=fixtures.me)
        elapsed_ms = (time.perf_counter() - started) * 1000
        counted = Counted(first.total, first.total_is_estimate, exact, elapsed_ms)
    return Measured(operation.name, timing, note, rows, counted)


async def measure_store(
    label: str,
    url: str,
    scratch: Callable[[], AbstractAsyncContextManager[str]],
    fixtures: Fixtures,
    budget: Budget,
) -> tuple[list[Measured], list[Measured]]:
    """Every reading operation on the store at `url`, closed again after, then the
    replies on the copy that `scratch()` makes (an async context manager of its URL);
    and the views in their other sorts, with a quarter of the runs."""
    measured: list[Measured] = []
    sorted_otherwise: list[Measured] = []

    async def run(store: Store, operation: Operation[Any], into: list[Measured], budget: Budget) -> None:
        print(f"  {label}: {operation.name}", file=sys.stderr)
        into.append(await measure(operation, store, fixtures, budget))

    store = await open_store(url)
    try:
        for operation in reading_operations(store, fixtures):
            await run(store, operation, measured, budget)
        fewer = Budget(runs=max(budget.runs // 4, budget.min_runs), seconds=budget.seconds)
        for page in other_sorts(store, fixtures):
            await run(store, page, sorted_otherwise, fewer)
    finally:
        await store.close()
    async with scratch() as copy:
        store = await open_store(copy)
        try:
            await run(store, reply_operation(store, fixtures), measured, budget)
        finally:
            await store.close()
    return measured, sorted_otherwise


@asynccontextmanager
async def sqlite_scratch(demo: DemoStore) -> AsyncIterator[str]:
    """A copy of the SQLite demo store to write to (demo_stores.scratch_copy)."""
    with scratch_copy(demo) as copy:
        yield str(copy)


def bench_sqlite(demo: DemoStore, budget: Budget) -> tuple[StoreRun, str]:
    fixtures = sqlite_fixtures(demo)

    label = f"SQLite {demo.tickets:,}"
    measured, sorts = asyncio.run(
        measure_store(label, str(demo.path), lambda: sqlite_scratch(demo), fixtures, budget)
    )
    return StoreRun(sqlite_filled(demo), fixtures.to_json(), measured, sorts), fixtures.rare_word


def bench_postgres(server: PgServer, demo: PgDemo, rare_word: str, budget: Budget) -> StoreRun:
    async def measured_there() -> tuple[Fixtures, tuple[list[Measured], list[Measured]]]:
        fixtures = await postgres_fixtures(demo.url, rare_word)
        label = f"PostgreSQL {demo.tickets:,}"
        return fixtures, await measure_store(
            label, demo.url, lambda: scratch_database(server, demo), fixtures, budget
        )

    fixtures, (measured, sorts) = asyncio.run(measured_there())
    filled = Filled(
        "PostgreSQL",
        demo.tickets,
        demo.database,
        demo.size_bytes,
        demo.fill_s,
        demo.filled_now,
        demo.filled_at,
        demo.settle_s,
    )
    return StoreRun(filled, fixtures.to_json(), measured, sorts)


def sqlite_filled(demo: DemoStore) -> Filled:
    notes = demo.path.with_suffix(".json")
    filled_at = json.loads(notes.read_text()).get("filled_at") if notes.exists() else None
    return Filled(
        "SQLite",
        demo.tickets,
        str(demo.path.relative_to(ROOT)),
        demo.size_bytes,
        demo.fill_s,
        demo.filled_now,
        filled_at,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql://USER@HOST:PORT, no database) to keep the demo databases"
        " bench_demo_N on; without it, a throwaway cluster",
    )
    parser.add_argument(
        "--tickets", type=int, nargs="+", default=[100_000, 1_000_000], metavar="N", help="store sizes"
    )
    parser.add_argument("--rebuild", action="store_true", help="fill the demo stores again, even if kept")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per operation (default 200)")
    args = parser.parse_args(argv)
    budget = Budget(runs=args.runs)
    sizes = sorted(set(args.tickets))
    runs: list[StoreRun] = []
    try:
        sqlite_demos = [demo_store(n, rebuild=args.rebuild) for n in sizes]
        with postgres_server(args.postgres) as server:
            postgres_demos = [pg_demo(server, n, rebuild=args.rebuild) for n in sizes]
            load_before = os.getloadavg()
            for sqlite_demo, postgres_demo in zip(sqlite_demos, postgres_demos, strict=True):
                run, rare_word = bench_sqlite(sqlite_demo, budget)
                runs += [run, bench_postgres(server, postgres_demo, rare_word, budget)]
            about = [server.describe(), _load(load_before, os.getloadavg())]
    except (BuildFailed, NotAServer) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    found = checks(runs)
    saved = save_json(runs, found, about, RESULTS)
    with results_md.section("scale", "A million tickets (SQLite and PostgreSQL)", "bench.scale_bench"):
        print_report(runs, found, about, saved)
    return 0  # a report: failed targets are printed, not an exit status


def _load(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    """The machine's load while measuring: the bench itself keeps about one core busy,
    so much more than 1 means something else was running."""
    return (
        f"Load average (1 and 5 min): {before[0]:.2f} and {before[1]:.2f} as measuring began,"
        f" {after[0]:.2f} and {after[1]:.2f} as it ended"
    )


if __name__ == "__main__":
    raise SystemExit(main())

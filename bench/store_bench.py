"""The store benchmark: queue pages, opening a ticket, replying and the metrics on a
1,000- and a 100,000-ticket demo store, each beside plain sqlite3 doing the same work;
for its searches of words, the page's count against the exact one, and the page
again from the store counting exactly.

    python -m bench.store_bench [--rebuild] [--tickets 1000 100000] [--runs 200]

A report, not a test: it exits 0 when a target fails, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from bench import results_md
from bench.demo_stores import ROOT, BuildFailed, DemoStore, demo_store, scratch_copy
from bench.plain_sql import ACTIVE, WORD_MATCH, PlainMetrics, PlainPage, PlainSqlite, Row
from bench.report import Counted, Found, Kind, Measured, StoreRun, checks, print_report, save_json
from bench.timing import Budget, time_async, time_sync
from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import Message, MessagePage, NewMessage, Ticket, TicketPage
from cs_tui.domain.query import Sort, parse
from cs_tui.domain.timeutil import from_micros, to_micros
from cs_tui.store.base import Store
from cs_tui.store.sqlite import SqliteStore
from cs_tui.store.sqlite.counting import Ids, Search
from cs_tui.store.sqlite.estimate import Counted as StoreCount

RESULTS = ROOT / "bench" / "results"
PAGE_SIZE = 50
COMMON_WORD = "pesanan"
"""Indonesian for "order": in a good share of the demo's messages."""
PREFERRED_TAG = "refund"
REPLY_BODY = (
    "Halo Kak, terima kasih sudah menunggu. Pesanan Kakak sudah kami cek: paketnya dikirim hari ini "
    "dan nomor resinya kami kirim lewat email."
)

S = TypeVar("S")
P = TypeVar("P")


class Disagreement(Exception):
    """The store and plain sqlite3 did not return the same thing."""


@dataclass(frozen=True, slots=True)
class Fixtures:
    """What the operations are given, chosen from each store's own data."""

    me: int
    """The agent with the most open tickets: who `assignee:me` means."""
    tag: str
    common_word: str
    rare_word: str
    """A word in as few documents as any: the search for an order number or a mailbox."""
    long_ticket: int
    long_ticket_messages: int
    reply_tickets: tuple[int, ...]
    """The top of the open queue; replies go to these in turn."""
    now: datetime
    """The store's latest activity. Metrics windows end here, so a cached store
    measures the same figures however long ago it was filled."""

    @property
    def search_params(self) -> dict[str, Any]:
        return {
            "me": self.me,
            "tag": self.tag,
            "common": _phrase(self.common_word),
            "rare": _phrase(self.rare_word),
        }

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["now"] = self.now.isoformat(timespec="seconds")
        found["reply_tickets"] = len(self.reply_tickets)
        return found


def _phrase(word: str) -> str:
    return f'"{word}"*'  # as the store asks FTS5: a prefix phrase


_OPEN = "status:new,open,pending,on_hold"
_COUNT_OPEN = f"SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {ACTIVE}"


@dataclass(frozen=True, slots=True)
class View:
    """A queue view: search syntax for the store, the same filter by hand for plain
    sqlite3, and the cheaper statement that counts it when the schema has one."""

    name: str
    query: str
    where: str
    count: str | None = None
    sort: Sort = Sort.UPDATED
    second_page: bool = False

    @property
    def searches_words(self) -> bool:
        """Whether a word is searched for: its count may be an estimate past 1,000."""
        return "_word}" in self.query


VIEWS = (
    View("open, by update", _OPEN, "t.active = 1", _COUNT_OPEN),
    View("open, by SLA", _OPEN, "t.active = 1", _COUNT_OPEN, sort=Sort.SLA),
    View("open, page 2", _OPEN, "t.active = 1", _COUNT_OPEN, second_page=True),
    View(
        "mine",
        f"assignee:me {_OPEN}",
        "t.assignee_id = :me AND t.active = 1",
        f"{_COUNT_OPEN} AND assignee_id = :me",
    ),
    View(
        "mine, by SLA",
        f"assignee:me {_OPEN}",
        "t.assignee_id = :me AND t.active = 1",
        f"{_COUNT_OPEN} AND assignee_id = :me",
        sort=Sort.SLA,
    ),
    View(
        "unassigned",
        f"assignee:none {_OPEN}",
        "t.assignee_id IS NULL AND t.active = 1",
        f"{_COUNT_OPEN} AND assignee_id = 0",
    ),
    View("urgent", "priority:urgent", "t.priority = 'urgent'"),
    View("tag", "tag:{tag}", "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = :tag)"),
    View("word, common", "{common_word}", WORD_MATCH.format(word="common")),
    View("word, rare", "{rare_word}", WORD_MATCH.format(word="rare")),
    View(
        "open, common word",
        f"{_OPEN} {{common_word}}",
        f"t.active = 1 AND {WORD_MATCH.format(word='common')}",
    ),
)


@dataclass(frozen=True)  # not slots: a generic slotted dataclass breaks on 3.11
class Operation(Generic[S, P]):
    name: str
    kind: Kind
    on_store: Callable[[], Awaitable[S]]
    on_plain: Callable[[], P]
    compare: Callable[[S, P], Found]
    """Raises Disagreement unless both sides found the same; says what they found."""
    exactly: Callable[[], Awaitable[S]] | None = None
    """For a page of a search of words, whose count is checked against the exact one:
    the same page from a store that counts every search exactly (ExactlyCounting)."""


# Choosing the fixtures


def discover(path: Path) -> Fixtures:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        (me,) = db.execute(
            "SELECT assignee_id FROM tickets WHERE active = 1 AND assignee_id IS NOT NULL"
            " GROUP BY assignee_id ORDER BY count(*) DESC, assignee_id LIMIT 1"
        ).fetchone()
        (tag,) = db.execute(
            "SELECT tag FROM ticket_tags GROUP BY tag ORDER BY tag = ? DESC, count(*) DESC, tag LIMIT 1",
            (PREFERRED_TAG,),
        ).fetchone()
        long_ticket, long_ticket_messages = db.execute(
            "SELECT id, message_count FROM tickets ORDER BY min(message_count, ?) DESC, id LIMIT 1",
            (PAGE_SIZE,),
        ).fetchone()
        reply_tickets = tuple(
            row[0]
            for row in db.execute(
                "SELECT id FROM tickets WHERE active = 1 ORDER BY updated_at DESC, id DESC LIMIT ?",
                (PAGE_SIZE,),
            )
        )
        (latest,) = db.execute("SELECT max(updated_at) FROM tickets").fetchone()
        rare_word = _rarest_word(db)
    return Fixtures(
        me=me,
        tag=tag,
        common_word=COMMON_WORD,
        rare_word=rare_word,
        long_ticket=long_ticket,
        long_ticket_messages=long_ticket_messages,
        reply_tickets=reply_tickets,
        now=from_micros(latest),
    )


def _rarest_word(db: sqlite3.Connection) -> str:
    """The word of five characters or more (letters, maybe digits: an order number, a
    mailbox name) in the fewest subjects, messages and customers, and not the start of
    another word (a search is a prefix search: "change" would also find "changed")."""
    documents: dict[str, int] = {}
    for table in ("search_fts", "customer_fts"):
        db.execute(f"CREATE VIRTUAL TABLE temp.{table}_terms USING fts5vocab(main, {table}, row)")
        for term, count in db.execute(f"SELECT term, doc FROM temp.{table}_terms"):
            documents[term] = documents.get(term, 0) + count
    terms = sorted(documents)
    candidates = [
        (documents[term], term)
        for term, following in itertools.pairwise([*terms, ""])
        if len(term) >= 5
        and term.isascii()
        and term.isalnum()
        and not term.isdigit()
        and not following.startswith(term)
    ]
    rarest: str = min(candidates)[1]
    return rarest


# The operations, each on the store and by hand


async def page_operation(
    view: View, store: Store, plain: PlainSqlite, fixtures: Fixtures, exact: Store
) -> Operation[TicketPage, PlainPage]:
    query = parse(view.query.format(**asdict(fixtures)))
    params = fixtures.search_params
    store_after: str | None = None
    plain_after: tuple[int, int] | None = None
    if view.second_page:
        first = await store.list_tickets(query, viewer_id=fixtures.me, sort=view.sort, limit=PAGE_SIZE)
        store_after = first.next_cursor
        plain_after = plain.page(view.where, params, order=view.sort.value, count=view.count).last_key

    async def on_store() -> TicketPage:
        return await store.list_tickets(
            query, viewer_id=fixtures.me, sort=view.sort, after=store_after, limit=PAGE_SIZE
        )

    def on_plain() -> PlainPage:
        return plain.page(view.where, params, order=view.sort.value, count=view.count, after=plain_after)

    async def exactly() -> TicketPage:
        return await exact.list_tickets(
            query, viewer_id=fixtures.me, sort=view.sort, after=store_after, limit=PAGE_SIZE
        )

    counted = exactly if view.searches_words else None
    return Operation(view.name, Kind.PAGE, on_store, on_plain, same_page, exactly=counted)


def same_page(page: TicketPage, plain: PlainPage) -> Found:
    """The same tickets in the same order, and the same count unless the store said
    its count is an estimate (how far off is the Counts table's business)."""
    ids, plain_ids = [t.id for t in page.tickets], [row[0] for row in plain.rows]
    if ids != plain_ids or (page.total != plain.total and not page.total_is_estimate):
        raise Disagreement(
            f"store: {page.total} in all, page {ids[:5]}…; plain: {plain.total} in all, page {plain_ids[:5]}…"
        )
    return Found(f"{'~' if page.total_is_estimate else ''}{page.total:,} tickets", len(ids))


def open_operation(
    store: Store, plain: PlainSqlite, fixtures: Fixtures
) -> Operation[tuple[Ticket, MessagePage], tuple[Row, list[Row]]]:
    ticket_id = fixtures.long_ticket

    async def on_store() -> tuple[Ticket, MessagePage]:
        return await store.get_ticket(ticket_id), await store.get_messages(ticket_id, limit=PAGE_SIZE)

    def on_plain() -> tuple[Row, list[Row]]:
        return plain.open_ticket(ticket_id)

    def same(opened: tuple[Ticket, MessagePage], plain: tuple[Row, list[Row]]) -> Found:
        ticket, page = opened
        ids, plain_ids = [m.id for m in page.messages], [row[0] for row in plain[1]]
        if ids != plain_ids:
            raise Disagreement(f"store: messages {ids[:3]}…; plain: {plain_ids[:3]}…")
        return Found(f"#{ticket.id}: {len(ids)} of {ticket.message_count} messages", len(ids))

    return Operation("open ticket", Kind.OPEN, on_store, on_plain, same)


def reply_operation(store: Store, plain: PlainSqlite, fixtures: Fixtures) -> Operation[Message, Row]:
    targets = fixtures.reply_tickets
    store_numbers, plain_numbers = itertools.count(), itertools.count()

    async def on_store() -> Message:
        n = next(store_numbers)
        new = NewMessage(client_id=f"bench-store-{n}", body=REPLY_BODY)
        return await store.add_message(targets[n % len(targets)], new, actor_id=fixtures.me)

    def on_plain() -> Row:
        n = next(plain_numbers)
        return plain.reply(
            targets[n % len(targets)],
            agent_id=fixtures.me,
            client_id=f"bench-plain-{n}",
            body=REPLY_BODY,
            now_us=to_micros(datetime.now().astimezone()),
        )

    def same(message: Message, row: Row) -> Found:
        if message.ticket_id != row[2]:
            raise Disagreement(f"store replied to #{message.ticket_id}, plain to #{row[2]}")
        return Found(f"to {len(targets)} open tickets in turn")

    return Operation("reply", Kind.REPLY, on_store, on_plain, same)


def metrics_operation(
    name: str, days: int, store: Store, plain: PlainSqlite, fixtures: Fixtures
) -> Operation[Metrics, PlainMetrics]:
    window = Window(fixtures.now - timedelta(days=days), fixtures.now)

    async def on_store() -> Metrics:
        return await store.metrics(window, viewer_id=fixtures.me, now=fixtures.now)

    def on_plain() -> PlainMetrics:
        return plain.metrics(
            to_micros(window.since), to_micros(window.until), me=fixtures.me, now_us=to_micros(fixtures.now)
        )

    def same(figures: Metrics, plain: PlainMetrics) -> Found:
        mine = (figures.frt.responded, figures.frt.awaiting, figures.resolution.solved, figures.csat.count)
        theirs = (plain.responded, plain.awaiting, plain.solved, plain.csat_count)
        open_counts = (figures.open.total, figures.open.unassigned, figures.open.mine, figures.open.breaching)
        plain_open = (
            sum(plain.open_counts.get(s, 0) for s in ("new", "open", "pending", "on_hold")),
            plain.open_counts["unassigned"],
            plain.open_counts["mine"],
            plain.breaching,
        )
        if (mine, open_counts) != (theirs, plain_open):
            raise Disagreement(f"store: {mine} {open_counts}; plain: {theirs} {plain_open}")
        return Found(f"{figures.frt.responded:,} answered, {figures.resolution.solved:,} solved")

    return Operation(name, Kind.METRICS, on_store, on_plain, same)


# Running them


async def measure(operation: Operation[Any, Any], budget: Budget) -> Measured:
    disagreement = None
    stored, by_hand = await operation.on_store(), operation.on_plain()
    try:
        found = operation.compare(stored, by_hand)
    except Disagreement as error:
        found, disagreement = Found("(disagree)"), str(error)
    plain = time_sync(operation.on_plain, budget)
    store = await time_async(operation.on_store, budget)
    counted = None
    if operation.exactly is not None:
        exactly = await time_async(operation.exactly, budget)
        counted = Counted(by_hand.total, stored.total, stored.total_is_estimate, exactly)
    return Measured(operation.name, operation.kind, store, plain, found, disagreement, counted)


class ExactlyCounting(SqliteStore):
    """The SQLite store counting every search exactly, as it did before it estimated:
    the baseline an estimate is timed against, in the same run."""

    async def _estimated(
        self, search: Search, ids: Ids, filtered: int | None
    ) -> tuple[StoreCount, float] | None:
        return None


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[tuple[Store, PlainSqlite]]:
    """The same file opened by the store and by plain sqlite3."""
    store: Store = await SqliteStore.open(path)
    plain = PlainSqlite.open(path)
    try:
        yield store, plain
    finally:
        plain.close()
        await store.close()


async def measure_store(demo: DemoStore, scratch: Path, fixtures: Fixtures, budget: Budget) -> list[Measured]:
    measured: list[Measured] = []

    async def run(operation: Operation[Any, Any]) -> None:
        print(f"  {demo.tickets:,} tickets: {operation.name}", file=sys.stderr)
        measured.append(await measure(operation, budget))

    exact = await ExactlyCounting.open(demo.path)
    try:
        async with opened(demo.path) as (store, plain):
            for view in VIEWS:
                await run(await page_operation(view, store, plain, fixtures, exact))
            await run(open_operation(store, plain, fixtures))
            await run(metrics_operation("metrics, 24 hours", 1, store, plain, fixtures))
            await run(metrics_operation("metrics, 7 days", 7, store, plain, fixtures))
    finally:
        await exact.close()
    # Replies go to a copy, so the cached store stays as the demo filled it.
    async with opened(scratch) as (store, plain):
        await run(reply_operation(store, plain, fixtures))
    return measured


def bench(demo: DemoStore, budget: Budget) -> StoreRun:
    fixtures = discover(demo.path)
    with scratch_copy(demo) as scratch:
        measured = asyncio.run(measure_store(demo, scratch, fixtures, budget))
    return StoreRun(demo, fixtures.to_json(), measured)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="fill the demo stores again, even if cached")
    parser.add_argument(
        "--tickets", type=int, nargs="+", default=[1000, 100_000], metavar="N", help="store sizes"
    )
    parser.add_argument("--runs", type=int, default=200, help="timed runs per operation (default 200)")
    args = parser.parse_args(argv)
    budget = Budget(runs=args.runs)
    try:
        demos = [demo_store(n, rebuild=args.rebuild) for n in sorted(set(args.tickets))]
    except BuildFailed as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    runs = [bench(demo, budget) for demo in demos]
    found = checks(runs)
    saved = save_json(runs, found, RESULTS)
    with results_md.section("store", "The store (SQLite)", "bench.store_bench"):
        print_report(runs, found, saved)
    return 0  # a report: failed targets are printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

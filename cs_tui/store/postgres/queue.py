"""The queue on PostgreSQL: a page by keyset on the index of its order, and its count,
exact up to EXACT_UP_TO and past it an estimate, marked as one (ARCHITECTURE.md,
"Counts").

A word found in half of a million tickets takes seconds to count exactly, and its
first page a millisecond: the count walks the newest tickets to EXACT_UP_TO + 1
matches, and past that estimates from their share of the tickets walked and of
samples of the older ones (walk_sql, samples_sql)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from cs_tui.domain.models import TicketPage
from cs_tui.domain.query import Query, Sort, Word
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.postgres.core import PgCore
from cs_tui.store.postgres.search import PostgresText, WordGuess
from cs_tui.store.sqlite import rows
from cs_tui.store.sqlite.estimate import Stretch, estimate, stretches
from cs_tui.store.sqlite.search import (
    FEW_TO_SEARCH,
    Where,
    compile_query,
    counter_sql,
    cursor_after,
    filters_of_search,
    page_sql,
)

EXACT_UP_TO = 1_000
"""A count is exact up to this many tickets, at least."""
MAX_PAGE = 500
COUNTED_UP_TO = 10_000
"""A search whose words the planner expects in at most this many tickets is counted
exactly from their matches (a few milliseconds for as many), whatever its filters;
one whose words are in more is counted by walking the tickets to the first
EXACT_UP_TO + 1 matches, found soon when the words are common. The planner's guess
for a rare word is many times too high (a prefix's share of the index is not in its
statistics: a word with 2 matches is expected to have a few thousand), which leaves
it on the first way; its guess for a common word is close."""
SURELY_COMMON = 100_000
"""Past this many tickets expected to have the words, the page walks the queue's
order at once, beside the count, as it would once the count has found more than
EXACT_UP_TO: the planner's guess is never that far above a rare word's matches."""
FEW_CUSTOMERS = 10_000
"""The walk looks each ticket's customer up among those with the words when the
planner expects at most this many of them (PostgresText.few_customers): gathering
their ids costs a third of a microsecond each, reading each walked ticket's customer
4 µs."""


class PostgresQueue(PgCore):
    """list_tickets and count_tickets of PostgresStore."""

    async def list_tickets(
        self,
        query: Query | None = None,
        *,
        viewer_id: int | None = None,
        sort: Sort = Sort.UPDATED,
        after: str | None = None,
        limit: int = 50,
        with_total: bool = True,
    ) -> TicketPage:
        limit = max(1, min(limit, MAX_PAGE))
        now_us = to_micros(utcnow())
        walk = await self._within_few(query, viewer_id)

        async def page(common: bool, text: PostgresText) -> list[Any]:
            where = self._where(query, viewer_id, now_us, common=common, text=text)
            if query is None or not query.words:
                # A view's statement, planned once for all: each plan made anew took a
                # quarter of a millisecond at a million tickets, more than reading the page.
                return await self._fetchall(*page_sql(where, sort, after, size=limit + 1))
            sql, params = page_sql(where, sort, after)
            return await self._fetchall(sql, [*params, limit + 1])

        if with_total:
            total, estimated, found = await self._counted_page(query, viewer_id, now_us, page, walk=walk)
        else:
            total, estimated, found = -1, False, await page(walk, self.TEXT)
        tickets = tuple(rows.ticket(row) for row in found[:limit])
        next_cursor = cursor_after(found[limit - 1], sort) if len(found) > limit else None
        return TicketPage(tickets, total, next_cursor, total_is_estimate=estimated)

    async def count_tickets(self, query: Query | None = None, *, viewer_id: int | None = None) -> int:
        counted = await self._counter(query, viewer_id)
        if counted is not None:
            return counted
        where = self._where(query, viewer_id, to_micros(utcnow()))
        row = await self._fetchone(f"SELECT count(*) FROM tickets t WHERE {where.sql()}", where.params)
        return int(row[0])

    def _where(
        self,
        query: Query | None,
        viewer_id: int | None,
        now_us: int,
        *,
        common: bool = False,
        text: PostgresText | None = None,
    ) -> Where:
        return compile_query(query, viewer_id=viewer_id, now_us=now_us, common=common, text=text or self.TEXT)

    async def _within_few(self, query: Query | None, viewer_id: int | None) -> bool:
        """Whether the query's words or tags sit in status and assignee filters that
        leave few tickets to look through (a view's search): each of those is then
        asked whether it matches, rather than every ticket with the word found first."""
        around = filters_of_search(query)
        if around is None:
            return False
        counted = await self._counter(around, viewer_id)
        return counted is not None and counted <= FEW_TO_SEARCH

    async def _counted_page(
        self,
        query: Query | None,
        viewer_id: int | None,
        now_us: int,
        page: Callable[[bool, PostgresText], Awaitable[list[Any]]],
        *,
        walk: bool = False,
    ) -> tuple[int, bool, list[Any]]:
        """The count of the queue's matches, whether it is an estimate, and the page's
        rows: `page(common, text)`, in the form the count says (walking the queue's
        order where the matches are many). `walk`: the matches are counted among few
        tickets (see _within_few)."""
        text = self.TEXT
        counted = await self._counter(query, viewer_id)
        if counted is not None:
            return counted, False, await page(walk or counted > EXACT_UP_TO, text)
        if walk:
            walked = self._where(query, viewer_id, now_us, common=True)
            row = await self._fetchone(f"SELECT count(*) FROM tickets t WHERE {walked.sql()}", walked.params)
            return int(row[0]), False, await page(True, text)
        where = self._where(query, viewer_id, now_us)
        words_alone = 0
        if query is not None and query.words:
            guess = await self._guess(query.words, now_us)
            words_alone = guess.tickets
            text = PostgresText(few_customers=guess.customers <= FEW_CUSTOMERS)
        if words_alone <= COUNTED_UP_TO:
            # Filters alone (counted from their indexes), or words found in few tickets.
            row = await self._fetchone(f"SELECT count(*) FROM tickets t WHERE {where.sql()}", where.params)
            return int(row[0]), False, await page(int(row[0]) > EXACT_UP_TO, text)
        # Words in many tickets: walk the tickets, asking each whether it matches, to
        # the first EXACT_UP_TO + 1 (newest first: their messages are the ones in
        # memory, at a million tickets twice as quick). Past them, an estimate.
        walked = self._where(query, viewer_id, now_us, common=True, text=text)
        filters = Query(query.filters if query is not None else ())
        sql, params = walk_sql(
            walked, self._where(filters, viewer_id, now_us), counter_sql(filters, viewer_id)
        )
        if words_alone > SURELY_COMMON:
            # The page walks the queue's order meanwhile, on a connection of its own.
            row, found = await asyncio.gather(self._fetchone(sql, params), page(True, text))
        else:
            row = await self._fetchone(sql, params)
            found = await page(int(row[0]) > EXACT_UP_TO, text)
        matches, kept_walked, kept, newest_from, first_id, last_id = row
        if matches <= EXACT_UP_TO:
            return matches, False, found
        plan = stretches(int(newest_from), int(first_id), int(last_id))
        if plan is None:
            # The walk passed so many tickets that counting them all costs about as much.
            row = await self._fetchone(f"SELECT count(*) FROM tickets t WHERE {where.sql()}", where.params)
            return int(row[0]), False, found
        # Samples of the older tickets too: the newest ones' conversations are shorter.
        sampled = await self._fetchall(*samples_sql(plan, walked, self._where(filters, viewer_id, now_us)))
        found_in = [(0, int(kept_walked), matches), *sampled]
        estimated = estimate(None if kept is None else int(kept), plan, found_in)
        return max(estimated, EXACT_UP_TO + 1), True, found

    async def _guess(self, words: tuple[Word, ...], now_us: int) -> WordGuess:
        """The planner's guess at the tickets and customers with the words, kept a
        while (WordGuesses)."""
        guess = self._word_guesses.get(words)
        if guess is None:
            plan = await self._plan(self._where(Query((), words), None, now_us))
            guess = WordGuess(int(plan["Plan Rows"]), most_rows(plan, "customers"))
            self._word_guesses.put(words, guess)
        return guess

    async def _plan(self, where: Where) -> dict[str, Any]:
        """The planner's plan of the tickets matching `where` (its top node)."""
        row = await self._fetchone(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM tickets t WHERE {where.sql()}", where.params
        )
        plan = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        return cast("dict[str, Any]", plan[0]["Plan"])

    async def _counter(self, query: Query | None, viewer_id: int | None) -> int | None:
        """The count from the ticket_counts table, for a query of statuses and an
        assignee alone; None for any other."""
        counter = counter_sql(query, viewer_id)
        if counter is None:
            return None
        row = await self._fetchone(*counter)
        return int(row[0])


def most_rows(plan: dict[str, Any], table: str) -> int:
    """The most rows the plan expects of any scan of `table` (0 if none)."""
    here = int(plan["Plan Rows"]) if plan.get("Relation Name") == table else 0
    return max([here, *(most_rows(below, table) for below in plan.get("Plans", ()))])


def walk_sql(walked: Where, filters: Where, counter: tuple[str, list[Any]] | None) -> tuple[str, list[Any]]:
    """The walk of the tickets newest first to the first EXACT_UP_TO + 1 matching
    `walked`, and what its estimate is made from: how many matched, how many tickets
    the walk passed that `filters` (the search's filters alone) keep, and how many
    tickets those filters keep in all (`counter`, from ticket_counts; NULL where only
    the tickets can count them), and the stretches of ids the samples are taken from
    (newest_from, first and last id, for estimate.stretches). The estimate is the
    matches' share of the tickets passed and sampled, of all those the filters keep:
    the ratio estimator of SQLite's samples (store/sqlite/estimate.py). The
    planner's own guess was three times too high for a first name (`budi`: 55,579
    for 15,898)."""
    kept_total, kept_params = counter if counter is not None else ("NULL", [])
    sql = (
        f"WITH found AS (SELECT t.id FROM tickets t WHERE {walked.sql()} ORDER BY t.id DESC LIMIT ?)"
        " SELECT (SELECT count(*) FROM found),"
        f" (SELECT count(*) FROM tickets t WHERE t.id >= (SELECT min(id) FROM found) AND {filters.sql()}),"
        f" ({kept_total}), (SELECT min(id) FROM found),"
        " (SELECT min(id) FROM tickets), (SELECT max(id) FROM tickets)"
    )
    return sql, [*walked.params, EXACT_UP_TO + 1, *filters.params, *kept_params]


def samples_sql(plan: Sequence[Stretch], walked: Where, filters: Where) -> tuple[str, list[Any]]:
    """For each sampled stretch of the plan (stretches, the newest left out: the walk
    counted it), as store/sqlite/estimate.py's stretches_sql: its place, the tickets
    in it the filters keep, and those of them matching `walked`. One statement of
    one plan, however many stretches."""
    sampled = plan[1:]
    sql = (
        f"SELECT s.place, count(*) FILTER (WHERE {filters.sql()}), count(*) FILTER (WHERE {walked.sql()})"
        " FROM unnest(?::bigint[], ?::bigint[]) WITH ORDINALITY AS s(first, last, place)"
        " JOIN tickets t ON t.id BETWEEN s.first AND s.last GROUP BY s.place"
    )
    firsts = [stretch.first for stretch in sampled]
    lasts = [stretch.last for stretch in sampled]
    return sql, [*filters.params, *walked.params, firsts, lasts]

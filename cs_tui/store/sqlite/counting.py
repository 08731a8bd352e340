"""Counting tickets in the SQLite store: exactly (count_tickets), and for the queue's
searches of words, exact up to estimate.CAP and past it an estimate marked as one,
with the page found among the first tickets of the queue's order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cs_tui.domain.query import Query, Sort
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.sqlite.core import SqliteCore
from cs_tui.store.sqlite.estimate import (
    CAP,
    FEW_ENTRIES,
    SAMPLED_SHARE,
    WALK_ENTRIES,
    Counted,
    candidates_for,
    counted_in,
    driver,
    estimate,
    matching_share,
    probe_sql,
    stretches,
    stretches_sql,
    walked_sql,
)
from cs_tui.store.sqlite.search import (
    FEW_TO_SEARCH,
    Where,
    candidates_sql,
    compile_query,
    count_words_sql,
    counted_total,
    counter_sql,
    cursor_after,
    filters_of_search,
    first_page_counted_sql,
    fts_phrase,
    page_sql,
    tag_only,
    words_only,
)
from cs_tui.store.sqlite.terms import plain_token, spelled_out, terms_sql

MOST_CANDIDATES = 4_096
"""A search whose page would need more of the queue's first tickets than this to be
found among them is paged as any other."""
SEEK_IDS = 200
"""A gap of more ticket ids than this between two of the first tickets is left
unread: a seek into the full-text index costs about what reading a word's entries of
200 tickets does (20 µs)."""
MOST_SPANS = 64
"""Stretches read at most, each a SELECT of its own in one statement."""


@dataclass(frozen=True, slots=True)
class Ids:
    """How many tickets there are, and their first and last ids."""

    tickets: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Search:
    """A search of words, as the store runs it: its full-text queries spelled out,
    who `assignee:me` is, and the time `breaching:` is measured at."""

    query: Query
    terms: dict[str, str]
    viewer_id: int | None
    now_us: int

    def where(
        self,
        query: Query | None = None,
        *,
        common: bool = False,
        spans: Sequence[tuple[int, int]] | None = None,
        each: bool = False,
    ) -> Where:
        """The search (or `query`, a part of it) compiled as compile_query does."""
        return compile_query(
            self.query if query is None else query,
            viewer_id=self.viewer_id,
            now_us=self.now_us,
            common=common,
            terms=self.terms,
            spans=spans,
            each=each,
        )


class CountingStore(SqliteCore):
    """count_tickets, and the queue's pages of searches of words, for SqliteStore."""

    async def count_tickets(self, query: Query | None = None, *, viewer_id: int | None = None) -> int:
        return await self._exact_count(query, viewer_id, await self._spelled(query))

    async def _exact_count(self, query: Query | None, viewer_id: int | None, terms: dict[str, str]) -> int:
        counter = counter_sql(query, viewer_id)
        if counter is not None:
            row = await self._fetchone(*counter)
            return int(row[0])
        tags = tag_only(query)
        if tags is not None:
            marks = ",".join("?" * len(tags))
            sql = f"SELECT count(DISTINCT ticket_id) FROM ticket_tags WHERE tag IN ({marks})"
            row = await self._fetchone(sql, tags)
            return int(row[0])
        queries = words_only(query, terms)
        if queries is not None:
            sql, params = count_words_sql(queries)
            row = await self._fetchone(sql, params)
            return int(row[0])
        where = compile_query(query, viewer_id=viewer_id, now_us=to_micros(utcnow()), terms=terms)
        row = await self._fetchone(f"SELECT count(*) FROM tickets t WHERE {where.sql()}", where.params)
        return int(row[0])

    async def _spelled(self, query: Query | None) -> dict[str, str]:
        """The full-text query of each of the query's words that the index's terms
        spell out (see terms.py), by the word's text."""
        words = [word for word in query.words if plain_token(word) is not None] if query else []
        if not words:
            return {}
        sql, params = terms_sql([plain_token(word) or "" for word in words])
        return spelled_out(words, await self._fetchall(sql, params))

    async def _ids(self) -> Ids:
        """From the counters and the ends of the id index: no ticket is read."""
        row = await self._fetchone(
            "SELECT (SELECT coalesce(sum(n), 0) FROM ticket_counts),"
            " (SELECT coalesce(min(id), 0) FROM tickets), (SELECT coalesce(max(id), 0) FROM tickets)"
        )
        return Ids(int(row[0]), int(row[1]), int(row[2]))

    async def _search_rows(
        self,
        query: Query,
        terms: dict[str, str],
        *,
        viewer_id: int | None,
        sort: Sort,
        after: str | None,
        limit: int,
    ) -> tuple[list[Any], Counted]:
        """A page of a search of words whose words the index's terms spell out (rows of
        page_sql, limit + 1 at most) and its count, exact up to CAP."""
        search = Search(query, terms, viewer_id, to_micros(utcnow()))
        ids, counted_filters = await asyncio.gather(self._ids(), self._filtered(query, viewer_id))
        filtered = counted_filters if query.filters else ids.tickets
        estimated = await self._estimated(search, ids, filtered)
        counted, share = estimated or (None, 0.0)
        if counted is None:
            if after is None and await self._search_within_few(query, viewer_id):
                sql, params = first_page_counted_sql(search.where(), sort)
                found = await self._fetchall(sql, [*params, limit + 1])
                return found, Counted(counted_total(found, sort), exact=True)
            counted = Counted(await self._exact_count(query, viewer_id, terms), exact=True)
        few = counted.value * 100 < ids.tickets
        share = share or counted.value / max(filtered or ids.tickets, 1)
        # An estimated count is of a word in many tickets, whatever filters leave of
        # them: starting from its tickets would gather all of them.
        if share and (estimated is not None or not few):
            among_first = await self._among_first(search, share, sort, after, limit)
            if among_first is not None:
                return among_first, counted
        if few:
            # Few matches: start from them (see compile_query).
            sql, params = page_sql(search.where(), sort, after)
            return await self._fetchall(sql, [*params, limit + 1]), counted
        sql, params = page_sql(search.where(common=True), sort, after)
        return await self._fetchall(sql, [*params, limit + 1]), counted

    async def _filtered(self, query: Query, viewer_id: int | None) -> int | None:
        """How many tickets the query's filters alone keep, where counters or the tag
        index say it; None where only reading the tickets would, or there are none."""
        filters = filters_of(query)
        if not query.filters:
            return None
        if counter_sql(filters, viewer_id) is not None or tag_only(filters):
            return await self._exact_count(filters, viewer_id, {})
        return None

    async def _estimated(
        self, search: Search, ids: Ids, filtered: int | None
    ) -> tuple[Counted, float] | None:
        """The search's count where it is past CAP and an exact count would read too
        much (see estimate.py), and the share of what the filters keep that it finds;
        None where it is to be counted exactly. `filtered`: how many tickets the
        filters keep, when known."""
        query = search.query
        word = driver(query)
        if (filtered is not None and filtered <= CAP) or word is None:
            return None
        place = query.words.index(word)
        rest = Query(query.filters, query.words[:place] + query.words[place + 1 :])
        match = search.terms.get(word.text) or fts_phrase(word) or ""
        few = filtered is not None and filtered <= FEW_TO_SEARCH
        read = FEW_ENTRIES if few else WALK_ENTRIES
        walked: tuple[int | None, int] | None = None
        spans: list[tuple[int, int]] | None = None
        if rest.words:
            # The other words' entries are read only as far back as the probe's go:
            # all of a common one's would be gathered for each ticket to be looked up in.
            walked = tuple(await self._fetchone(*walked_sql(match, read)))
            if walked[0] is None:
                return None
            spans = [(int(walked[0]), ids.last)]
        found, newest_from = await self._fetchone(
            *probe_sql(match, search.where(rest, common=True, spans=spans), read)
        )
        probed = found > CAP  # the newest stretch's matches, all of them
        if not probed:
            # Too few of the newest entries matched to tell. Where the filters leave few
            # tickets, counting them is cheap; else samples from as far back as those
            # entries go may find enough.
            if few or found * (1 + SAMPLED_SHARE) <= CAP:
                return None
            newest_from, entries = walked or await self._fetchone(*walked_sql(match))
            if entries < WALK_ENTRIES:
                return None
        plan = stretches(int(newest_from), ids.first, ids.last)
        if plan is None:
            return None
        words = Query(words=query.words)
        sql, params = stretches_sql(
            plan,
            search.where(filters_of(query), common=True),
            lambda span: search.where(words, common=True, spans=[span]),
            newest_matches=found if probed else None,
        )
        rows = await self._fetchall(sql, params)
        if counted_in(rows) <= CAP:
            return None
        counted = Counted(max(CAP + 1, estimate(filtered, plan, rows)), exact=False)
        return counted, matching_share(plan, rows)

    async def _search_within_few(self, query: Query | None, viewer_id: int | None) -> bool:
        """Whether the query's words or tags sit in status and assignee filters that
        leave few tickets to search (see first_page_counted_sql)."""
        filters = filters_of_search(query)
        return filters is not None and await self._exact_count(filters, viewer_id, {}) <= FEW_TO_SEARCH

    async def _among_first(
        self,
        search: Search,
        share: float,
        sort: Sort,
        after: str | None,
        limit: int,
        *,
        looked: int = 0,
    ) -> list[Any] | None:
        """The page of a search whose matches are `share` of what its filters keep,
        looked for among the first tickets of the queue's order those filters keep,
        with its words' entries read only in the stretches of ids around them
        (spans_of), or where that would read more, looked up for each of them; where
        those hold too few matches, the rest of the page is looked for after them,
        MOST_CANDIDATES tickets at most (`looked`: how many were already). None when
        they would be more."""
        wanted = candidates_for(limit, share)
        if looked + wanted > MOST_CANDIDATES:
            return None
        filters = search.where(filters_of(search.query), common=True)
        first_sql, first_params = candidates_sql(filters, sort, after)
        keyed_sql, _ = candidates_sql(filters, sort, after, keyed=True)
        taken = await self._fetchall(keyed_sql, [*first_params, wanted])
        if not taken:
            return []
        spans = spans_of(sorted(int(row[0]) for row in taken))
        read = sum(last - first + 1 for first, last in spans) + SEEK_IDS * len(spans)
        # The page's ids first, so that only its own tickets are read in full.
        if read > SEEK_IDS * len(taken):
            matching = search.where(common=True, each=True)
        else:
            matching = search.where(common=True, spans=spans)
        matching.clauses.append(f"t.id IN (SELECT id FROM ({first_sql}))")
        matching.params.extend((*first_params, wanted))
        ids_sql, ids_params = candidates_sql(matching, sort, after)
        page = Where([f"t.id IN ({ids_sql})"], [*ids_params, limit + 1])
        sql, params = page_sql(page, sort, None)
        found = await self._fetchall(sql, [*params, limit + 1])
        if len(found) > limit or len(taken) < wanted:
            return found
        # Too few matches among them: the rest of the page after the last of them,
        # as many looked at as what they held says it takes.
        rest = await self._among_first(
            search,
            (len(found) + 1) / wanted,
            sort,
            cursor_after(taken[-1], sort),
            limit - len(found),
            looked=looked + wanted,
        )
        return None if rest is None else [*found, *rest]


def spans_of(ids: Sequence[int]) -> list[tuple[int, int]]:
    """The stretches of ids (first, last) to read a word's entries in, for the tickets
    `ids` (in order): one stretch, cut at the gaps wider than a seek into the index
    costs (SEEK_IDS), the MOST_SPANS - 1 widest at most. The tickets updated last are
    mostly the newest, with a few old ones far behind them: the ids between are not
    read."""
    gaps = sorted((ids[i + 1] - ids[i], i) for i in range(len(ids) - 1) if ids[i + 1] - ids[i] > SEEK_IDS)[
        -(MOST_SPANS - 1) :
    ]
    spans: list[tuple[int, int]] = []
    start = 0
    for end in sorted(i for _, i in gaps):
        spans.append((ids[start], ids[end]))
        start = end + 1
    spans.append((ids[start], ids[-1]))
    return spans


def filters_of(query: Query) -> Query:
    return Query(query.filters)


def spelled_throughout(query: Query | None, terms: dict[str, str]) -> bool:
    """Whether the query has a word to count from (estimate.driver) and the index's
    terms spell out each of its words: a word left to FTS5's prefix query costs its
    merge in every statement that looks for it, and the samples take several."""
    return (
        query is not None
        and driver(query) is not None
        and all(word.text in terms for word in query.words if fts_phrase(word) is not None)
    )

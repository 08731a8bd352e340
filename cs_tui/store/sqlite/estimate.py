"""How many tickets a search of words finds, for the queue: exact up to CAP at least,
and past that, where an exact count would read the whole of a common word's entries
in the full-text index, an estimate from samples of the ticket ids (ARCHITECTURE.md,
"Counts").

The estimate, in three steps:

1. The probe reads the entries of one of the words newest first (at most
   WALK_ENTRIES of them) and checks the rest of the search on each of their tickets,
   until CAP + 1 match. Then there are more than CAP matches, and the newest stretch
   of ids is as far back as those reach. (When fewer match, the stretch is as far
   back as the entries read reach, and the samples must find the rest.)
2. The matches are counted exactly in that stretch and in SAMPLES stretches of ids
   spread over the ids before it (one at the newest end of each of SAMPLES equal
   parts), together as long as the newest (SAMPLED_SHARE): so a word that is common
   in one season only, or filters that keep mostly new tickets (`status:open`), are
   sampled where they are. Each stretch also counts the tickets its filters alone
   keep. (When the probe found CAP + 1 matches, they are the newest stretch's
   matches, all of them: only its filtered tickets are counted again.)
3. Each sampled stretch stands for its part (weighed by the part's length over its
   own), and the matches are scaled to the filters' exact count (all tickets without
   filters): estimate = filtered * sum(weight * matches) / sum(weight * filtered in
   stretch), the ratio estimator of survey sampling. Filters that only the tickets
   themselves can count (`priority:urgent`, `-tag:spam`) are not counted for it:
   then estimate = sum(weight * matches).

What it costs in accuracy: the sampling error of a share measured on a thousand or
so matches, a few percent (bench.store_bench reports it on its searches), plus
whatever a word's share varies within a part of the ids between its sampled stretch
and the rest. The estimate is only ever made once more than CAP matches are counted
in the stretches, so a count of CAP or fewer is always exact. What it costs in time:
the entries of the newest stretch and of the samples, about twice the newest
stretch's, where an exact count reads all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cs_tui.domain.query import Query, Word
from cs_tui.store.sqlite.search import Where, fts_phrase

CAP = 1_000
"""A queue's count is exact up to this at least."""
WALK_ENTRIES = 16_384
"""Entries of the probe's word read at most; past them, the count is exact if too
few matched to estimate from."""
FEW_ENTRIES = 4_096
"""Entries read at most where the filters leave few tickets (search.FEW_TO_SEARCH),
whose matches are counted at little cost when the probe does not find enough."""
SAMPLES = 8
"""Sampled stretches of the ids older than the newest stretch."""
SAMPLED_SHARE = 1
"""The sampled stretches together are this many times as long as the newest."""
SAMPLES_AT_MOST = 0.5
"""Where the stretches would cover more than this share of the ids, counting all of
them exactly costs about as much, and is done instead."""


@dataclass(frozen=True, slots=True)
class Counted:
    """A queue's count, and whether it is exact or an estimate."""

    value: int
    exact: bool


@dataclass(frozen=True, slots=True)
class Stretch:
    """Ticket ids first..last, counted exactly; `weight`: the ids it stands for, per id."""

    first: int
    last: int
    weight: float


def driver(query: Query) -> Word | None:
    """The word the probe reads the entries of: the first one that is not negated and
    has something to search for."""
    return next((w for w in query.words if not w.negated and fts_phrase(w) is not None), None)


def probe_sql(search: str, rest: Where, entries: int = WALK_ENTRIES) -> tuple[str, list[Any]]:
    """How many of the tickets of the newest `entries` entries of a word (`search`, its
    query of search_fts) that `rest` (the search less that word, in compile_query's
    `common` form) keeps, up to CAP + 1, and the oldest of them. CROSS JOIN keeps the
    entries first, read as the tickets want them, rather than all gathered first."""
    sql = (
        "SELECT count(*), min(id) FROM (SELECT DISTINCT t.id AS id FROM"
        " (SELECT rowid >> 24 AS id FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) e"
        f" CROSS JOIN tickets t ON t.id = e.id WHERE {rest.sql()} LIMIT ?)"
    )
    return sql, [search, entries, *rest.params, CAP + 1]


def walked_sql(search: str, entries: int = WALK_ENTRIES) -> tuple[str, list[Any]]:
    """The oldest ticket of the newest `entries` entries of a word, and how many
    entries there were (fewer: the word has no more)."""
    sql = (
        "SELECT min(id), count(*) FROM (SELECT rowid >> 24 AS id FROM search_fts"
        " WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?)"
    )
    return sql, [search, entries]


def stretches(newest_from: int, first_id: int, last_id: int) -> list[Stretch] | None:
    """The newest stretch (newest_from..last_id) and the sampled ones before it; None
    when they would cover more than SAMPLES_AT_MOST of the ids before it."""
    newest = last_id - newest_from + 1
    older = newest_from - first_id
    width = math.ceil(SAMPLED_SHARE * newest / SAMPLES)
    if newest <= 0 or SAMPLES * width > SAMPLES_AT_MOST * older:
        return None
    found = [Stretch(newest_from, last_id, 1.0)]
    for part in range(SAMPLES):
        part_first = first_id + part * older // SAMPLES
        part_last = first_id + (part + 1) * older // SAMPLES - 1
        found.append(Stretch(part_last - width + 1, part_last, (part_last - part_first + 1) / width))
    return found


def stretches_sql(
    found: Sequence[Stretch],
    filters: Where,
    words_in: Callable[[tuple[int, int]], Where],
    newest_matches: int | None = None,
) -> tuple[str, list[Any]]:
    """For each stretch: its place, the tickets in it the filters keep, and those of
    them the words find (`words_in` compiles the words, looked for in a span only, in
    compile_query's `common` form: each ticket of the stretch is looked up among the
    word's tickets in the span, gathered once). `newest_matches`: the newest stretch's
    matches, where the probe counted them all, taken as they are."""
    parts: list[str] = []
    params: list[Any] = []
    for place, stretch in enumerate(found):
        if place == 0 and newest_matches is not None:
            matches: tuple[str, list[Any]] = ("?", [newest_matches])
        else:
            words = words_in((stretch.first, stretch.last))
            matches = (f"coalesce(sum({words.sql()}), 0)", words.params)
        # NOT INDEXED: the stretch by its ids, not all of a status's tickets by its index.
        parts.append(
            f"SELECT {place}, count(*), {matches[0]} FROM tickets t NOT INDEXED"
            f" WHERE t.id BETWEEN ? AND ? AND {filters.sql()}"
        )
        params.extend((*matches[1], stretch.first, stretch.last, *filters.params))
    return " UNION ALL ".join(parts), params


def counted_in(rows: Sequence[Sequence[int]]) -> int:
    """The matches counted exactly in the stretches (rows of stretches_sql)."""
    return sum(int(row[2]) for row in rows)


def estimate(filtered: int | None, found: Sequence[Stretch], rows: Sequence[Sequence[int]]) -> int:
    """The estimated matches among `filtered` tickets (the filters' exact count) from
    the stretches' counts (rows of stretches_sql): see the module's docstring. Where
    the filters' count is not known (None), the matches scaled by the weights alone."""
    matches, kept = _weighed(found, rows)
    if filtered is None:
        return round(matches)
    return round(filtered * matches / kept) if kept else 0


def matching_share(found: Sequence[Stretch], rows: Sequence[Sequence[int]]) -> float:
    """The estimated share of the tickets the filters keep that the words find."""
    matches, kept = _weighed(found, rows)
    return matches / kept if kept else 0.0


def _weighed(found: Sequence[Stretch], rows: Sequence[Sequence[int]]) -> tuple[float, float]:
    """The stretches' matches and filtered tickets, each weighed by what it stands for."""
    weights = [found[int(row[0])].weight for row in rows]
    matches = sum(w * int(row[2]) for w, row in zip(weights, rows, strict=True))
    kept = sum(w * int(row[1]) for w, row in zip(weights, rows, strict=True))
    return matches, kept


def candidates_for(limit: int, share: float) -> int:
    """How many of the tickets in the queue's order to look for a page of matches in,
    when `share` of them match: a tenth more than the page would take, and a margin.
    Each costs a reading of the words' entries near it (10 µs at a million tickets);
    where they hold too few, more are looked at after them (half a millisecond, for
    one search in ten at half the tickets): fewer would cost more in those, more in
    the tickets read."""
    return math.ceil(1.1 * (limit + 1) / share) + 8

"""The metrics in one statement: window figures from partial indexes, open counts
from the ticket_counts table. Definitions: cs_tui.domain.metrics.

A median is a statement of its own that knows the count: it sorts a small
window's values, or walks an index of all values in order, skipping tickets
outside the window, and stops at the middle.

No duration counts below zero, as in the definitions: a median takes the middle
values in order and only then lifts a negative one to zero, which keeps the order
and so the index.

The awaiting figures name their partial index: without table statistics SQLite
prefers the (active, ...) index and reads every open ticket.

A ticket merged into another counts in no figure (cs_tui.domain.merging): the
window's figures name `merged_into IS NULL`, which the partial indexes leave out too;
a merged ticket is closed, so the open counts and the awaiting figures never had it.

Breaching is read from the deadlines alone (the tickets_due index): only a ticket
waiting on the team has one, as solved, closed, pending and on hold tickets keep
none (cs_tui.domain.rules.progress).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cs_tui.domain.metrics import CsatStats, FrtStats, Metrics, OpenCounts, ResolutionStats, Window
from cs_tui.domain.timeutil import to_micros

_ACTIVE = "('new', 'open', 'pending', 'on_hold')"

_METRICS_SQL = f"""
SELECT
  (SELECT count(*) FROM tickets
     WHERE created_at >= :since AND created_at < :until AND frt_us IS NOT NULL AND merged_into IS NULL),
  (SELECT avg(max(frt_us, 0)) FROM tickets
     WHERE created_at >= :since AND created_at < :until AND frt_us IS NOT NULL AND merged_into IS NULL),
  (SELECT count(*) FROM tickets INDEXED BY tickets_awaiting
     WHERE first_response_at IS NULL AND active = 1 AND created_at >= :since AND created_at < :until),
  (SELECT min(created_at) FROM tickets INDEXED BY tickets_awaiting
     WHERE first_response_at IS NULL AND active = 1 AND created_at >= :since AND created_at < :until),
  (SELECT count(*) FROM tickets WHERE solved_at >= :since AND solved_at < :until AND merged_into IS NULL),
  (SELECT avg(max(solved_at - created_at, 0)) FROM tickets
     WHERE solved_at >= :since AND solved_at < :until AND merged_into IS NULL),
  (SELECT avg(csat_rating) FROM tickets WHERE csat_at >= :since AND csat_at < :until AND merged_into IS NULL),
  (SELECT count(*) FROM tickets WHERE csat_at >= :since AND csat_at < :until AND merged_into IS NULL),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'new'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'open'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'pending'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'on_hold'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = 0),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = :me),
  (SELECT count(*) FROM tickets WHERE sla_due_at <= :now)
"""

# The middle one or two values, knowing how many there are (LIMIT 2 - n % 2 OFFSET (n - 1) / 2).
# A few thousand values sort faster than a walk through every ticket's value in
# order; beyond that the walk wins, as it stops at the middle and never sorts.
SORT_AT_MOST = 5_000

_FRT_MEDIAN = {
    "sort": """SELECT avg(max(v, 0)) FROM (SELECT frt_us AS v FROM tickets INDEXED BY tickets_frt
        WHERE created_at >= :since AND created_at < :until AND frt_us IS NOT NULL AND merged_into IS NULL
        ORDER BY frt_us LIMIT :limit OFFSET :offset) middle""",
    "walk": """SELECT avg(max(v, 0)) FROM (SELECT frt_us AS v FROM tickets INDEXED BY tickets_frt_value
        WHERE frt_us IS NOT NULL AND merged_into IS NULL AND created_at >= :since AND created_at < :until
        ORDER BY frt_us LIMIT :limit OFFSET :offset) middle""",
}
_RESOLUTION_MEDIAN = {
    "sort": """SELECT avg(max(v, 0)) FROM (SELECT solved_at - created_at AS v FROM tickets
        INDEXED BY tickets_solved WHERE solved_at >= :since AND solved_at < :until AND merged_into IS NULL
        ORDER BY v LIMIT :limit OFFSET :offset) middle""",
    "walk": """SELECT avg(max(v, 0)) FROM (SELECT solved_at - created_at AS v FROM tickets
        INDEXED BY tickets_resolution_value
        WHERE solved_at IS NOT NULL AND merged_into IS NULL AND solved_at >= :since AND solved_at < :until
        ORDER BY solved_at - created_at LIMIT :limit OFFSET :offset) middle""",
}


async def _median(
    reader: aiosqlite.Connection, statements: dict[str, str], count: int, since: int, until: int
) -> float | None:
    if count == 0:
        return None
    sql = statements["sort" if count <= SORT_AT_MOST else "walk"]
    params = {"since": since, "until": until, "limit": 2 - count % 2, "offset": (count - 1) // 2}
    found = list(await reader.execute_fetchall(sql, params))
    value = found[0][0]
    return float(value) if value is not None else None


def _seconds(micros: float | None) -> float | None:
    # float(): PostgreSQL's avg() is a numeric, which Python reads as a Decimal.
    return round(float(micros) / 1_000_000, 6) if micros is not None else None


async def read_metrics(
    reader: aiosqlite.Connection, window: Window, *, viewer_id: int | None, now: datetime
) -> Metrics:
    now_us = to_micros(now)
    since, until = to_micros(window.since), to_micros(window.until)
    me = viewer_id if viewer_id is not None else -1
    found = list(
        await reader.execute_fetchall(_METRICS_SQL, {"since": since, "until": until, "me": me, "now": now_us})
    )
    (
        responded,
        frt_mean,
        awaiting,
        oldest,
        solved,
        res_mean,
        csat_mean,
        csat_count,
        new,
        open_,
        pending,
        on_hold,
        unassigned,
        mine,
        breaching,
    ) = found[0]
    frt_median = await _median(reader, _FRT_MEDIAN, responded, since, until)
    res_median = await _median(reader, _RESOLUTION_MEDIAN, solved, since, until)
    return Metrics(
        window=window,
        frt=FrtStats(
            median_s=_seconds(frt_median),
            mean_s=_seconds(frt_mean),
            responded=responded,
            awaiting=awaiting,
            oldest_awaiting_s=_seconds(max(now_us - oldest, 0)) if oldest is not None else None,
        ),
        open=OpenCounts(new, open_, pending, on_hold, unassigned, mine, breaching),
        resolution=ResolutionStats(_seconds(res_median), _seconds(res_mean), solved),
        csat=CsatStats(round(float(csat_mean), 6) if csat_mean is not None else None, csat_count),
    )

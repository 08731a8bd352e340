"""The metrics in one statement: window figures from partial indexes, open counts
from the ticket_counts table. Definitions: cs_tui.domain.metrics.

The awaiting figures name their partial index: without table statistics SQLite
prefers the (active, ...) index and reads every open ticket.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cs_tui.domain.metrics import CsatStats, FrtStats, Metrics, OpenCounts, ResolutionStats, Window
from cs_tui.domain.timeutil import to_micros

_ACTIVE = "('new', 'open', 'pending', 'on_hold')"

_METRICS_SQL = f"""
WITH
  frt AS (SELECT frt_us AS v FROM tickets
          WHERE created_at >= :since AND created_at < :until AND frt_us IS NOT NULL),
  frt_n AS (SELECT count(*) AS n, avg(v) AS mean FROM frt),
  res AS (SELECT solved_at - created_at AS v FROM tickets
          WHERE solved_at >= :since AND solved_at < :until),
  res_n AS (SELECT count(*) AS n, avg(v) AS mean FROM res)
SELECT
  (SELECT n FROM frt_n),
  (SELECT mean FROM frt_n),
  (SELECT avg(v) FROM (SELECT v FROM frt ORDER BY v
     LIMIT 2 - (SELECT n FROM frt_n) % 2 OFFSET ((SELECT n FROM frt_n) - 1) / 2)),
  (SELECT count(*) FROM tickets INDEXED BY tickets_awaiting
     WHERE first_response_at IS NULL AND active = 1 AND created_at >= :since AND created_at < :until),
  (SELECT min(created_at) FROM tickets INDEXED BY tickets_awaiting
     WHERE first_response_at IS NULL AND active = 1 AND created_at >= :since AND created_at < :until),
  (SELECT n FROM res_n),
  (SELECT mean FROM res_n),
  (SELECT avg(v) FROM (SELECT v FROM res ORDER BY v
     LIMIT 2 - (SELECT n FROM res_n) % 2 OFFSET ((SELECT n FROM res_n) - 1) / 2)),
  (SELECT avg(csat_rating) FROM tickets WHERE csat_at >= :since AND csat_at < :until),
  (SELECT count(*) FROM tickets WHERE csat_at >= :since AND csat_at < :until),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'new'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'open'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'pending'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'on_hold'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = 0),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = :me),
  (SELECT count(*) FROM tickets WHERE sla_due_at <= :now)
"""


def _seconds(micros: float | None) -> float | None:
    return round(micros / 1_000_000, 6) if micros is not None else None


async def read_metrics(
    reader: aiosqlite.Connection, window: Window, *, viewer_id: int | None, now: datetime
) -> Metrics:
    now_us = to_micros(now)
    found = list(
        await reader.execute_fetchall(
            _METRICS_SQL,
            {
                "since": to_micros(window.since),
                "until": to_micros(window.until),
                "me": viewer_id if viewer_id is not None else -1,
                "now": now_us,
            },
        )
    )
    (
        responded,
        frt_mean,
        frt_median,
        awaiting,
        oldest,
        solved,
        res_mean,
        res_median,
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
    return Metrics(
        window=window,
        frt=FrtStats(
            median_s=_seconds(frt_median),
            mean_s=_seconds(frt_mean),
            responded=responded,
            awaiting=awaiting,
            oldest_awaiting_s=_seconds(now_us - oldest) if oldest is not None else None,
        ),
        open=OpenCounts(new, open_, pending, on_hold, unassigned, mine, breaching),
        resolution=ResolutionStats(_seconds(res_median), _seconds(res_mean), solved),
        csat=CsatStats(round(csat_mean, 6) if csat_mean is not None else None, csat_count),
    )

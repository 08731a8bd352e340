"""The metrics: the window's figures (FRT, resolution time, CSAT) and the tickets
awaiting a first answer from the counters by span (metric_counts), the oldest of those
from their partial index, and the open counts from the ticket_counts table.
Definitions: cs_tui.domain.metrics.

No duration counts below zero, as in the definitions: the counters and their buckets
take a negative one as zero.

The oldest awaiting ticket names its partial index: without table statistics SQLite
prefers the (active, ...) index and reads every open ticket.

A ticket merged into another counts in no figure (cs_tui.domain.merging): the
counters leave it out (its triggers take it away when it is merged); a merged ticket
is closed, so the open counts and the awaiting figures never had it.

Breaching is counted from the deadlines alone (the `due` counters): only a ticket
waiting on the team has one, as solved, closed, pending and on hold tickets keep
none (cs_tui.domain.rules.progress).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cs_tui.domain.metrics import CsatStats, FrtStats, Metrics, OpenCounts, ResolutionStats, Window
from cs_tui.domain.timeutil import to_micros
from cs_tui.store.sqlite.metric_counts import window_figures

_ACTIVE = "('new', 'open', 'pending', 'on_hold')"

_METRICS_SQL = f"""
SELECT
  (SELECT min(created_at) FROM tickets INDEXED BY tickets_awaiting
     WHERE first_response_at IS NULL AND active = 1 AND created_at >= :since AND created_at < :until),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'new'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'open'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'pending'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status = 'on_hold'),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = 0),
  (SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE status IN {_ACTIVE} AND assignee_id = :me)
"""


def _seconds(micros: float | None) -> float | None:
    # float(): PostgreSQL's avg() is a numeric, which Python reads as a Decimal.
    return round(float(micros) / 1_000_000, 6) if micros is not None else None


async def read_metrics(
    reader: aiosqlite.Connection, window: Window, *, viewer_id: int | None, now: datetime
) -> Metrics:
    now_us = to_micros(now)
    since, until = to_micros(window.since), to_micros(window.until)
    me = viewer_id if viewer_id is not None else -1
    found = list(await reader.execute_fetchall(_METRICS_SQL, {"since": since, "until": until, "me": me}))
    oldest, new, open_, pending, on_hold, unassigned, mine = found[0]
    figures = await window_figures(reader, since, until, now_us)
    frt, resolution, csat = figures["frt"], figures["resolution"], figures["csat"]
    awaiting, breaching = figures["awaiting"].n, figures["due"].n
    return Metrics(
        window=window,
        frt=FrtStats(
            median_s=_seconds(frt.median),
            mean_s=_seconds(frt.mean),
            responded=frt.n,
            awaiting=awaiting,
            oldest_awaiting_s=_seconds(max(now_us - oldest, 0)) if oldest is not None else None,
        ),
        open=OpenCounts(new, open_, pending, on_hold, unassigned, mine, breaching),
        resolution=ResolutionStats(_seconds(resolution.median), _seconds(resolution.mean), resolution.n),
        csat=CsatStats(round(csat.mean, 6) if csat.mean is not None else None, csat.n),
    )

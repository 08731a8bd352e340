"""The SQLite schema's migrations from 14 on (schema.MIGRATIONS runs them after the
first 13)."""

from __future__ import annotations

from cs_tui.store.sqlite.metric_counts import SQLITE_MIGRATION as METRIC_COUNTS
from cs_tui.store.sqlite.metric_counts import SQLITE_TALLIES as TALLIES

LATER: tuple[str, ...] = (
    # 14: a channel's inbox: webhook deliveries kept as they came, answered at once and
    # taken in after, in order, by the channel's worker (its cursor is the last id taken:
    # ids never come back, even after the newest is pruned).
    """
    CREATE TABLE received (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL, raw BLOB NOT NULL, received_at INTEGER NOT NULL
    );
    CREATE INDEX received_channel ON received(channel, id);
    """,
    # 15: the open tickets of a priority, in the order of their last change, the status
    # kept beside each: the "Urgent" view's page is read in order and its count never
    # visits the ticket itself, as on PostgreSQL (tickets_active_priority_updated).
    """
    CREATE INDEX tickets_active_priority_updated ON tickets(active, priority, updated_at, id, status);
    """,
    # 16: the metrics' window figures counted by hour and by day (metric_counts), so that
    # a week's costs what a quiet day's does; the indexes of values that a median walked
    # give way to indexes by bucket of value.
    METRIC_COUNTS,
    # 17: the tickets awaiting a first answer and those with a deadline counted by span
    # too (metric_counts' tallies), so that the sidebar's "awaiting" and "breaching"
    # cost what a quiet desk's do.
    TALLIES,
    # 18: the open tickets by creation and by priority, and those with a deadline by
    # creation, so that every view's page is read in order in each of the queue's sorts
    # (at a million tickets All open by priority sorted 44,000 tickets: 82 ms).
    """
    CREATE INDEX tickets_active_created ON tickets(active, created_at, id);
    CREATE INDEX tickets_active_priority ON tickets(active, priority_rank, updated_at, id);
    CREATE INDEX tickets_due_created ON tickets(created_at, id) WHERE sla_due_at IS NOT NULL;
    """,
)

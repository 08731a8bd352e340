"""The baseline: the store's work written by hand as stdlib sqlite3 statements,
against the same file and schema, with the same pragmas, and no cs-tui code."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE_SIZE = 50
NO_DEADLINE = 9223372036854775807
HOUR_US = 3_600_000_000

Row = tuple[Any, ...]

# As cs_tui/store/sqlite/connection.py sets them, so both sides read the same way.
PRAGMAS = (
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32000",
)

TICKET_COLUMNS = """
    t.id, t.ref, t.subject, t.status, t.priority, t.channel, t.customer_id, c.name, c.email,
    t.assignee_id, a.name, a.email, a.role, a.active,
    (SELECT group_concat(tag, ' ') FROM ticket_tags WHERE ticket_id = t.id),
    t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.sla_due_at, t.version,
    t.csat_rating, t.csat_comment, t.csat_at, t.message_count
"""
TICKETS = "tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.id = t.assignee_id"

ACTIVE = "('new', 'open', 'pending', 'on_hold')"


@dataclass(frozen=True, slots=True)
class Order:
    """A queue order: ORDER BY, the key a page ends on, and the test for rows after it."""

    by: str
    key: str
    after: str


ORDERS = {
    "updated": Order(
        "t.updated_at DESC, t.id DESC", "t.updated_at, t.id", "(t.updated_at, t.id) < (:key, :id)"
    ),
    "sla": Order(
        f"coalesce(t.sla_due_at, {NO_DEADLINE}), t.id",
        f"coalesce(t.sla_due_at, {NO_DEADLINE}), t.id",
        f"(coalesce(t.sla_due_at, {NO_DEADLINE}), t.id) > (:key, :id)",
    ),
}

# A free word matches a ticket's subject, any of its messages, or its customer.
# search_fts numbers its entries by ticket: rowid = ticket id << 24 | n.
WORD_MATCH = """t.id IN (
    SELECT rowid >> 24 FROM search_fts WHERE search_fts MATCH :{word}
    UNION SELECT id FROM tickets
        WHERE customer_id IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH :{word}))"""


@dataclass(frozen=True, slots=True)
class PlainPage:
    rows: list[Row]
    total: int
    last_key: tuple[int, int] | None
    """The order key of the page's last row when another page follows."""


@dataclass(frozen=True, slots=True)
class PlainMetrics:
    responded: int
    awaiting: int
    solved: int
    csat_count: int
    open_counts: dict[str, int]
    breaching: int


class PlainSqlite:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path) -> PlainSqlite:
        db = sqlite3.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            db.execute(pragma)
        return cls(db)

    def close(self) -> None:
        self.db.close()

    def page(
        self,
        where: str,
        params: Mapping[str, Any],
        *,
        order: str,
        count: str | None = None,
        after: tuple[int, int] | None = None,
    ) -> PlainPage:
        """A queue page and its total; `count` is a cheaper statement for the total."""
        sort = ORDERS[order]
        clauses, values = where, dict(params)
        if after is not None:
            clauses = f"({where}) AND {sort.after}"
            values |= {"key": after[0], "id": after[1]}
        found = self.db.execute(
            f"SELECT {TICKET_COLUMNS}, {sort.key} FROM {TICKETS} WHERE {clauses}"
            f" ORDER BY {sort.by} LIMIT {PAGE_SIZE + 1}",
            values,
        ).fetchall()
        (total,) = self.db.execute(
            count or f"SELECT count(*) FROM tickets t WHERE {where}", values
        ).fetchone()
        last_key = (found[PAGE_SIZE - 1][-2], found[PAGE_SIZE - 1][-1]) if len(found) > PAGE_SIZE else None
        return PlainPage(found[:PAGE_SIZE], total, last_key)

    def open_ticket(self, ticket_id: int) -> tuple[Row, list[Row]]:
        """The ticket and its latest page of messages, oldest first."""
        ticket = self.db.execute(
            f"SELECT {TICKET_COLUMNS} FROM {TICKETS} WHERE t.id = ?", (ticket_id,)
        ).fetchone()
        messages = self.db.execute(
            "SELECT m.id, m.client_id, m.author_kind, m.agent_id, a.name, a.email, m.body, m.internal,"
            " m.auto, m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.agent_id"
            f" WHERE m.ticket_id = ? ORDER BY m.id DESC LIMIT {PAGE_SIZE + 1}",
            (ticket_id,),
        ).fetchall()
        return ticket, messages[:PAGE_SIZE][::-1]

    def reply(self, ticket_id: int, *, agent_id: int, client_id: str, body: str, now_us: int) -> Row:
        """A public agent reply: the message, the ticket's status, first response and
        SLA deadline (the resolution target once answered), and an event."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            message = self.db.execute(
                "INSERT INTO messages(client_id, ticket_id, author_kind, agent_id, body, created_at)"
                " VALUES (?, ?, 'agent', ?, ?, ?) ON CONFLICT(client_id) DO NOTHING RETURNING *",
                (client_id, ticket_id, agent_id, body, now_us),
            ).fetchone()
            self.db.execute(
                "UPDATE tickets SET status = CASE status WHEN 'new' THEN 'open' ELSE status END,"
                " updated_at = :now, first_response_at = coalesce(first_response_at, :now),"
                " frt_us = coalesce(first_response_at, :now) - created_at,"
                " sla_due_at = CASE WHEN status IN ('new', 'open') THEN created_at + sla_paused_us"
                " + :hour * CASE priority"
                " WHEN 'urgent' THEN 8 WHEN 'high' THEN 24 WHEN 'normal' THEN 48 ELSE 120 END END,"
                " message_count = message_count + 1, version = version + 1 WHERE id = :id",
                {"now": now_us, "hour": HOUR_US, "id": ticket_id},
            )
            self.db.execute(
                "INSERT INTO events(kind, ticket_id, actor_id, at) VALUES ('message.added', ?, ?, ?)",
                (ticket_id, agent_id, now_us),
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return tuple(message)

    def metrics(self, since_us: int, until_us: int, *, me: int, now_us: int) -> PlainMetrics:
        """The sidebar's figures: first response and resolution (count, mean, median),
        awaiting, CSAT, open counts and breaching."""
        window = {"since": since_us, "until": until_us}
        frt = "FROM tickets WHERE created_at >= :since AND created_at < :until AND frt_us IS NOT NULL"
        responded, _frt_mean = self.db.execute(f"SELECT count(*), avg(frt_us) {frt}", window).fetchone()
        self._median("frt_us", frt, window, responded)
        awaiting, _oldest = self.db.execute(
            "SELECT count(*), min(created_at) FROM tickets WHERE first_response_at IS NULL AND active = 1"
            " AND created_at >= :since AND created_at < :until",
            window,
        ).fetchone()
        solved_in = "FROM tickets WHERE solved_at >= :since AND solved_at < :until"
        solved, _res_mean = self.db.execute(
            f"SELECT count(*), avg(solved_at - created_at) {solved_in}", window
        ).fetchone()
        self._median("solved_at - created_at", solved_in, window, solved)
        _csat_mean, csat_count = self.db.execute(
            "SELECT avg(csat_rating), count(*) FROM tickets WHERE csat_at >= :since AND csat_at < :until",
            window,
        ).fetchone()
        open_counts = {"unassigned": 0, "mine": 0}
        for status, assignee_id, n in self.db.execute(
            f"SELECT status, assignee_id, n FROM ticket_counts WHERE status IN {ACTIVE}"
        ):
            open_counts[status] = open_counts.get(status, 0) + n
            open_counts["unassigned"] += n if assignee_id == 0 else 0
            open_counts["mine"] += n if assignee_id == me else 0
        (breaching,) = self.db.execute(
            "SELECT count(*) FROM tickets WHERE sla_due_at <= ?", (now_us,)
        ).fetchone()
        return PlainMetrics(responded, awaiting, solved, csat_count, open_counts, breaching)

    def _median(self, value: str, source: str, params: Mapping[str, Any], count: int) -> float | None:
        if count == 0:
            return None
        (median,) = self.db.execute(
            f"SELECT avg(v) FROM (SELECT {value} AS v {source} ORDER BY v LIMIT :take OFFSET :skip)",
            {**params, "take": 2 - count % 2, "skip": (count - 1) // 2},
        ).fetchone()
        return float(median)

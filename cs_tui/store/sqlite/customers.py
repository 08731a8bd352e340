"""Customers in the SQLite store: their records (addresses, shared notes, tags), the
lists and searches of them, changes with the version seen, and merging two."""

from __future__ import annotations

from typing import Any

import aiosqlite

from cs_tui.domain.customers import (
    CustomerChanges,
    CustomerMerge,
    CustomerPage,
    CustomerRecord,
    CustomerSummary,
    checked_customer_changes,
    customer_term,
    identities_after,
    merged_notes,
    tags_after,
)
from cs_tui.domain.models import Customer, EventKind
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store.base import Conflict, InvalidInput, NotFound, invalid_input
from cs_tui.store.sqlite import rows
from cs_tui.store.sqlite.core import SqliteCore
from cs_tui.store.sqlite.search import customers_meant

MAX_PAGE = 500
_RESOLVED = "coalesce((SELECT into_id FROM customer_merges WHERE merged_id = ?), ?)"
"""The customer an id leads to: the one it was merged into, or itself."""
_ORDER = "c.name COLLATE NOCASE, c.id"


class CustomersStore(SqliteCore):
    async def customer_ticket_count(self, customer_id: int) -> int:
        row = await self._fetchone(
            f"SELECT count(*) FROM tickets WHERE customer_id = {_RESOLVED}", (customer_id, customer_id)
        )
        return int(row[0])

    async def get_customer(self, customer_id: int) -> Customer:
        row = await self._fetchone(
            f"SELECT {rows.CUSTOMER_COLUMNS} FROM customers c WHERE c.id = {_RESOLVED}",
            (customer_id, customer_id),
        )
        if row is None:
            raise NotFound(f"there is no customer {customer_id}")
        return rows.customer(row)

    async def find_customer(self, email: str) -> Customer | None:
        row = await self._fetchone(
            f"SELECT {rows.CUSTOMER_COLUMNS} FROM customer_identities i JOIN customers c"
            " ON c.id = i.customer_id WHERE i.value = ? AND i.kind = 'email'",
            (email.strip().lower(),),
        )
        return rows.customer(row) if row else None

    async def list_customers(
        self, term: str = "", *, after: str | None = None, limit: int = 50
    ) -> CustomerPage:
        limit = max(1, min(limit, MAX_PAGE))
        clauses: list[str] = []
        params: list[Any] = []
        if term.strip():
            try:
                meant, params = (self.TEXT.customers if self.TEXT else customers_meant)(customer_term(term))
            except ValueError as error:
                raise InvalidInput(str(error), "term") from None
            clauses.append(f"c.id IN ({meant})")
        count_sql = f"SELECT count(*) FROM customers c WHERE {' AND '.join(clauses) or 'TRUE'}"
        count_params = list(params)
        if after is not None:
            after_id, name = _decode_cursor(after)
            # So written, the name index is searched from the cursor, not walked to it.
            clauses.append("c.name COLLATE NOCASE >= ? AND (c.name COLLATE NOCASE > ? OR c.id > ?)")
            params.extend((name, name, after_id))
        found = await self._fetchall(
            f"SELECT {rows.CUSTOMER_COLUMNS}, c.tags,"
            " (SELECT count(*) FROM tickets WHERE customer_id = c.id),"
            " (SELECT count(*) FROM tickets WHERE customer_id = c.id AND active = 1)"
            f" FROM customers c WHERE {' AND '.join(clauses) or 'TRUE'} ORDER BY {_ORDER} LIMIT ?",
            [*params, limit + 1],
        )
        total = await self._fetchone(count_sql, count_params)
        listed = tuple(
            CustomerSummary(rows.customer(row), rows.split_words(row[4]), row[5], row[6])
            for row in found[:limit]
        )
        last = listed[-1].customer if listed else None
        next_cursor = f"{last.id}:{last.name}" if last is not None and len(found) > limit else None
        return CustomerPage(listed, int(total[0]), next_cursor)

    async def get_customer_record(self, customer_id: int) -> CustomerRecord:
        async with self._readers.one() as reader:
            return await self._record(reader, customer_id)

    async def _record(self, via: aiosqlite.Connection, customer_id: int) -> CustomerRecord:
        found = list(
            await via.execute_fetchall(
                f"SELECT {rows.RECORD_COLUMNS} FROM customers c WHERE c.id = {_RESOLVED}",
                (customer_id, customer_id),
            )
        )
        if not found:
            raise NotFound(f"there is no customer {customer_id}")
        return rows.record(found[0])

    async def update_customer(
        self, customer_id: int, changes: CustomerChanges, *, expected_version: int, actor_id: int | None
    ) -> CustomerRecord:
        async with self._transaction() as db:
            current = await self._record(self._writer, customer_id)
            if current.version != expected_version:
                raise Conflict(
                    f"the record of {current.name} changed since you loaded it (you saw version "
                    f"{expected_version}, it is now {current.version}): look at the change and try again",
                    current,
                )
            with invalid_input():
                changes = checked_customer_changes(changes)
                tags = tags_after(current.tags, changes)
                identities, primary = identities_after(current, changes)
            if changes.is_empty:
                return current
            added = [i for i in identities if i not in current.identities]
            for identity in added:
                owner = await db.fetchone(
                    "SELECT c.id, c.name FROM customer_identities i JOIN customers c ON c.id = i.customer_id"
                    " WHERE i.value = ? AND i.kind = ?",
                    (identity.value, identity.kind.value),
                )
                if owner is not None:
                    raise InvalidInput(
                        f"{identity.format()} is the address of another customer, {owner[1]} ({owner[0]}):"
                        f" if they are one person, merge them (cs-tui customer merge {owner[0]}"
                        f" --into {current.id})",
                        "add_identities",
                    )
            now = to_micros(utcnow())
            await self._writer.executemany(
                "DELETE FROM customer_identities WHERE customer_id = ? AND value = ? AND kind = ?",
                [(current.id, i.value, i.kind.value) for i in current.identities if i not in identities],
            )
            await self._writer.executemany(
                "INSERT INTO customer_identities(customer_id, kind, value, added_at) VALUES (?, ?, ?, ?)",
                [(current.id, i.kind.value, i.value, now) for i in added],
            )
            await self._writer.execute(
                "UPDATE customers SET name = ?, email = ?, notes = ?, tags = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                (
                    current.name if changes.name is None else changes.name,
                    primary,
                    current.notes if changes.notes is None else changes.notes,
                    " ".join(tags),
                    now,
                    current.id,
                ),
            )
            await self._event(EventKind.CUSTOMER_CHANGED, None, actor_id, customer_id=current.id)
            return await self._record(self._writer, current.id)

    async def merge_customers(self, merged_id: int, into_id: int, *, actor_id: int | None) -> CustomerMerge:
        async with self._transaction():
            into = await self._record(self._writer, into_id)
            merged = await self._record(self._writer, merged_id)
            if merged.id == into.id:
                same = "itself" if merged_id == into_id else f"{into.name} ({into.id}) already"
                raise InvalidInput(f"customer {merged_id} is {same}: there is nothing to merge")
            moved = [
                row[0]
                for row in await self._writer.execute_fetchall(
                    "SELECT id FROM tickets WHERE customer_id = ? ORDER BY id", (merged.id,)
                )
            ]
            # Each message keeps the address it came from, so that replies on the
            # tickets that move go on going there.
            await self._writer.execute(
                "UPDATE messages SET from_email = ? WHERE author_kind = 'customer' AND from_email IS NULL"
                " AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)",
                (merged.email, merged.id),
            )
            await self._writer.execute(
                "UPDATE tickets SET customer_id = ? WHERE customer_id = ?", (into.id, merged.id)
            )
            await self._writer.execute(
                "UPDATE customer_identities SET customer_id = ? WHERE customer_id = ?", (into.id, merged.id)
            )
            tags = tuple(sorted(set(into.tags) | set(merged.tags)))
            await self._writer.execute(
                "UPDATE customers SET notes = ?, tags = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?",
                (merged_notes(into, merged), " ".join(tags), to_micros(utcnow()), into.id),
            )
            await self._writer.execute(
                "UPDATE customer_merges SET into_id = ? WHERE into_id = ?", (into.id, merged.id)
            )
            await self._writer.execute(
                "INSERT INTO customer_merges(merged_id, into_id, merged_at) VALUES (?, ?, ?)",
                (merged.id, into.id, to_micros(utcnow())),
            )
            await self._writer.execute("DELETE FROM customers WHERE id = ?", (merged.id,))
            await self._event(EventKind.CUSTOMER_CHANGED, None, actor_id, customer_id=into.id)
            await self._event(EventKind.CUSTOMER_CHANGED, None, actor_id, customer_id=merged.id)
            await self._writer.executemany(
                "INSERT INTO events(kind, ticket_id, actor_id, at) VALUES (?, ?, ?, ?)",
                [
                    (EventKind.TICKET_UPDATED.value, ticket_id, actor_id, to_micros(utcnow()))
                    for ticket_id in moved
                ],
            )
            return CustomerMerge(
                customer=await self._record(self._writer, into.id),
                merged_id=merged.id,
                moved_tickets=tuple(moved),
                added_identities=merged.identities,
                added_tags=tuple(tag for tag in tags if tag not in into.tags),
            )


def _decode_cursor(cursor: str) -> tuple[int, str]:
    customer_id, colon, name = cursor.partition(":")
    if not colon or not customer_id.isdigit() or len(customer_id) > 18:
        raise InvalidInput(f"{cursor[:40]!r} is not a page cursor from a list of customers")
    return int(customer_id), name

"""Agents, canned responses, drafts and read marks in the SQLite store."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from cs_tui.domain import rules
from cs_tui.domain.models import (
    Activity,
    Agent,
    CannedResponse,
    Draft,
    DraftKind,
    EventKind,
    Presence,
    Role,
)
from cs_tui.domain.timeutil import from_micros, to_micros, utcnow
from cs_tui.store.base import InvalidInput, NotFound, invalid_input
from cs_tui.store.sqlite import rows, writes
from cs_tui.store.sqlite.core import SqliteCore

STALE_PRESENCE_US = 3600 * 1_000_000
"""Presence rows of sessions not heard from for an hour are deleted."""


class DirectoryStore(SqliteCore):
    # Agents

    async def list_agents(self) -> list[Agent]:
        found = await self._fetchall(f"SELECT {rows.AGENT_COLUMNS} FROM agents ORDER BY name")
        return [rows.agent(row) for row in found]

    async def get_agent(self, agent_id: int) -> Agent:
        row = await self._fetchone(f"SELECT {rows.AGENT_COLUMNS} FROM agents WHERE id = ?", (agent_id,))
        if row is None:
            raise NotFound(f"there is no agent {agent_id}")
        return rows.agent(row)

    async def find_agent(self, email_or_name: str) -> Agent | None:
        row = await self._fetchone(
            f"SELECT {rows.AGENT_COLUMNS} FROM agents WHERE email = ? OR name = ? COLLATE NOCASE"
            " ORDER BY email = ? DESC LIMIT 1",
            (email_or_name, email_or_name, email_or_name),
        )
        return rows.agent(row) if row else None

    async def create_agent(
        self, name: str, email: str, role: Role = Role.AGENT, *, token_hash: str | None = None
    ) -> Agent:
        with invalid_input():
            name, email = rules.checked_agent(name, email)
        async with self._transaction() as db:
            if await db.fetchone("SELECT 1 FROM agents WHERE email = ?", (email,)):
                raise InvalidInput(f"there is already an agent with the email {email}")
            await self._token_is_free(token_hash, None)
            cursor = await self._writer.execute(
                "INSERT INTO agents(name, email, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)"
                " RETURNING id",
                (name, email, role.value, token_hash, to_micros(utcnow())),
            )
            await self._event(EventKind.AGENT_CHANGED, None, await writes.returned_id(cursor))
        agent = await self.find_agent(email)
        assert agent is not None
        return agent

    async def ensure_agent(self, name: str, email: str) -> Agent:
        with invalid_input():
            name, email = rules.checked_agent(name, email)
        found = await self.find_agent(email)
        if found is not None:
            return found
        try:
            return await self.create_agent(name, email)
        except InvalidInput:
            # Another process created the same agent a moment ago.
            found = await self.find_agent(email)
            if found is None:
                raise
            return found

    async def set_agent_token(self, agent_id: int, token_hash: str | None) -> Agent:
        async with self._transaction():
            await self._token_is_free(token_hash, agent_id)
            cursor = await self._writer.execute(
                "UPDATE agents SET token_hash = ? WHERE id = ?", (token_hash, agent_id)
            )
            if cursor.rowcount == 0:
                raise NotFound(f"there is no agent {agent_id}")
            await self._event(EventKind.AGENT_CHANGED, None, agent_id)
        return await self.get_agent(agent_id)

    async def _token_is_free(self, token_hash: str | None, agent_id: int | None) -> None:
        """A token is one agent's: InvalidInput when another agent has this one."""
        if token_hash is None:
            return
        cursor = await self._writer.execute("SELECT id FROM agents WHERE token_hash = ?", (token_hash,))
        holder = await cursor.fetchone()
        if holder is not None and holder[0] != agent_id:
            raise InvalidInput("another agent has that token already; make a new one")

    async def agent_for_token(self, token_hash: str) -> Agent | None:
        row = await self._fetchone(
            f"SELECT {rows.AGENT_COLUMNS} FROM agents WHERE token_hash = ? AND active = 1", (token_hash,)
        )
        return rows.agent(row) if row else None

    # Presence

    async def set_presence(
        self, session: str, agent_id: int, ticket_id: int | None, activity: Activity = Activity.VIEWING
    ) -> None:
        now = to_micros(utcnow())
        async with self._transaction() as db:
            before = await db.fetchone(
                "SELECT ticket_id, activity FROM presence WHERE session = ?", (session,)
            )
            if ticket_id is None:
                await self._writer.execute("DELETE FROM presence WHERE session = ?", (session,))
            else:
                await self._renew_presence(session, agent_id, ticket_id, activity, now)
            # Sessions that died without leaving, long gone from anyone's view.
            await self._writer.execute("DELETE FROM presence WHERE seen_at < ?", (now - STALE_PRESENCE_US,))
            after = None if ticket_id is None else (ticket_id, activity.value)
            if (tuple(before) if before else None) != after:
                # Only a change wakes the other sessions; a renewal does not.
                for changed in {before[0] if before else None, ticket_id} - {None}:
                    await self._event(EventKind.PRESENCE_CHANGED, changed, agent_id)

    async def _renew_presence(
        self, session: str, agent_id: int, ticket_id: int, activity: Activity, now: int
    ) -> None:
        try:
            await self._writer.execute(
                "INSERT INTO presence(session, agent_id, ticket_id, activity, seen_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session) DO UPDATE SET agent_id = excluded.agent_id,"
                " ticket_id = excluded.ticket_id, activity = excluded.activity,"
                " seen_at = excluded.seen_at",
                (session, agent_id, ticket_id, activity.value, now),
            )
        except sqlite3.IntegrityError as error:
            raise NotFound(
                f"cannot show agent {agent_id} on ticket #{ticket_id}: one of them does not exist"
            ) from error

    async def presence(self, since: datetime) -> list[Presence]:
        found = await self._fetchall(
            "SELECT p.session, p.ticket_id, p.activity, p.seen_at,"
            " a.id, a.name, a.email, a.role, a.active, a.token_hash IS NOT NULL"
            " FROM presence p JOIN agents a ON a.id = p.agent_id WHERE p.seen_at >= ? ORDER BY p.seen_at",
            (to_micros(since),),
        )
        return [
            Presence(row[0], rows.agent(row[4:]), row[1], Activity(row[2]), from_micros(row[3]))
            for row in found
        ]

    # Canned responses

    async def list_canned(self) -> list[CannedResponse]:
        found = await self._fetchall(
            f"SELECT {rows.CANNED_COLUMNS} FROM canned_responses ORDER BY usage_count DESC, title"
        )
        return [rows.canned(row) for row in found]

    async def get_canned(self, canned_id: int) -> CannedResponse:
        row = await self._fetchone(
            f"SELECT {rows.CANNED_COLUMNS} FROM canned_responses WHERE id = ?", (canned_id,)
        )
        if row is None:
            raise NotFound(f"there is no canned response {canned_id}")
        return rows.canned(row)

    async def save_canned(self, canned: CannedResponse, *, actor_id: int | None) -> CannedResponse:
        with invalid_input():
            canned = rules.checked_canned(canned)
        title = canned.title
        values = (
            title,
            canned.body,
            canned.shortcut,
            " ".join(canned.tags),
            canned.language,
            canned.actions.status.value if canned.actions.status else None,
            canned.actions.priority.value if canned.actions.priority else None,
            " ".join(canned.actions.add_tags),
            to_micros(utcnow()),
        )
        async with self._transaction():
            try:
                if canned.id is None:
                    cursor = await self._writer.execute(
                        "INSERT INTO canned_responses(title, body, shortcut, tags, language,"
                        " action_status, action_priority, action_tags, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        values,
                    )
                    canned_id = await writes.returned_id(cursor)
                else:
                    cursor = await self._writer.execute(
                        "UPDATE canned_responses SET title = ?, body = ?, shortcut = ?, tags = ?,"
                        " language = ?, action_status = ?, action_priority = ?, action_tags = ?,"
                        " updated_at = ? WHERE id = ?",
                        (*values, canned.id),
                    )
                    if cursor.rowcount == 0:
                        raise NotFound(f"there is no canned response {canned.id}")
                    canned_id = canned.id
            except sqlite3.IntegrityError as error:
                raise InvalidInput(
                    f"there is already a canned response titled {title!r}: choose another title"
                ) from error
            await self._event(EventKind.CANNED_CHANGED, None, actor_id)
        return await self.get_canned(canned_id)

    async def delete_canned(self, canned_id: int, *, actor_id: int | None) -> None:
        async with self._transaction():
            cursor = await self._writer.execute("DELETE FROM canned_responses WHERE id = ?", (canned_id,))
            if cursor.rowcount == 0:
                raise NotFound(f"there is no canned response {canned_id}")
            await self._event(EventKind.CANNED_CHANGED, None, actor_id)

    async def record_canned_use(self, canned_id: int) -> None:
        async with self._transaction():
            await self._writer.execute(
                "UPDATE canned_responses SET usage_count = usage_count + 1 WHERE id = ?",
                (canned_id,),
            )

    # Drafts

    async def get_draft(self, agent_id: int, ticket_id: int) -> Draft | None:
        row = await self._fetchone(
            "SELECT kind, body, updated_at FROM drafts WHERE agent_id = ? AND ticket_id = ?",
            (agent_id, ticket_id),
        )
        if row is None:
            return None
        return Draft(agent_id, ticket_id, row[1], DraftKind(row[0]), from_micros(row[2]))

    async def save_draft(self, draft: Draft) -> Draft:
        with invalid_input():
            draft = rules.checked_draft(draft)
        now = utcnow()
        async with self._transaction():
            try:
                await self._writer.execute(
                    "INSERT INTO drafts(agent_id, ticket_id, kind, body, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (agent_id, ticket_id) DO UPDATE"
                    " SET kind = excluded.kind, body = excluded.body, updated_at = excluded.updated_at",
                    (draft.agent_id, draft.ticket_id, draft.kind.value, draft.body, to_micros(now)),
                )
            except sqlite3.IntegrityError as error:
                raise NotFound(
                    f"cannot keep a draft for ticket #{draft.ticket_id} by agent {draft.agent_id}:"
                    " one of them does not exist"
                ) from error
        return Draft(draft.agent_id, draft.ticket_id, draft.body, draft.kind, now)

    async def delete_draft(self, agent_id: int, ticket_id: int) -> None:
        async with self._transaction():
            await self._writer.execute(
                "DELETE FROM drafts WHERE agent_id = ? AND ticket_id = ?", (agent_id, ticket_id)
            )

    # Read marks

    async def mark_read(self, agent_id: int, ticket_id: int, message_id: int) -> None:
        async with self._transaction():
            try:
                await self._writer.execute(
                    "INSERT INTO ticket_reads(agent_id, ticket_id, message_id) VALUES (?, ?, ?)"
                    " ON CONFLICT (agent_id, ticket_id) DO UPDATE"
                    " SET message_id = max(ticket_reads.message_id, excluded.message_id)",
                    (agent_id, ticket_id, message_id),
                )
            except sqlite3.IntegrityError as error:
                raise NotFound(
                    f"cannot mark ticket #{ticket_id} read for agent {agent_id}: one of them does not exist"
                ) from error

    async def unread_tickets(self, agent_id: int, ticket_ids: Sequence[int]) -> set[int]:
        # Each ticket's latest customer message is found walking its messages
        # backwards from the newest, which stops at the first one.
        if not ticket_ids:
            return set()
        listed = ", ".join(["(CAST(? AS BIGINT))"] * len(ticket_ids))
        found = await self._fetchall(
            f"SELECT j.column1 FROM (VALUES {listed}) j WHERE coalesce(("
            "  SELECT m.id FROM messages m WHERE m.ticket_id = j.column1 AND m.author_kind = 'customer'"
            "  ORDER BY m.id DESC LIMIT 1), 0) > coalesce(("
            "  SELECT r.message_id FROM ticket_reads r WHERE r.agent_id = ? AND r.ticket_id = j.column1), 0)",
            (*ticket_ids, agent_id),
        )
        return {int(row[0]) for row in found}

"""What copying a whole store into another (`cs-tui migrate`) needs beyond the Store
protocol: the hashes of the agents' tokens, and setting how far a channel has taken
in. Only the local stores have them (SQLite and PostgreSQL, whose tables are the
same); a served store says nothing of either."""

from __future__ import annotations

from cs_tui.store.base import NotFound, Store
from cs_tui.store.sqlite import SqliteStore


async def token_hashes(store: Store) -> dict[str, str] | None:
    """The hash of each agent's token by the agent's email (agents without a token
    left out), as `create_agent` and `set_agent_token` take it; None for a store that
    does not say (a served one), whose agents need new tokens."""
    if not isinstance(store, SqliteStore):
        return None
    found = await store._fetchall("SELECT email, token_hash FROM agents WHERE token_hash IS NOT NULL")
    return {str(row[0]).lower(): str(row[1]) for row in found}


def keeps_cursors(store: Store) -> bool:
    """Whether `set_channel_cursor` can write to the store."""
    return isinstance(store, SqliteStore)


async def set_channel_cursor(store: Store, name: str, cursor: str | None) -> None:
    """Channel `name` has taken in up to `cursor` (as `channel_cursor` gives it), so
    that it goes on from there and takes nothing in twice."""
    if not isinstance(store, SqliteStore):
        raise NotFound("a served store's channels are set up on its server")
    async with store._transaction():
        written = await store._writer.execute("UPDATE channels SET cursor = ? WHERE name = ?", (cursor, name))
        if written.rowcount == 0:
            raise NotFound(f"there is no channel named {name}")

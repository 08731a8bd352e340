"""`cs-tui agent ...`: adding agents, their tokens shown once, renewing and revoking them."""

from __future__ import annotations

import asyncio
import sqlite3

from cs_tui.domain.tokens import token_hash
from cs_tui.store import open_store

from .cli_runner import CsTui


def agent_by_token(cs_tui: CsTui, token: str) -> str | None:
    async def find() -> str | None:
        store = await open_store(str(cs_tui.store))
        try:
            agent = await store.agent_for_token(token_hash(token))
            return agent.email if agent else None
        finally:
            await store.close()

    return asyncio.run(find())


def test_adding_an_agent_prints_a_token_once_and_stores_only_its_hash(cs_tui: CsTui) -> None:
    added = cs_tui("agent", "add", "Sari Wulandari", "--email", "Sari@Toko.example", "--role", "admin")
    assert added.code == 0, added.err
    token = added.out.strip()
    assert token.startswith("cst_")
    assert "shown this once" in added.err
    assert agent_by_token(cs_tui, token) == "sari@toko.example"
    with sqlite3.connect(cs_tui.store) as db:
        kept = [value for row in db.execute("SELECT * FROM agents") for value in row]
    assert token not in kept
    assert token_hash(token) in kept

    listed = cs_tui("agent", "list", "--json").json()
    assert [(a["email"], a["role"], a["has_token"]) for a in listed] == [("sari@toko.example", "admin", True)]
    assert token not in cs_tui("agent", "list").out


def test_a_new_token_replaces_the_old_and_revoking_leaves_none(cs_tui: CsTui) -> None:
    first = cs_tui("agent", "add", "Budi", "--email", "budi@toko.example").out.strip()
    renewed = cs_tui("agent", "token", "budi@toko.example")
    assert renewed.code == 0, renewed.err
    second = renewed.out.strip()
    assert second != first
    assert agent_by_token(cs_tui, first) is None
    assert agent_by_token(cs_tui, second) == "budi@toko.example"

    revoked = cs_tui("agent", "revoke", "Budi")
    assert revoked.code == 0, revoked.err
    assert agent_by_token(cs_tui, second) is None
    assert cs_tui("agent", "list", "--json").json()[0]["has_token"] is False


def test_bad_agent_commands_say_what_to_do(cs_tui: CsTui) -> None:
    cs_tui("agent", "add", "Budi", "--email", "budi@toko.example")
    again = cs_tui("agent", "add", "Budi", "--email", "budi@toko.example")
    assert again.code == 2
    assert "agent token budi@toko.example" in again.err
    missing = cs_tui("agent", "revoke", "nobody@toko.example")
    assert missing.code == 2
    assert "agent list" in missing.err
    bad_role = cs_tui("agent", "add", "X", "--email", "x@toko.example", "--role", "boss")
    assert bad_role.code == 2
    assert "admin" in bad_role.err

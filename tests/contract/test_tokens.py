"""Agent tokens: the store keeps a hash and finds the agent by it, until it is replaced or revoked."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import Role
from cs_tui.domain.tokens import PREFIX, new_token, token_hash
from cs_tui.store import InvalidInput, NotFound, Store


def test_tokens_are_random_and_only_their_hash_is_kept() -> None:
    first, second = new_token(), new_token()
    assert first != second
    assert first.startswith(PREFIX)
    assert len(first) > 40
    assert token_hash(first) == token_hash(f" {first}\n")
    assert first not in token_hash(first)
    assert len(token_hash(first)) == 64


async def test_an_agent_is_found_by_their_token_hash(store: Store) -> None:
    token = new_token()
    ana = await store.create_agent(
        "Ana Wijaya", "ana@tokoku.example", Role.ADMIN, token_hash=token_hash(token)
    )
    await store.create_agent("Budi", "budi@tokoku.example")
    found = await store.agent_for_token(token_hash(token))
    assert found == ana
    assert found is not None
    assert found.has_token
    assert await store.agent_for_token(token_hash(new_token())) is None
    budi = await store.find_agent("budi@tokoku.example")
    assert budi is not None
    assert not budi.has_token


async def test_a_new_token_replaces_the_old_one(store: Store) -> None:
    old, new = new_token(), new_token()
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example", token_hash=token_hash(old))
    updated = await store.set_agent_token(ana.id, token_hash(new))
    assert updated.has_token
    assert await store.agent_for_token(token_hash(old)) is None
    assert await store.agent_for_token(token_hash(new)) == ana


async def test_a_revoked_token_finds_nobody(store: Store) -> None:
    token = new_token()
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example", token_hash=token_hash(token))
    revoked = await store.set_agent_token(ana.id, None)
    assert not revoked.has_token
    assert await store.agent_for_token(token_hash(token)) is None
    assert revoked == ana  # the same agent, who keeps their tickets and history


async def test_a_token_for_a_missing_agent_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.set_agent_token(999, token_hash(new_token()))


async def test_a_token_is_one_agents_alone(store: Store) -> None:
    token = new_token()
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example", token_hash=token_hash(token))
    with pytest.raises(InvalidInput):
        await store.create_agent("Budi", "budi@tokoku.example", token_hash=token_hash(token))
    budi = await store.create_agent("Budi", "budi@tokoku.example")
    with pytest.raises(InvalidInput):
        await store.set_agent_token(budi.id, token_hash(token))
    assert await store.agent_for_token(token_hash(token)) == ana
    assert (await store.set_agent_token(ana.id, token_hash(token))).has_token  # the same again is fine

"""A ticket's `words` on PostgreSQL (schema_words): a search that walks the tickets
finds a word of one token there, a phrase in the messages, and a ticket whose words
were too many to keep in its messages too; a merge or a split moves the words with
the messages; a store from before them has them once opened."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from cs_tui.domain.models import AuthorKind, NewMessage
from cs_tui.domain.query import parse
from cs_tui.store import Store, open_store
from cs_tui.store.postgres import queue
from tests import pgserver
from tests.contract.helpers import open_ticket
from tests.contract.moving import merge, split


@pytest.fixture(autouse=True)
def walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search of words is counted and paged by walking the tickets, as a common
    word's is at a million tickets."""
    monkeypatch.setattr(queue, "FEW_TO_SEARCH", 0)
    monkeypatch.setattr(queue, "COUNTED_UP_TO", -1)


async def found(store: Store, text: str) -> list[int]:
    page = await store.list_tickets(parse(text), limit=50)
    assert page.total == len(page.tickets)
    return sorted(t.id for t in page.tickets)


async def words_of(url: str, ticket_id: int) -> str | None:
    connection = await asyncpg.connect(url)
    try:
        words = await connection.fetchval("SELECT words::text FROM tickets WHERE id = $1", ticket_id)
    finally:
        await connection.close()
    return None if words is None else str(words)


async def write(store: Store, ticket_id: int, body: str, n: int) -> None:
    new = NewMessage(f"m-{ticket_id}-{n}", body, AuthorKind.CUSTOMER)
    await store.add_message(ticket_id, new, actor_id=None)


async def test_a_walk_finds_a_word_the_messages_have_and_a_phrase_only_where_its_words_are_in_a_row(
    pg_url: str,
) -> None:
    store = await open_store(pg_url)
    try:
        together = await open_ticket(store, "Tanya", body="Tolong kirim pesanan saya hari ini")
        apart = await open_ticket(
            store, "Tanya juga", email="budi@example.com", body="Pesanan saya, tolong kirim besok"
        )
        await write(store, apart.id, "Resi JNE12345 sudah ada?", 1)
        assert await found(store, "kirim") == [together.id, apart.id]
        assert await found(store, "jne123") == [apart.id]  # a prefix, in a later message
        assert await found(store, '"kirim pesanan"') == [together.id]
        assert await found(store, "kirim -jne12345") == [together.id]
        assert await words_of(pg_url, apart.id) is not None
    finally:
        await store.close()


async def test_a_merge_and_a_split_move_the_words_with_the_messages(pg_url: str) -> None:
    store = await open_store(pg_url)
    try:
        kept = await open_ticket(store, "Paket", body="Paket belum sampai")
        merged = await open_ticket(store, "Ongkir", body="Ongkir ke Medan berapa?")
        await merge(store, merged, kept)
        assert await found(store, "medan") == [kept.id]
        message = next(m for m in (await store.get_messages(kept.id)).messages if "Medan" in m.body)
        split_off = (await split(store, kept, message, subject="Tanya ongkos")).split
        assert await found(store, "medan") == [split_off.id]
        assert await found(store, "sampai") == [kept.id]
    finally:
        await store.close()


async def test_a_ticket_whose_words_are_too_many_to_keep_is_found_by_its_messages(pg_url: str) -> None:
    store = await open_store(pg_url)
    try:
        ticket = await open_ticket(store, "Log", body="Lognya saya lampirkan")
        # Two logs of 12,000 words each, none twice: more than WORDS_AT_MOST bytes
        # together (each word is 11 bytes and a 4-byte entry).
        for n in range(2):
            body = " ".join(f"kode{n}x{i:05d}" for i in range(12_000))
            await write(store, ticket.id, body, n)
        assert await words_of(pg_url, ticket.id) is None
        assert await found(store, "kode1x11999") == [ticket.id]
        assert await found(store, "lognya") == [ticket.id]
        assert len((await store.get_messages(ticket.id)).messages) == 3
    finally:
        await store.close()


async def test_a_store_from_before_the_words_has_them_once_opened() -> None:
    pg_url = await pgserver.fresh_database(f"t_{uuid.uuid4().hex[:16]}", blank=True)
    async with pgserver.store_at_migration(pg_url, 2) as store:
        ticket = await open_ticket(store, "Retur", body="Sepatunya kekecilan, mau tukar")
    store = await open_store(pg_url)
    try:
        assert await words_of(pg_url, ticket.id) == "'kekecilan' 'mau' 'sepatunya' 'tukar'"
        assert await found(store, "kekecil") == [ticket.id]
    finally:
        await store.close()

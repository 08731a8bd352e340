"""A store file that cannot be written, fills its disk, or goes away while open: each
write is refused in words that say why (StoreUnwritable), nothing is half written,
and once the fault is gone writing goes on."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from cs_tui.domain.models import AuthorKind, Draft, DraftKind, NewMessage
from cs_tui.store import StoreUnwritable, open_store
from cs_tui.store.sqlite import SqliteStore

from ..faults import read_only, small_disk, store_files
from .helpers import all_messages, open_ticket


def customer_says(body: str) -> NewMessage:
    return NewMessage(str(uuid.uuid4()), body, AuthorKind.CUSTOMER)


async def made(path: Path) -> tuple[SqliteStore, int]:
    store = await open_store(str(path))
    assert isinstance(store, SqliteStore)
    ticket = await open_ticket(store)
    return store, ticket.id


async def test_a_read_only_store_reads_and_refuses_writes_saying_why(tmp_path: Path) -> None:
    path = tmp_path / "cs-tui.db"
    store, ticket_id = await made(path)
    await store.close()
    with read_only(*store_files(path)):
        reopened = await open_store(str(path))
        try:
            assert (await reopened.get_ticket(ticket_id)).id == ticket_id  # reading works
            with pytest.raises(StoreUnwritable, match="read-only for you"):
                await reopened.add_message(ticket_id, customer_says("Halo?"), actor_id=None)
            with pytest.raises(StoreUnwritable, match="read-only for you"):
                await reopened.create_agent("Sari", "sari@tokoku.example")
        finally:
            await reopened.close()


async def test_a_full_disk_refuses_writes_whole_and_writing_resumes_when_freed(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        store, ticket_id = await made(disk.place / "cs-tui.db")
        try:
            agent = await store.create_agent("Sari", "sari@tokoku.example")
            disk.fill()
            big = "kata " * 100_000
            with pytest.raises(StoreUnwritable, match="its disk is full"):
                await store.add_message(ticket_id, customer_says(big), actor_id=None)
            with pytest.raises(StoreUnwritable, match="its disk is full"):
                await store.save_draft(Draft(agent.id, ticket_id, big, DraftKind.REPLY))
            assert len(await all_messages(store, ticket_id)) == 1  # nothing half written

            disk.free()
            await store.add_message(ticket_id, customer_says("Sudah bisa lagi"), actor_id=None)
            assert [m.body for m in await all_messages(store, ticket_id)][-1] == "Sudah bisa lagi"
        finally:
            await store.close()


@pytest.mark.parametrize("fault", ["deleted", "moved", "replaced"])
async def test_a_store_file_gone_or_replaced_while_open_refuses_writes(tmp_path: Path, fault: str) -> None:
    path = tmp_path / "cs-tui.db"
    store, ticket_id = await made(path)
    try:
        if fault == "deleted":
            for file in store_files(path):
                file.unlink(missing_ok=True)
        elif fault == "moved":
            for file in store_files(path):
                if file.exists():
                    shutil.move(file, tmp_path / f"elsewhere-{file.name}")
        else:
            for file in store_files(path):
                file.unlink(missing_ok=True)
            sqlite3.connect(path).close()
        said = "was replaced by another file" if fault == "replaced" else "is gone"
        with pytest.raises(StoreUnwritable, match=said):
            await store.add_message(ticket_id, customer_says("Halo?"), actor_id=None)

        # The live stream, which every screen follows, says so too, without a write.
        events = store.events(await store.last_event_id())
        with pytest.raises(StoreUnwritable, match=said):
            await anext(events)
    finally:
        await store.close()

"""A Meta channel's inbox and its replies' delivery reports, on a real SQLite file:
a webhook delivery is kept as it came and wakes the channel's worker, is read back in
order, the cursor moves with what it wrote, and what was taken in is dropped a day
later; a reply's delivery moves forward by Meta's id, never back."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.channels import DeliveryState, Inbound
from cs_tui.domain.models import EventKind, NewMessage
from cs_tui.domain.timeutil import to_micros, utcnow
from cs_tui.store import NotFound
from cs_tui.store.sqlite import SqliteStore

CHANNEL = "wa-toko"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "cs-tui.db")
    await opened.add_channel(CHANNEL, "whatsapp", {"phone_number_id": "106540352242922"})
    try:
        yield opened
    finally:
        await opened.close()


def whatsapp(text: str, wamid: str) -> Inbound:
    return Inbound(
        external_id=wamid,
        raw_sha256=hashlib.sha256(wamid.encode()).hexdigest(),
        sender="whatsapp:6281234567890",
        sender_name="Budi Santoso",
        subject=text,
        body=text,
        conversation=f"whatsapp:{CHANNEL}:6281234567890",
    )


async def sent_reply(store: SqliteStore, meta_id: str) -> tuple[int, int]:
    """A customer's message and an agent's reply to it, sent and given `meta_id`."""
    taken = await store.take_in(CHANNEL, whatsapp("Paket belum sampai", "wamid.in1"), cursor=None)
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    reply = await store.add_message(
        taken.ticket_id, NewMessage(str(uuid.uuid4()), "Sudah kami cek"), actor_id=agent.id
    )
    assert await store.begin_delivery(reply.id, "cs-tui.placeholder")
    await store.handing_over(reply.id)
    await store.finish_delivery(reply.id, DeliveryState.SENT, external_id=meta_id)
    return taken.ticket_id, reply.id


async def delivery_of(store: SqliteStore, ticket_id: int, message_id: int) -> tuple[str, str, str | None]:
    page = await store.get_messages(ticket_id)
    [message] = [m for m in page.messages if m.id == message_id]
    assert message.delivery is not None
    return message.delivery.state.value, message.delivery.reason, message.delivery.external_id


async def test_deliveries_are_kept_as_they_came_read_back_in_order_and_each_wakes_the_worker(
    store: SqliteStore,
) -> None:
    since = await store.last_event_id()
    first = await store.keep_received(CHANNEL, b'{"object":"whatsapp_business_account","entry":[]}')
    second = await store.keep_received(CHANNEL, b"\x00 not even JSON")

    assert second > first
    assert await store.received(CHANNEL, 0, 10) == [
        (first, b'{"object":"whatsapp_business_account","entry":[]}'),
        (second, b"\x00 not even JSON"),
    ]
    assert await store.received(CHANNEL, first, 10) == [(second, b"\x00 not even JSON")]
    assert await store.received(CHANNEL, 0, 1) == [
        (first, b'{"object":"whatsapp_business_account","entry":[]}')
    ]
    kinds = []
    async for event in store.events(since):
        kinds.append(event.kind)
        if len(kinds) == 2:
            break
    assert kinds == [EventKind.CHANNEL_RECEIVED, EventKind.CHANNEL_RECEIVED]
    with pytest.raises(NotFound):
        await store.keep_received("no-such-channel", b"{}")


async def test_the_cursor_moves_with_what_a_delivery_wrote_or_alone(store: SqliteStore) -> None:
    first = await store.keep_received(CHANNEL, b"one")
    second = await store.keep_received(CHANNEL, b"two")

    await store.take_in(CHANNEL, whatsapp("Halo", "wamid.a"), cursor=str(first))
    assert await store.channel_cursor(CHANNEL) == str(first)
    await store.received_done(CHANNEL, second)
    assert await store.channel_cursor(CHANNEL) == str(second)
    assert await store.received(CHANNEL, int(await store.channel_cursor(CHANNEL) or 0), 10) == []


async def test_what_was_taken_in_is_dropped_a_day_later_and_its_ids_never_come_back(
    store: SqliteStore,
) -> None:
    old = await store.keep_received(CHANNEL, b"old")
    waiting = await store.keep_received(CHANNEL, b"not taken in yet")
    await store.received_done(CHANNEL, old)
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE received SET received_at = ?", (to_micros(utcnow() - timedelta(days=2)),))

    newer = await store.keep_received(CHANNEL, b"new")

    assert await store.received(CHANNEL, 0, 10) == [(waiting, b"not taken in yet"), (newer, b"new")]
    await store.received_done(CHANNEL, newer)
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE received SET received_at = ?", (to_micros(utcnow() - timedelta(days=2)),))
    after_all = await store.keep_received(CHANNEL, b"after the newest went")
    assert after_all > newer
    assert await store.received(CHANNEL, newer, 10) == [(after_all, b"after the newest went")]


async def test_a_removed_channel_leaves_nothing_in_its_inbox(store: SqliteStore) -> None:
    await store.keep_received(CHANNEL, b"kept")
    await store.remove_channel(CHANNEL)
    await store.add_channel(CHANNEL, "whatsapp", {"phone_number_id": "106540352242922"})

    assert await store.received(CHANNEL, 0, 10) == []


async def test_a_replys_delivery_moves_forward_by_metas_id_and_never_back(store: SqliteStore) -> None:
    ticket_id, reply_id = await sent_reply(store, "wamid.OUT1")
    assert await delivery_of(store, ticket_id, reply_id) == ("sent", "", "wamid.OUT1")
    since = await store.last_event_id()

    assert await store.delivery_seen(CHANNEL, "wamid.OUT1", DeliveryState.READ)
    assert not await store.delivery_seen(CHANNEL, "wamid.OUT1", DeliveryState.DELIVERED)  # came late
    assert not await store.delivery_seen(CHANNEL, "wamid.OUT1", DeliveryState.SENT)
    assert await delivery_of(store, ticket_id, reply_id) == ("read", "", "wamid.OUT1")
    event = await asyncio.wait_for(anext(aiter(store.events(since))), 10)
    assert (event.kind, event.ticket_id) == (EventKind.DELIVERY_CHANGED, ticket_id)

    assert await store.delivery_seen(CHANNEL, "wamid.OUT1", DeliveryState.FAILED, "WhatsApp refused it")
    assert await delivery_of(store, ticket_id, reply_id) == ("failed", "WhatsApp refused it", "wamid.OUT1")
    assert not await store.delivery_seen(CHANNEL, "wamid.OUT1", DeliveryState.READ)


async def test_a_report_on_an_id_no_reply_has_changes_nothing(store: SqliteStore) -> None:
    ticket_id, reply_id = await sent_reply(store, "wamid.OUT2")

    assert not await store.delivery_seen(CHANNEL, "wamid.sent-by-another-tool", DeliveryState.READ)
    assert not await store.delivery_seen(CHANNEL, "wamid.in1", DeliveryState.READ)  # the customer's own
    assert not await store.delivery_seen("another-channel", "wamid.OUT2", DeliveryState.READ)
    assert await delivery_of(store, ticket_id, reply_id) == ("sent", "", "wamid.OUT2")


async def test_a_reply_not_yet_sent_is_left_to_its_sender(store: SqliteStore) -> None:
    taken = await store.take_in(CHANNEL, whatsapp("Halo", "wamid.in2"), cursor=None)
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    reply = await store.add_message(taken.ticket_id, NewMessage(str(uuid.uuid4()), "Halo"), actor_id=agent.id)
    assert await store.begin_delivery(reply.id, "wamid.early")

    assert not await store.delivery_seen(CHANNEL, "wamid.early", DeliveryState.DELIVERED)
    assert (await delivery_of(store, taken.ticket_id, reply.id))[0] == "sending"

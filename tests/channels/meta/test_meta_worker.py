"""A WhatsApp channel at work on a real SQLite file, against the Graph API stand-in:
each delivery kept in the inbox taken in once (every entry, files fetched at once, a
file that cannot be fetched said in the message), what cannot be read kept aside;
replies sent as Meta documents them within the 24 hours, as an approved template
after, never twice, and their delivery followed by Meta's reports."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cs_tui.channels.meta.delivery import MetaDelivery
from cs_tui.channels.meta.settings import MetaSettings
from cs_tui.channels.meta.worker import MetaIntake
from cs_tui.domain.models import Channel, Message, NewMessage
from cs_tui.store.sqlite import SqliteStore

from ...graphapi import (
    PHONE_NUMBER_ID,
    RE_ENGAGEMENT,
    TOKEN,
    GraphApi,
    encode,
    graph_error,
    whatsapp_entry,
    whatsapp_message,
    whatsapp_status,
    whatsapp_text,
    whatsapp_webhook,
)
from .conftest import settings_for

CHANNEL = "toko"
CUSTOMER = "6281234567890"
ENV = {"SHOP_APP_SECRET": "app-secret", "SHOP_TOKEN": TOKEN, "SHOP_VERIFY": "verify-words"}


@dataclass
class Shop:
    """The store with the WhatsApp channel, its intake and its delivery."""

    store: SqliteStore
    intake: MetaIntake
    delivery: MetaDelivery
    said: list[tuple[str, bool]] = field(default_factory=list)

    async def receive(self, payload: dict[str, Any]) -> None:
        raw = encode(payload)
        await self.intake.take(await self.store.keep_received(CHANNEL, raw), raw)

    async def reply(self, ticket_id: int, body: str) -> int:
        agent = await self.store.ensure_agent("Sari", "sari@tokoku.example")
        message = await self.store.add_message(
            ticket_id, NewMessage(str(uuid.uuid4()), body), actor_id=agent.id
        )
        for outgoing in await self.store.due_deliveries(CHANNEL):
            await self.delivery.deliver(outgoing)
        return message.id

    async def message(self, ticket_id: int, message_id: int) -> Message:
        return next(m for m in (await self.store.get_messages(ticket_id)).messages if m.id == message_id)


async def open_shop(path: Path, settings: MetaSettings) -> Shop:
    store = await SqliteStore.open(path)
    await store.add_channel(CHANNEL, settings.kind, settings.to_dict())
    said: list[tuple[str, bool]] = []

    def report(text: str, ok: bool) -> None:
        said.append((text, ok))

    intake = MetaIntake(store, CHANNEL, settings, report=report, environ=ENV)
    delivery = MetaDelivery(store, CHANNEL, settings, report=report, sending=intake.sending, environ=ENV)
    return Shop(store, intake, delivery, said)


@pytest.fixture
async def shop(tmp_path: Path, graph_api: GraphApi) -> AsyncIterator[Shop]:
    opened = await open_shop(
        tmp_path / "cs-tui.db", settings_for("whatsapp", graph_api.url, templates=["order_update:id:2"])
    )
    try:
        yield opened
    finally:
        await opened.store.close()


def now() -> int:
    return int(time.time())


async def the_ticket(shop: Shop) -> int:
    page = await shop.store.list_tickets()
    [ticket] = page.tickets
    return ticket.id


async def test_a_text_is_a_whatsapp_ticket_of_its_sender_once_however_often_meta_sends_it(shop: Shop) -> None:
    delivery = whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Kak, paket saya belum sampai")]))
    await shop.receive(delivery)
    await shop.receive(delivery)  # Meta sends again when our answer was slow

    page = await shop.store.list_tickets()
    [ticket] = page.tickets
    assert ticket.channel is Channel.WHATSAPP
    assert ticket.subject == "Kak, paket saya belum sampai"
    assert (ticket.customer.name, ticket.customer.email) == ("Budi Santoso", f"whatsapp:{CUSTOMER}")
    assert [m.body for m in (await shop.store.get_messages(ticket.id)).messages] == [
        "Kak, paket saya belum sampai"
    ]
    assert await shop.store.received(CHANNEL, int(await shop.store.channel_cursor(CHANNEL) or 0), 10) == []


async def test_every_entry_of_a_delivery_is_taken_in(shop: Shop) -> None:
    await shop.receive(
        whatsapp_webhook(
            whatsapp_entry(messages=[whatsapp_text("Halo", wamid="wamid.A1")]),
            whatsapp_entry(
                messages=[whatsapp_text("Ada ukuran L?", wamid="wamid.B1", sender="6289876543210")],
                names={"6289876543210": "Rina"},
            ),
        )
    )

    page = await shop.store.list_tickets()
    assert sorted((t.customer.name, t.subject) for t in page.tickets) == [
        ("Budi Santoso", "Halo"),
        ("Rina", "Ada ukuran L?"),
    ]


async def test_a_photo_is_fetched_at_once_and_kept_and_one_that_cannot_be_is_said(
    shop: Shop, graph_api: GraphApi
) -> None:
    photo = b"\xff\xd8\xff\xe0 a photo of the parcel"
    graph_api.add_media("1482298359311224", photo, "image/jpeg")
    digest = base64.b64encode(hashlib.sha256(photo).digest()).decode()
    image = {"mime_type": "image/jpeg", "sha256": digest, "id": "1482298359311224", "caption": "Ini paketnya"}
    gone = {"mime_type": "image/jpeg", "id": "404404404"}
    await shop.receive(
        whatsapp_webhook(
            whatsapp_entry(
                messages=[
                    whatsapp_message("image", image, wamid="wamid.P1"),
                    whatsapp_message("image", gone, wamid="wamid.P2"),
                ]
            )
        )
    )

    ticket_id = await the_ticket(shop)
    kept, lost = (await shop.store.get_messages(ticket_id)).messages
    assert kept.body == "Ini paketnya"
    [attachment] = kept.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "image.jpg",
        "image/jpeg",
        len(photo),
    )
    assert (await shop.store.attachment(attachment.id))[1] == photo
    assert lost.body.startswith("[The customer sent an image that could not be fetched: ")
    assert lost.attachments == ()


async def test_what_cannot_be_read_is_kept_aside_and_the_next_delivery_is_taken_in(shop: Shop) -> None:
    await shop.intake.take(await shop.store.keep_received(CHANNEL, b"{not json"), b"{not json")
    await shop.receive(whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo")])))

    [kept] = await shop.store.list_quarantined(CHANNEL)
    assert "not JSON" in kept.reason
    assert await shop.store.count_tickets() == 1


async def test_a_reply_goes_out_as_meta_documents_it_and_meta_reports_follow_it(
    shop: Shop, graph_api: GraphApi
) -> None:
    await shop.receive(whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now())])))
    ticket_id = await the_ticket(shop)

    reply_id = await shop.reply(ticket_id, "Halo Budi, paket Anda sudah dikirim.")

    [sent] = graph_api.sends
    assert sent.path == f"/v23.0/{PHONE_NUMBER_ID}/messages"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"body": "Halo Budi, paket Anda sudah dikirim.", "preview_url": False},
    }
    delivery = (await shop.message(ticket_id, reply_id)).delivery
    assert delivery is not None
    assert delivery.state.value == "sent"
    wamid = delivery.external_id
    assert wamid is not None
    assert wamid.startswith("wamid.")

    await shop.receive(whatsapp_webhook(whatsapp_entry(statuses=[whatsapp_status(wamid, "delivered")])))
    assert (await shop.message(ticket_id, reply_id)).delivery.state.value == "delivered"  # type: ignore[union-attr]
    await shop.receive(
        whatsapp_webhook(
            whatsapp_entry(statuses=[whatsapp_status(wamid, "read"), whatsapp_status(wamid, "delivered")])
        )
    )
    assert (await shop.message(ticket_id, reply_id)).delivery.state.value == "read"  # type: ignore[union-attr]
    assert len(graph_api.sends) == 1


async def test_after_24_hours_a_text_reply_fails_in_words_and_nothing_reaches_meta(
    shop: Shop, graph_api: GraphApi
) -> None:
    await shop.receive(
        whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now() - 25 * 3600)]))
    )
    ticket_id = await the_ticket(shop)

    reply_id = await shop.reply(ticket_id, "Maaf baru sempat membalas")

    delivery = (await shop.message(ticket_id, reply_id)).delivery
    assert delivery is not None
    assert delivery.state.value == "failed"
    assert "only within 24 hours of the customer's last message" in delivery.reason
    assert graph_api.sends == []


async def test_after_24_hours_an_approved_template_still_goes_out(shop: Shop, graph_api: GraphApi) -> None:
    await shop.receive(
        whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now() - 3 * 86400)]))
    )
    ticket_id = await the_ticket(shop)

    reply_id = await shop.reply(ticket_id, "/template order_update\nBudi\nJNE 1234")

    assert (await shop.message(ticket_id, reply_id)).delivery.state.value == "sent"  # type: ignore[union-attr]
    [sent] = graph_api.sends
    assert sent.body["type"] == "template"
    assert sent.body["template"] == {
        "name": "order_update",
        "language": {"code": "id"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Budi"}, {"type": "text", "text": "JNE 1234"}],
            }
        ],
    }


async def test_a_failure_that_may_pass_is_tried_again_and_a_refusal_shows_at_once(
    shop: Shop, graph_api: GraphApi
) -> None:
    await shop.receive(whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now())])))
    ticket_id = await the_ticket(shop)
    graph_api.fail_next_send(graph_error(131016, "Service unavailable", status=503))
    graph_api.fail_next_send(RE_ENGAGEMENT)

    waiting_id = await shop.reply(ticket_id, "Sebentar ya")
    refused_id = await shop.reply(ticket_id, "Halo lagi")

    waiting = (await shop.message(ticket_id, waiting_id)).delivery
    refused = (await shop.message(ticket_id, refused_id)).delivery
    assert waiting is not None
    assert refused is not None
    assert waiting.state.value == "queued"
    assert "unavailable just now" in waiting.reason
    assert "trying again at" in waiting.reason
    assert waiting.retry_at is not None
    assert refused.state.value == "failed"
    assert "24 hours" in refused.reason
    assert any(not ok and "Graph API" in said for said, ok in shop.said)


@pytest.fixture
def hangs_up() -> Iterator[str]:
    """A Graph API that takes the request and drops the connection without answering."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            connection.recv(65536)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v23.0"
    stop.set()
    thread.join(5)
    listener.close()


async def test_a_reply_whose_answer_was_lost_is_never_sent_twice(tmp_path: Path, hangs_up: str) -> None:
    shop = await open_shop(tmp_path / "cs-tui.db", settings_for("whatsapp", hangs_up))
    try:
        await shop.receive(
            whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now())]))
        )
        ticket_id = await the_ticket(shop)

        reply_id = await shop.reply(ticket_id, "Halo Budi")

        delivery = (await shop.message(ticket_id, reply_id)).delivery
        assert delivery is not None
        assert delivery.state.value == "failed"
        assert "may or may not have gone out" in delivery.reason
        assert await shop.store.due_deliveries(CHANNEL) == []
    finally:
        await shop.store.close()


async def test_a_whatsapp_failure_reported_later_marks_the_reply(shop: Shop) -> None:
    await shop.receive(whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo", timestamp=now())])))
    ticket_id = await the_ticket(shop)
    reply_id = await shop.reply(ticket_id, "Halo Budi")
    wamid = (await shop.message(ticket_id, reply_id)).delivery.external_id  # type: ignore[union-attr]
    error = {"code": 131026, "title": "Message undeliverable"}

    await shop.receive(
        whatsapp_webhook(whatsapp_entry(statuses=[whatsapp_status(str(wamid), "failed", errors=[error])]))
    )

    delivery = (await shop.message(ticket_id, reply_id)).delivery
    assert delivery is not None
    assert delivery.state.value == "failed"
    assert "could not deliver it" in delivery.reason


async def test_the_worker_wakes_on_a_kept_delivery_and_takes_it_in(shop: Shop) -> None:
    wake = asyncio.Event()
    running = asyncio.create_task(shop.intake.run(wake))
    try:
        await shop.store.keep_received(
            CHANNEL, encode(whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Halo")])))
        )
        wake.set()
        for _ in range(100):
            if await shop.store.count_tickets():
                break
            await asyncio.sleep(0.05)
        assert await shop.store.count_tickets() == 1
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_customer_known_only_by_their_username_is_answered_by_metas_id_for_them(
    shop: Shop, graph_api: GraphApi
) -> None:
    bsuid = "ID.1502576394655843"
    text = whatsapp_text("Halo", sender=None, user_id=bsuid, timestamp=now())
    await shop.receive(whatsapp_webhook(whatsapp_entry(messages=[text], names={bsuid: "sari.wulandari"})))
    page = await shop.store.list_tickets()
    [ticket] = page.tickets
    assert (ticket.customer.name, ticket.customer.email) == ("sari.wulandari", f"whatsapp:{bsuid}")

    await shop.reply(ticket.id, "Halo Sari")

    [sent] = graph_api.sends
    assert sent.body["recipient"] == bsuid
    assert "to" not in sent.body

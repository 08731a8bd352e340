"""Messenger and Instagram channels at work on a real SQLite file, against the Graph
API stand-in: a customer's message is a ticket under their name as Meta shares it
(asked once), a reply goes back as a response within 24 hours and with the
human agent tag up to 7 days, not at all after, and a read report reads every reply
up to its time."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cs_tui.domain.models import Channel

from ...graphapi import (
    INSTAGRAM_ID,
    PAGE_ID,
    GraphApi,
    page_delivery,
    page_message,
    page_read,
    page_webhook,
)
from .conftest import settings_for
from .test_meta_worker import CHANNEL, Shop, open_shop, the_ticket

PSID = "24968231568843201"


@pytest.fixture
async def messenger(tmp_path: Path, graph_api: GraphApi) -> AsyncIterator[Shop]:
    graph_api.profiles[PSID] = {"first_name": "Sari", "last_name": "Wulandari"}
    opened = await open_shop(tmp_path / "cs-tui.db", settings_for("messenger", graph_api.url))
    try:
        yield opened
    finally:
        await opened.store.close()


def ms_ago(seconds: float) -> int:
    return int((time.time() - seconds) * 1000)


async def test_a_messenger_message_is_a_ticket_under_the_customers_name(
    messenger: Shop, graph_api: GraphApi
) -> None:
    await messenger.receive(page_webhook("messenger", page_message(PSID, "m_1", text="Paket belum sampai")))
    await messenger.receive(page_webhook("messenger", page_message(PSID, "m_2", text="Tolong dicek")))

    page = await messenger.store.list_tickets()
    [ticket] = page.tickets
    assert ticket.channel is Channel.SOCIAL
    assert ticket.subject == "Paket belum sampai"
    assert (ticket.customer.name, ticket.customer.email) == ("Sari Wulandari", f"messenger:{PSID}")
    messages = (await messenger.store.get_messages(ticket.id)).messages
    assert [m.body for m in messages] == ["Paket belum sampai", "Tolong dicek"]
    profile_asks = [r for r in graph_api.requests if r.path.endswith(f"/{PSID}")]
    assert len(profile_asks) == 1  # the name is asked once


async def test_a_reply_within_a_day_is_a_response(messenger: Shop, graph_api: GraphApi) -> None:
    await messenger.receive(
        page_webhook("messenger", page_message(PSID, "m_1", text="Halo", timestamp=ms_ago(60)))
    )
    ticket_id = await the_ticket(messenger)
    await messenger.reply(ticket_id, "Halo Sari")

    [today] = graph_api.sends
    assert today.path == f"/v23.0/{PAGE_ID}/messages"
    assert today.body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Halo Sari"},
    }


async def test_after_a_day_a_reply_carries_the_human_agent_tag_and_after_a_week_none_goes(
    tmp_path: Path, graph_api: GraphApi
) -> None:
    for days, name in ((3, "three"), (8, "eight")):
        shop = await open_shop(tmp_path / f"{name}.db", settings_for("messenger", graph_api.url))
        try:
            await shop.receive(
                page_webhook(
                    "messenger", page_message(PSID, f"m_{name}", text="Halo", timestamp=ms_ago(days * 86400))
                )
            )
            reply_id = await shop.reply(await the_ticket(shop), f"Maaf, {name}")
            delivery = (await shop.message(await the_ticket(shop), reply_id)).delivery
            assert delivery is not None
            if days == 3:
                assert delivery.state.value == "sent"
            else:
                assert delivery.state.value == "failed"
                assert "7 days" in delivery.reason
        finally:
            await shop.store.close()
    [tagged] = graph_api.sends
    assert tagged.body == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Maaf, three"},
    }


async def test_delivered_and_read_reports_follow_the_replies(messenger: Shop) -> None:
    await messenger.receive(
        page_webhook("messenger", page_message(PSID, "m_1", text="Halo", timestamp=ms_ago(60)))
    )
    ticket_id = await the_ticket(messenger)
    first = await messenger.reply(ticket_id, "Halo Sari")
    second = await messenger.reply(ticket_id, "Ada yang bisa kami bantu?")
    mid = (await messenger.message(ticket_id, first)).delivery.external_id  # type: ignore[union-attr]

    await messenger.receive(page_webhook("messenger", page_delivery(PSID, [str(mid)], watermark=ms_ago(0))))
    assert (await messenger.message(ticket_id, first)).delivery.state.value == "delivered"  # type: ignore[union-attr]
    await messenger.receive(page_webhook("messenger", page_read(PSID, watermark=ms_ago(-1))))

    for reply_id in (first, second):
        assert (await messenger.message(ticket_id, reply_id)).delivery.state.value == "read"  # type: ignore[union-attr]


async def test_an_instagram_message_is_taken_in_from_the_instagram_account(
    tmp_path: Path, graph_api: GraphApi
) -> None:
    graph_api.profiles["1784920"] = {"name": "Sari W", "username": "sari.wulan"}
    shop = await open_shop(tmp_path / "ig.db", settings_for("instagram", graph_api.url))
    try:
        await shop.receive(
            page_webhook(
                "instagram", page_message("1784920", "aWdfZAG1", text="Halo kak", recipient=INSTAGRAM_ID)
            )
        )
        page = await shop.store.list_tickets()
        [ticket] = page.tickets
        assert (ticket.customer.name, ticket.customer.email, ticket.subject) == (
            "Sari W",
            "instagram:1784920",
            "Halo kak",
        )
        assert await shop.store.channel_cursor(CHANNEL) is not None
    finally:
        await shop.store.close()

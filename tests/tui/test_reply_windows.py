"""WhatsApp's reply window on the agent's screen: the ticket's header counts down the
24 hours since the customer last wrote, and once they are over, the header and the
composer say that only an approved template can go out, and how to send one."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from cs_tui.domain.channels import Inbound
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import Store, channel_store

from .helpers import AppFactory, main_screen, notices, open_by_number, screen_text, settled, until

NUMBER = "6281234567890"


async def whatsapp_ticket(other_store: Store, hours_ago: float, templates: str = "") -> int:
    store = channel_store(other_store)
    assert store is not None
    await store.add_channel("wa", "whatsapp", {"phone_number_id": "1055", "templates": templates})
    text = "Kak, paket saya belum sampai"
    taken = await store.take_in(
        "wa",
        Inbound(
            external_id="wamid.1",
            raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
            sender=f"whatsapp:{NUMBER}",
            sender_name="Budi Santoso",
            subject=text,
            body=text,
            conversation=f"whatsapp:wa:{NUMBER}",
            received_at=utcnow() - timedelta(hours=hours_ago),
        ),
        cursor=None,
    )
    return taken.ticket_id


async def test_an_open_window_counts_down_in_the_header(make_app: AppFactory, other_store: Store) -> None:
    ticket_id = await whatsapp_ticket(other_store, hours_ago=21)
    app = make_app(now=utcnow)
    async with app.run_test(size=(200, 50)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_id)
        await until(pilot, lambda: re.search(r"WhatsApp window open, 2h 5\dm left", screen_text(app)))


async def test_past_the_window_the_header_and_the_composer_say_only_a_template_goes_out(
    make_app: AppFactory, other_store: Store
) -> None:
    ticket_id = await whatsapp_ticket(other_store, hours_ago=30)
    app = make_app(now=utcnow)
    async with app.run_test(size=(200, 50)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_id)
        await until(pilot, lambda: "WhatsApp 24-hour window closed 6 hours ago" in screen_text(app))
        await pilot.press("r")
        await until(pilot, lambda: "(T picks one)" in screen_text(app))


async def test_t_puts_an_approved_template_in_the_reply_filled_from_the_ticket(
    make_app: AppFactory, other_store: Store
) -> None:
    ticket_id = await whatsapp_ticket(
        other_store, hours_ago=30, templates="order_update:id:customer.first_name+_"
    )
    app = make_app(now=utcnow)
    async with app.run_test(size=(200, 50)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_id)
        await pilot.press("T")
        await until(pilot, lambda: "order_update (id), 2 to fill" in screen_text(app))
        await pilot.press("enter")
        composer = main_screen(app).ticket_pane.composer
        await until(pilot, lambda: composer.is_open and "/template" in composer.text)

        assert composer.text == "/template order_update:id\nBudi\n{{2}}"


async def test_t_says_when_the_channel_has_no_templates(make_app: AppFactory, other_store: Store) -> None:
    ticket_id = await whatsapp_ticket(other_store, hours_ago=30)
    app = make_app(now=utcnow)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_id)
        await pilot.press("T")
        await until(pilot, lambda: any("no approved templates" in each for each in notices(app)))

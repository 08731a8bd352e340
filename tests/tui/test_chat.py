"""A website chat in the TUI, live: a new chat rings, its row says whether the visitor
is still on the page and counts the seconds they have waited against the 90 s
target, and its header says when they type and when they leave."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.config import Config
from cs_tui.domain.channels import Inbound
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import ChannelStore, Store, channel_store
from cs_tui.tui.widgets.composer import reply_title
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, open_by_number, screen_text, settled, until

CHAT = "web"


def chat_message(text: str, visitor: str = "v1") -> Inbound:
    key = f"{visitor}:{text}"
    return Inbound(
        external_id=f"chat.{key}",
        raw_sha256=hashlib.sha256(key.encode()).hexdigest(),
        sender=f"chat:{visitor}",
        sender_name="Budi Santoso",
        subject=text,
        body=text,
        conversation=f"chat:{CHAT}:{visitor}",
    )


@pytest.fixture
async def chats(other_store: Store) -> ChannelStore:
    """The shop's website chat, written to by another process (`cs-tui serve`)."""
    store = channel_store(other_store)
    assert store is not None
    await store.add_channel(CHAT, "chat", {"origins": "https://tokoku.example"})
    return store


def row_of(queue: QueueTable, ticket_id: int) -> str:
    row = next(i for i, ticket in enumerate(queue.rows) if ticket.id == ticket_id)
    return queue.render_line(row - int(queue.scroll_y)).text


async def test_a_new_chat_rings_and_its_row_says_the_visitor_is_there_and_how_long_they_wait(
    make_app: AppFactory, chats: ChannelStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(
        Config(undo_seconds=0, path=tmp_path / "config.toml"), now=lambda: utcnow() + timedelta(seconds=50)
    )
    rang: list[bool] = []
    monkeypatch.setattr(app, "bell", lambda: rang.append(True))
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")  # All open
        taken = await chats.take_in(CHAT, chat_message("Halo, ada ukuran L?"), cursor=None)
        await chats.visitor_said(taken.ticket_id)
        queue = main_screen(app).queue

        await until(pilot, lambda: taken.ticket_id in {t.id for t in queue.rows})
        await until(pilot, lambda: "● Halo, ada ukuran L?" in row_of(queue, taken.ticket_id))
        assert re.search(r"\b5\ds\b", row_of(queue, taken.ticket_id))  # seconds since the visitor wrote
        await until(pilot, lambda: rang == [True])  # the bell is off in the config, but a chat rings

        await chats.visitor_said(taken.ticket_id, left=True)
        await until(pilot, lambda: "○ Halo, ada ukuran L?" in row_of(queue, taken.ticket_id))


async def test_the_open_chat_says_when_the_visitor_types_and_when_they_leave(
    make_app: AppFactory, chats: ChannelStore
) -> None:
    taken = await chats.take_in(CHAT, chat_message("Paket saya belum sampai"), cursor=None)
    await chats.visitor_said(taken.ticket_id)
    app = make_app(now=utcnow)
    async with app.run_test(size=(200, 50)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, taken.ticket_id)
        await until(pilot, lambda: "Budi Santoso is on the page" in screen_text(app))
        assert re.search(r"waiting \ds \(answer within 90s\)", screen_text(app))

        await chats.visitor_said(taken.ticket_id, typing=True)
        await until(pilot, lambda: "Budi Santoso is typing…" in screen_text(app))

        await chats.visitor_said(taken.ticket_id, left=True)
        await until(pilot, lambda: "Budi Santoso left the chat" in screen_text(app))


async def test_the_composer_says_how_a_reply_reaches_each_kind_of_customer(chats: ChannelStore) -> None:
    await chats.add_channel("toko", "email", {"address": "cs@tokoku.example"})
    live = await chats.take_in(CHAT, chat_message("Halo"), cursor=None)
    left_a_message = await chats.take_in(
        "toko",
        replace(
            chat_message("Besok saja", "v2"), sender="rina@example.com", conversation=None, came_by="chat"
        ),
        cursor=None,
    )

    assert "by chat" in reply_title(await chats.get_ticket(live.ticket_id)).plain
    assert "by email" in reply_title(await chats.get_ticket(left_a_message.ticket_id)).plain

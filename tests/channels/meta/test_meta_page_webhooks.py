"""Messenger and Instagram deliveries read as an agent will see them: the customer's
text and files, the shop's own messages coming back (echoes) skipped, deliveries and
reads as statuses, every entry read, and one unreadable event said without losing
the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cs_tui.channels.meta.inbound import WebhookContents
from cs_tui.channels.meta.webhooks import parse_webhook
from cs_tui.domain.channels import DeliveryState

from ...graphapi import INSTAGRAM_ID, PAGE_ID, encode, page_delivery, page_message, page_read, page_webhook

PSID = "24968231568843201"
IGSID = "17849200334562109"


def read(kind: str, *events: dict[str, Any]) -> WebhookContents:
    return parse_webhook(
        encode(page_webhook(kind, *events)), "messenger" if kind == "messenger" else "instagram"
    )


def test_a_messenger_text_says_who_wrote_what_when_and_to_which_page() -> None:
    contents = read(
        "messenger", page_message(PSID, "m_AG5Hz2Uq7tuw", text="Kapan dikirim?", timestamp=1_780_000_000_250)
    )
    [message] = contents.messages
    assert (message.kind, message.business_id, message.external_id) == (
        "messenger",
        PAGE_ID,
        "m_AG5Hz2Uq7tuw",
    )
    assert (message.sender_key, message.sender_phone) == (PSID, None)
    assert message.timestamp == datetime(2026, 5, 28, 20, 26, 40, 250_000, tzinfo=UTC)
    assert message.text == "Kapan dikirim?"


def test_files_are_kept_by_their_url_and_shared_links_read_as_text() -> None:
    attachments = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?oh=1"}},
        {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/t59/nota.pdf"}, "name": "nota.pdf"},
        {"type": "fallback", "title": "Lacak paket", "payload": {"url": "https://cekresi.example/JNE123"}},
    ]
    [message] = read(
        "messenger", page_message(PSID, "m_2", text="Ini buktinya", attachments=attachments)
    ).messages
    assert [(media.kind, media.is_url, media.filename) for media in message.media] == [
        ("image", True, None),
        ("file", True, "nota.pdf"),
    ]
    assert message.text == "Ini buktinya\n[fallback] Lacak paket https://cekresi.example/JNE123"


def test_the_shops_own_messages_coming_back_are_skipped() -> None:
    echo = page_message(PAGE_ID, "m_ours", text="Sudah kami kirim", recipient=PSID, is_echo=True)
    contents = read("messenger", echo, page_message(PSID, "m_theirs", text="Terima kasih"))
    assert [message.external_id for message in contents.messages] == ["m_theirs"]
    assert contents.problems == []


def test_a_delivery_marks_each_message_it_names_and_a_read_marks_all_up_to_its_watermark() -> None:
    contents = read(
        "messenger",
        page_delivery(PSID, ["m_ours1", "m_ours2"], watermark=1_780_000_000_900),
        page_read(PSID, watermark=1_780_000_001_500),
    )
    delivered, also_delivered, read_up_to = contents.statuses
    assert [(delivered.external_id, delivered.state), (also_delivered.external_id, also_delivered.state)] == [
        ("m_ours1", DeliveryState.DELIVERED),
        ("m_ours2", DeliveryState.DELIVERED),
    ]
    assert (read_up_to.external_id, read_up_to.state, read_up_to.customer) == (None, DeliveryState.READ, PSID)
    assert read_up_to.up_to == datetime(2026, 5, 28, 20, 26, 41, 500_000, tzinfo=UTC)


def test_instagram_messages_and_reads_come_to_the_instagram_account() -> None:
    seen = {"sender": {"id": IGSID}, "recipient": {"id": INSTAGRAM_ID}, "timestamp": 1_780_000_003_000}
    seen["read"] = {"mid": "aWdfZAG1faXRlbTox"}
    unsupported = page_message(IGSID, "aWdfZAG1faXRlbToy", recipient=INSTAGRAM_ID)
    unsupported["message"]["is_unsupported"] = True
    contents = read(
        "instagram",
        page_message(IGSID, "aWdfZAG1faXRlbTo3", text="Ready stock?", recipient=INSTAGRAM_ID),
        seen,
        unsupported,
    )
    first, second = contents.messages
    assert (first.kind, first.business_id, first.sender_key, first.text) == (
        "instagram",
        INSTAGRAM_ID,
        IGSID,
        "Ready stock?",
    )
    assert "Instagram does not pass on to businesses" in second.text
    [status] = contents.statuses
    assert (status.external_id, status.state) == ("aWdfZAG1faXRlbTox", DeliveryState.READ)


def test_every_entry_is_read() -> None:
    payload = page_webhook("messenger", page_message(PSID, "m_a", text="satu"))
    payload["entry"].append(
        {"id": "998877", "time": 1, "messaging": [page_message("555", "m_b", text="dua", recipient="998877")]}
    )
    contents = parse_webhook(encode(payload), "messenger")
    assert [(message.text, message.business_id) for message in contents.messages] == [
        ("satu", PAGE_ID),
        ("dua", "998877"),
    ]


def test_one_unreadable_event_is_named_and_the_others_are_still_read() -> None:
    no_mid = page_message(PSID, "m_x", text="tanpa id")
    del no_mid["message"]["mid"]
    no_sender = page_message(PSID, "m_y", text="tanpa pengirim")
    del no_sender["sender"]
    contents = read(
        "messenger",
        page_message(PSID, "m_1", text="pertama"),
        no_mid,
        no_sender,
        page_message(PSID, "m_4", text="keempat"),
    )
    assert [message.text for message in contents.messages] == ["pertama", "keempat"]
    assert contents.problems == [
        "entry 1, event 2's message id (mid) is missing",
        "entry 1, event 3's sender is not an object",
    ]


def test_other_events_are_not_messages_to_answer() -> None:
    postback = {
        "sender": {"id": PSID},
        "recipient": {"id": PAGE_ID},
        "timestamp": 1,
        "postback": {"title": "Mulai"},
    }
    contents = read("messenger", postback)
    assert (contents.messages, contents.statuses, contents.problems) == ([], [], [])

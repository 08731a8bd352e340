"""WhatsApp Cloud API deliveries read as an agent will see them: every kind of message
as text (nothing dropped), who sent it (by business-scoped user id when Meta gives
one), the shop's messages' statuses with failures in words, every entry of a
delivery, and one unreadable item said without losing the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cs_tui.channels.meta.webhooks import MetaMessage, PayloadError, WebhookContents, parse_webhook
from cs_tui.domain.channels import DeliveryState

from ...graphapi import (
    PHONE_NUMBER_ID,
    RE_ENGAGEMENT_STATUS_ERROR,
    encode,
    page_message,
    page_webhook,
    whatsapp_entry,
    whatsapp_image,
    whatsapp_location,
    whatsapp_message,
    whatsapp_status,
    whatsapp_text,
    whatsapp_webhook,
)

BSUID = "ID.1502576394655843"


def read(*entries: dict[str, Any]) -> WebhookContents:
    return parse_webhook(encode(whatsapp_webhook(*entries)), "whatsapp")


def only_message(*messages: dict[str, Any], **options: Any) -> MetaMessage:
    contents = read(whatsapp_entry(messages=messages, **options))
    assert contents.problems == []
    [message] = contents.messages
    return message


def test_a_text_says_who_wrote_what_when_and_to_which_number() -> None:
    message = only_message(whatsapp_text("Paket saya belum sampai", timestamp=1_780_000_000))
    assert message.kind == "whatsapp"
    assert message.business_id == PHONE_NUMBER_ID
    assert message.external_id.startswith("wamid.")
    assert (message.sender_key, message.sender_phone, message.sender_name) == (
        "6281234567890",
        "6281234567890",
        "Budi Santoso",
    )
    assert message.timestamp == datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC)
    assert message.text == "Paket saya belum sampai"


def test_a_customer_is_known_by_their_business_scoped_user_id_when_meta_gives_one() -> None:
    both = only_message(whatsapp_text("Halo", user_id=BSUID))
    assert (both.sender_key, both.sender_phone) == (BSUID, "6281234567890")
    username_only = only_message(
        whatsapp_text("Halo", sender=None, user_id=BSUID), names={BSUID: "sari.wulandari"}
    )
    assert (username_only.sender_key, username_only.sender_phone) == (BSUID, None)
    assert username_only.sender_name == "sari.wulandari"


def test_a_message_naming_no_sender_is_a_problem_not_a_customer() -> None:
    contents = read(whatsapp_entry(messages=[whatsapp_text("Halo", sender=None)], contacts=[]))
    assert contents.messages == []
    assert "neither who sent it" in contents.problems[0]


def test_escape_sequences_in_a_name_or_a_text_do_not_survive() -> None:
    message = only_message(
        whatsapp_text("Halo\x1b]0;owned\x07 \x1b[31mmerah\x1b[0m\x07"),
        names={"6281234567890": "Budi\x1b[2J\nSan"},
    )
    assert message.text == "Halo merah"
    assert message.sender_name == "Budi San"


def test_a_photo_keeps_its_media_id_type_and_checksum_and_its_caption_is_the_text() -> None:
    message = only_message(whatsapp_image("1482298359311224", caption="Barangnya rusak"))
    assert message.text == "Barangnya rusak"
    [media] = message.media
    assert (media.ref, media.kind, media.mime_type) == ("1482298359311224", "image", "image/jpeg")
    assert media.sha256
    assert not media.is_url


def test_a_document_keeps_its_file_name() -> None:
    document = {
        "filename": "invoice 0425.pdf",
        "mime_type": "application/pdf",
        "sha256": "abc=",
        "id": "9911",
    }
    message = only_message(whatsapp_message("document", document))
    assert message.media[0].filename == "invoice 0425.pdf"
    assert message.text == ""


def test_a_location_reads_as_its_name_address_coordinates_and_a_map_link() -> None:
    message = only_message(whatsapp_location(-6.2, 106.816666, "Kantor Pos Gambir", "Jl. Pos No. 2, Jakarta"))
    assert message.text.splitlines() == [
        "Shared a location:",
        "Kantor Pos Gambir",
        "Jl. Pos No. 2, Jakarta",
        "-6.2, 106.816666",
        "https://www.google.com/maps/search/?api=1&query=-6.2,106.816666",
    ]


def test_shared_contacts_read_as_their_names_and_phones() -> None:
    card = [
        {
            "name": {"formatted_name": "Andi Kurir", "first_name": "Andi"},
            "phones": [{"phone": "+62 811 2222 3333", "type": "CELL", "wa_id": "6281122223333"}],
        },
        {"name": {"first_name": "Rina", "last_name": "Gudang"}, "phones": []},
    ]
    message = only_message(whatsapp_message("contacts", card))
    assert message.text == "Shared contacts:\nAndi Kurir, +62 811 2222 3333 (CELL)\nRina Gudang"


@pytest.mark.parametrize(
    ("kind", "content", "text"),
    [
        (
            "interactive",
            {"type": "button_reply", "button_reply": {"id": "yes", "title": "Ya, batalkan"}},
            "Ya, batalkan",
        ),
        (
            "interactive",
            {
                "type": "list_reply",
                "list_reply": {"id": "r2", "title": "Tukar", "description": "Ukuran lain"},
            },
            "Tukar (Ukuran lain)",
        ),
        ("button", {"payload": "STOP_PROMO", "text": "Stop promosi"}, "Stop promosi"),
    ],
)
def test_a_tapped_button_or_list_choice_reads_as_its_words(
    kind: str, content: dict[str, Any], text: str
) -> None:
    assert only_message(whatsapp_message(kind, content)).text == text


def test_a_reaction_reads_as_what_was_reacted_to() -> None:
    reaction = {"message_id": "wamid.ours123", "emoji": "\U0001f44d"}
    message = only_message(whatsapp_message("reaction", reaction))
    assert message.text == "reacted \U0001f44d to a message"
    assert message.reply_to == "wamid.ours123"
    removed = only_message(whatsapp_message("reaction", {"message_id": "wamid.ours123", "emoji": ""}))
    assert removed.text == "removed a reaction from a message"


def test_a_message_whatsapp_does_not_pass_on_says_what_it_was_instead_of_vanishing() -> None:
    unsupported = whatsapp_message("unsupported", {"type": "poll_creation"})
    unsupported["errors"] = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "error_data": {"details": "Message type is not supported"},
        }
    ]
    message = only_message(unsupported)
    assert "does not pass on to businesses (poll_creation)" in message.text
    assert "Message type unknown" in message.text


def test_a_kind_of_message_cs_tui_does_not_know_says_what_kind_it_was() -> None:
    message = only_message(whatsapp_message("order", {"catalog_id": "1", "product_items": []}))
    assert message.text == (
        "[The customer sent an order from the shop's catalog, which cs-tui cannot show; "
        "open WhatsApp to see it.]"
    )
    future = only_message(whatsapp_message("hologram", {"id": "1"}))
    assert "a hologram message" in future.text


def test_statuses_follow_the_shops_message_by_its_wamid() -> None:
    contents = read(
        whatsapp_entry(
            statuses=[
                whatsapp_status("wamid.ours1", "sent"),
                whatsapp_status("wamid.ours1", "delivered"),
                whatsapp_status("wamid.ours1", "read"),
                whatsapp_status("wamid.ours1", "deleted"),
            ]
        )
    )
    assert [(status.external_id, status.state) for status in contents.statuses] == [
        ("wamid.ours1", DeliveryState.SENT),
        ("wamid.ours1", DeliveryState.DELIVERED),
        ("wamid.ours1", DeliveryState.READ),
    ]
    assert contents.statuses[0].customer == "6281234567890"
    assert contents.messages == []
    assert contents.problems == []


def test_a_failed_status_says_why_in_words_and_that_retrying_will_not_help() -> None:
    contents = read(
        whatsapp_entry(
            statuses=[whatsapp_status("wamid.ours2", "failed", errors=[RE_ENGAGEMENT_STATUS_ERROR])]
        )
    )
    [status] = contents.statuses
    assert status.state is DeliveryState.FAILED
    assert status.permanent
    assert "only within 24 hours of the customer's last message" in status.reason
    assert "approved template" in status.reason


def test_every_entry_of_a_delivery_is_read() -> None:
    contents = read(
        whatsapp_entry(messages=[whatsapp_text("satu", wamid="wamid.A")]),
        whatsapp_entry(
            messages=[whatsapp_text("dua", wamid="wamid.B", sender="6289900001111")],
            statuses=[whatsapp_status("wamid.ours3", "delivered")],
            phone_number_id="222333444555",
        ),
    )
    assert [(message.text, message.business_id) for message in contents.messages] == [
        ("satu", PHONE_NUMBER_ID),
        ("dua", "222333444555"),
    ]
    assert [status.external_id for status in contents.statuses] == ["wamid.ours3"]


def test_one_unreadable_message_is_named_and_the_others_are_still_read() -> None:
    broken = whatsapp_text("rusak", wamid="wamid.BROKEN", timestamp=0)
    broken["timestamp"] = "yesterday"
    contents = read(
        whatsapp_entry(
            messages=[
                whatsapp_text("pertama", wamid="wamid.1"),
                broken,
                whatsapp_text("ketiga", wamid="wamid.3"),
            ]
        ),
        {"id": "x", "changes": "not a list"},
    )
    assert [message.text for message in contents.messages] == ["pertama", "ketiga"]
    assert len(contents.problems) == 2
    assert "wamid.BROKEN" in contents.problems[0]
    assert "not a number" in contents.problems[0]
    assert "entry 2's changes is not a list" in contents.problems[1]


def test_changes_about_templates_or_the_account_are_not_messages() -> None:
    entry = {
        "id": "x",
        "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}],
    }
    contents = read(entry)
    assert (contents.messages, contents.statuses, contents.problems) == ([], [], [])


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"object": "user", "entry": []}', "object is 'user'"),
        (b'{"object": "whatsapp_business_account", "entry": {}}', "no list of entries"),
    ],
)
def test_a_delivery_that_cannot_be_read_at_all_says_what_was_wrong(raw: bytes, says: str) -> None:
    with pytest.raises(PayloadError, match=says):
        parse_webhook(raw)


def test_another_channels_delivery_is_refused_at_this_channels_webhook() -> None:
    raw = encode(page_webhook("messenger", page_message("24968", "m_1", text="hi")))
    with pytest.raises(PayloadError, match="a messenger delivery came to a whatsapp channel's webhook"):
        parse_webhook(raw, "whatsapp")

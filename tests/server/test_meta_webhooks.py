"""Meta's webhooks against a real `cs-tui serve`, its channels pointed at the Graph API
stand-in: the handshake, a delivery kept only when Meta signed it, each customer's
message a ticket within seconds and once however often Meta sends it, their photo
kept, every entry taken in; an agent's reply sent as Meta documents it and followed
to read, and refused in words once the customer's 24 hours are over."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from ..graphapi import (
    PAGE_ID,
    PHONE_NUMBER_ID,
    TOKEN,
    GraphApi,
    encode,
    graph_api_server,
    page_message,
    page_webhook,
    sign,
    whatsapp_entry,
    whatsapp_message,
    whatsapp_status,
    whatsapp_text,
    whatsapp_webhook,
)
from .conftest import Server

APP_SECRET = "e3b0c44298fc1c149afbf4c8996fb924"
VERIFY = "tokoku-verify-words"
T = TypeVar("T")


@pytest.fixture(scope="module")
def graph_api() -> Iterator[GraphApi]:
    with graph_api_server() as api:
        yield api


@pytest.fixture(scope="module")
def meta(tmp_path_factory: pytest.TempPathFactory, graph_api: GraphApi) -> Iterator[Server]:
    """`cs-tui serve` on an empty store with a WhatsApp number and a Messenger Page."""
    server = Server(tmp_path_factory.mktemp("meta"))
    server.env.update({"SHOP_APP_SECRET": APP_SECRET, "SHOP_TOKEN": TOKEN, "SHOP_VERIFY": VERIFY})
    server.env["COLUMNS"] = "200"  # `channel list` shows whole addresses
    secrets = ["--app-secret-env", "SHOP_APP_SECRET", "--access-token-env", "SHOP_TOKEN"]
    secrets += ["--verify-token-env", "SHOP_VERIFY", "--graph-url", graph_api.url]
    template = ["--template", "order_update:id:customer.first_name+_"]
    server.cli(
        "channel", "add", "whatsapp", "toko", "--phone-number-id", PHONE_NUMBER_ID, *secrets, *template
    )
    server.cli("channel", "add", "messenger", "halaman", "--page-id", PAGE_ID, *secrets)
    server.cli("agent", "add", "Sari", "--email", "sari@tokoku.example")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def post(server: Server, kind: str, payload: dict[str, Any], *, secret: str = APP_SECRET) -> httpx.Response:
    raw = encode(payload)
    return httpx.post(
        f"{server.url}/public/v1/{kind}/{'toko' if kind == 'whatsapp' else 'halaman'}/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)},
        timeout=10,
    )


def within(seconds: float, look: Callable[[], T | None]) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = look()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {seconds} s")
        time.sleep(0.1)


def tickets_of(server: Server, customer: str) -> list[dict[str, Any]]:
    listed = json.loads(server.cli("ticket", "list", "--json", "--limit", "200"))
    return [ticket for ticket in listed if ticket["customer"]["email"] == customer]


def shown(server: Server, ticket_id: int) -> dict[str, Any]:
    return dict(json.loads(server.cli("ticket", "show", str(ticket_id), "--json")))


def now() -> int:
    return int(time.time())


def test_the_handshake_echoes_metas_challenge_only_for_the_channels_verify_token(meta: Server) -> None:
    url = f"{meta.url}/public/v1/whatsapp/toko/webhook"
    asked = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}

    right = httpx.get(url, params={**asked, "hub.verify_token": VERIFY})
    wrong = httpx.get(url, params={**asked, "hub.verify_token": "guess"})
    other_kind = httpx.get(f"{meta.url}/public/v1/instagram/toko/webhook", params=asked)

    assert (right.status_code, right.text) == (200, "1158201444")
    assert right.headers["content-type"].startswith("text/plain")
    assert wrong.status_code == 403
    assert "verify token is not this channel's" in wrong.json()["detail"]
    assert other_kind.status_code == 404


def test_a_delivery_not_signed_with_the_app_secret_is_refused_and_nothing_is_kept(meta: Server) -> None:
    customer = "6281100000001"
    payload = whatsapp_webhook(
        whatsapp_entry(messages=[whatsapp_text("Halo", sender=customer, wamid="wamid.X")])
    )

    forged = post(meta, "whatsapp", payload, secret="not-the-app-secret")
    unsigned = httpx.post(f"{meta.url}/public/v1/whatsapp/toko/webhook", content=encode(payload))
    too_big = httpx.post(f"{meta.url}/public/v1/whatsapp/toko/webhook", content=b"x" * (1024 * 1024 + 1))

    assert forged.status_code == unsigned.status_code == 403
    assert "not signed with this channel's app secret" in forged.json()["detail"]
    assert too_big.status_code == 413
    time.sleep(1)
    assert tickets_of(meta, f"whatsapp:{customer}") == []
    with sqlite3.connect(meta.store) as db:
        kept = db.execute("SELECT raw FROM received").fetchall()
    assert all(b"wamid.X" not in bytes(row[0]) for row in kept)


def test_a_signed_text_is_a_whatsapp_ticket_within_seconds_and_once_when_sent_again(meta: Server) -> None:
    customer = "6281100000002"
    payload = whatsapp_webhook(
        whatsapp_entry(messages=[whatsapp_text("Paket saya belum sampai", sender=customer, wamid="wamid.T1")])
    )

    answers = [post(meta, "whatsapp", payload) for _ in range(2)]

    assert [(a.status_code, a.content) for a in answers] == [(200, b""), (200, b"")]
    [ticket] = within(10, lambda: tickets_of(meta, f"whatsapp:{customer}"))
    assert (ticket["channel"], ticket["subject"]) == ("whatsapp", "Paket saya belum sampai")
    assert ticket["customer"]["name"] == "Budi Santoso"
    time.sleep(1)
    assert len(shown(meta, ticket["id"])["messages"]) == 1


def test_a_photo_is_kept_as_an_attachment_and_every_entry_is_taken_in(
    meta: Server, graph_api: GraphApi
) -> None:
    photo = b"\xff\xd8\xff\xe0 a photo of the parcel"
    graph_api.add_media("9900112233", photo, "image/jpeg")
    image = {"mime_type": "image/jpeg", "id": "9900112233", "caption": "Ini paketnya"}
    first, second = "6281100000003", "6281100000004"
    post(
        meta,
        "whatsapp",
        whatsapp_webhook(
            whatsapp_entry(messages=[whatsapp_message("image", image, sender=first, wamid="wamid.I1")]),
            whatsapp_entry(messages=[whatsapp_text("Ada ukuran L?", sender=second, wamid="wamid.I2")]),
        ),
    )

    [with_photo] = within(10, lambda: tickets_of(meta, f"whatsapp:{first}"))
    [other] = within(10, lambda: tickets_of(meta, f"whatsapp:{second}"))
    [message] = shown(meta, with_photo["id"])["messages"]
    assert message["body"] == "Ini paketnya"
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("image.jpg", len(photo))
    assert other["subject"] == "Ada ukuran L?"


def test_an_agents_reply_goes_out_as_meta_documents_it_and_is_followed_to_read(
    meta: Server, graph_api: GraphApi
) -> None:
    customer = "6281100000005"
    text = whatsapp_text("Halo, pesanan saya?", sender=customer, wamid="wamid.R1", timestamp=now())
    post(meta, "whatsapp", whatsapp_webhook(whatsapp_entry(messages=[text])))
    [ticket] = within(10, lambda: tickets_of(meta, f"whatsapp:{customer}"))

    meta.cli(
        "ticket", "reply", str(ticket["id"]), "--body", "Halo, sudah kami kirim hari ini.", "--agent", "sari"
    )

    sent = within(
        10, lambda: [s for s in graph_api.sends if isinstance(s.body, dict) and s.body.get("to") == customer]
    )
    assert [s.body for s in sent] == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": customer,
            "type": "text",
            "text": {"body": "Halo, sudah kami kirim hari ini.", "preview_url": False},
        }
    ]
    assert sent[0].path == f"/v23.0/{PHONE_NUMBER_ID}/messages"

    def reply() -> dict[str, Any] | None:
        found = [m for m in shown(meta, ticket["id"])["messages"] if m["author"].startswith("agent:")]
        return found[0] if found and found[0]["delivery"]["state"] != "queued" else None

    wamid = within(10, reply)["delivery"]["message_id"]
    assert wamid.startswith("wamid.")
    for state in ("delivered", "read"):
        post(meta, "whatsapp", whatsapp_webhook(whatsapp_entry(statuses=[whatsapp_status(wamid, state)])))
    within(10, lambda: (reply() or {}).get("delivery", {}).get("state") == "read")


def test_after_the_customers_24_hours_a_reply_fails_in_words_and_nothing_reaches_meta(
    meta: Server, graph_api: GraphApi
) -> None:
    customer = "6281100000006"
    old = whatsapp_text("Halo", sender=customer, wamid="wamid.W1", timestamp=now() - 30 * 3600)
    post(meta, "whatsapp", whatsapp_webhook(whatsapp_entry(messages=[old])))
    [ticket] = within(10, lambda: tickets_of(meta, f"whatsapp:{customer}"))

    meta.cli("ticket", "reply", str(ticket["id"]), "--body", "Maaf baru membalas", "--agent", "sari")

    def failed() -> dict[str, Any] | None:
        for message in shown(meta, ticket["id"])["messages"]:
            if message["delivery"] and message["delivery"]["state"] == "failed":
                return dict(message["delivery"])
        return None

    assert "only within 24 hours of the customer's last message" in within(10, failed)["reason"]
    assert not [s for s in graph_api.sends if isinstance(s.body, dict) and s.body.get("to") == customer]


def test_a_messenger_message_is_a_ticket_and_the_reply_a_response(meta: Server, graph_api: GraphApi) -> None:
    psid = "24968231560000001"
    graph_api.profiles[psid] = {"first_name": "Rina", "last_name": "Putri"}
    post(
        meta,
        "messenger",
        page_webhook("messenger", page_message(psid, "m_S1", text="Halo", timestamp=now() * 1000)),
    )
    [ticket] = within(10, lambda: tickets_of(meta, f"messenger:{psid}"))
    assert ticket["customer"]["name"] == "Rina Putri"

    meta.cli("ticket", "reply", str(ticket["id"]), "--body", "Halo Rina", "--agent", "sari")

    [sent] = within(
        10,
        lambda: [
            s for s in graph_api.sends if isinstance(s.body, dict) and s.body.get("recipient") == {"id": psid}
        ],
    )
    assert sent.path == f"/v23.0/{PAGE_ID}/messages"
    assert sent.body == {
        "recipient": {"id": psid},
        "messaging_type": "RESPONSE",
        "message": {"text": "Halo Rina"},
    }


def test_channel_list_and_check_say_what_is_set_up_and_what_works(meta: Server, graph_api: GraphApi) -> None:
    graph_api.profiles[PHONE_NUMBER_ID] = {
        "display_phone_number": "+62 811-0000-0000",
        "verified_name": "Tokoku",
    }
    listed = meta.cli("channel", "list")
    checked = meta.cli("channel", "check", "toko")

    assert f"phone number id {PHONE_NUMBER_ID}" in listed
    assert f"Page {PAGE_ID}" in listed
    assert "the access token works for the number +62 811-0000-0000 (Tokoku)" in checked
    for secret in (TOKEN, APP_SECRET, VERIFY):
        assert secret not in checked


def test_adding_a_channel_prints_the_webhook_to_give_meta(tmp_path: Path) -> None:
    server = Server(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text("x\n")
    said = server.cli(
        "channel", "add", "instagram", "ig", "--page-id", PAGE_ID, "--app-secret-file", str(secret),
        "--access-token-file", str(secret), "--verify-token-file", str(secret),
    )  # fmt: skip

    assert "https://YOUR-SERVER/public/v1/instagram/ig/webhook" in said


def test_an_agent_on_another_machine_is_offered_the_numbers_approved_templates(meta: Server) -> None:
    agent = {"Authorization": f"Bearer {meta.token('Dewi', 'dewi@tokoku.example')}"}

    whatsapp = httpx.get(f"{meta.url}/api/v1/channels/toko/templates", headers=agent).json()
    messenger = httpx.get(f"{meta.url}/api/v1/channels/halaman/templates", headers=agent).json()

    assert whatsapp == [
        {"name": "order_update", "language": "id", "params": 2, "fields": ["customer.first_name", ""]}
    ]
    assert messenger == []

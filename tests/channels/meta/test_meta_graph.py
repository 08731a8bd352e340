"""Replies sent through the Graph API stand-in exactly as Meta documents them, and
every way Meta says no turned into words an agent can act on, with whether trying
again can help; customers' files fetched with the token only where it belongs."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from cs_tui.channels.meta.errors import GraphError
from cs_tui.channels.meta.graph import GraphClient

from ...graphapi import (
    OUTSIDE_WINDOW,
    PAGE_ID,
    PHONE_NUMBER_ID,
    RE_ENGAGEMENT,
    TOKEN,
    TOKEN_EXPIRED,
    Failure,
    GraphApi,
)
from ...mailserver import free_port
from .conftest import settings_for

CUSTOMER = "6281234567890"
PSID = "24968231568843201"


def client(api: GraphApi, kind: str = "whatsapp", token: str = TOKEN, **changes: object) -> GraphClient:
    return GraphClient(settings_for(kind, api.url, **changes), token)


async def test_a_whatsapp_text_goes_out_as_meta_documents_it(graph_api: GraphApi) -> None:
    async with client(graph_api) as graph:
        wamid = await graph.send_text(CUSTOMER, "Paket Anda sudah dikirim: JNE123")
    [sent] = graph_api.sends
    assert (sent.method, sent.path) == ("POST", f"/v23.0/{PHONE_NUMBER_ID}/messages")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"body": "Paket Anda sudah dikirim: JNE123", "preview_url": False},
    }
    assert wamid.startswith("wamid.")


async def test_a_customer_known_only_by_their_user_id_is_addressed_as_recipient(graph_api: GraphApi) -> None:
    async with client(graph_api) as graph:
        await graph.send_text("ID.1502576394655843", "Halo")
    body = graph_api.sends[0].body
    assert body["recipient"] == "ID.1502576394655843"
    assert "to" not in body


async def test_an_approved_template_goes_out_with_its_body_values(graph_api: GraphApi) -> None:
    async with client(graph_api, templates=["order_update:en_US:2"]) as graph:
        wamid = await graph.send_template(CUSTOMER, "order_update", "en_US", ["Budi", "JNE123"])
    assert wamid.startswith("wamid.")
    assert graph_api.sends[0].body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Budi"}, {"type": "text", "text": "JNE123"}],
                }
            ],
        },
    }


async def test_a_template_given_the_wrong_number_of_values_is_refused_before_anything_is_sent(
    graph_api: GraphApi,
) -> None:
    async with client(graph_api, templates=["order_update:en_US:2"]) as graph:
        with pytest.raises(GraphError, match="has 2 placeholders; 1 values were given") as refused:
            await graph.send_template(CUSTOMER, "order_update", "en_US", ["Budi"])
    assert refused.value.permanent
    assert graph_api.sends == []


async def test_text_after_the_24_hours_is_refused_for_good_saying_to_send_a_template(
    graph_api: GraphApi,
) -> None:
    graph_api.fail_next_send(RE_ENGAGEMENT)
    async with client(graph_api) as graph:
        with pytest.raises(GraphError) as refused:
            await graph.send_text(CUSTOMER, "Maaf baru membalas")
    error = refused.value
    assert error.permanent
    assert (error.code, error.status, error.fbtrace_id) == (131047, 400, "AbCdEfGh123")
    assert error.reason.startswith(
        "WhatsApp allows a free-text reply only within 24 hours of the customer's last message; "
        "send an approved template instead"
    )


async def test_a_server_error_at_meta_may_pass_and_is_tried_again(graph_api: GraphApi) -> None:
    graph_api.fail_next_send(Failure(500))
    async with client(graph_api) as graph:
        with pytest.raises(GraphError, match="answered HTTP 500") as refused:
            await graph.send_text(CUSTOMER, "Halo")
        assert not refused.value.permanent
        assert (await graph.send_text(CUSTOMER, "Halo")).startswith("wamid.")


async def test_an_expired_token_says_to_give_a_new_one(graph_api: GraphApi) -> None:
    graph_api.fail_next_send(TOKEN_EXPIRED)
    async with client(graph_api) as graph:
        with pytest.raises(
            GraphError, match="the access token expired or was revoked: give a new one"
        ) as refused:
            await graph.send_text(CUSTOMER, "Halo")
    assert refused.value.permanent


async def test_a_wrong_token_is_refused_by_meta_and_never_shown(graph_api: GraphApi) -> None:
    async with client(graph_api, token="EAAG-wrong-token-1234") as graph:
        with pytest.raises(GraphError) as refused:
            await graph.send_text(CUSTOMER, "Halo")
    assert "access token" in refused.value.reason
    assert "EAAG-wrong-token-1234" not in refused.value.reason


async def test_messenger_replies_as_a_response_or_with_the_human_agent_tag(graph_api: GraphApi) -> None:
    async with client(graph_api, "messenger") as graph:
        message_id = await graph.send_text(PSID, "Pesanan diproses")
        await graph.send_text(PSID, "Maaf menunggu", human_agent=True)
    first, second = graph_api.sends
    assert first.path == f"/v23.0/{PAGE_ID}/messages"
    assert first.body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Pesanan diproses"},
    }
    assert second.body == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Maaf menunggu"},
    }
    assert message_id.startswith("m_")


async def test_instagram_replies_through_the_linked_pages_send_api(graph_api: GraphApi) -> None:
    async with client(graph_api, "instagram") as graph:
        await graph.send_text("17849200334562109", "Ready, kak")
        with pytest.raises(GraphError, match="at most 1000 bytes in one message; this reply has 1002"):
            await graph.send_text("17849200334562109", "é" * 501)
    [sent] = graph_api.sends
    assert sent.path == f"/v23.0/{PAGE_ID}/messages"


async def test_a_messenger_reply_after_the_window_says_nothing_can_go_out(graph_api: GraphApi) -> None:
    graph_api.fail_next_send(OUTSIDE_WINDOW)
    async with client(graph_api, "messenger") as graph:
        with pytest.raises(
            GraphError, match=r"within 24 hours .* or 7 days when an agent writes it"
        ) as refused:
            await graph.send_text(PSID, "Halo", human_agent=True)
    assert refused.value.permanent


async def test_a_reply_longer_than_whatsapp_takes_is_refused_before_it_is_sent(graph_api: GraphApi) -> None:
    async with client(graph_api) as graph:
        with pytest.raises(GraphError, match="WhatsApp takes at most 4,096 characters"):
            await graph.send_text(CUSTOMER, "a" * 4097)
    assert graph_api.sends == []


async def test_a_customers_photo_is_fetched_with_the_token_and_meta_refuses_it_without(
    graph_api: GraphApi,
) -> None:
    photo = b"\xff\xd8\xff\xe0 a jpeg"
    graph_api.add_media("1482298359311224", photo, "image/jpeg")
    async with client(graph_api) as graph:
        media = await graph.download_media("1482298359311224")
    assert (media.data, media.mime_type) == (photo, "image/jpeg")
    metadata, download = graph_api.requests
    assert metadata.path == "/v23.0/1482298359311224"
    assert download.path == "/whatsapp_business/attachments/"
    assert download.headers["authorization"] == f"Bearer {TOKEN}"
    async with httpx.AsyncClient() as anyone:
        refused = await anyone.get(f"{graph_api.origin}/whatsapp_business/attachments/?mid=1482298359311224")
    assert refused.status_code == 401


async def test_a_file_that_does_not_match_its_checksum_is_not_kept(graph_api: GraphApi) -> None:
    graph_api.add_media(
        "77", b"what arrived", "image/jpeg", sha256=hashlib.sha256(b"what was sent").hexdigest()
    )
    async with client(graph_api) as graph:
        with pytest.raises(GraphError, match="does not match its SHA-256"):
            await graph.download_media("77")


async def test_the_webhooks_checksum_in_base64_is_checked_too(graph_api: GraphApi) -> None:
    graph_api.add_media("78", b"photo", "image/png")
    async with client(graph_api) as graph:
        assert (
            await graph.download_media("78", expected_sha256="VcZND81vnV98goCThX4/39poR4u06b0k1IHvORx4BOg=")
        ).data
        with pytest.raises(GraphError, match="does not match its SHA-256"):
            await graph.download_media("78", expected_sha256="IhLDG5E3oHmDI1hBIO0OrCvWcs6M6DzWf9FdqgCDBYc=")


async def test_a_file_larger_than_the_cap_is_refused(graph_api: GraphApi) -> None:
    graph_api.add_media("79", b"x" * 2048, "video/mp4")
    async with client(graph_api) as graph:
        with pytest.raises(
            GraphError, match=r"the file is 2\.0 KB, more than the 1\.0 KB cs-tui takes"
        ) as refused:
            await graph.download_media("79", max_bytes=1024)
    assert refused.value.permanent
    assert [request.path for request in graph_api.requests] == ["/v23.0/79"]


async def test_a_messenger_attachment_is_fetched_without_the_token(graph_api: GraphApi) -> None:
    url = graph_api.add_attachment("nota.pdf", b"%PDF-1.7", "application/pdf")
    async with client(graph_api, "messenger") as graph:
        media = await graph.download_attachment(url)
    assert (media.data, media.mime_type) == (b"%PDF-1.7", "application/pdf")
    assert "authorization" not in graph_api.requests[0].headers


async def test_a_graph_api_that_cannot_be_reached_may_work_later() -> None:
    graph = GraphClient(settings_for("whatsapp", f"http://127.0.0.1:{free_port()}/v23.0"), TOKEN)
    async with graph:
        with pytest.raises(GraphError, match="could not be reached") as refused:
            await graph.send_text(CUSTOMER, "Halo")
    assert not refused.value.permanent


async def test_a_graph_api_that_does_not_answer_in_time_may_work_later() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    settings = settings_for("messenger", "https://graph.facebook.com/v23.0")
    async with GraphClient(settings, TOKEN, transport=httpx.MockTransport(hang)) as graph:
        with pytest.raises(GraphError, match="did not answer in time") as refused:
            await graph.send_text(PSID, "Halo")
    assert not refused.value.permanent


async def test_a_messenger_or_instagram_customers_name_is_asked_of_meta(graph_api: GraphApi) -> None:
    graph_api.profiles[PSID] = {"first_name": "Sari", "last_name": "Wulandari"}
    graph_api.profiles["1784920"] = {"username": "sari.wulan"}
    async with client(graph_api, "messenger") as messenger:
        assert await messenger.profile_name(PSID) == "Sari Wulandari"
    async with client(graph_api, "instagram") as instagram:
        assert await instagram.profile_name("1784920") == "sari.wulan"
    assert graph_api.requests[0].query == {"fields": "first_name,last_name"}

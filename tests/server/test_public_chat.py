"""The website chat's public side against a real `cs-tui serve`: a visitor's message
becomes a chat ticket once however often it is sent, the agent's reply reaches the
visitor's event stream, only the shop's sites may use it, a bot and a flood are
refused in words, and a file goes only to the visitor who sent it."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from .conftest import Server

SHOP = "http://127.0.0.1:9900"


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[Server]:
    """`cs-tui serve` on an empty store with a chat allowed on the shop's site."""
    server = Server(tmp_path)
    server.cli("channel", "add", "chat", "web", "--origin", SHOP)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _client(server: Server, origin: str = SHOP) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/public/v1/chat/web", headers={"Origin": origin}, timeout=10)


def _session(web: httpx.Client, **form: str) -> str:
    answer = web.post("/session", json={"name": "Budi", **form})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def _chat_tickets(server: Server) -> list[dict[str, object]]:
    return list(json.loads(server.cli("ticket", "list", "--json", "--query", "channel:chat")))


def test_a_visitors_message_is_a_chat_ticket_once_and_the_agents_reply_reaches_their_page(
    chat: Server,
) -> None:
    web = _client(chat)
    token = _session(web, email="budi@example.com")
    auth = {"Authorization": f"Bearer {token}"}
    first = web.post(
        "/messages", json={"body": "Halo, paket saya belum sampai", "client_id": "m1"}, headers=auth
    )
    again = web.post(
        "/messages", json={"body": "Halo, paket saya belum sampai", "client_id": "m1"}, headers=auth
    )
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()  # a retried send is the same message

    [ticket] = _chat_tickets(chat)
    assert ticket["subject"] == "Halo, paket saya belum sampai"
    assert ticket["customer"] == {"name": "Budi", "email": "budi@example.com"}

    heard: list[dict[str, object]] = []

    def listen() -> None:
        url = f"/events?token={token}"
        with web.stream("GET", url, timeout=httpx.Timeout(10, read=8)) as stream:
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "message":
                    heard.append(json.loads(line[6:]))
                    if len(heard) == 2:
                        return

    listening = threading.Thread(target=listen)
    listening.start()
    time.sleep(0.5)
    chat.cli("agent", "add", "Sari", "--email", "sari@tokoku.example")
    chat.cli("ticket", "reply", str(ticket["id"]), "--body", "Halo Budi, <b>kami cek</b>", "--agent", "sari")
    listening.join(15)

    assert [(m["from"], m["name"], m["body"]) for m in heard] == [
        ("visitor", "Budi", "Halo, paket saya belum sampai"),
        ("agent", "Sari", "Halo Budi, <b>kami cek</b>"),
    ]


def test_another_site_cannot_use_the_chat_and_is_told_so(chat: Server) -> None:
    elsewhere = _client(chat, origin="https://phishing.example")

    answer = elsewhere.post("/session", json={"name": "Budi"})

    assert answer.status_code == 403
    assert "not available on this site" in answer.json()["detail"]
    assert answer.headers["access-control-allow-origin"] == "https://phishing.example"  # it can read why
    assert _chat_tickets(chat) == []


def test_a_page_of_the_shop_may_ask_before_it_sends(chat: Server) -> None:
    preflight = httpx.options(
        f"{chat.url}/public/v1/chat/web/messages",
        headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SHOP
    assert "Authorization" in preflight.headers["access-control-allow-headers"]


def test_a_bot_that_fills_the_hidden_field_gets_nothing_that_works(chat: Server) -> None:
    web = _client(chat)
    token = _session(web, company="Spam Inc")

    answer = web.post(
        "/messages", json={"body": "buy now", "client_id": "x"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert answer.status_code == 401
    assert _chat_tickets(chat) == []


def test_a_flood_is_slowed_in_words_and_what_came_before_stays(chat: Server) -> None:
    web = _client(chat)
    auth = {"Authorization": f"Bearer {_session(web)}"}
    answers = [
        web.post("/messages", json={"body": f"halo {n}", "client_id": f"c{n}"}, headers=auth)
        for n in range(12)
    ]

    refused = [a for a in answers if a.status_code == 429]
    assert refused, "twelve messages at once were all taken"
    assert "too fast; wait" in refused[0].json()["detail"]
    assert int(refused[0].headers["retry-after"]) >= 1
    taken = sum(a.status_code == 202 for a in answers)
    [ticket] = _chat_tickets(chat)
    shown = json.loads(chat.cli("ticket", "show", str(ticket["id"]), "--json"))
    assert len(shown["messages"]) == taken


def test_a_token_not_signed_by_the_chat_is_refused(chat: Server) -> None:
    web = _client(chat)
    token = _session(web)
    forged = token.split(".")[0] + ".AAAA"

    answer = web.post(
        "/messages", json={"body": "halo", "client_id": "1"}, headers={"Authorization": f"Bearer {forged}"}
    )

    assert answer.status_code == 401
    assert "start a new one" in answer.json()["detail"]


def test_a_file_reaches_the_ticket_and_only_its_visitor_can_fetch_it(chat: Server) -> None:
    web = _client(chat)
    token = _session(web)
    other = _session(web)
    auth = {"Authorization": f"Bearer {token}"}
    photo = b"\x89PNG\r\n\x1a\n a photo of the parcel"

    sent = web.post("/files", files={"file": ("paket.png", photo, "image/png")}, headers=auth)
    page = web.post("/files", files={"file": ("x.html", b"<script>", "text/html")}, headers=auth)

    assert sent.status_code == 202
    assert page.status_code == 415
    [ticket] = _chat_tickets(chat)
    shown = json.loads(chat.cli("ticket", "show", str(ticket["id"]), "--json"))
    [attachment] = shown["messages"][0]["attachments"]
    assert attachment["filename"] == "paket.png"
    mine = web.get(f"/files/{attachment['id']}?token={token}")
    assert mine.content == photo
    assert mine.headers["content-type"] == "application/octet-stream"
    assert web.get(f"/files/{attachment['id']}?token={other}").status_code == 404


def test_the_team_sees_over_the_server_when_the_visitor_types_and_when_they_leave(chat: Server) -> None:
    agent = httpx.Client(
        base_url=f"{chat.url}/api/v1",
        headers={"Authorization": f"Bearer {chat.token('Sari', 'sari@tokoku.example')}"},
    )
    web = _client(chat)
    auth = {"Authorization": f"Bearer {_session(web)}"}
    web.post("/messages", json={"body": "Halo", "client_id": "1"}, headers=auth)
    [ticket] = _chat_tickets(chat)
    number = str(ticket["id"])

    web.post("/typing", json={"typing": True}, headers=auth)
    typing = agent.get("/visitors", params={"ticket": number}).json()[number]
    web.post("/end", headers=auth)
    gone = agent.get("/visitors", params={"ticket": number}).json()[number]

    assert typing["typing_at"] is not None
    assert typing["left_at"] is None
    assert gone["left_at"] is not None
    assert gone["typing_at"] is None


def test_outside_business_hours_the_chat_says_when_the_shop_is_back(tmp_path: Path) -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%a").lower()
    server = Server(tmp_path)
    server.cli("channel", "add", "chat", "web", "--origin", SHOP, "--hours", f"{later} 09:00-17:00")
    server.cli("agent", "add", "Sari", "--email", "sari@tokoku.example")  # someone of the team was just here
    server.start()
    try:
        config = _client(server).get("/config").json()
    finally:
        server.kill()

    assert config["online"] is False
    assert config["away"].endswith(
        "We are back " + (datetime.now(UTC) + timedelta(days=3)).strftime("%A") + " at 09:00 (UTC)."
    )


def test_business_hours_that_cannot_be_read_are_refused_saying_how_to_write_them(tmp_path: Path) -> None:
    server = Server(tmp_path)
    with pytest.raises(subprocess.CalledProcessError) as refused:
        server.cli("channel", "add", "chat", "web", "--origin", SHOP, "--hours", "weekdays 9-5")

    assert "write days and hours as mon-fri 09:00-17:00" in refused.value.stderr

"""Web forms and the chat's away message and transcript against a real `cs-tui serve`,
with mail out to a real SMTP server: a post is a web ticket whose answer goes by
email, once however often it is sent; a bot, another site and a wrong field are told
so in words; the customer's text never becomes markup on our page; a visitor's
conversation reaches their mailbox once."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from ..mailserver import SmtpSink, signs_in, smtp_server
from .conftest import CS_TUI, Server

SHOP = "http://127.0.0.1:9900"
T = TypeVar("T")


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Server, SmtpSink]]:
    """`cs-tui serve` with a mailbox whose SMTP server is real (its IMAP server is not
    there, which only holds up mail in), a form and a chat on the shop's site."""
    with smtp_server(authenticator=signs_in("toko", "rahasia"), auth_require_tls=False) as (port, sink):
        server = Server(tmp_path)
        server.env["TOKO_PASSWORD"] = "rahasia"
        server.cli(
            "channel", "add", "email", "toko", "--address", "cs@tokoku.example",
            "--imap", "imap://toko@127.0.0.1:1/INBOX", "--smtp", f"smtp://toko@127.0.0.1:{port}",
            "--password-env", "TOKO_PASSWORD",
        )  # fmt: skip
        server.cli("channel", "add", "form", "contact", "--origin", SHOP)
        server.cli("channel", "add", "form", "refund", "--redirect", "https://tokoku.example/thanks")
        server.cli("channel", "add", "chat", "web", "--origin", SHOP)
        server.start()
        try:
            yield server, sink
        finally:
            server.kill()


def _form(server: Server) -> str:
    return f"{server.url}/public/v1/forms/contact"


def _tickets(server: Server, query: str = "status:new,open,pending,on_hold,solved") -> list[dict[str, Any]]:
    return list(json.loads(server.cli("ticket", "list", "--json", "--query", query)))


def _show(server: Server, ticket_id: object) -> dict[str, Any]:
    return dict(json.loads(server.cli("ticket", "show", str(ticket_id), "--json")))


def _eventually(look: Callable[[], T | None], what: str, within_s: float = 20) -> T:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = look()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {within_s} s")  # pragma: no cover


def _mails(sink: SmtpSink, to: str) -> list[EmailMessage]:
    return [
        message_from_bytes(each.original_content or b"", policy=policy.default)
        for each in sink.received
        if to in each.rcpt_tos
    ]


def _reply(server: Server, ticket_id: object, body: str) -> None:
    server.cli("agent", "add", "Sari", "--email", "sari@tokoku.example")
    server.cli("ticket", "reply", str(ticket_id), "--body", body, "--agent", "sari")


def test_a_form_post_is_a_web_ticket_with_its_file_and_its_answer_goes_by_email(
    shop: tuple[Server, SmtpSink],
) -> None:
    server, sink = shop
    receipt = b"%PDF-1.4 the receipt"

    answer = httpx.post(
        _form(server),
        data={"name": "Budi", "email": "Budi@Example.com", "subject": "Refund", "message": "Paket rusak."},
        files=[
            ("files", ("struk.pdf", receipt, "application/pdf")),
            ("files", ("", b"", "application/octet-stream")),
        ],
        headers={"Origin": SHOP},
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "budi@example.com" in answer.text
    [ticket] = _tickets(server)
    assert (ticket["channel"], ticket["subject"]) == ("web", "Refund")
    assert ticket["customer"] == {"name": "Budi", "email": "budi@example.com"}
    [message] = _show(server, ticket["id"])["messages"]
    assert message["body"] == "Paket rusak."
    assert [(f["filename"], f["size"]) for f in message["attachments"]] == [("struk.pdf", len(receipt))]

    _reply(server, ticket["id"], "Kami kirim gantinya besok.")

    [mail] = _eventually(lambda: _mails(sink, "budi@example.com"), "reply by mail")
    assert mail["From"].addresses[0].addr_spec == "cs@tokoku.example"
    assert f"[#{ticket['id']}]" in mail["Subject"]
    assert "Kami kirim gantinya besok." in mail.get_content()


def test_a_script_posts_json_and_is_answered_in_json(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop

    answer = httpx.post(
        _form(server),
        json={"name": "Ani", "email": "ani@example.com", "message": "Halo"},
        headers={"Origin": SHOP},
    )

    assert answer.status_code == 201
    assert answer.json() == {"ok": True, "message": "Thanks, we will answer by email at ani@example.com."}
    assert answer.headers["access-control-allow-origin"] == SHOP
    [ticket] = _tickets(server)
    assert (ticket["channel"], ticket["subject"]) == ("web", "Halo")


def test_a_missing_email_is_named_and_nothing_is_stored(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop

    by_script = httpx.post(_form(server), json={"name": "Ani", "message": "Halo"})
    by_browser = httpx.post(_form(server), data={"name": "Ani", "message": "Halo"})
    too_long = httpx.post(_form(server), json={"email": "ani@example.com", "message": "x" * 20_001})

    assert by_script.status_code == 422
    assert by_script.headers["content-type"] == "application/problem+json"
    assert by_script.json()["field"] == "email"
    assert "email address" in by_script.json()["detail"]
    assert by_browser.status_code == 422
    assert by_browser.headers["content-type"].startswith("text/plain")
    assert "Email: Give your email address" in by_browser.text
    assert too_long.status_code == 422
    assert too_long.json()["field"] == "message"
    assert "20,000 characters" in too_long.json()["detail"]
    assert _tickets(server) == []


def test_a_bot_that_fills_the_hidden_field_is_thanked_and_nothing_is_stored(
    shop: tuple[Server, SmtpSink],
) -> None:
    server, _ = shop

    answer = httpx.post(
        _form(server),
        data={"name": "Bot", "email": "bot@example.com", "message": "Buy now", "company": "Spam Inc"},
    )

    assert answer.status_code == 200
    assert "Thank you" in answer.text
    assert _tickets(server) == []


def test_a_browser_goes_on_to_the_shops_own_page_when_the_form_says_so(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop

    answer = httpx.post(
        f"{server.url}/public/v1/forms/refund", data={"email": "ani@example.com", "message": "Order 1042"}
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "https://tokoku.example/thanks"
    [ticket] = _tickets(server)
    assert ticket["subject"] == "Order 1042"


def test_another_site_is_refused_and_a_post_naming_no_site_is_taken(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop
    post = {"email": "ani@example.com", "message": "Halo"}

    elsewhere = httpx.post(_form(server), data=post, headers={"Origin": "https://phishing.example"})
    plain = httpx.post(_form(server), data=post)

    assert elsewhere.status_code == 403
    assert "does not take messages from this site" in elsewhere.text
    assert plain.status_code == 200
    assert len(_tickets(server)) == 1


def test_the_same_post_sent_twice_is_one_ticket(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop
    post = {"name": "Ani", "email": "ani@example.com", "message": "Pesanan 1042 belum sampai"}

    answers = [httpx.post(_form(server), data=post) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    [ticket] = _tickets(server)
    assert len(_show(server, ticket["id"])["messages"]) == 1


def test_the_customers_name_never_becomes_markup_on_our_page(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop

    answer = httpx.post(
        _form(server),
        data={"name": "<script>alert(1)</script>", "email": "ani@example.com", "message": "<b>hi"},
    )

    assert answer.status_code == 200
    assert "<script>" not in answer.text
    assert "<b>" not in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    [ticket] = _tickets(server)
    assert ticket["customer"]["name"] == "<script>alert(1)</script>"  # kept as text


def test_a_flood_of_posts_is_slowed_in_words(shop: tuple[Server, SmtpSink]) -> None:
    server, _ = shop

    answers = [
        httpx.post(_form(server), json={"email": "ani@example.com", "message": f"halo {n}"}) for n in range(7)
    ]

    refused = [a for a in answers if a.status_code == 429]
    assert refused
    assert "too fast; wait" in refused[0].json()["detail"]
    assert int(refused[0].headers["retry-after"]) >= 1


def test_a_message_left_while_nobody_is_there_is_answered_by_email(shop: tuple[Server, SmtpSink]) -> None:
    server, sink = shop
    web = httpx.Client(base_url=f"{server.url}/public/v1/chat/web", headers={"Origin": SHOP}, timeout=10)

    left = web.post(
        "/offline", json={"name": "Cici", "email": "cici@example.com", "message": "Buka jam berapa?"}
    )
    bot = web.post("/offline", json={"email": "bot@example.com", "message": "spam", "company": "x"})
    elsewhere = httpx.post(
        f"{server.url}/public/v1/chat/web/offline",
        json={"email": "cici@example.com", "message": "Halo"},
        headers={"Origin": "https://phishing.example"},
    )

    assert (left.status_code, left.json()) == (202, {"ok": True})
    assert bot.status_code == 202
    assert elsewhere.status_code == 403
    [ticket] = _tickets(server)
    assert ticket["customer"] == {"name": "Cici", "email": "cici@example.com"}
    assert ticket["channel"] == "chat"

    _reply(server, ticket["id"], "Jam 9 sampai 17.")

    [mail] = _eventually(lambda: _mails(sink, "cici@example.com"), "answer by mail")
    assert "Jam 9 sampai 17." in mail.get_content()


def test_a_transcript_reaches_the_visitors_mailbox_once(shop: tuple[Server, SmtpSink]) -> None:
    server, sink = shop
    web = httpx.Client(base_url=f"{server.url}/public/v1/chat/web", headers={"Origin": SHOP}, timeout=10)
    token = web.post("/session", json={"name": "Dodi"}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    web.post("/messages", json={"body": "Ukuran XL masih ada?", "client_id": "m1"}, headers=auth)
    [ticket] = _tickets(server)
    _reply(server, ticket["id"], "Masih, kak.")
    _eventually(
        lambda: _show(server, ticket["id"])["messages"][-1]["delivery"]["state"] == "sent",
        "reply in the chat",
    )
    server.cli(
        "ticket", "reply", str(ticket["id"]), "--body", "a note for the team", "--internal", "--agent", "sari"
    )

    asked = [web.post("/transcript", json={"email": "dodi@example.com"}, headers=auth) for _ in range(2)]
    wrong = web.post("/transcript", json={"email": "dodi"}, headers=auth)
    stranger = web.post("/transcript", json={"email": "dodi@example.com"})

    assert [a.status_code for a in asked] == [202, 202]
    assert (wrong.status_code, wrong.json()["field"]) == (422, "email")
    assert stranger.status_code == 401
    [mail] = _eventually(lambda: _mails(sink, "dodi@example.com"), "transcript by mail")
    text = mail.get_content().replace("\r\n", "\n")
    said = r"Dodi, [-\d]+ [:\d]+:\nUkuran XL masih ada\?\n\nSari, [-\d]+ [:\d]+:\nMasih, kak\.\n"
    assert re.search(said, text), text
    assert "a note for the team" not in text
    time.sleep(1)
    assert len(_mails(sink, "dodi@example.com")) == 1  # asked twice, sent once


def test_without_a_mailbox_a_form_cannot_be_set_up_and_a_chat_says_it_cannot_mail(tmp_path: Path) -> None:
    server = Server(tmp_path)
    refused = subprocess.run(
        [*CS_TUI, "channel", "add", "form", "contact"],
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "add one first" in refused.stderr
    server.cli("channel", "add", "chat", "web", "--origin", SHOP)
    server.start()
    try:
        web = httpx.Client(base_url=f"{server.url}/public/v1/chat/web", headers={"Origin": SHOP}, timeout=10)
        token = web.post("/session", json={"name": "Dodi"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        web.post("/messages", json={"body": "Halo", "client_id": "m1"}, headers=auth)

        transcript = web.post("/transcript", json={"email": "dodi@example.com"}, headers=auth)
        away = web.post("/offline", json={"email": "dodi@example.com", "message": "Halo"})

        assert transcript.status_code == away.status_code == 409
        assert "this shop has no mailbox to send it from" in transcript.json()["detail"]
    finally:
        server.kill()

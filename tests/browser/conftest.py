"""What the browser tests share: Debian's Chromium driven by Playwright, a real
`cs-tui serve` with a website chat set up on a demo shop's store, and the shop's own
page, on a port of its own, holding the widget's one tag."""

from __future__ import annotations

import importlib
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from ..server.conftest import Server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page  # type: ignore[import-not-found,unused-ignore]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHANNEL = "web"
AGENT = "sari@tokonusantara.example"
AGENT_NAME = "Sari Wulandari"
WAIT_S = 15.0
WAIT_MS = WAIT_S * 1000

SHOP_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Toko Nusantara</title>
<link rel="stylesheet" href="/shop.css"></head>
<body><h1>Toko Nusantara</h1><p>Batik, kopi dan teh.</p>
<script src="{widget}" async></script>
</body></html>
"""
SHOP_CSS = """/* a shop's careless CSS, which the widget must not suffer from */
button, div, textarea, input { display: none !important; color: red !important; font-size: 40px; }
"""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path, once Playwright can be imported; a skip that says what to install."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("the browser tests need Chromium: apt-get install chromium")
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError:
        pytest.skip(
            "the browser tests need Playwright's Python package: pip install playwright "
            "(it drives the Chromium installed by apt; it downloads no browser)"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    # The sync API keeps an event loop marked as running while it is open: it is
    # closed with the module, before any test of another module (an asyncio one) runs.
    sync_api = importlib.import_module("playwright.sync_api")
    sync_api.expect.set_options(timeout=WAIT_MS)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class ShopSite:
    """The shop's website: a page holding the widget's tag, served from its own origin."""

    def __init__(self) -> None:
        self.widget = ""
        """The widget's URL in the page's tag."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/shop.css":
                    self.answer(SHOP_CSS.encode(), "text/css")
                else:
                    self.answer(SHOP_PAGE.format(widget=site.widget).encode(), "text/html")

            def answer(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                # A careful shop's policy: its own files, and the chat's server for the chat.
                server = urlsplit(site.widget)
                chat = f"{server.scheme}://{server.netloc}"
                policy = f"default-src 'self'; script-src {chat}; connect-src {chat}; style-src 'self'"
                self.send_header("Content-Security-Policy", policy)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Helpdesk:
    """The shop's `cs-tui serve`, its agent Sari, and the shop's website."""

    server: Server
    shop: ShopSite
    agent_token: str

    @property
    def widget(self) -> str:
        return f"{self.server.url}/public/v1/chat/{CHANNEL}/widget.js"

    def at_work(self, ticket_id: int | None = None, activity: str = "viewing") -> None:
        """Sari's session says where she is (on a ticket, writing a reply), as her TUI does:
        with her about, the chat says it is answered now."""
        answer = httpx.put(
            f"{self.server.url}/api/v1/presence/sari-at-her-desk",
            json={"ticket_id": ticket_id, "activity": activity},
            headers={"Authorization": f"Bearer {self.agent_token}"},
            timeout=10,
        )
        answer.raise_for_status()

    def chat_tickets(self) -> list[dict[str, Any]]:
        """The tickets of the website chat (not the demo's own chat tickets, which came
        through no channel), as an agent's API call lists them."""
        answer = httpx.get(
            f"{self.server.url}/api/v1/tickets",
            params={"q": "channel:chat", "limit": 50},
            headers={"Authorization": f"Bearer {self.agent_token}"},
            timeout=10,
        )
        answer.raise_for_status()
        return [ticket for ticket in answer.json()["tickets"] if ticket["channel_name"] == CHANNEL]

    def messages(self, ticket_id: int) -> list[dict[str, Any]]:
        answer = httpx.get(
            f"{self.server.url}/api/v1/tickets/{ticket_id}/messages",
            headers={"Authorization": f"Bearer {self.agent_token}"},
            timeout=10,
        )
        answer.raise_for_status()
        return list(answer.json()["messages"])

    def reply(self, ticket_id: int, body: str) -> None:
        """Sari replies, as `cs-tui ticket reply` does, on the store itself."""
        self.server.cli("ticket", "reply", str(ticket_id), "--body", body, "--agent", AGENT, "--json")


def until(condition: Callable[[], Any], within: float = WAIT_S) -> Any:
    """`condition()`'s first true answer, waited for as a person would wait."""
    deadline = time.monotonic() + within
    while True:
        answer = condition()
        if answer:
            return answer
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.2)


@pytest.fixture
def helpdesk(tmp_path: Path) -> Iterator[Helpdesk]:
    shop = ShopSite()
    server = Server(tmp_path)
    try:
        server.cli("demo", "--no-open", "--tickets", "10")
        token = server.cli("agent", "token", AGENT).strip()  # the demo shop has her
        server.cli("channel", "add", "chat", CHANNEL, "--origin", shop.url, "--title", "Toko Nusantara")
        # The mailbox that mails transcripts; no mail server is asked in these tests.
        server.cli(
            *("channel", "add", "email", "toko", "--address", "cs@tokonusantara.example"),
            *("--imap", "imap://cs@127.0.0.1:9/INBOX", "--smtp", "smtp://cs@127.0.0.1:9"),
            *("--password-env", "TOKO_MAIL"),
        )
        helpdesk = Helpdesk(server, shop, token)
        shop.widget = helpdesk.widget
        server.start()
        helpdesk.at_work()
        yield helpdesk
    finally:
        server.kill()
        shop.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert not problems, f"the widget threw: {json.dumps(problems)}"


def visible(locator: Locator) -> Locator:
    """Only what is shown: the widget keeps its other forms in the page, hidden."""
    return locator.filter(visible=True)

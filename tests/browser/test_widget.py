"""The website chat as a shop's visitor and its agent notice it: a visitor chats from
the shop's page and the agent's reply comes back under her name; a reload or a
restarted server loses and doubles nothing; files go with their checks said in words;
the conversation by email, the end of a chat, a wait when writing too fast; a site
the chat does not allow gets no chat; what anyone writes is shown as text; the widget
stays small."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

import cs_tui.channels.chat

from .conftest import AGENT_NAME, Helpdesk, ShopSite, until, visible

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Locator, Page  # type: ignore[import-not-found,unused-ignore]

WIDGET = Path(cs_tui.channels.chat.__file__).with_name("widget.js")
FIRST = "Halo, paket saya belum sampai"
ANSWER = "Halo Budi, paketnya sedang kami cek."


def expect(target: Locator | Page) -> Any:
    """Playwright's expect, imported once the browser fixture has found it."""
    from playwright.sync_api import expect as playwright_expect  # type: ignore[import-not-found,unused-ignore]

    return playwright_expect(target)


def start_chat(page: Page, helpdesk: Helpdesk) -> Locator:
    """Budi opens the shop's page, opens the chat and fills the form; the conversation."""
    page.goto(helpdesk.shop.url)
    page.get_by_role("button", name="Chat with us").click()
    name = visible(page.get_by_label("Your name"))
    expect(name).to_be_focused()
    name.fill("Budi Santoso")
    visible(page.get_by_label("Email")).fill("budi@example.com")
    page.get_by_role("button", name="Start chat").click()
    return page.get_by_role("log")


def write(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Write a message")
    box.fill(text)
    box.press("Enter")


def once(log: Locator, text: str) -> None:
    """`text` is in the conversation exactly once."""
    expect(log.get_by_text(text, exact=True)).to_have_count(1)


def chat_ticket(helpdesk: Helpdesk, text: str) -> dict[str, Any]:
    """The chat's ticket holding `text`, once the store has it."""

    def found() -> dict[str, Any] | None:
        for ticket in helpdesk.chat_tickets():
            if any(m["body"] == text for m in helpdesk.messages(int(ticket["id"]))):
                return ticket
        return None

    ticket: dict[str, Any] = until(found)
    return ticket


@pytest.mark.slow
def test_a_visitor_chats_and_the_agent_answers_under_her_name(page: Page, helpdesk: Helpdesk) -> None:
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    log = start_chat(page, helpdesk)
    box = page.get_by_role("textbox", name="Write a message")
    expect(box).to_be_focused()
    write(page, FIRST)
    once(log, FIRST)
    expect(box).to_have_value("")

    ticket = chat_ticket(helpdesk, FIRST)
    assert ticket["channel"] == "chat"
    helpdesk.at_work(ticket["id"], "replying")
    expect(page.get_by_text(f"{AGENT_NAME} is typing…")).to_be_visible()
    helpdesk.reply(ticket["id"], ANSWER)
    once(log, ANSWER)
    expect(page.get_by_text(f"{AGENT_NAME} is typing…")).to_be_hidden()
    reply = log.locator("[data-id]", has_text=ANSWER)
    expect(reply).to_contain_text(AGENT_NAME)
    mine = log.locator("[data-id]", has_text=FIRST)
    expect(mine).not_to_contain_text(AGENT_NAME)
    colour = "el => getComputedStyle(el.querySelector('.b')).backgroundColor"
    assert mine.evaluate(colour) != reply.evaluate(colour), "the visitor's and the agent's look alike"

    page.keyboard.press("Escape")
    expect(log).to_be_hidden()
    launcher = page.get_by_role("button", name="Chat with us")
    expect(launcher).to_be_focused()
    helpdesk.reply(ticket["id"], "Ada lagi yang bisa kami bantu?")
    expect(launcher).to_have_text("1", use_inner_text=True)  # unread, on the closed chat's button
    launcher.click()
    once(log, "Ada lagi yang bisa kami bantu?")
    expect(launcher).to_have_text("", use_inner_text=True)
    sites = {helpdesk.shop.url, helpdesk.server.url}
    assert {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in asked} <= sites


@pytest.mark.slow
def test_a_reload_keeps_the_conversation_each_message_once(page: Page, helpdesk: Helpdesk) -> None:
    log = start_chat(page, helpdesk)
    write(page, FIRST)
    ticket = chat_ticket(helpdesk, FIRST)
    helpdesk.reply(ticket["id"], ANSWER)
    once(log, ANSWER)

    page.reload()
    expect(log).to_be_visible()  # the chat stays open from page to page of the shop
    once(log, ANSWER)
    once(log, FIRST)
    expect(visible(page.get_by_label("Your name"))).to_have_count(0)
    write(page, "Masih di sini")
    once(log, "Masih di sini")
    once(log, FIRST)


@pytest.mark.slow
def test_a_restarted_server_loses_and_doubles_nothing(page: Page, helpdesk: Helpdesk) -> None:
    log = start_chat(page, helpdesk)
    write(page, FIRST)
    ticket_id = chat_ticket(helpdesk, FIRST)["id"]

    helpdesk.server.stop()
    expect(page.get_by_text("reconnecting…")).to_be_visible()
    helpdesk.reply(ticket_id, "Kami sudah cek: paketnya tiba besok.")
    helpdesk.server.start()
    expect(page.get_by_text("reconnecting…")).to_be_hidden()
    once(log, "Kami sudah cek: paketnya tiba besok.")
    once(log, FIRST)

    write(page, "Terima kasih!")
    once(log, "Terima kasih!")
    until(lambda: any(m["body"] == "Terima kasih!" for m in helpdesk.messages(ticket_id)))
    page.wait_for_timeout(1000)  # a second copy would come by now
    bodies = [m["body"] for m in helpdesk.messages(ticket_id)]
    assert bodies.count("Terima kasih!") == 1
    assert bodies.count(FIRST) == 1
    once(log, "Terima kasih!")


@pytest.mark.slow
def test_a_visitor_sends_a_photo_and_is_told_which_files_cannot_go(page: Page, helpdesk: Helpdesk) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    log = start_chat(page, helpdesk)
    write(page, FIRST)
    ticket_id = chat_ticket(helpdesk, FIRST)["id"]

    def attach(name: str, kind: str, data: bytes) -> None:
        with page.expect_file_chooser() as choosing:
            page.get_by_role("button", name="Attach a file").click()
        payload: FilePayload = {"name": name, "mimeType": kind, "buffer": data}
        choosing.value.set_files(files=[payload])

    attach("hadiah.exe", "application/x-msdownload", b"MZ" * 100)
    expect(page.get_by_role("alert")).to_contain_text("“hadiah.exe” cannot be sent")
    attach("resi.png", "image/png", photo)
    link = log.get_by_role("link", name="resi.png")
    expect(link).to_be_visible()
    expect(log).to_contain_text("resi.png (1 KB)")
    expect(log.get_by_text("sending…")).to_have_count(0)
    assert link.get_attribute("download") is not None
    fetched = httpx.get(str(link.get_attribute("href")), timeout=10)
    assert (fetched.status_code, fetched.content) == (200, photo)
    assert fetched.headers["content-disposition"].startswith("attachment")
    names = [a["filename"] for m in helpdesk.messages(ticket_id) for a in m.get("attachments", [])]
    assert names == ["resi.png"]


@pytest.mark.slow
def test_the_visitor_asks_for_the_conversation_by_email_and_ends_the_chat(
    page: Page, helpdesk: Helpdesk
) -> None:
    log = start_chat(page, helpdesk)
    write(page, FIRST)
    ticket_id = chat_ticket(helpdesk, FIRST)["id"]

    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Email me this conversation").click()
    address = page.get_by_role("textbox", name="Your email")
    expect(address).to_have_value("budi@example.com")
    address.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("We will email this conversation to budi@example.com.")

    def transcripts() -> list[dict[str, Any]]:
        return [m for m in helpdesk.messages(ticket_id) if m["author_kind"] == "system"]

    assert FIRST in until(transcripts)[0]["body"]

    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="End chat").click()
    expect(page.get_by_text("This chat has ended")).to_be_visible()
    expect(page.get_by_role("textbox", name="Write a message")).to_be_hidden()
    page.reload()
    expect(page.get_by_text("This chat has ended")).to_be_visible()
    once(log, FIRST)
    page.get_by_role("button", name="Start a new chat").click()
    expect(visible(page.get_by_label("Your name"))).to_be_focused()
    expect(log).to_be_hidden()
    page.reload()  # the old chat is forgotten: a new one starts with the form
    expect(visible(page.get_by_label("Your name"))).to_be_visible()
    expect(log).to_be_hidden()


@pytest.mark.slow
def test_a_visitor_writing_too_fast_waits_and_keeps_the_text(page: Page, helpdesk: Helpdesk) -> None:
    log = start_chat(page, helpdesk)
    box = page.get_by_role("textbox", name="Write a message")
    send = page.get_by_role("button", name="Send", exact=True)
    said = [f"Pesan ke-{n}" for n in range(1, 31)]
    for text in said:
        write(page, text)
        expect(log.get_by_text("sending…")).to_have_count(0)  # as a person waits to see it go
        if box.input_value():  # refused: the words stay in the box
            break
    expect(page.get_by_role("alert")).to_contain_text("too fast; wait")
    expect(box).to_have_value(text)
    expect(send).to_be_disabled()
    expect(send).to_be_enabled()
    expect(page.get_by_role("alert")).to_be_hidden()
    box.press("Enter")
    for each in said[: said.index(text) + 1]:
        once(log, each)
    ticket_id = chat_ticket(helpdesk, text)["id"]
    bodies = [m["body"] for m in helpdesk.messages(ticket_id)]
    assert bodies == said[: said.index(text) + 1]


@pytest.mark.slow
def test_a_site_the_chat_does_not_allow_gets_no_chat(page: Page, helpdesk: Helpdesk) -> None:
    elsewhere = ShopSite()
    try:
        elsewhere.widget = helpdesk.widget
        page.goto(elsewhere.url)
        page.get_by_role("button", name="Chat with us").click()
        expect(page.get_by_text("Chat is not available here.")).to_be_visible()
        expect(visible(page.get_by_label("Your name"))).to_have_count(0)
        expect(page.get_by_role("textbox", name="Write a message")).to_be_hidden()
    finally:
        elsewhere.close()
    assert helpdesk.chat_tickets() == []


@pytest.mark.slow
def test_what_anyone_writes_is_shown_as_text(page: Page, helpdesk: Helpdesk) -> None:
    hostile = '<img src=x onerror="window.pwned=1">'
    log = start_chat(page, helpdesk)
    write(page, "<b>tolong</b> " + hostile)
    once(log, "<b>tolong</b> " + hostile)
    ticket = chat_ticket(helpdesk, "<b>tolong</b> " + hostile)
    helpdesk.reply(ticket["id"], hostile)
    once(log, hostile)
    page.wait_for_timeout(500)  # an image that failed would have run its handler by now
    assert page.evaluate("typeof window.pwned") == "undefined"
    expect(page.locator("cs-tui-chat img, cs-tui-chat b")).to_have_count(0)


def test_the_widget_is_small() -> None:
    script = WIDGET.read_bytes()
    zipped = len(gzip.compress(script, compresslevel=9))
    assert zipped < 15 * 1024, f"widget.js is {zipped:,} bytes gzipped; the budget is 15 KB"
    assert not re.search(rb"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)

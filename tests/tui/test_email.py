"""Email in the TUI, as the agent sees it: how a ticket came in and who is copied,
where a reply goes, each reply's way out (failed and bounced in the error colour),
the files a mail came with and saving them, a mail's quoted history folded, the mail
a mailbox could not read, and the mailboxes worked by the TUI itself."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import stat
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from rich.color import Color
from textual.pilot import Pilot
from textual.widgets import Input, Static

from cs_tui.channels.email.settings import MailboxSettings
from cs_tui.channels.runner import ChannelStatus
from cs_tui.domain.channels import DeliveryState, Inbound, InboundFile
from cs_tui.domain.models import Channel, DraftKind, NewMessage, NewTicket, Status, TicketChanges
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import NotFound, Store
from cs_tui.store.sqlite import SqliteStore
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.screens.attachments import AttachmentPicker, SaveAsScreen
from cs_tui.tui.screens.reader import Reader
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.full_text import FullText
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, screen_text, settled, shown, until

MAILBOX = "toko"


@pytest.fixture
async def mailbox(store: Store) -> SqliteStore:
    """The demo shop with a mailbox, worked by another process (as `cs-tui serve` would
    work it): the TUI's own channel runner waits, and nothing here is sent."""
    sqlite = cast(SqliteStore, store)
    await sqlite.add_channel(MAILBOX, "email", {"address": "cs@tokoku.example"})
    assert await sqlite.take_lease(MAILBOX, "cs-tui serve (the test's)", 600)
    return sqlite


def mail(text: str = "Paket saya belum sampai.", *, sender: str = "budi@example.com", **more: Any) -> Inbound:
    message_id = more.pop("message_id", f"{uuid.uuid4()}@mail.example.com")
    raw = f"Message-ID: <{message_id}>\r\nSubject: Pesanan\r\n\r\n{text}".encode()
    return Inbound(
        external_id=message_id,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender=sender,
        sender_name="Budi Santoso",
        subject=more.pop("subject", "Pesanan belum sampai"),
        body=text,
        raw=raw,
        **more,
    )


async def reply(store: SqliteStore, ticket_id: int, body: str) -> int:
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    message = await store.add_message(ticket_id, NewMessage(str(uuid.uuid4()), body), actor_id=agent.id)
    return message.id


async def open_ticket(pilot: Pilot[None], ticket_id: int) -> None:
    """Open a ticket of the All open view."""
    await pilot.press("3")
    await settled(pilot)
    queue = pilot.app.screen.query_one(QueueTable)
    queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == ticket_id)
    await pilot.press("enter")
    await settled(pilot)
    assert main_screen(pilot.app).ticket_pane.ticket is not None


def shown_rows(pilot: Pilot[None]) -> list[str]:
    """The rows of text in the panes, without their borders and the messages' edges."""
    return [
        part.strip(" ▌") for line in screen_text(pilot.app).splitlines() for part in line.split("│") if part
    ]


def row_with(pilot: Pilot[None], words: str) -> tuple[int, int]:
    """Where on the screen `words` are: column and row."""
    for y, line in enumerate(screen_text(pilot.app).splitlines()):
        if words in line:
            return line.index(words), y
    raise AssertionError(f"{words!r} is not on the screen")


async def test_the_header_says_how_a_ticket_came_in_who_is_copied_and_what_it_follows_up(
    make_app: AppFactory, mailbox: SqliteStore
) -> None:
    first = await mailbox.take_in(MAILBOX, mail(cc=("ani@example.com",)), cursor=None)
    ours = await reply(mailbox, first.ticket_id, "Sudah kami kirim.")
    assert await mailbox.begin_delivery(ours, "cs-tui.1@tokoku.example")
    await mailbox.finish_delivery(ours, DeliveryState.SENT)
    ticket = await mailbox.get_ticket(first.ticket_id)
    await mailbox.update_ticket(
        ticket.id, TicketChanges(status=Status.CLOSED), expected_version=ticket.version, actor_id=None
    )
    answer = mail("Belum sampai juga.", in_reply_to=("cs-tui.1@tokoku.example",), cc=("dewi@example.com",))
    later = await mailbox.take_in(MAILBOX, answer, cursor=None)
    assert later.linked_to == first.ticket_id
    phoned = await mailbox.create_ticket(
        NewTicket("Tanya ongkir", "dewi@example.com", "Berapa ongkirnya?", channel=Channel.WHATSAPP),
        actor_id=None,
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        header = main_screen(app).ticket_pane.header
        await open_ticket(pilot, later.ticket_id)
        assert "email · toko" in shown(header)
        assert f"follows up #{first.ticket_id}" in shown(header)
        assert "cc dewi@example.com" in shown(header)
        await pilot.press("escape")
        await open_ticket(pilot, phoned.id)
        assert "whatsapp" in shown(header)
        assert "email" not in shown(header)
        assert "follows up" not in shown(header)
        assert "cc " not in shown(header)


async def test_the_composer_says_where_a_reply_goes_and_how(
    make_app: AppFactory, mailbox: SqliteStore
) -> None:
    by_mail = await mailbox.take_in(MAILBOX, mail(cc=("ani@example.com",)), cursor=None)
    chat = await mailbox.create_ticket(
        NewTicket(
            "Tanya ongkir", "dewi@example.com", "Halo?", customer_name="Dewi", channel=Channel.WHATSAPP
        ),
        actor_id=None,
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        composer = app.screen.query_one(Composer)
        title = composer.query_one("#composer-title")
        await open_ticket(pilot, by_mail.ticket_id)
        await pilot.press("r")
        await until(pilot, lambda: composer.is_open)
        assert shown(title) == "Reply to Budi Santoso <budi@example.com> by email, cc ani@example.com"
        await pilot.press("escape", "n")
        await until(pilot, lambda: composer.kind is DraftKind.NOTE)
        assert shown(title) == "Internal note — only agents see this"
        await pilot.press("escape", "escape")
        await open_ticket(pilot, chat.id)
        await pilot.press("r")
        await until(pilot, lambda: composer.is_open and composer.ticket_id == chat.id)
        # Two rows at most, whatever the width: the text area keeps its rows.
        said = " ".join(shown(title).split())
        assert said.startswith("Reply to Dewi <dewi@example.com> · stays in cs-tui: this ticket did not")
        assert "by email" not in said
        assert "Reply to Dewi <dewi@example.com> · stays in" in screen_text(app)  # in sight at 100 columns
        await pilot.resize_terminal(200, 40)
        await until(pilot, lambda: "did not come in through a mailbox" in shown(title))


async def test_the_reply_title_shows_a_customers_name_as_written_never_as_markup(
    make_app: AppFactory, mailbox: SqliteStore
) -> None:
    hostile = replace(mail(), sender_name="[@click=app.quit]Mal[/] [b]x[/b]")
    taken = await mailbox.take_in(MAILBOX, hostile, cursor=None)
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await open_ticket(pilot, taken.ticket_id)
        await pilot.press("r")
        composer = app.screen.query_one(Composer)
        await until(pilot, lambda: composer.is_open)
        title = composer.query_one("#composer-title", Static)
        assert shown(title) == "Reply to [@click=app.quit]Mal[/] [b]x[/b] <budi@example.com> by email"
        spans = cast(Any, title).visual.spans
        assert not [span for span in spans if "click" in str(span.style) or "bold" in str(span.style)]


async def test_each_reply_shows_its_way_out_and_failed_or_bounced_ones_stand_out(
    make_app: AppFactory, mailbox: SqliteStore, other_store: Store
) -> None:
    taken = await mailbox.take_in(MAILBOX, mail(), cursor=None)
    ticket_id = taken.ticket_id
    queued, sending, sent, waiting, bounced, failing = [
        await reply(mailbox, ticket_id, body) for body in ("satu", "dua", "tiga", "empat", "lima", "enam")
    ]
    for message_id in (sending, sent, waiting, bounced, failing):
        assert await mailbox.begin_delivery(message_id, f"cs-tui.{message_id}@tokoku.example")
    await mailbox.finish_delivery(sent, DeliveryState.SENT)
    await mailbox.finish_delivery(
        waiting,
        DeliveryState.QUEUED,
        reason="the server did not answer; trying again at 14:05",
        retry_at=utcnow() + timedelta(minutes=2),
    )
    await mailbox.finish_delivery(
        bounced, DeliveryState.BOUNCED, reason="budi@example.com: the address does not exist (5.1.1)"
    )
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await open_ticket(pilot, ticket_id)
        rows = shown_rows(pilot)
        assert rows.count("… queued") == 1  # queued, not tried yet
        assert rows.count("… sending") == 2
        assert "✓ sent" in rows
        assert "… queued: the server did not answer; trying again at 14:05" in rows
        assert "✗ bounced: budi@example.com: the address does not exist (5.1.1)" in rows
        assert not [row for row in rows if row.startswith("✗ failed")]
        assert queued
        # Another process gives up on a reply: the open ticket shows it at once.
        await cast(SqliteStore, other_store).finish_delivery(
            failing, DeliveryState.FAILED, reason="the server refused budi@example.com (550 no such user)"
        )
        await until(pilot, lambda: "✗ failed: the server refused budi@example.com" in screen_text(app))
        error = Color.parse(app.theme_variables["error"])
        for words in ("✗ failed", "✗ bounced"):
            x, y = row_with(pilot, words)
            assert app.screen.get_style_at(x + 2, y).color == error
        x, y = row_with(pilot, "✓ sent")
        assert app.screen.get_style_at(x + 2, y).color != error


async def test_files_are_listed_under_their_message_and_saved_where_the_agent_says(
    make_app: AppFactory, mailbox: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    downloads = tmp_path / "home" / "Downloads"
    downloads.mkdir(parents=True)
    photo = InboundFile("paket.jpg", "image/jpeg", b"\xff\xd8 a photo")
    script = InboundFile("../../.bashrc [bold]x[/]", "text/x-shellscript", b"rm -rf ~\n")
    taken = await mailbox.take_in(MAILBOX, mail(files=(photo, script)), cursor=None)
    app = make_app()
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await open_ticket(pilot, taken.ticket_id)
        rows = shown_rows(pilot)
        assert "attached: paket.jpg · 10 bytes · image/jpeg" in rows
        assert "attached: ../../.bashrc [bold]x[/] · 9 bytes · text/x-shellscript · press d" in rows
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("down", "enter")  # the second file
        await until(pilot, lambda: isinstance(app.screen, SaveAsScreen))
        assert app.screen.query_one("#save-path", Input).value == "~/Downloads/_.._.bashrc [bold]x[_]"
        await pilot.press("enter")
        saved = downloads / "_.._.bashrc [bold]x[_]"
        await until(pilot, lambda: saved.exists())
        assert saved.read_bytes() == b"rm -rf ~\n"
        assert not saved.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)  # never runnable
        await until(pilot, lambda: any("saved to ~/Downloads/_.._.bashrc" in n for n in notices(app)))

        # Saving again where a file is: nothing is replaced, and the agent is told.
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AttachmentPicker))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SaveAsScreen))
        screen = app.screen
        screen.query_one("#save-path", Input).value = str(saved)
        await pilot.press("enter")
        await until(pilot, lambda: "is there already" in shown(screen.query_one("#save-error")))
        assert saved.read_bytes() == b"rm -rf ~\n"
        screen.query_one("#save-path", Input).value = str(downloads)
        await pilot.press("enter")  # a folder takes the file's own name
        await until(pilot, lambda: (downloads / "paket.jpg").exists())
        assert (downloads / "paket.jpg").read_bytes() == photo.data


async def test_a_file_the_store_cannot_give_is_said_in_words_and_nothing_is_written(
    make_app: AppFactory,
    mailbox: SqliteStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)  # with no ~/Downloads, the current folder is offered
    photo = InboundFile("paket.jpg", "image/jpeg", b"\xff\xd8 a photo")
    taken = await mailbox.take_in(MAILBOX, mail(files=(photo,)), cursor=None)

    async def keeps_none(attachment_id: int) -> object:  # as a team server whose store keeps none
        raise NotFound("this server's store keeps no attachments")

    monkeypatch.setattr(mailbox, "attachment", keeps_none)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_ticket(pilot, taken.ticket_id)
        await pilot.press("d")  # one file: no picker, straight to where
        await until(pilot, lambda: isinstance(app.screen, SaveAsScreen))
        await pilot.press("enter")
        await until(pilot, lambda: any("keeps no attachments" in n for n in notices(app)))
        assert any("could not give paket.jpg (10 bytes, image/jpeg)" in n for n in notices(app))
        assert not (tmp_path / "paket.jpg").exists()


async def test_a_mails_quoted_history_is_one_line_and_f_shows_it_all(
    make_app: AppFactory, mailbox: SqliteStore
) -> None:
    quoted = "Pada 20 Nov 2026 Toko Nusantara menulis:\n" + "\n".join(f"> baris {n}" for n in range(1, 12))
    taken = await mailbox.take_in(MAILBOX, mail("Masih belum sampai, Kak.", quoted=quoted), cursor=None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, taken.ticket_id)
        rows = shown_rows(pilot)
        assert "Masih belum sampai, Kak." in rows
        assert "… quoted text hidden (12 lines) · f: show all" in rows
        assert not [row for row in rows if "baris" in row or "menulis" in row]
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, Reader))
        full = app.screen.query_one(FullText)
        await until(pilot, lambda: full.laid_out)
        whole = "\n".join(full.rows)
        assert "Masih belum sampai, Kak." in whole
        assert "Pada 20 Nov 2026 Toko Nusantara menulis:" in whole
        assert "> baris 11" in whole


async def test_the_sidebar_says_when_mail_could_not_be_read(
    make_app: AppFactory, mailbox: SqliteStore, other_store: Store
) -> None:
    await mailbox.quarantine(MAILBOX, b"\xff\xfe not a mail", "it could not be read: no headers", cursor=None)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot)
        line = app.screen.query_one("#quarantine")
        assert shown(line) == "1 mail could not be read · cs-tui quarantine list"
        assert "1 mail could not be read" in screen_text(app)  # at the top of the sidebar, in sight
        await cast(SqliteStore, other_store).quarantine(MAILBOX, b"\x00", "no headers", cursor=None)
        await until(pilot, lambda: "2 mails could not be read" in shown(line))


async def test_without_quarantined_mail_the_sidebar_says_nothing_of_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot)
        assert not app.screen.query_one("#quarantine").display
        assert "could not be read" not in screen_text(app)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def unreachable_mailbox(store: Store, monkeypatch: pytest.MonkeyPatch) -> SqliteStore:
    """A mailbox whose IMAP and SMTP servers are not there (nothing listens on the port)."""
    monkeypatch.setenv("CS_TUI_TEST_MAIL_PASSWORD", "rahasia")
    port = closed_port()
    settings = MailboxSettings.parse(
        address="cs@tokoku.example",
        imap=f"imap://toko@127.0.0.1:{port}/INBOX",
        smtp=f"smtp://toko@127.0.0.1:{port}",
        password_env="CS_TUI_TEST_MAIL_PASSWORD",
    )
    sqlite = cast(SqliteStore, store)
    await sqlite.add_channel(MAILBOX, "email", settings.to_dict())
    return sqlite


async def test_the_tui_works_the_mailboxes_says_once_what_goes_wrong_and_lets_go_when_it_quits(
    make_app: AppFactory, unreachable_mailbox: SqliteStore
) -> None:
    app = make_app()
    refused = "nothing is listening on 127.0.0.1"
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: any(refused in n for n in notices(app)))
        assert not await unreachable_mailbox.take_lease(MAILBOX, "someone else", 15)  # the TUI has it
        await asyncio.sleep(3.5)  # it tries again after 1 s and 2 s more: said once all the same
        assert sum(refused in n for n in notices(app)) == 1
        assert any("Channel toko" in n for n in notices(app))
    assert not [task for task in asyncio.all_tasks() if task.get_name().startswith("channel ")]
    # Let go at once, not when the lease lapses: another process takes the mailbox now.
    assert await unreachable_mailbox.take_lease(MAILBOX, "someone else", 15)


async def test_a_mailbox_that_works_again_is_said_once(make_app: AppFactory) -> None:
    app = make_app()
    said: set[str] = set()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        for status in (
            ChannelStatus(MAILBOX, "the IMAP server refused the password for toko", False),
            ChannelStatus(MAILBOX, "the IMAP server refused the password for toko", False),
            ChannelStatus(
                MAILBOX, "signed in to imaps://mail.tokoku.example, waiting for new mail (IDLE)", True
            ),
            ChannelStatus(
                MAILBOX, "signed in to imaps://mail.tokoku.example, waiting for new mail (IDLE)", True
            ),
        ):
            app.post_message(HelpdeskApp.ChannelSaid(status))
            await pilot.pause()
            said.update(notices(app))
        assert sum("refused the password" in n for n in said) == 1
        assert sum("Works again: signed in" in n for n in said) == 1
        # The news takes the place of the trouble it ends.
        assert [n for n in notices(app) if "Channel toko" in n] == [n for n in said if "Works again" in n]

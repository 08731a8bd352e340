"""A mailbox at work against real servers (Dovecot for IMAP, aiosmtpd for SMTP): a
customer's mail becomes a ticket, the agent's reply reaches the customer on their
thread, the customer's answer joins the ticket; mail is left unread and moved to
the processed folder; a restarted server is reconnected to and caught up with."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from imap_tools import MailBoxUnencrypted, MailMessageFlags

from cs_tui.channels.email.settings import MailboxSettings
from cs_tui.channels.runner import ChannelRunner
from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.models import NewMessage, Ticket
from cs_tui.store.sqlite import SqliteStore

from ..mailserver import Mailbox, SmtpSink, dovecot, signs_in, smtp_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]
ADDRESS = "cs@tokoku.example"
WITHIN_S = 15.0
"""How long something that must happen may take: generous, so only a lost mail fails."""
T = TypeVar("T")


@pytest.fixture
def served() -> Iterator[Mailbox]:
    with dovecot() as mailbox:
        yield mailbox


@pytest.fixture
def sink(served: Mailbox) -> Iterator[tuple[int, SmtpSink]]:
    with smtp_server(authenticator=signs_in(served.user, served.password), auth_require_tls=False) as started:
        yield started


@pytest.fixture
async def store(
    tmp_path: Path, served: Mailbox, sink: tuple[int, SmtpSink], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SqliteStore]:
    monkeypatch.setenv("TOKO_MAIL", served.password)
    settings = MailboxSettings.parse(
        address=ADDRESS,
        imap=f"imap://{served.user}@{served.host}:{served.port}/INBOX",
        smtp=f"smtp://{served.user}@127.0.0.1:{sink[0]}",
        password_env="TOKO_MAIL",
    )
    opened = await SqliteStore.open(tmp_path / "cs-tui.db")
    await opened.add_channel("toko", "email", settings.to_dict())
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def running(store: SqliteStore) -> AsyncIterator[ChannelRunner]:
    runner = ChannelRunner(store, purpose="test")
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def customer_mail(text: str, *, subject: str = "Pesanan belum sampai", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Budi Santoso <budi@example.com>"
    message["To"] = ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


def append(served: Mailbox, *mails: bytes) -> None:
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password) as box:
        for raw in mails:
            box.append(raw, "INBOX", flag_set=[])


def folder(served: Mailbox, name: str) -> list[Any]:
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password, name) as box:
        return list(box.fetch(mark_seen=False))


async def eventually(check: Callable[[], Awaitable[T | None]], what: str) -> T:
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {WITHIN_S:g} s")
        await asyncio.sleep(0.05)


async def only_ticket(store: SqliteStore) -> Ticket | None:
    page = await store.list_tickets()
    return page.tickets[0] if page.tickets else None


async def test_a_mail_becomes_a_ticket_the_reply_reaches_the_customer_and_their_answer_joins(
    store: SqliteStore, served: Mailbox, sink: tuple[int, SmtpSink], running: ChannelRunner
) -> None:
    append(served, customer_mail("Halo, paket saya belum sampai.", Cc="ani@example.com"))
    ticket = await eventually(lambda: only_ticket(store), "the ticket")
    assert (ticket.customer.email, ticket.customer.name, ticket.cc) == (
        "budi@example.com",
        "Budi Santoso",
        ("ani@example.com",),
    )
    processed = await asyncio.to_thread(folder, served, "cs-tui-processed")
    assert len(processed) == 1
    assert MailMessageFlags.SEEN not in processed[0].flags  # the shop's own mail client still shows it new
    assert await asyncio.to_thread(folder, served, "INBOX") == []

    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    reply = await store.add_message(
        ticket.id, NewMessage("r1", "Halo Budi, sudah kami kirim ulang."), actor_id=agent.id
    )
    received = await eventually(lambda: _received(sink[1]), "the reply by SMTP")
    [envelope] = received
    sent = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert sent["From"] == f"Sari <{ADDRESS}>"
    assert sent["To"] == "Budi Santoso <budi@example.com>"
    assert sent["Cc"] == "ani@example.com"
    assert sent["Subject"] == f"Re: Pesanan belum sampai [#{ticket.id}]"
    assert sorted(envelope.rcpt_tos) == ["ani@example.com", "budi@example.com"]
    [stored] = [m for m in (await store.get_messages(ticket.id)).messages if m.id == reply.id]
    assert stored.delivery is not None
    assert stored.delivery.state is DeliveryState.SENT

    answer = customer_mail("Terima kasih!", subject=str(sent["Subject"]), In_Reply_To=str(sent["Message-ID"]))
    append(served, answer)
    await eventually(lambda: _count(store, ticket.id, 3), "the answer on the ticket")
    assert await store.count_tickets() == 1


async def _received(sink: SmtpSink) -> list[Any] | None:
    return list(sink.received) or None


async def _count(store: SqliteStore, ticket_id: int, count: int) -> bool:
    return len((await store.get_messages(ticket_id)).messages) == count

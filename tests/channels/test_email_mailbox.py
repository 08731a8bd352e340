"""A mailbox at work against real servers (Dovecot for IMAP, aiosmtpd for SMTP): a
customer's mail becomes a ticket, the agent's reply reaches the customer on their
thread, the customer's answer joins the ticket; mail is left unread and moved to
the processed folder; a restarted server is reconnected to and caught up with."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import pytest
from imap_tools import MailBoxUnencrypted, MailMessageFlags

from cs_tui.channels.email import imap
from cs_tui.channels.runner import ChannelRunner
from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.models import NewMessage, Ticket
from cs_tui.store.sqlite import SqliteStore

from ..mailserver import Mailbox, SmtpSink, dovecot, signs_in, smtp_server
from .conftest import PASSWORD_ENV, MailboxStore, channels_running, set_up_again, settings_for
from .conftest import SHOP as ADDRESS
from .test_email_bounces import postfix_report

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]
WITHIN_S = 15.0
"""How long something that must happen may take: generous, so only a lost mail fails."""
T = TypeVar("T")


@pytest.fixture
def sink(served: Mailbox) -> Iterator[tuple[int, SmtpSink]]:
    with smtp_server(authenticator=signs_in(served.user, served.password), auth_require_tls=False) as started:
        yield started


@pytest.fixture
async def store(mailbox_store: MailboxStore, sink: tuple[int, SmtpSink]) -> AsyncIterator[SqliteStore]:
    async with mailbox_store(sink[0]) as opened:
        yield opened


@pytest.fixture
async def running(store: SqliteStore) -> AsyncIterator[ChannelRunner]:
    async with channels_running(store) as runner:
        yield runner


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


def append(served: Mailbox, *mails: bytes, arrived: datetime | None = None) -> None:
    """Puts mail into the inbox, as the server got it `arrived` (now by default)."""
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password) as box:
        for raw in mails:
            box.append(raw, "INBOX", flag_set=[], dt=arrived)


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


async def _sent_reply(store: SqliteStore, served: Mailbox, sink: SmtpSink) -> tuple[Ticket, int, bytes]:
    """A customer's mail taken in and the agent's reply to it sent: the ticket, the
    reply's id and the mail as the SMTP server got it."""
    append(served, customer_mail("Paket belum sampai."))
    ticket = await eventually(lambda: only_ticket(store), "the ticket")
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    reply = await store.add_message(
        ticket.id, NewMessage(str(uuid.uuid4()), "Sudah kami kirim."), actor_id=agent.id
    )
    [envelope] = await eventually(lambda: _received(sink), "the reply by SMTP")
    return ticket, reply.id, envelope.original_content or b""


async def test_a_bounce_marks_the_reply_bounced_with_the_reason_on_its_ticket(
    store: SqliteStore, served: Mailbox, sink: tuple[int, SmtpSink], running: ChannelRunner
) -> None:
    ticket, reply_id, sent = await _sent_reply(store, served, sink[1])
    append(served, postfix_report(original=sent))

    async def bounced() -> Any:
        [reply] = [m for m in (await store.get_messages(ticket.id)).messages if m.id == reply_id]
        return reply.delivery is not None and reply.delivery.state is DeliveryState.BOUNCED and reply

    reply = await eventually(bounced, "the reply marked bounced")
    assert "the address does not exist" in reply.delivery.reason
    assert await store.count_tickets() == 1  # the bounce is no ticket of its own


async def test_a_refused_address_fails_at_once_with_the_reply_kept(
    store: SqliteStore, served: Mailbox, sink: tuple[int, SmtpSink], running: ChannelRunner
) -> None:
    sink[1].answers["budi@example.com"] = "550 5.1.1 <budi@example.com>: no such user"
    append(served, customer_mail("Paket belum sampai."))
    ticket = await eventually(lambda: only_ticket(store), "the ticket")
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    refused = await store.add_message(ticket.id, NewMessage("r1", "Halo Budi."), actor_id=agent.id)

    async def failed() -> Any:
        [reply] = [m for m in (await store.get_messages(ticket.id)).messages if m.id == refused.id]
        return reply.delivery is not None and reply.delivery.state is DeliveryState.FAILED and reply

    reply = await eventually(failed, "the refusal")
    assert "refused the address budi@example.com" in reply.delivery.reason
    assert reply.body == "Halo Budi."  # the reply is kept for the agent


async def test_an_acknowledgement_goes_to_a_person_marked_automatic_and_never_to_a_machine(
    store: SqliteStore, served: Mailbox, sink: tuple[int, SmtpSink]
) -> None:
    greeting = "Halo {{customer.first_name}}, pesan Anda kami terima."
    await set_up_again(store, lambda settings: replace(settings, acknowledgement=greeting))
    async with channels_running(store):
        two_days_ago = datetime.now(UTC) - timedelta(days=2)
        append(served, customer_mail("Masih ada stok?", subject="Stok lama"), arrived=two_days_ago)
        append(served, customer_mail("Halo, tanya stok.", subject="Stok kaos"))
        append(served, customer_mail("Saya cuti.", subject="Cuti", Auto_Submitted="auto-replied"))
        await eventually(lambda: _tickets(store, 3), "the three tickets")
        [envelope] = await eventually(lambda: _received(sink[1]), "the acknowledgement")
        await asyncio.sleep(1.0)
        assert len(sink[1].received) == 1  # none to the auto-reply, none to mail from before
        page = await store.list_tickets(None, limit=10)
        [old] = [ticket for ticket in page.tickets if ticket.subject == "Stok lama"]
        assert abs(old.created_at - two_days_ago) < timedelta(seconds=2)  # the customer waited since
        sent = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert sent["Auto-Submitted"] == "auto-replied"
        assert envelope.mail_from == "<>"  # a bounce of it goes nowhere
        assert envelope.rcpt_tos == ["budi@example.com"]
        assert "Halo Budi, pesan Anda kami terima." in sent.get_content()


async def _tickets(store: SqliteStore, count: int) -> bool:
    return await store.count_tickets() == count


async def test_a_mail_server_away_is_tried_again_later_saying_when(
    store: SqliteStore, served: Mailbox, sink: tuple[int, SmtpSink]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        away = closed.getsockname()[1]
    await set_up_again(store, lambda settings: replace(settings, smtp=replace(settings.smtp, port=away)))
    async with channels_running(store):
        append(served, customer_mail("Paket belum sampai."))
        ticket = await eventually(lambda: only_ticket(store), "the ticket")
        agent = await store.ensure_agent("Sari", "sari@tokoku.example")
        written = await store.add_message(ticket.id, NewMessage("r1", "Halo Budi."), actor_id=agent.id)

        async def waiting() -> Any:
            [reply] = [m for m in (await store.get_messages(ticket.id)).messages if m.id == written.id]
            delivery = reply.delivery
            waits = delivery is not None and delivery.attempts == 1 and delivery.state is DeliveryState.QUEUED
            return waits and reply

        reply = await eventually(waiting, "the first try")
        assert "connection refused" in reply.delivery.reason
        assert "trying again at" in reply.delivery.reason
        assert reply.delivery.retry_at is not None
        assert reply.delivery.retry_at > reply.created_at


async def test_a_server_without_idle_or_move_is_polled_and_its_mail_flagged_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "POLL_S", 0.3)
    with dovecot(without=("IDLE", "MOVE")) as plain:
        monkeypatch.setenv(PASSWORD_ENV, plain.password)
        store = await SqliteStore.open(tmp_path / "cs-tui.db")
        try:
            await store.add_channel("toko", "email", settings_for(plain, 25).to_dict())
            async with channels_running(store) as runner:
                append(plain, customer_mail("Halo, paket saya belum sampai."))
                await eventually(lambda: _tickets(store, 1), "the mail, by polling")
                assert "checking every 0.3 s" in runner.status["toko"].said
                await asyncio.sleep(1.0)  # polled again, more than once
                append(plain, customer_mail("Satu lagi.", subject="Tanya lain"))
                await eventually(lambda: _tickets(store, 2), "the next mail")
                await asyncio.sleep(1.0)
            assert await store.count_tickets() == 2  # nothing taken in twice
            [first, second] = folder(plain, "INBOX")  # left where they are, flagged
            for kept in (first, second):
                assert MailMessageFlags.FLAGGED in kept.flags
                assert MailMessageFlags.SEEN not in kept.flags
        finally:
            await store.close()

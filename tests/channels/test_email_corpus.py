"""Every kind of mail in the corpus, put into a real Dovecot and taken in by a running
mailbox: each becomes the ticket an agent must see (its text in any encoding, its
sender, its history folded, its files), automatic mail is marked so, and not one is
lost, doubled or left in the inbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from imap_tools import MailBoxUnencrypted

from cs_tui.store.sqlite import SqliteStore

from ..mailserver import Mailbox
from .conftest import MailboxStore, channels_running
from .corpus import samples

pytestmark = pytest.mark.slow
WITHIN_S = 60.0
"""Generous: the corpus holds a 20 MB mail, and the machine may be busy."""


@pytest.fixture
async def store(mailbox_store: MailboxStore) -> AsyncIterator[SqliteStore]:
    async with mailbox_store(25) as opened:  # nothing is sent here
        yield opened


def count(served: Mailbox, folder: str) -> int:
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password, None) as box:
        return int(box.folder.status(folder)["MESSAGES"])


async def test_every_mail_of_the_corpus_becomes_the_ticket_an_agent_must_see(
    store: SqliteStore, served: Mailbox
) -> None:
    corpus = samples()
    with MailBoxUnencrypted(served.host, served.port).login(served.user, served.password) as box:
        for sample in corpus:
            box.append(sample.raw, "INBOX", flag_set=[])
    async with channels_running(store) as runner:
        deadline = asyncio.get_running_loop().time() + WITHIN_S
        while await store.count_tickets() < len(corpus):
            assert asyncio.get_running_loop().time() < deadline, runner.status
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the last batch is moved after it is stored

    assert await store.list_quarantined() == []
    page = await store.list_tickets(None, limit=100)
    assert page.total == len(corpus)  # none lost, none doubled
    by_subject = {ticket.subject: ticket for ticket in page.tickets}
    for sample in corpus:
        expected = sample.expected
        ticket = by_subject.get(expected.subject)
        assert ticket is not None, f"{sample.label}: no ticket {expected.subject!r} in {sorted(by_subject)}"
        [message] = (await store.get_messages(ticket.id)).messages
        assert ticket.customer.email == expected.sender, sample.label
        if expected.name:
            assert ticket.customer.name == expected.name, sample.label
        assert expected.text in message.body, f"{sample.label}: {message.body!r}"
        assert message.auto is expected.automatic, sample.label
        assert bool(message.quoted) is expected.quoted, f"{sample.label}: {message.quoted!r}"
        assert tuple(a.size for a in message.attachments) == expected.attachment_sizes, sample.label
        assert ("automatic" in ticket.tags) is expected.automatic, sample.label
    html = by_subject["Tanya ukuran"]
    [message] = (await store.get_messages(html.id)).messages
    assert "alert(1)" not in message.body  # a script is no text
    big = by_subject["Foto kerusakan"]
    [message] = (await store.get_messages(big.id)).messages
    _info, data = await store.attachment(message.attachments[0].id)
    assert data == b"\x00" * len(data)
    assert await asyncio.to_thread(count, served, "INBOX") == 0
    assert await asyncio.to_thread(count, served, "cs-tui-processed") == len(corpus)

"""Merging and splitting on a store whose tickets came in by mail: messages move with
their files, their way out and what the mailbox took in, so a reply still goes out,
once, and the customer's answer to it threads onto the ticket it is on now."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.channels import DeliveryState, Inbound, InboundFile
from cs_tui.domain.models import AuthorKind, NewMessage, Ticket
from cs_tui.domain.query import parse
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import InvalidInput
from cs_tui.store.sqlite import SqliteStore

from .helpers import all_messages

MAILBOX = "toko"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "cs-tui.db")
    await opened.add_channel(MAILBOX, "email", {"address": "cs@tokoku.example"})
    try:
        yield opened
    finally:
        await opened.close()


def mail(
    text: str, *, subject: str, sender: str = "budi@example.com", hours_ago: float = 0, **more: object
) -> Inbound:
    message_id = f"{uuid.uuid4()}@mail.example.com"
    raw = f"Message-ID: <{message_id}>\r\nSubject: {subject}\r\n\r\n{text}".encode()
    return Inbound(
        external_id=message_id,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender=sender,
        sender_name="Budi Santoso",
        subject=subject,
        body=text,
        raw=raw,
        received_at=utcnow() - timedelta(hours=hours_ago),
        **more,  # type: ignore[arg-type]
    )


async def merge(store: SqliteStore, merged_id: int, into_id: int) -> Ticket:
    merged, into = await store.get_ticket(merged_id), await store.get_ticket(into_id)
    done = await store.merge_tickets(
        merged.id, into.id, expected_version=merged.version, into_expected_version=into.version, actor_id=None
    )
    return done.ticket


async def test_moved_messages_keep_their_files_their_way_out_and_their_thread(store: SqliteStore) -> None:
    sari = await store.ensure_agent("Sari", "sari@tokoku.example")
    parcel_mail = mail("Paket belum sampai", subject="Paket TN123", hours_ago=2)
    parcel = await store.take_in(MAILBOX, parcel_mail, cursor="1:1")
    photo = InboundFile("paket.jpg", "image/jpeg", b"\xff\xd8 a photo")
    damaged = await store.take_in(
        MAILBOX, mail("Ini fotonya", subject="Foto paket", hours_ago=3, files=(photo,)), cursor="1:2"
    )
    answer = await store.add_message(
        damaged.ticket_id, NewMessage(str(uuid.uuid4()), "Kami kirim ganti"), actor_id=sari.id
    )
    await store.mark_read(sari.id, parcel.ticket_id, parcel.message_id)

    await merge(store, damaged.ticket_id, parcel.ticket_id)

    # Written three hours ago, the photo comes first; the parcel mail and the answer
    # after it took new numbers so that the conversation reads in time order.
    thread = await all_messages(store, parcel.ticket_id)
    assert [m.body for m in thread[:3]] == ["Ini fotonya", "Paket belum sampai", "Kami kirim ganti"]
    assert [m.id for m in thread] == sorted(m.id for m in thread)
    photo_message, parcel_message, moved_answer = thread[:3]
    assert parcel_message.id != parcel.message_id
    [kept_file] = photo_message.attachments
    assert (await store.attachment(kept_file.id))[1] == photo.data
    assert await store.raw_message(parcel_message.id) == parcel_mail.raw
    assert moved_answer.body == answer.body
    assert moved_answer.delivery is not None
    assert moved_answer.delivery.state is DeliveryState.QUEUED

    # The answer goes out once, from the ticket it is on now.
    [outgoing] = await store.due_deliveries(MAILBOX)
    assert (outgoing.message_id, outgoing.ticket_id) == (moved_answer.id, parcel.ticket_id)
    assert await store.begin_delivery(moved_answer.id, "reply-1@tokoku.example")
    await store.handing_over(moved_answer.id)
    await store.finish_delivery(moved_answer.id, DeliveryState.SENT)
    assert await store.due_deliveries(MAILBOX) == []
    sent = (await all_messages(store, parcel.ticket_id))[2]
    assert sent.delivery is not None
    assert sent.delivery.state is DeliveryState.SENT

    # The mail taken in before is known still, under its new number; the customer's
    # answer to the reply threads onto the merged ticket.
    again = await store.take_in(MAILBOX, parcel_mail, cursor="1:3")
    assert (again.duplicate, again.ticket_id, again.message_id) == (True, parcel.ticket_id, parcel_message.id)
    answered = await store.take_in(
        MAILBOX,
        mail("Sudah sampai, terima kasih", subject="Re: Foto paket", in_reply_to=("reply-1@tokoku.example",)),
        cursor="1:4",
    )
    assert (answered.new_ticket, answered.ticket_id) == (False, parcel.ticket_id)

    # Sari had read the parcel mail: she has read it still; the customer's new answer is not.
    assert await store.unread_tickets(sari.id, [parcel.ticket_id]) == {parcel.ticket_id}
    await store.mark_read(sari.id, parcel.ticket_id, answered.message_id)
    assert await store.unread_tickets(sari.id, [parcel.ticket_id]) == set()


async def test_a_reply_on_its_way_to_another_customer_holds_the_merge_back(store: SqliteStore) -> None:
    sari = await store.ensure_agent("Sari", "sari@tokoku.example")
    budi = await store.take_in(MAILBOX, mail("Paket belum sampai", subject="Paket"), cursor="1:1")
    siti = await store.take_in(
        MAILBOX, mail("Paket suami saya", subject="Paket suami", sender="siti@example.com"), cursor="1:2"
    )
    reply = await store.add_message(
        siti.ticket_id, NewMessage(str(uuid.uuid4()), "Halo Siti"), actor_id=sari.id
    )

    with pytest.raises(InvalidInput, match="a reply on #2 is still on its way to Budi Santoso"):
        await merge(store, siti.ticket_id, budi.ticket_id)
    assert (await store.get_ticket(siti.ticket_id)).merged_into is None

    assert await store.begin_delivery(reply.id, "reply-2@tokoku.example")
    await store.handing_over(reply.id)
    await store.finish_delivery(reply.id, DeliveryState.SENT)
    merged = await merge(store, siti.ticket_id, budi.ticket_id)
    assert merged.cc == ("siti@example.com",)


async def test_the_search_index_stays_whole_through_merges_and_splits(store: SqliteStore) -> None:
    """Every word of every message finds its ticket, and only it, however often the
    messages moved; the full-text index itself says it is sound."""
    tickets = []
    for n in range(4):
        taken = await store.take_in(
            MAILBOX, mail(f"kata{n}a", subject=f"Tiket {n}", hours_ago=4 - n), cursor=f"1:{n}"
        )
        tickets.append(taken.ticket_id)
        for part in "bc":
            await store.add_message(
                taken.ticket_id,
                NewMessage(str(uuid.uuid4()), f"kata{n}{part}", author_kind=AuthorKind.CUSTOMER),
                actor_id=None,
            )
    await merge(store, tickets[1], tickets[0])
    await merge(store, tickets[3], tickets[2])
    thread = await all_messages(store, tickets[0])
    current = await store.get_ticket(tickets[0])
    split = await store.split_ticket(
        tickets[0], thread[1].id, and_after=False, expected_version=current.version, actor_id=None
    )
    await merge(store, tickets[2], tickets[0])

    for ticket_id in (tickets[0], split.split.id):
        for message in await all_messages(store, ticket_id):
            word = message.body.split()[0]
            if word.startswith("kata"):
                found = await store.list_tickets(parse(word))
                assert [t.id for t in found.tickets] == [ticket_id], word
    with closing(sqlite3.connect(store.path)) as db, db:  # the index's own check
        db.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


async def test_a_mail_that_names_the_merged_ticket_joins_the_one_it_was_merged_into(
    store: SqliteStore,
) -> None:
    parcel = await store.take_in(MAILBOX, mail("Paket belum sampai", subject="Paket TN123"), cursor="1:1")
    photo = await store.take_in(MAILBOX, mail("Ini fotonya", subject="Foto paket"), cursor="1:2")
    await merge(store, photo.ticket_id, parcel.ticket_id)

    # A mail client that keeps only the subject of our reply, "[#2]" in it.
    later = await store.take_in(
        MAILBOX, mail("Satu foto lagi", subject=f"Re: Foto paket [#{photo.ticket_id}]"), cursor="1:3"
    )
    assert (later.new_ticket, later.ticket_id) == (False, parcel.ticket_id)

"""What a channel asks of the store, on a real SQLite file: a message taken in once
with its cursor, threaded onto its ticket, automatic mail kept quiet, a bounce on the
reply that bounced, a reply's way out (queued, sending, sent, failed, never twice),
the lease that lets one process work a channel, and the quarantine."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.channels import ACKNOWLEDGEMENTS_PER_DAY, DeliveryState, Inbound, InboundFile
from cs_tui.domain.customers import CustomerChanges, Identity, IdentityKind
from cs_tui.domain.models import AuthorKind, EventKind, NewMessage, Status, TicketChanges
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import InvalidInput, NotFound
from cs_tui.store.sqlite import SqliteStore

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
    text: str = "Paket saya belum sampai.",
    *,
    message_id: str | None = None,
    subject: str = "Pesanan belum sampai",
    sender: str = "budi@example.com",
    **more: object,
) -> Inbound:
    raw = f"Message-ID: <{message_id}>\r\nSubject: {subject}\r\n\r\n{text}".encode()
    return Inbound(
        external_id=message_id or f"{uuid.uuid4()}@mail.example.com",
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender=sender,
        sender_name="Budi Santoso",
        subject=subject,
        body=text,
        raw=raw,
        **more,  # type: ignore[arg-type]
    )


async def reply(store: SqliteStore, ticket_id: int, body: str = "Halo Budi, sudah kami cek.") -> int:
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    message = await store.add_message(ticket_id, NewMessage(str(uuid.uuid4()), body), actor_id=agent.id)
    return message.id


async def send(store: SqliteStore, message_id: int, external_id: str) -> None:
    assert await store.begin_delivery(message_id, external_id)
    await store.handing_over(message_id)
    await store.finish_delivery(message_id, DeliveryState.SENT)


async def test_a_mail_opens_a_ticket_for_its_sender_with_its_cc_files_and_raw_bytes(
    store: SqliteStore,
) -> None:
    photo = InboundFile("paket.jpg", "image/jpeg", b"\xff\xd8 a photo")
    taken = await store.take_in(
        MAILBOX, mail(cc=("Ani@Example.com", "budi@example.com"), files=(photo,)), cursor="7:41"
    )
    assert taken.new_ticket
    assert not taken.duplicate
    ticket = await store.get_ticket(taken.ticket_id)
    assert (ticket.customer.name, ticket.customer.email) == ("Budi Santoso", "budi@example.com")
    assert ticket.cc == ("ani@example.com",)  # the sender is in To, not copied
    assert ticket.channel_name == MAILBOX
    [message] = (await store.get_messages(ticket.id)).messages
    [attachment] = message.attachments
    assert (attachment.filename, attachment.size) == ("paket.jpg", len(photo.data))
    assert (await store.attachment(attachment.id))[1] == photo.data
    assert (await store.raw_message(message.id) or b"").endswith(b"Paket saya belum sampai.")
    assert await store.channel_cursor(MAILBOX) == "7:41"


async def test_a_mail_taken_in_twice_is_one_message_and_the_cursor_still_moves(store: SqliteStore) -> None:
    first = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor="7:1")
    again = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor="7:2")
    same_bytes = await store.take_in(
        MAILBOX, replace(mail(message_id="m1@example.com"), external_id=None), cursor="7:3"
    )
    assert again.duplicate
    assert same_bytes.duplicate
    assert again.message_id == first.message_id == same_bytes.message_id
    assert await store.count_tickets() == 1
    assert await store.channel_cursor(MAILBOX) == "7:3"


async def test_a_reply_to_our_reply_joins_reopens_a_solved_ticket_and_follows_up_a_closed_one(
    store: SqliteStore,
) -> None:
    opened = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor=None)
    ours = await reply(store, opened.ticket_id)
    await send(store, ours, "cs-tui.aaa@tokoku.example")
    ticket = await store.get_ticket(opened.ticket_id)
    ticket = await store.update_ticket(
        ticket.id, TicketChanges(status=Status.SOLVED), expected_version=ticket.version, actor_id=None
    )
    answer = mail(
        "Terima kasih, tapi belum sampai.", subject="Re: x", in_reply_to=("cs-tui.aaa@tokoku.example",)
    )
    joined = await store.take_in(MAILBOX, answer, cursor=None)
    assert joined.ticket_id == ticket.id
    assert not joined.new_ticket
    ticket = await store.get_ticket(ticket.id)
    assert ticket.status is Status.OPEN
    ticket = await store.update_ticket(
        ticket.id, TicketChanges(status=Status.CLOSED), expected_version=ticket.version, actor_id=None
    )
    later = await store.take_in(
        MAILBOX,
        mail("Masih belum.", subject="Re: x", in_reply_to=("cs-tui.aaa@tokoku.example",)),
        cursor=None,
    )
    assert later.new_ticket
    assert later.linked_to == ticket.id
    assert (await store.get_ticket(later.ticket_id)).linked_to == ticket.id


async def test_a_ticket_number_in_the_subject_joins_only_for_someone_on_the_ticket(
    store: SqliteStore,
) -> None:
    opened = await store.take_in(MAILBOX, mail(cc=("ani@example.com",)), cursor=None)
    tag = f"[#{opened.ticket_id}]"
    by_customer = await store.take_in(MAILBOX, mail("Ada kabar?", subject=f"Re: {tag}"), cursor=None)
    by_cc = await store.take_in(
        MAILBOX, mail("Saya juga.", subject=f"Re: {tag}", sender="ani@example.com"), cursor=None
    )
    by_stranger = await store.take_in(
        MAILBOX, mail("Halo", subject=f"Re: {tag}", sender="orang@lain.example"), cursor=None
    )
    assert by_customer.ticket_id == by_cc.ticket_id == opened.ticket_id
    assert by_stranger.new_ticket
    messages = (await store.get_messages(opened.ticket_id)).messages
    assert messages[-1].author_email == "ani@example.com"  # who wrote it, not the ticket's customer


async def test_automatic_mail_neither_reopens_nor_counts_and_is_never_acknowledged(
    store: SqliteStore,
) -> None:
    opened = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor=None)
    ticket = await store.get_ticket(opened.ticket_id)
    ticket = await store.update_ticket(
        ticket.id, TicketChanges(status=Status.SOLVED), expected_version=ticket.version, actor_id=None
    )
    away = mail(
        "Saya sedang cuti.", subject="Re: x", in_reply_to=("m1@example.com",), automatic="Auto-Submitted"
    )
    await store.take_in(MAILBOX, away, cursor=None, acknowledgement="Terima kasih")
    assert (await store.get_ticket(ticket.id)).status is Status.SOLVED
    fresh = await store.take_in(
        MAILBOX, mail("Newsletter", automatic="Precedence: bulk"), cursor=None, acknowledgement="x"
    )
    assert fresh.new_ticket
    assert [m.auto for m in (await store.get_messages(fresh.ticket_id)).messages] == [True]
    assert "automatic" in (await store.get_ticket(fresh.ticket_id)).tags


async def test_an_acknowledgement_goes_to_a_person_at_most_a_few_times_a_day(store: SqliteStore) -> None:
    for number in range(ACKNOWLEDGEMENTS_PER_DAY + 2):
        await store.take_in(
            MAILBOX,
            mail(f"pertanyaan {number}", subject=f"Tanya {number}"),
            cursor=None,
            acknowledgement="Halo {{customer.first_name}}, pesan Anda kami terima ({{ticket.id}}).",
        )
    due = await store.due_deliveries(MAILBOX)
    assert len(due) == ACKNOWLEDGEMENTS_PER_DAY
    assert all(each.acknowledgement for each in due)
    assert due[0].body == f"Halo Budi, pesan Anda kami terima (#{due[0].ticket_id})."


async def test_a_reply_goes_out_once_on_the_customers_thread(store: SqliteStore) -> None:
    opened = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor=None)
    note_agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    await store.add_message(
        opened.ticket_id, NewMessage("note-1", "cek gudang", internal=True), actor_id=note_agent.id
    )
    ours = await reply(store, opened.ticket_id)
    [due] = await store.due_deliveries(MAILBOX)  # the note never goes out
    assert (due.message_id, due.reply_to_id, due.thread_ids) == (ours, "m1@example.com", ("m1@example.com",))
    assert (due.agent_name, due.customer_email, due.delivery.state) == (
        "Sari",
        "budi@example.com",
        DeliveryState.QUEUED,
    )
    assert await store.begin_delivery(ours, "cs-tui.1@tokoku.example")
    assert not await store.begin_delivery(ours, "cs-tui.2@tokoku.example")  # one try at a time
    assert await store.due_deliveries(MAILBOX) == []
    await store.finish_delivery(ours, DeliveryState.SENT)
    [_, _, sent] = (await store.get_messages(opened.ticket_id)).messages
    assert sent.delivery is not None
    assert (sent.delivery.state, sent.delivery.external_id) == (DeliveryState.SENT, "cs-tui.1@tokoku.example")


async def test_a_temporary_failure_waits_and_a_retry_is_the_same_mail(store: SqliteStore) -> None:
    opened = await store.take_in(MAILBOX, mail(), cursor=None)
    ours = await reply(store, opened.ticket_id)
    assert await store.begin_delivery(ours, "cs-tui.1@tokoku.example")
    later = utcnow() + timedelta(seconds=30)
    await store.finish_delivery(
        ours, DeliveryState.QUEUED, reason="the server did not answer", retry_at=later
    )
    assert await store.due_deliveries(MAILBOX) == []
    [message] = [m for m in (await store.get_messages(opened.ticket_id)).messages if m.id == ours]
    assert message.delivery is not None
    assert message.delivery.reason == "the server did not answer"
    await store.finish_delivery(ours, DeliveryState.QUEUED, reason="", retry_at=utcnow())
    [due] = await store.due_deliveries(MAILBOX)
    assert due.delivery.external_id == "cs-tui.1@tokoku.example"
    assert due.delivery.attempts == 1


async def test_after_a_crash_a_reply_not_yet_handed_over_is_sent_again_and_one_handed_over_never(
    store: SqliteStore,
) -> None:
    opened = await store.take_in(MAILBOX, mail(), cursor=None)
    connecting, handing = await reply(store, opened.ticket_id, "a"), await reply(store, opened.ticket_id, "b")
    assert await store.begin_delivery(connecting, "cs-tui.1@tokoku.example")
    assert await store.begin_delivery(handing, "cs-tui.2@tokoku.example")
    await store.handing_over(handing)
    assert await store.recover_deliveries(MAILBOX) == 2
    assert [due.message_id for due in await store.due_deliveries(MAILBOX)] == [connecting]
    [message] = [m for m in (await store.get_messages(opened.ticket_id)).messages if m.id == handing]
    assert message.delivery is not None
    assert message.delivery.state is DeliveryState.FAILED
    assert "may or may not have gone out" in message.delivery.reason


async def test_a_bounce_marks_the_reply_that_bounced_and_lands_on_its_ticket(store: SqliteStore) -> None:
    opened = await store.take_in(MAILBOX, mail(), cursor=None)
    ours = await reply(store, opened.ticket_id)
    await send(store, ours, "cs-tui.1@tokoku.example")
    since = await store.last_event_id()
    bounce = mail(
        "Not delivered to budi@example.com: the address does not exist (5.1.1)",
        sender="mailer-daemon@mx.example.com",
        subject="Undelivered Mail Returned to Sender",
        automatic="a delivery report (bounce)",
        bounced_id="cs-tui.1@tokoku.example",
        bounce_reason="budi@example.com: the address does not exist (5.1.1)",
    )
    taken = await store.take_in(MAILBOX, bounce, cursor=None)
    assert taken.ticket_id == opened.ticket_id
    assert await store.count_tickets() == 1
    messages = (await store.get_messages(opened.ticket_id)).messages
    bounced = next(m for m in messages if m.id == ours)
    assert bounced.delivery is not None
    assert bounced.delivery.state is DeliveryState.BOUNCED
    assert "does not exist" in bounced.delivery.reason
    assert messages[-1].author_kind is AuthorKind.SYSTEM
    assert messages[-1].internal
    assert EventKind.DELIVERY_CHANGED in await asyncio.wait_for(
        _kinds_until(store, since, EventKind.MESSAGE_ADDED), 10
    )


async def _kinds_until(store: SqliteStore, since: int, last: EventKind) -> list[EventKind]:
    kinds = []
    async for event in store.events(since):
        kinds.append(event.kind)
        if event.kind is last:
            break
    return kinds


async def test_one_holder_works_a_channel_until_its_lease_lapses(store: SqliteStore) -> None:
    assert await store.take_lease(MAILBOX, "serve@host:1", 60)
    assert not await store.take_lease(MAILBOX, "tui@host:2", 60)
    assert await store.take_lease(MAILBOX, "serve@host:1", 60)  # renewed
    assert await store.take_lease(MAILBOX, "tui@host:2", -1) is False
    assert await store.take_lease(MAILBOX, "serve@host:1", -1)  # a lease that has run out...
    assert await store.take_lease(MAILBOX, "tui@host:2", 60)  # ...is taken over
    await store.drop_lease(MAILBOX, "tui@host:2")
    assert await store.take_lease(MAILBOX, "serve@host:1", 60)


async def test_what_cannot_be_read_is_kept_raw_and_the_cursor_moves_past_it(store: SqliteStore) -> None:
    kept = await store.quarantine(MAILBOX, b"\x00garbage", "it has no sender address", cursor="7:9")
    [listed] = await store.list_quarantined()
    assert (listed.id, listed.channel, listed.size, listed.reason) == (
        kept,
        MAILBOX,
        len(b"\x00garbage"),
        "it has no sender address",
    )
    assert await store.quarantined_raw(kept) == (MAILBOX, b"\x00garbage")
    assert await store.channel_cursor(MAILBOX) == "7:9"
    await store.release_quarantined(kept, reason="still no sender")
    assert (await store.list_quarantined())[0].attempts == 2
    await store.release_quarantined(kept)
    assert await store.list_quarantined() == []


async def test_a_mail_without_an_address_to_answer_is_refused_in_words(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="no sender address"):
        await store.take_in(MAILBOX, mail(sender="not an address"), cursor="7:1")
    assert await store.channel_cursor(MAILBOX) is None  # nothing written: the caller quarantines it


async def test_channels_are_named_once_and_removing_one_fails_what_waited_to_go_out(
    store: SqliteStore,
) -> None:
    with pytest.raises(InvalidInput, match="already a channel named toko"):
        await store.add_channel(MAILBOX, "email", {})
    opened = await store.take_in(MAILBOX, mail(), cursor=None)
    ours = await reply(store, opened.ticket_id)
    await store.remove_channel(MAILBOX)
    [message] = [m for m in (await store.get_messages(opened.ticket_id)).messages if m.id == ours]
    assert message.delivery is not None
    assert message.delivery.state is DeliveryState.FAILED
    assert "removed" in message.delivery.reason
    with pytest.raises(NotFound):
        await store.get_channel(MAILBOX)


async def test_the_same_mail_kept_aside_twice_is_one_entry_tried_twice(store: SqliteStore) -> None:
    first = await store.quarantine(MAILBOX, b"From: \r\n\r\nx", "no sender", cursor=None)
    again = await store.quarantine(MAILBOX, b"From: \r\n\r\nx", "still no sender", cursor=None)
    [kept] = await store.list_quarantined()
    assert (kept.id, kept.attempts, kept.reason) == (first, 2, "still no sender")
    assert again == first


async def test_a_mail_to_two_of_the_shops_mailboxes_is_one_message(store: SqliteStore) -> None:
    await store.add_channel("penjualan", "email", {"address": "sales@tokoku.example"})
    first = await store.take_in(MAILBOX, mail(message_id="both@mail.example.com"), cursor=None)
    # The other mailbox's copy: the same mail, other bytes (its own Received lines).
    copy = replace(mail(message_id="both@mail.example.com"), raw_sha256="f" * 64, raw=b"Received: x\r\n")
    second = await store.take_in("penjualan", copy, cursor="3:1")
    assert second.duplicate
    assert second.message_id == first.message_id
    assert await store.count_tickets() == 1
    assert await store.channel_cursor("penjualan") == "3:1"
    await store.add_channel("grosir", "email", {"address": "grosir@tokoku.example"})
    stranger = replace(copy, sender="orang@lain.example", raw_sha256="e" * 64)
    assert not (await store.take_in("grosir", stranger, cursor=None)).duplicate  # not the same mail


async def test_the_same_answer_in_two_mailboxes_joins_its_ticket_once_each_without_a_clash(
    store: SqliteStore,
) -> None:
    await store.add_channel("penjualan", "email", {"address": "sales@tokoku.example"})
    opened = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor=None)
    answer = mail("Ada kabar?", subject="Re: Pesanan belum sampai", in_reply_to=("m1@example.com",))
    joined = await store.take_in(MAILBOX, replace(answer, external_id=None), cursor=None)
    again = await store.take_in("penjualan", replace(answer, external_id=None), cursor=None)
    assert joined.ticket_id == again.ticket_id == opened.ticket_id  # no clash, no quarantine


async def add_address(store: SqliteStore, customer_id: int, address: str) -> None:
    record = await store.get_customer_record(customer_id)
    changes = CustomerChanges(add_identities=(Identity(IdentityKind.EMAIL, address),))
    await store.update_customer(customer_id, changes, expected_version=record.version, actor_id=None)


async def test_a_customer_writing_from_a_second_address_is_the_customer_and_is_answered_there(
    store: SqliteStore,
) -> None:
    opened = await store.take_in(MAILBOX, mail(message_id="m1@example.com"), cursor=None)
    budi = (await store.get_ticket(opened.ticket_id)).customer
    await add_address(store, budi.id, "budi@kantor.example")

    fresh = await store.take_in(
        MAILBOX, mail("Dari kantor", subject="Faktur", sender="Budi@Kantor.example"), cursor=None
    )
    assert fresh.new_ticket
    assert (await store.get_ticket(fresh.ticket_id)).customer.id == budi.id
    answer = replace(
        mail(
            "Ini dari kantor", subject="Re: x", sender="budi@kantor.example", in_reply_to=("m1@example.com",)
        ),
        sender_name="B. Santoso (kantor)",
    )
    assert (await store.take_in(MAILBOX, answer, cursor=None)).ticket_id == opened.ticket_id
    by_number = mail("Ada kabar?", subject=f"Re: [#{opened.ticket_id}]", sender="budi@kantor.example")
    assert (await store.take_in(MAILBOX, by_number, cursor=None)).ticket_id == opened.ticket_id
    ticket = await store.get_ticket(opened.ticket_id)
    assert ticket.cc == ()  # the customer is never copied on their own replies
    written = (await store.get_messages(opened.ticket_id)).messages[-2]
    assert (written.author_name, written.author_email) == ("Budi Santoso", "budi@kantor.example")

    for ticket_id in (opened.ticket_id, fresh.ticket_id):
        await reply(store, ticket_id)
    due = {each.ticket_id: each.customer_email for each in await store.due_deliveries(MAILBOX)}
    assert due == {opened.ticket_id: "budi@kantor.example", fresh.ticket_id: "budi@kantor.example"}
    await store.take_in(
        MAILBOX, mail("Dari rumah", subject="Re: x", in_reply_to=("m1@example.com",)), cursor=None
    )
    await reply(store, opened.ticket_id)
    assert {
        each.customer_email
        for each in await store.due_deliveries(MAILBOX)
        if each.ticket_id == opened.ticket_id
    } == {
        "budi@kantor.example",
        "budi@example.com",
    }


async def test_after_a_merge_each_moved_ticket_is_answered_where_it_came_from(store: SqliteStore) -> None:
    first = await store.take_in(MAILBOX, mail(), cursor=None)
    other = await store.take_in(
        MAILBOX, mail("Lain", subject="Lain", sender="budi.lain@example.com"), cursor=None
    )
    budi = (await store.get_ticket(first.ticket_id)).customer
    twin = (await store.get_ticket(other.ticket_id)).customer
    await store.merge_customers(twin.id, budi.id, actor_id=None)
    later = await store.take_in(
        MAILBOX, mail("Lagi", subject="Lagi", sender="budi.lain@example.com"), cursor=None
    )
    assert (await store.get_ticket(later.ticket_id)).customer.id == budi.id
    for ticket_id in (first.ticket_id, other.ticket_id, later.ticket_id):
        await reply(store, ticket_id)
    due = {each.ticket_id: each.customer_email for each in await store.due_deliveries(MAILBOX)}
    assert due == {
        first.ticket_id: "budi@example.com",
        other.ticket_id: "budi.lain@example.com",
        later.ticket_id: "budi.lain@example.com",
    }

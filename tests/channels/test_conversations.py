"""Channels that keep a conversation rather than Message-IDs (a website chat, a
WhatsApp number), on a real SQLite file: a message joins its conversation's latest
ticket, a solved one reopens, a closed one is followed up by a new ticket; the sender
is a customer by whatever address they write from, the same person when a phone
number matches; a reply goes out knowing whom it answers."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cs_tui.domain.channels import Inbound
from cs_tui.domain.customers import CustomerChanges, Identity, IdentityKind
from cs_tui.domain.models import Channel, NewMessage, NewTicket, Status, TicketChanges
from cs_tui.store.sqlite import SqliteStore

WHATSAPP = "wa-toko"
CHAT = "web-toko"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "cs-tui.db")
    await opened.add_channel(WHATSAPP, "whatsapp", {"phone_number_id": "1055"})
    await opened.add_channel(CHAT, "chat", {"origins": "https://tokoku.example"})
    try:
        yield opened
    finally:
        await opened.close()


def message(text: str, *, sender: str = "whatsapp:6281234567890", conversation: str | None = None) -> Inbound:
    return Inbound(
        external_id=f"wamid.{uuid.uuid4().hex}",
        raw_sha256=hashlib.sha256(text.encode() + uuid.uuid4().bytes).hexdigest(),
        sender=sender,
        sender_name="Budi Santoso",
        subject="",
        body=text,
        conversation=conversation or f"{WHATSAPP}:{sender.partition(':')[2]}",
    )


async def test_messages_of_one_conversation_make_one_ticket_and_another_number_its_own(
    store: SqliteStore,
) -> None:
    first = await store.take_in(WHATSAPP, message("Kak, paket saya belum sampai"), cursor=None)
    second = await store.take_in(WHATSAPP, message("Resinya JNE 1234"), cursor=None)
    other = await store.take_in(
        WHATSAPP, message("Ada ukuran L?", sender="whatsapp:6289876543210"), cursor=None
    )

    assert first.new_ticket
    assert not second.new_ticket
    assert second.ticket_id == first.ticket_id
    assert other.new_ticket
    assert other.ticket_id != first.ticket_id
    ticket = await store.get_ticket(first.ticket_id)
    assert ticket.channel is Channel.WHATSAPP
    page = await store.get_messages(first.ticket_id)
    assert [m.body for m in page.messages] == ["Kak, paket saya belum sampai", "Resinya JNE 1234"]
    assert ticket.customer.email == "whatsapp:6281234567890"
    assert ticket.customer.name == "Budi Santoso"


async def test_a_solved_conversation_reopens_and_a_closed_one_is_followed_up_by_a_new_ticket(
    store: SqliteStore,
) -> None:
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    first = await store.take_in(WHATSAPP, message("Paket belum sampai"), cursor=None)
    ticket = await store.get_ticket(first.ticket_id)
    await store.update_ticket(
        ticket.id, TicketChanges(status=Status.SOLVED), expected_version=ticket.version, actor_id=agent.id
    )

    again = await store.take_in(WHATSAPP, message("Eh, masih belum sampai"), cursor=None)
    assert again.ticket_id == first.ticket_id
    ticket = await store.get_ticket(first.ticket_id)
    assert ticket.status is Status.OPEN

    await store.update_ticket(
        ticket.id, TicketChanges(status=Status.CLOSED), expected_version=ticket.version, actor_id=agent.id
    )
    later = await store.take_in(WHATSAPP, message("Mau tanya produk lain"), cursor=None)
    assert later.new_ticket
    assert later.linked_to == first.ticket_id
    follow = await store.take_in(WHATSAPP, message("Yang warna merah"), cursor=None)
    assert follow.ticket_id == later.ticket_id  # the conversation goes on in the new ticket


async def test_a_whatsapp_number_on_a_customers_record_is_that_customer(store: SqliteStore) -> None:
    ticket = await store.create_ticket(
        NewTicket("Tanya ongkir", "budi@example.com", "Berapa ongkir ke Medan?", customer_name="Budi"),
        actor_id=None,
    )
    record = await store.get_customer_record(ticket.customer.id)
    await store.update_customer(
        record.id,
        CustomerChanges(add_identities=(Identity(IdentityKind.PHONE, "+62 812-3456-7890"),)),
        expected_version=record.version,
        actor_id=None,
    )

    taken = await store.take_in(WHATSAPP, message("Halo, ini Budi"), cursor=None)

    on_whatsapp = await store.get_ticket(taken.ticket_id)
    assert on_whatsapp.customer.id == ticket.customer.id
    assert on_whatsapp.customer.email == "budi@example.com"
    [said] = (await store.get_messages(taken.ticket_id)).messages
    assert said.author_name == "Budi"  # the customer, not someone on Cc
    assert on_whatsapp.cc == ()


async def test_a_chat_visitor_who_left_no_address_is_a_customer_of_their_own(store: SqliteStore) -> None:
    one = await store.take_in(CHAT, message("Halo", sender="chat:v1", conversation=f"{CHAT}:v1"), cursor=None)
    two = await store.take_in(
        CHAT, message("Permisi", sender="chat:v2", conversation=f"{CHAT}:v2"), cursor=None
    )

    first, second = await store.get_ticket(one.ticket_id), await store.get_ticket(two.ticket_id)
    assert first.channel is Channel.CHAT
    assert first.customer.id != second.customer.id
    record = await store.get_customer_record(first.customer.id)
    assert record.identities == (Identity(IdentityKind.CHAT, "v1"),)


async def test_a_reply_goes_out_knowing_its_conversation(store: SqliteStore) -> None:
    taken = await store.take_in(WHATSAPP, message("Paket belum sampai"), cursor=None)
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    await store.add_message(taken.ticket_id, NewMessage("r1", "Halo Budi, kami cek"), actor_id=agent.id)

    due = await store.due_deliveries(WHATSAPP)

    assert [each.conversation for each in due] == [f"{WHATSAPP}:6281234567890"]
    assert due[0].body == "Halo Budi, kami cek"


async def test_a_sender_with_no_address_a_reply_could_go_to_is_refused_in_words(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="no sender address"):
        await store.take_in(WHATSAPP, message("x", sender="whatsapp:not a number"), cursor=None)


async def test_a_reply_caught_while_meta_took_it_is_never_sent_again_and_says_so(store: SqliteStore) -> None:
    taken = await store.take_in(WHATSAPP, message("Paket belum sampai"), cursor=None)
    agent = await store.ensure_agent("Sari", "sari@tokoku.example")
    reply = await store.add_message(taken.ticket_id, NewMessage("r1", "Halo Budi"), actor_id=agent.id)
    assert await store.begin_delivery(reply.id, "cs-tui.1")
    await store.handing_over(reply.id)  # and then the process died

    assert await store.recover_deliveries(WHATSAPP) == 1

    [said] = [m for m in (await store.get_messages(taken.ticket_id)).messages if m.id == reply.id]
    assert said.delivery is not None
    assert said.delivery.state.value == "failed"
    assert "while Meta was taking this reply" in said.delivery.reason
    assert await store.due_deliveries(WHATSAPP) == []

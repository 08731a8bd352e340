"""Customers: their records (addresses, shared notes, tags) changed with the version
seen, listed and searched by any part of a name or an address, and merged."""

from __future__ import annotations

import asyncio

import pytest

from cs_tui.domain import limits
from cs_tui.domain.customers import CustomerChanges, Identity, IdentityKind
from cs_tui.domain.models import EventKind, NewTicket, Status
from cs_tui.domain.query import of_customer
from cs_tui.store import Conflict, InvalidInput, NotFound, Store

from .helpers import all_tickets, open_ticket, set_status, take_events

BUDI = ("Budi Santoso", "budi@example.com")
BUDI_WORK = "budi.santoso@tokoku.co.id"
HARTONO = ("Budi Hartono", "hartono@mail.example")
SITI = ("Siti Rahayu", "siti@example.com")
WHATSAPP = Identity(IdentityKind.WHATSAPP, "+6281234567890")


def email(address: str) -> Identity:
    return Identity(IdentityKind.EMAIL, address)


async def open_for(store: Store, who: tuple[str, str], subject: str = "Pesanan belum sampai") -> int:
    ticket = await open_ticket(store, subject, name=who[0], email=who[1])
    return ticket.customer.id


async def change(store: Store, customer_id: int, changes: CustomerChanges) -> None:
    record = await store.get_customer_record(customer_id)
    await store.update_customer(customer_id, changes, expected_version=record.version, actor_id=None)


# The record


async def test_a_customer_s_record_says_who_they_are_and_how_many_tickets_they_have(store: Store) -> None:
    budi = await open_for(store, BUDI, "Satu")
    second = await open_ticket(store, "Dua", name=BUDI[0], email=BUDI[1])
    await set_status(store, second, Status.SOLVED)
    record = await store.get_customer_record(budi)
    assert (record.id, record.name, record.email) == (budi, *BUDI)
    assert record.identities == (email(BUDI[1]),)
    assert (record.notes, record.tags, record.version) == ("", (), 1)
    assert (record.ticket_count, record.open_count) == (2, 1)
    assert record.customer == await store.get_customer(budi) == second.customer
    assert second.customer.addresses == (BUDI[1],)


async def test_an_edit_changes_the_name_notes_tags_and_addresses(store: Store) -> None:
    budi = await open_for(store, BUDI)
    before = await store.get_customer_record(budi)
    after = await store.update_customer(
        budi,
        CustomerChanges(
            name="Budi  Santoso Putra",
            notes="Pelanggan lama.\nSuka dikabari lewat WhatsApp.\n",
            add_tags=("VIP", "Reseller"),
            add_identities=(email("Budi.Santoso@Tokoku.co.id"), WHATSAPP),
        ),
        expected_version=before.version,
        actor_id=None,
    )
    assert after.name == "Budi Santoso Putra"
    assert after.notes == "Pelanggan lama.\nSuka dikabari lewat WhatsApp."
    assert after.tags == ("reseller", "vip")
    assert after.identities == (email(BUDI[1]), email(BUDI_WORK), WHATSAPP)
    assert after.email == BUDI[1]  # still the primary
    assert after.version == before.version + 1
    assert await store.get_customer_record(budi) == after
    [ticket] = await all_tickets(store)
    assert ticket.customer.name == "Budi Santoso Putra"
    assert ticket.customer.addresses == (BUDI[1], BUDI_WORK, WHATSAPP.value)
    assert await store.find_customer(BUDI_WORK) == ticket.customer

    later = await store.update_customer(
        budi,
        CustomerChanges(remove_tags=("vip",), remove_identities=(WHATSAPP,)),
        expected_version=after.version,
        actor_id=None,
    )
    assert later.tags == ("reseller",)
    assert later.identities == (email(BUDI[1]), email(BUDI_WORK))
    assert later.notes == after.notes  # left out: as it was


async def test_a_stale_edit_is_a_conflict_with_the_record_as_it_is_and_changes_nothing(store: Store) -> None:
    budi = await open_for(store, BUDI)
    seen = await store.get_customer_record(budi)
    first = await store.update_customer(
        budi, CustomerChanges(notes="Minta faktur tiap bulan."), expected_version=seen.version, actor_id=None
    )
    with pytest.raises(Conflict) as raised:
        await store.update_customer(
            budi,
            CustomerChanges(notes="Alamat baru di Bandung."),
            expected_version=seen.version,
            actor_id=None,
        )
    assert raised.value.current == first
    assert (await store.get_customer_record(budi)).notes == "Minta faktur tiap bulan."


async def test_two_agents_editing_the_notes_at_once_one_wins_and_the_other_is_told(store: Store) -> None:
    budi = await open_for(store, BUDI)
    seen = await store.get_customer_record(budi)
    results = await asyncio.gather(
        *(
            store.update_customer(
                budi, CustomerChanges(notes=text), expected_version=seen.version, actor_id=None
            )
            for text in ("Catatan Ana", "Catatan Rudi")
        ),
        return_exceptions=True,
    )
    [won] = [r for r in results if not isinstance(r, BaseException)]
    [lost] = [r for r in results if isinstance(r, BaseException)]
    assert isinstance(lost, Conflict)
    assert (await store.get_customer_record(budi)).notes == won.notes


async def test_removing_the_primary_address_makes_the_next_email_the_primary(store: Store) -> None:
    budi = await open_for(store, BUDI)
    await change(store, budi, CustomerChanges(add_identities=(WHATSAPP, email(BUDI_WORK))))
    await change(store, budi, CustomerChanges(remove_identities=(email(BUDI[1]),)))
    record = await store.get_customer_record(budi)
    assert record.email == BUDI_WORK
    assert record.identities == (WHATSAPP, email(BUDI_WORK))
    assert (await store.get_customer(budi)).email == BUDI_WORK
    assert await store.find_customer(BUDI[1]) is None
    # The address is nobody's now: it writes in as a new customer.
    again = await open_ticket(store, "Halo", name="Budi Lama", email=BUDI[1])
    assert again.customer.id != budi


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (CustomerChanges(name="   "), "name"),
        (CustomerChanges(notes="x" * (limits.NOTES_CHARS + 1)), "notes"),
        (CustomerChanges(add_identities=(email("not-an-address"),)), "identity"),
        (CustomerChanges(add_identities=(Identity(IdentityKind.WHATSAPP, "nomor saya"),)), "identity"),
        (CustomerChanges(remove_identities=(email("other@example.com"),)), "remove_identities"),
        (CustomerChanges(remove_identities=(email(BUDI[1]),)), "remove_identities"),
        (CustomerChanges(add_tags=tuple(f"t{n}" for n in range(limits.TAGS_PER_TICKET + 1))), "tags"),
    ],
)
async def test_an_edit_the_rules_refuse_changes_nothing(
    store: Store, changes: CustomerChanges, field: str
) -> None:
    budi = await open_for(store, BUDI)
    before = await store.get_customer_record(budi)
    with pytest.raises(InvalidInput) as raised:
        await store.update_customer(budi, changes, expected_version=before.version, actor_id=None)
    assert raised.value.field == field
    assert await store.get_customer_record(budi) == before


async def test_an_address_another_customer_has_is_refused_with_a_word_on_merging(store: Store) -> None:
    budi = await open_for(store, BUDI)
    hartono = await open_for(store, HARTONO)
    with pytest.raises(InvalidInput, match="merge"):
        await change(store, budi, CustomerChanges(add_identities=(email(HARTONO[1]),)))
    assert (await store.get_customer_record(budi)).identities == (email(BUDI[1]),)
    assert (await store.find_customer(HARTONO[1])) == await store.get_customer(hartono)


async def test_a_missing_customer_is_not_found(store: Store) -> None:
    budi = await open_for(store, BUDI)
    with pytest.raises(NotFound):
        await store.get_customer_record(budi + 100)
    with pytest.raises(NotFound):
        await store.update_customer(budi + 100, CustomerChanges(notes="x"), expected_version=1, actor_id=None)
    with pytest.raises(NotFound):
        await store.merge_customers(budi + 100, budi, actor_id=None)


async def test_a_new_ticket_from_a_second_address_is_the_same_customer_and_says_which_address(
    store: Store,
) -> None:
    budi = await open_for(store, BUDI)
    await change(store, budi, CustomerChanges(add_identities=(email(BUDI_WORK),)))
    ticket = await store.create_ticket(
        NewTicket("Faktur kantor", BUDI_WORK.upper(), "Tolong kirim fakturnya.", customer_name="Pak Budi"),
        actor_id=None,
    )
    assert ticket.customer.id == budi
    assert ticket.customer.name == BUDI[0]  # a known customer keeps their name
    [first] = (await store.get_messages(ticket.id)).messages
    assert (first.author_name, first.author_email) == (BUDI[0], BUDI_WORK)
    assert (await store.get_customer_record(budi)).ticket_count == 2


# Lists and `customer:` in the search


async def test_customers_are_listed_in_name_order_page_by_page_with_their_counts(store: Store) -> None:
    for who in (SITI, HARTONO, BUDI, ("agus", "agus@example.com"), ("Citra", "citra@example.com")):
        await open_for(store, who)
    await open_for(store, SITI, "Lagi")
    seen: list[str] = []
    after = None
    while True:
        page = await store.list_customers(after=after, limit=2)
        assert page.total == 5
        seen.extend(summary.customer.name for summary in page.customers)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == ["agus", "Budi Hartono", "Budi Santoso", "Citra", "Siti Rahayu"]
    [siti] = (await store.list_customers("siti")).customers
    assert (siti.ticket_count, siti.open_count, siti.tags) == (2, 2, ())


async def test_a_customer_term_means_a_part_of_a_name_or_an_address_or_a_whole_address(store: Store) -> None:
    budi = await open_for(store, BUDI)
    hartono = await open_for(store, HARTONO)
    siti = await open_for(store, SITI)
    await change(store, budi, CustomerChanges(add_identities=(email(BUDI_WORK), WHATSAPP)))

    async def meant(term: str) -> set[int]:
        return {summary.customer.id for summary in (await store.list_customers(term)).customers}

    assert await meant("budi") == {budi, hartono}
    assert await meant("BUDI") == {budi, hartono}
    assert await meant("hartono") == {hartono}
    assert await meant("@tokoku") == {budi}
    assert await meant("8123456") == {budi}
    assert await meant("example.com") == {budi, siti}
    assert await meant(BUDI_WORK.upper()) == {budi}
    assert await meant("udi@example.com") == set()  # a whole address matches whole
    assert await meant(f"#{siti}") == {siti}
    assert await meant("zzz") == set()
    with pytest.raises(InvalidInput):
        await store.list_customers("bu")


async def test_customer_in_the_search_finds_tickets_by_name_part_of_an_address_or_the_address(
    store: Store,
) -> None:
    budi = await open_for(store, BUDI, "Pesanan Budi")
    await open_for(store, HARTONO, "Pesanan Hartono")
    await open_for(store, SITI, "Pesanan Siti")
    await change(store, budi, CustomerChanges(add_identities=(email(BUDI_WORK),)))
    await store.create_ticket(NewTicket("Dari kantor", BUDI_WORK, "Halo"), actor_id=None)
    await open_ticket(store, "Mirip", name="Abudi", email="abudi@example.com")

    async def subjects(text: str) -> set[str]:
        return {ticket.subject for ticket in await all_tickets(store, text)}

    assert await subjects("customer:budi") == {"Pesanan Budi", "Dari kantor", "Pesanan Hartono", "Mirip"}
    assert await subjects("customer:santoso") == {"Pesanan Budi", "Dari kantor"}
    assert await subjects("customer:@tokoku") == {"Pesanan Budi", "Dari kantor"}
    assert await subjects("customer:budi@example.com") == {"Pesanan Budi", "Dari kantor"}
    assert await subjects(f"customer:{BUDI_WORK}") == {"Pesanan Budi", "Dari kantor"}
    assert await subjects("customer:siti,hartono") == {"Pesanan Siti", "Pesanan Hartono"}
    assert await subjects("-customer:budi") == {"Pesanan Siti"}
    assert await subjects(f"customer:#{budi} kantor") == {"Dari kantor"}
    assert await store.count_tickets(of_customer(budi)) == 2


# Merging


async def test_merging_moves_the_tickets_addresses_tags_and_notes_and_the_old_id_leads_on(
    store: Store,
) -> None:
    budi = await open_for(store, BUDI, "Pesanan pertama")
    twin = await open_for(store, ("Budi S.", BUDI_WORK), "Faktur kantor")
    await open_for(store, ("Budi S.", BUDI_WORK), "Faktur lagi")
    await change(store, budi, CustomerChanges(notes="Pelanggan lama.", add_tags=("vip",)))
    await change(
        store, twin, CustomerChanges(notes="Minta faktur.", add_tags=("b2b",), add_identities=(WHATSAPP,))
    )
    since = await store.last_event_id()

    merged = await store.merge_customers(twin, budi, actor_id=None)

    record = merged.customer
    assert merged.merged_id == twin
    assert len(merged.moved_tickets) == 2
    assert set(merged.added_identities) == {email(BUDI_WORK), WHATSAPP}
    assert merged.added_tags == ("b2b",)
    assert (record.id, record.name, record.email) == (budi, *BUDI)
    assert set(record.identities) == {email(BUDI[1]), email(BUDI_WORK), WHATSAPP}
    assert record.tags == ("b2b", "vip")
    assert record.notes.startswith("Pelanggan lama.")
    assert record.notes.endswith("Minta faktur.")
    assert (record.ticket_count, record.merged_ids) == (3, (twin,))
    assert {t.customer.id for t in await all_tickets(store)} == {budi}
    assert await store.get_customer_record(twin) == record
    assert (await store.get_customer(twin)).id == budi
    assert (await store.find_customer(BUDI_WORK)) == await store.get_customer(budi)
    assert [s.customer.id for s in (await store.list_customers()).customers] == [budi]
    assert len(await all_tickets(store, f"customer:{BUDI_WORK}")) == 3

    events = await take_events(store, since, 4)
    assert [(e.kind, e.customer_id) for e in events[:2]] == [
        (EventKind.CUSTOMER_CHANGED, budi),
        (EventKind.CUSTOMER_CHANGED, twin),
    ]
    assert {(e.kind, e.ticket_id) for e in events[2:]} == {
        (EventKind.TICKET_UPDATED, ticket_id) for ticket_id in merged.moved_tickets
    }
    # The messages keep the address they came from.
    moved = await store.get_messages(merged.moved_tickets[0])
    assert moved.messages[0].author_email == BUDI_WORK


async def test_a_merge_of_a_customer_into_itself_or_again_is_refused(store: Store) -> None:
    budi = await open_for(store, BUDI)
    twin = await open_for(store, ("Budi S.", BUDI_WORK))
    with pytest.raises(InvalidInput):
        await store.merge_customers(budi, budi, actor_id=None)
    await store.merge_customers(twin, budi, actor_id=None)
    with pytest.raises(InvalidInput):
        await store.merge_customers(twin, budi, actor_id=None)


async def test_an_edit_is_an_event_naming_the_customer(store: Store) -> None:
    budi = await open_for(store, BUDI)
    since = await store.last_event_id()
    await change(store, budi, CustomerChanges(notes="Ramah."))
    [event] = await take_events(store, since, 1)
    assert (event.kind, event.customer_id, event.ticket_id) == (EventKind.CUSTOMER_CHANGED, budi, None)

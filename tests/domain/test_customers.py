"""A customer's record: addresses as typed and as kept, the rules of an edit and of a
merge, and what a `customer:` term means, live and in the parser."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_tui.domain import limits
from cs_tui.domain.customers import (
    CustomerChanges,
    CustomerRecord,
    Identity,
    IdentityKind,
    checked_customer_changes,
    customer_term,
    identities_after,
    merged_notes,
    parse_identity,
    term_matches,
)
from cs_tui.domain.matching import ticket_matches
from cs_tui.domain.models import Customer
from cs_tui.domain.query import Field, Filter, Query, QueryError, of_customer, parse
from cs_tui.domain.rules import RuleBroken

from .factories import T0, ticket

EMAIL, PHONE, WHATSAPP = IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.WHATSAPP
BUDI = Customer(
    10, "Budi Santoso", "budi@example.com", ("budi@example.com", "budi@tokoku.co.id", "+628123456")
)


def record(*identities: Identity, email: str = "budi@example.com") -> CustomerRecord:
    return CustomerRecord(10, "Budi Santoso", email, identities, "", (), T0, T0, 1)


# Addresses


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Budi@Example.COM", Identity(EMAIL, "budi@example.com")),
        ("  budi@example.com ", Identity(EMAIL, "budi@example.com")),
        ("+62 812-3456-7890", Identity(PHONE, "+6281234567890")),
        ("(021) 555.1234", Identity(PHONE, "0215551234")),
        ("whatsapp:+62 812 3456 7890", Identity(WHATSAPP, "+6281234567890")),
        ("WhatsApp:0812-3456", Identity(WHATSAPP, "08123456")),
        ("instagram:@TokoBudi", Identity(IdentityKind.INSTAGRAM, "tokobudi")),
        ("messenger:1234567890", Identity(IdentityKind.MESSENGER, "1234567890")),
        ("email:Budi@Kantor.example", Identity(EMAIL, "budi@kantor.example")),
    ],
)
def test_an_address_is_kept_as_one_form_whatever_way_it_was_typed(typed: str, kept: Identity) -> None:
    assert parse_identity(typed) == kept
    assert parse_identity(kept.format()) == kept


@pytest.mark.parametrize(
    "typed",
    ["budi", "budi@", "a@b, c@d", "whatsapp:nomor saya", "phone:12", "fax:123456", "instagram:two words", ""],
)
def test_what_is_not_an_address_is_refused_in_words(typed: str) -> None:
    with pytest.raises(RuleBroken) as raised:
        parse_identity(typed)
    assert raised.value.field == "identity"


# An edit


def test_an_edit_is_cleaned_and_what_is_added_and_removed_is_only_added() -> None:
    cleaned = checked_customer_changes(
        CustomerChanges(
            name="  Budi \x1b[31m Santoso ",
            notes="Suka \x1b]0;x\x07WhatsApp.\r\nBaik.\n\n",
            add_tags=("VIP", "Late Delivery"),
            remove_tags=("vip", "b2b"),
            add_identities=(Identity(EMAIL, "Budi@Kantor.example"),),
            remove_identities=(Identity(EMAIL, "budi@kantor.example"), Identity(PHONE, "+62 812")),
        )
    )
    assert cleaned.name == "Budi Santoso"
    assert cleaned.notes == "Suka WhatsApp.\nBaik."
    assert cleaned.add_tags == ("late-delivery", "vip")
    assert cleaned.remove_tags == ("b2b",)
    assert cleaned.add_identities == (Identity(EMAIL, "budi@kantor.example"),)
    assert cleaned.remove_identities == (Identity(PHONE, "+62812"),)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (CustomerChanges(name=" \t "), "name"),
        (CustomerChanges(name="x" * (limits.NAME_CHARS + 1)), "name"),
        (CustomerChanges(notes="x" * (limits.NOTES_CHARS + 1)), "notes"),
        (CustomerChanges(add_identities=(Identity(EMAIL, "budi"),)), "identity"),
    ],
)
def test_an_edit_past_the_rules_is_refused(changes: CustomerChanges, field: str) -> None:
    with pytest.raises(RuleBroken) as raised:
        checked_customer_changes(changes)
    assert raised.value.field == field


def test_removing_the_primary_email_makes_the_next_one_primary_and_the_last_cannot_go() -> None:
    home, work, phone = (
        Identity(EMAIL, "budi@example.com"),
        Identity(EMAIL, "budi@kantor.example"),
        Identity(PHONE, "+628123456"),
    )
    current = record(home, phone, work)
    assert identities_after(current, CustomerChanges(remove_identities=(home,))) == (
        (phone, work),
        work.value,
    )
    assert identities_after(current, CustomerChanges(remove_identities=(work,))) == (
        (home, phone),
        home.value,
    )
    with pytest.raises(RuleBroken, match="needs an email"):
        identities_after(record(home, phone), CustomerChanges(remove_identities=(home,)))
    with pytest.raises(RuleBroken, match="has no address"):
        identities_after(current, CustomerChanges(remove_identities=(Identity(EMAIL, "x@example.com"),)))
    many = tuple(Identity(PHONE, f"+62{n:06}") for n in range(limits.ADDRESSES_PER_CUSTOMER))
    with pytest.raises(RuleBroken, match="the limit"):
        identities_after(current, CustomerChanges(add_identities=many))


def test_merged_notes_keep_both_and_say_whose_the_others_were() -> None:
    into = record(Identity(EMAIL, "budi@example.com"))
    other = CustomerRecord(11, "Budi S.", "budi@kantor.example", (), "Minta faktur.", (), T0, T0, 1)
    assert merged_notes(into, other) == "(from Budi S. <budi@kantor.example>, merged in)\nMinta faktur."
    noted = CustomerRecord(10, "Budi", "budi@example.com", (), "Pelanggan lama.", (), T0, T0, 1)
    assert merged_notes(noted, other).startswith("Pelanggan lama.\n\n(from Budi S.")
    assert merged_notes(noted, into) == "Pelanggan lama."


# What `customer:` means


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("budi", "budi"),
        ("Budi", "Budi"),
        ("Budi@Example.com", "budi@example.com"),
        ("#012", "#12"),
        ("@to", "@to"),
    ],
)
def test_a_customer_term_is_kept_as_typed_but_for_addresses_and_numbers(value: str, kept: str) -> None:
    assert customer_term(value) == kept
    assert parse(f"customer:{value}") == Query((Filter(Field.CUSTOMER, (kept,)),))


@pytest.mark.parametrize("value", ["bu", "b", "#", "#12a", "#1234567890123456789"])
def test_a_customer_term_too_short_or_not_a_number_is_refused_where_it_stands(value: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse(f"status:open customer:{value}")
    assert raised.value.position == len("status:open customer:")
    assert "customer:" in raised.value.message


@pytest.mark.parametrize(
    ("term", "means_budi"),
    [
        ("budi", True),
        ("SANTOSO", True),
        ("udi san", True),
        ("@tokoku", True),
        ("tokoku.co", True),
        ("8123", True),
        ("budi@example.com", True),
        ("BUDI@TOKOKU.CO.ID", True),
        ("udi@example.com", False),  # a whole address matches whole
        ("budi@example.co", False),
        ("santoso budi", False),
        ("#10", True),
        ("#11", False),
        ("hartono", False),
    ],
)
def test_a_customer_term_means_a_part_of_a_name_or_an_address_or_a_whole_one(
    term: str, means_budi: bool
) -> None:
    assert term_matches(customer_term(term), BUDI) is means_budi


def test_a_customer_known_by_the_primary_address_alone_matches_by_it() -> None:
    plain = Customer(10, "Budi Santoso", "budi@example.com")
    assert term_matches("budi@example.com", plain)
    assert term_matches("@example", plain)


def test_the_live_filter_matches_customer_terms_as_the_search_does() -> None:
    found = ticket(customer=BUDI)
    now = T0 + timedelta(hours=1)
    for text, matches in [
        ("customer:@tokoku", True),
        ("customer:hartono,santoso", True),
        ("-customer:budi", False),
        ("customer:budi@tokoku.co.id status:open", True),
        ("customer:#11", False),
    ]:
        assert ticket_matches(parse(text), found, bodies=[], viewer_id=1, now=now) is matches, text
    assert ticket_matches(of_customer(10, parse("status:open")), found, bodies=[], viewer_id=1, now=now)

"""`cs-tui customer list/show/edit/merge` as a script and a person use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_runner import CsTui


def open_ticket(cs_tui: CsTui, subject: str, email: str, name: str) -> int:
    done = cs_tui(
        "ticket", "new", "--subject", subject, "--customer", email, "--name", name, "--body", "Halo"
    )
    assert done.code == 0, done.err
    return int(done.out)


@pytest.fixture
def shop(cs_tui: CsTui) -> CsTui:
    open_ticket(cs_tui, "Pesanan belum sampai", "budi@example.com", "Budi Santoso")
    open_ticket(cs_tui, "Faktur kantor", "budi.santoso@tokoku.co.id", "Budi S.")
    open_ticket(cs_tui, "Paket rusak", "hartono@mail.example", "Budi Hartono")
    open_ticket(cs_tui, "Tukar ukuran", "siti@example.com", "Siti Rahayu")
    return cs_tui


def test_list_gives_the_documented_fields_in_name_order_and_takes_a_customer_term(shop: CsTui) -> None:
    listed = shop("customer", "list", "--json")
    assert listed.code == 0, listed.err
    assert [c["name"] for c in listed.json()] == ["Budi Hartono", "Budi S.", "Budi Santoso", "Siti Rahayu"]
    assert listed.json()[2] == {
        "id": 1,
        "name": "Budi Santoso",
        "email": "budi@example.com",
        "addresses": ["budi@example.com"],
        "tags": [],
        "ticket_count": 1,
        "open_count": 1,
    }
    assert [c["name"] for c in shop("customer", "list", "-q", "santoso", "--json").json()] == [
        "Budi S.",
        "Budi Santoso",
    ]
    assert [c["name"] for c in shop("customer", "list", "-q", "@TOKOKU", "--json").json()] == ["Budi S."]
    human = shop("customer", "list", "--query", "budi")
    assert "Budi Hartono" in human.out
    assert "Siti" not in human.out
    assert "1-3 of 3 customers matching 'budi'" in human.out
    short = shop("customer", "list", "-q", "bu")
    assert short.code == 2
    assert "3 or more characters" in short.err


def test_show_finds_one_customer_by_number_address_or_a_name_that_fits_one(shop: CsTui) -> None:
    by_number = shop("customer", "show", "#4", "--json")
    assert by_number.code == 0, by_number.err
    siti = by_number.json()
    assert set(siti) == {
        "id",
        "name",
        "email",
        "addresses",
        "identities",
        "notes",
        "tags",
        "created_at",
        "updated_at",
        "version",
        "ticket_count",
        "open_count",
        "merged_ids",
        "tickets",
    }
    assert (siti["name"], siti["ticket_count"], siti["version"]) == ("Siti Rahayu", 1, 1)
    assert [t["subject"] for t in siti["tickets"]] == ["Tukar ukuran"]
    assert shop("customer", "show", "SITI@example.com", "--json").json()["id"] == 4
    assert shop("customer", "show", "rahayu", "--json").json()["id"] == 4
    human = shop("customer", "show", "4")
    assert "Siti Rahayu" in human.out
    assert "Tukar ukuran" in human.out

    several = shop("customer", "show", "budi")
    assert several.code == 2
    assert "could be" in several.err
    assert "Budi Hartono" in several.err
    assert "Budi Santoso" in several.err
    nobody = shop("customer", "show", "nobody@example.com")
    assert nobody.code == 1
    assert "no customer has the address nobody@example.com" in nobody.err
    missing = shop("customer", "show", "99")
    assert missing.code == 1
    assert "there is no customer 99" in missing.err


def test_edit_changes_name_addresses_tags_and_notes(shop: CsTui, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Pelanggan lama.\nSuka dikabari lewat WhatsApp.\n", encoding="utf-8")
    edited = shop(
        "customer",
        "edit",
        "budi@example.com",
        "--name",
        "Budi Santoso Putra",
        "--add-address",
        "whatsapp:+62 812-3456-7890",
        "--add-address",
        "Budi@Rumah.example",
        "--tag",
        "VIP",
        "--notes-file",
        str(notes),
        "--json",
    )
    assert edited.code == 0, edited.err
    record = edited.json()
    assert record["name"] == "Budi Santoso Putra"
    assert record["addresses"] == ["budi@example.com", "+6281234567890", "budi@rumah.example"]
    assert record["identities"][1] == {"kind": "whatsapp", "value": "+6281234567890"}
    assert record["tags"] == ["vip"]
    assert record["notes"] == "Pelanggan lama.\nSuka dikabari lewat WhatsApp."
    assert record["version"] == 2

    again = shop(
        "customer", "edit", "1", "--untag", "vip", "--remove-address", "whatsapp:+6281234567890",
        "--notes", "", "--json",
    )  # fmt: skip
    assert again.code == 0, again.err
    assert (again.json()["tags"], again.json()["notes"]) == ([], "")
    assert again.json()["addresses"] == ["budi@example.com", "budi@rumah.example"]
    stdin = shop("customer", "edit", "1", "--notes-file", "-", "--json", input="Catatan baru\n")
    assert stdin.json()["notes"] == "Catatan baru"
    # A ticket that comes from the new address is the same customer's.
    ticket = open_ticket(shop, "Dari rumah", "budi@rumah.example", "Pak Budi")
    assert shop("ticket", "show", str(ticket), "--json").json()["customer"]["name"] == "Budi Santoso Putra"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "nothing to change"),
        (
            ("--add-address", "nomor saya"),
            "--add-address: 'nomor saya' is not an email address or a phone number",
        ),
        (("--add-address", "hartono@mail.example"), "merge them (cs-tui customer merge 3 --into 1)"),
        (("--remove-address", "budi@example.com"), "needs an email address"),
        (("--name", "  "), "a customer needs a name: give it with --name"),
    ],
)
def test_an_edit_that_cannot_be_made_says_why_and_changes_nothing(
    shop: CsTui, args: tuple[str, ...], said: str
) -> None:
    refused = shop("customer", "edit", "1", *args)
    assert refused.code == 2
    assert said in refused.err
    assert shop("customer", "show", "1", "--json").json()["version"] == 1


def test_merge_asks_first_then_moves_tickets_and_addresses_and_says_what_moved(shop: CsTui) -> None:
    unasked = shop("customer", "merge", "budi.santoso@tokoku.co.id", "--into", "budi@example.com")
    assert unasked.code == 2
    assert "--yes" in unasked.err
    assert len(shop("customer", "list", "--json").json()) == 4

    merged = shop("customer", "merge", "budi.santoso@tokoku.co.id", "--into", "1", "--yes", "--json")
    assert merged.code == 0, merged.err
    done = merged.json()
    assert (done["merged_id"], done["moved_tickets"], done["added_addresses"]) == (
        2,
        [2],
        ["budi.santoso@tokoku.co.id"],
    )
    assert done["customer"]["ticket_count"] == 2
    assert done["customer"]["merged_ids"] == [2]
    assert shop("customer", "show", "2", "--json").json()["id"] == 1
    listed = shop("ticket", "list", "--query", "customer:budi.santoso@tokoku.co.id", "--json").json()
    assert {t["subject"] for t in listed} == {"Pesanan belum sampai", "Faktur kantor"}
    assert {t["customer"]["email"] for t in listed} == {"budi@example.com"}

    said = shop("customer", "merge", "3", "--into", "4", "--yes")
    assert said.code == 0, said.err
    assert "Tickets moved: #3" in said.out
    assert "Addresses added: hartono@mail.example" in said.out
    twice = shop("customer", "merge", "3", "--into", "4", "--yes")
    assert twice.code == 2
    assert "one customer already" in twice.err


def test_customer_in_a_ticket_search_takes_a_name_a_part_of_an_address_or_an_address(shop: CsTui) -> None:
    def subjects(query: str) -> set[str]:
        done = shop("ticket", "list", "--query", query, "--json")
        assert done.code == 0, done.err
        return {t["subject"] for t in done.json()}

    assert subjects("customer:budi") == {"Pesanan belum sampai", "Faktur kantor", "Paket rusak"}
    assert subjects("customer:@tokoku") == {"Faktur kantor"}
    assert subjects("customer:budi@example.com") == {"Pesanan belum sampai"}
    assert subjects("customer:#4") == {"Tukar ukuran"}
    short = shop("ticket", "list", "--query", "customer:bu")
    assert short.code == 2
    assert "too short" in short.err

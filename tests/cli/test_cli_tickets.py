"""`cs-tui ticket ...` as a script uses it."""

from __future__ import annotations

import asyncio
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest

from cs_tui.store import open_store
from tests.contract.helpers import PESANAN, fill_shop

from .cli_runner import CsTui


def test_new_reply_show_round_trip(cs_tui: CsTui) -> None:
    created = cs_tui(
        "ticket",
        "new",
        "--subject",
        "Pesanan belum sampai",
        "--customer",
        "Budi@Example.com",
        "--name",
        "Budi Santoso",
        "--priority",
        "high",
        "--channel",
        "whatsapp",
        "--tag",
        "Late Delivery",
        "--body",
        "Halo, pesanan saya INV/20261103/MPL/1234 belum sampai.",
    )
    assert created.code == 0, created.err
    ticket_id = int(created.out)

    replied = cs_tui("ticket", "reply", f"#{ticket_id}", "--body", "Halo Budi, kami cek dulu ya.")
    assert replied.code == 0, replied.err
    noted = cs_tui("ticket", "reply", str(ticket_id), "--internal", "--body", "-", input="Cek ke JNE")
    assert noted.code == 0, noted.err

    shown = cs_tui("ticket", "show", str(ticket_id), "--json").json()
    assert shown["id"] == ticket_id
    assert shown["subject"] == "Pesanan belum sampai"
    assert shown["status"] == "open"  # the first public reply opens a new ticket
    assert shown["priority"] == "high"
    assert shown["channel"] == "whatsapp"
    assert shown["customer"] == {"name": "Budi Santoso", "email": "budi@example.com"}
    assert shown["tags"] == ["late-delivery"]
    assert [(m["author"], m["internal"], m["body"]) for m in shown["messages"]] == [
        ("customer", False, "Halo, pesanan saya INV/20261103/MPL/1234 belum sampai."),
        ("agent:ana@tokoku.example", False, "Halo Budi, kami cek dulu ya."),
        ("agent:ana@tokoku.example", True, "Cek ke JNE"),
    ]

    human = cs_tui("ticket", "show", str(ticket_id))
    assert "Pesanan belum sampai" in human.out
    assert "(internal note)" in human.out


def test_list_json_has_the_documented_fields_and_filters(cs_tui: CsTui) -> None:
    for subject, email, priority in [
        ("Refund belum masuk", "siti@example.com", "urgent"),
        ("Where is my parcel?", "john@example.com", "normal"),
    ]:
        done = cs_tui(
            "ticket",
            "new",
            "--subject",
            subject,
            "--customer",
            email,
            "--priority",
            priority,
            "--body",
            subject,
        )
        assert done.code == 0, done.err

    listed = cs_tui("ticket", "list", "--json").json()
    assert [t["subject"] for t in listed] == ["Where is my parcel?", "Refund belum masuk"]
    assert set(listed[0]) == {
        "id",
        "ref",
        "subject",
        "status",
        "priority",
        "channel",
        "customer",
        "assignee",
        "tags",
        "created_at",
        "updated_at",
        "snoozed_until",
        "merged_into",
    }
    urgent = cs_tui("ticket", "list", "--query", "priority:urgent", "--json").json()
    assert [t["subject"] for t in urgent] == ["Refund belum masuk"]
    words = cs_tui("ticket", "list", "--query", "parcel", "--json").json()
    assert [t["customer"]["email"] for t in words] == ["john@example.com"]
    limited = cs_tui("ticket", "list", "--limit", "1", "--json").json()
    assert len(limited) == 1

    table = cs_tui("ticket", "list")
    assert "Refund belum masuk" in table.out
    assert "1-2 of 2" in table.out


def test_bad_query_is_usage_error_with_the_position(cs_tui: CsTui) -> None:
    done = cs_tui("ticket", "list", "--query", "status:opne")
    assert done.code == 2
    assert "unknown status 'opne'" in done.err
    assert "at character 8" in done.err


@pytest.mark.parametrize("query", [" ".join(f"-w{n}" for n in range(300)), "🙏 !!!"], ids=["terms", "emoji"])
def test_a_query_past_the_parser_s_limits_is_a_usage_error(cs_tui: CsTui, query: str) -> None:
    assert cs_tui("ticket", "new", "--subject", "s", "--customer", "c@example.com", "--body", "b").code == 0
    done = cs_tui("ticket", "list", "--query", query)
    assert done.code == 2, done.err
    assert "unexpected error" not in done.err
    assert "at most 64 terms" in done.err or "nothing to search for" in done.err


def test_missing_ticket_fails_with_a_message(cs_tui: CsTui) -> None:
    done = cs_tui("ticket", "show", "4242")
    assert done.code == 1
    assert "no ticket #4242" in done.err


def test_bad_usage_exits_2(cs_tui: CsTui) -> None:
    assert cs_tui("ticket", "new", "--subject", "x").code == 2
    assert cs_tui("ticket", "show", "abc").code == 2
    bad_email = cs_tui("ticket", "new", "--subject", "x", "--customer", "nobody", "--body", "hi")
    assert bad_email.code == 2
    assert "not an email address" in bad_email.err
    assert "give it with --customer" in bad_email.err  # the store's words, the CLI's hint
    no_words = cs_tui("ticket", "new", "--subject", "x", "--customer", "a@b.example", "--body", "\x07 ")
    assert no_words.code == 2
    assert "a ticket needs a first message from the customer: give it with --body" in no_words.err
    empty = cs_tui("ticket", "reply", "1", "--body", "   ")
    assert empty.code == 2


def test_customer_markup_and_escapes_print_literally(cs_tui: CsTui) -> None:
    done = cs_tui(
        "ticket",
        "new",
        "--subject",
        "[bold red]x[/] \x1b]0;pwned\x07",
        "--customer",
        "e@example.com",
        "--name",
        "[@click=app.quit]q[/]",
        "--body",
        "a\x1b[2Jb",
    )
    assert done.code == 0, done.err
    for output in (cs_tui("ticket", "list").out, cs_tui("ticket", "show", done.out.strip()).out):
        assert "\x1b" not in output
        assert "\x07" not in output
        assert "[bold red]x[/]" in output
    assert "[@click=app.quit]q[/]" in cs_tui("ticket", "show", done.out.strip()).out


def test_store_from_a_newer_version_is_refused(cs_tui: CsTui) -> None:
    assert cs_tui("ticket", "list").code == 0
    with sqlite3.connect(cs_tui.store) as db:
        db.execute("PRAGMA user_version = 999")
    done = cs_tui("ticket", "list")
    assert done.code == 1
    assert "newer cs-tui" in done.err
    assert "Upgrade" in done.err


def test_the_version_shown_is_the_version_installed(cs_tui: CsTui) -> None:
    done = cs_tui("--version")
    assert done.code == 0
    assert done.out.split() == ["cs-tui", metadata.version("cs-tui")]


def test_a_store_that_cannot_be_opened_says_what_to_check(cs_tui: CsTui) -> None:
    done = cs_tui("ticket", "list", CS_TUI_STORE="postgresql://cs_tui:secret@127.0.0.1:1/helpdesk")
    assert done.code == 1
    assert "cannot open the store at postgresql://cs_tui:***@127.0.0.1:1/helpdesk" in done.err
    assert "Check that PostgreSQL is running there" in done.err
    assert "secret" not in done.err
    unknown = cs_tui("ticket", "list", CS_TUI_STORE="ftp://files.example/helpdesk")
    assert unknown.code == 2
    assert "http(s)://HOST:PORT" in unknown.err
    assert "postgresql://USER@HOST/DATABASE" in unknown.err


def test_every_command_explains_itself() -> None:
    import subprocess
    import sys

    for command in (
        [],
        ["demo"],
        ["ticket"],
        ["ticket", "list"],
        ["ticket", "new"],
        ["ticket", "reply"],
        ["import"],
        ["export"],
        ["canned"],
        ["canned", "import"],
        ["metrics"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "cs_tui", *command, "--help"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (command, done.stderr)
        assert "--store" in done.stdout, command


async def fill_shop_at(path: Path) -> None:
    store = await open_store(str(path))
    try:
        await fill_shop(store)
    finally:
        await store.close()


def test_list_count_is_exact_where_a_page_s_total_may_be_an_estimate(cs_tui: CsTui) -> None:
    asyncio.run(fill_shop_at(cs_tui.store))
    counted = cs_tui("ticket", "list", "--query", "pesanan", "--count")
    assert counted.code == 0, counted.err
    assert counted.out == f"{PESANAN}\n"
    assert cs_tui("ticket", "list", "--query", "pesanan", "--count", "--json").json() == {"count": PESANAN}
    listed = cs_tui("ticket", "list", "--query", "pesanan", "--limit", "5")
    assert "1-5 of about 3,600 tickets matching 'pesanan'" in listed.out
    few = cs_tui("ticket", "list", "--query", "ongkir", "--limit", "5")
    assert "1-5 of 1,000 tickets matching 'ongkir'" in few.out

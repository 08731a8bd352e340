"""What the CLI prints never carries an escape sequence a terminal would act on: not
what comes through its own doors (cleaned on the way in), and not what an older
version or another program left in the store file (cleaned again on the way out)."""

from __future__ import annotations

import sqlite3

import pytest

from .cli_runner import CsTui

TITLE = "\x1b]0;PWNED\x07"
CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
CSI_8BIT = "\x9b2J"
DIRTY = f"{TITLE}kiriman{CLIPBOARD}telat{CSI_8BIT}"
ACTING = ("\x1b", "\x07", "\x9b")


def clean(output: str) -> None:
    for control in ACTING:
        assert control not in output, f"{control!r} reaches the terminal in:\n{output!r}"


def test_escapes_given_to_the_cli_are_cleaned_before_the_store(cs_tui: CsTui) -> None:
    made = cs_tui(
        "ticket",
        "new",
        "--subject",
        "Pesanan",
        "--customer",
        "budi@example.com",
        "--body",
        "Halo",
        "--tag",
        f"vip{TITLE}",
        "--tag",
        f"{CLIPBOARD}refund",
        "--tag",
        TITLE,
    )
    assert made.code == 0, made.err
    ticket = made.out.strip()
    with sqlite3.connect(cs_tui.store) as db:
        tags = [tag for (tag,) in db.execute("SELECT tag FROM ticket_tags")]
    # The sequences go, what a person wrote stays; a tag of nothing but a sequence is none.
    assert sorted(tags) == ["refund", "vip"]
    for output in (cs_tui("ticket", "show", ticket).out, cs_tui("ticket", "list", "--json").out):
        clean(output)


@pytest.fixture
def dirty_store(cs_tui: CsTui) -> CsTui:
    """A store whose every text field was written with escapes by something other
    than cs-tui's own doors."""
    made = cs_tui(
        "ticket", "new", "--subject", "s", "--customer", "c@example.com", "--body", "b", "--tag", "t"
    )
    assert made.code == 0, made.err
    assert cs_tui("agent", "add", "Sari", "--email", "sari@tokoku.example").code == 0
    canned = cs_tui.store.parent / "canned.yaml"
    canned.write_text("- title: Salam\n  body: Halo {customer.first_name}\n  shortcut: sa\n")
    assert cs_tui("canned", "import", str(canned)).code == 0
    with sqlite3.connect(cs_tui.store) as db:
        db.execute("UPDATE tickets SET subject = ?", (DIRTY,))
        db.execute("UPDATE customers SET name = ?, email = ?", (DIRTY, f"{TITLE}c@example.com"))
        db.execute("UPDATE agents SET name = ? WHERE email = 'sari@tokoku.example'", (DIRTY,))
        db.execute("UPDATE ticket_tags SET tag = ?", (DIRTY,))
        db.execute("UPDATE messages SET body = ?", (DIRTY,))
        db.execute(
            "UPDATE canned_responses SET title = ?, body = ?, shortcut = ?, tags = ?",
            (DIRTY, DIRTY, TITLE, DIRTY),
        )
    return cs_tui


@pytest.mark.parametrize(
    "command",
    [
        ("ticket", "show", "1"),
        ("ticket", "show", "1", "--json"),
        ("ticket", "list"),
        ("ticket", "list", "--json"),
        ("agent", "list"),
        ("agent", "list", "--json"),
        ("canned", "list"),
        ("canned", "list", "--json"),
        ("export",),
    ],
    ids=" ".join,
)
def test_escapes_already_in_the_store_are_cleaned_on_the_way_out(
    dirty_store: CsTui, command: tuple[str, ...]
) -> None:
    done = dirty_store(*command)
    assert done.code == 0, done.err
    assert "kiriman" in done.out  # the text is there, only not acted on
    clean(done.out)
    clean(done.err)

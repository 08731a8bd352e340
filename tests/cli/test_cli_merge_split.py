"""`cs-tui ticket merge` and `cs-tui ticket split` as a person and a script use them."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from .cli_runner import CsTui, Result


def message(author: str, body: str, minute: int) -> dict[str, object]:
    return {
        "author": author,
        "body": body,
        "internal": False,
        "created_at": f"2026-11-03T09:{minute:02d}:00Z",
    }


@pytest.fixture
def shop(cs_tui: CsTui, tmp_path: Path) -> CsTui:
    """#1: Budi's parcel, answered; #2: Siti asks after the same parcel; #3: Budi
    asks about his parcel, then about a refund, answered too."""
    tickets = [
        {
            "ref": "paket",
            "subject": "Paket belum sampai",
            "status": "open",
            "customer": {"name": "Budi Santoso", "email": "budi@example.com"},
            "tags": ["pengiriman"],
            "created_at": "2026-11-03T09:00:00Z",
            "messages": [
                message("customer", "Paket TN123 belum sampai", 0),
                message("agent:ana@tokoku.example", "Kami cek ke kurir", 20),
            ],
        },
        {
            "ref": "titip",
            "subject": "Titip tanya paket",
            "status": "new",
            "customer": {"name": "Siti Rahayu", "email": "siti@example.com"},
            "tags": ["keluarga"],
            "created_at": "2026-11-03T09:10:00Z",
            "messages": [message("customer", "Paket suami saya TN123 dimana", 10)],
        },
        {
            "ref": "dua-hal",
            "subject": "Paket dan refund",
            "status": "open",
            "customer": {"name": "Budi Santoso", "email": "budi@example.com"},
            "created_at": "2026-11-03T09:30:00Z",
            "messages": [
                message("customer", "Paket kedua belum sampai", 30),
                message("agent:ana@tokoku.example", "Paketnya diantar hari ini", 35),
                message("customer", "Satu lagi: refund pesanan lain belum masuk", 40),
                message("agent:ana@tokoku.example", "Refundnya kami proses", 45),
            ],
        },
    ]
    source = tmp_path / "tickets.jsonl"
    source.write_text("".join(json.dumps(t) + "\n" for t in tickets), encoding="utf-8")
    done = cs_tui("import", str(source))
    assert done.code == 0, done.err
    return cs_tui


def on_a_terminal(cs_tui: CsTui, *args: str, answer: str) -> Result:
    """The command with a terminal on its standard input, where a person types `answer`."""
    typing, terminal = pty.openpty()
    try:
        os.write(typing, answer.encode() + b"\n")
        done = subprocess.run(
            [sys.executable, "-m", "cs_tui", *args],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=cs_tui.env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(typing)
        os.close(terminal)
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def test_merge_without_a_terminal_asks_for_yes_and_merges_nothing(shop: CsTui) -> None:
    unasked = shop("ticket", "merge", "2", "--into", "1")
    assert unasked.code == 2
    assert "give --yes" in unasked.err
    assert shop("ticket", "show", "2", "--json").json()["merged_into"] is None


def test_merge_on_a_terminal_shows_both_tickets_and_asks(shop: CsTui) -> None:
    declined = on_a_terminal(shop, "ticket", "merge", "#2", "--into", "#1", answer="n")
    assert declined.code == 1
    assert "Not merged." in declined.err
    for said in ("#2  Titip tanya paket", "Siti Rahayu <siti@example.com>", "#1  Paket belum sampai"):
        assert said in declined.out
    assert "Merge #2 into #1?" in declined.out
    assert shop("ticket", "show", "2", "--json").json()["status"] == "new"

    agreed = on_a_terminal(shop, "ticket", "merge", "2", "--into", "1", answer="y")
    assert agreed.code == 0, agreed.err
    assert "Merged #2 into #1: 1 message moved, and #2 is closed." in agreed.out
    assert "Tags added: keluarga" in agreed.out
    assert "Now on Cc: siti@example.com" in agreed.out


def test_merge_json_says_what_it_did_and_the_conversation_is_in_time_order(shop: CsTui) -> None:
    done = shop("ticket", "merge", "2", "--into", "1", "--yes", "--json")
    assert done.code == 0, done.err
    merged = done.json()
    assert set(merged) == {"ticket", "merged", "moved_messages", "added_tags", "added_cc"}
    assert (merged["moved_messages"], merged["added_tags"], merged["added_cc"]) == (
        1,
        ["keluarga"],
        ["siti@example.com"],
    )
    assert (merged["merged"]["id"], merged["merged"]["status"], merged["merged"]["merged_into"]) == (
        2,
        "closed",
        1,
    )
    assert (merged["ticket"]["id"], merged["ticket"]["merged_into"]) == (1, None)

    shown = shop("ticket", "show", "1", "--json").json()
    assert shown["cc"] == ["siti@example.com"]
    assert [m["body"] for m in shown["messages"]] == [
        "Paket TN123 belum sampai",
        "Paket suami saya TN123 dimana",
        "Kami cek ke kurir",
        "#2 merged into this ticket",
    ]
    assert all(isinstance(m["id"], int) for m in shown["messages"])
    gone = shop("ticket", "show", "2")
    assert "merged into #1" in gone.out
    assert "Merged into #1" in gone.out
    listed = shop("ticket", "list", "--query", "status:closed", "--json").json()
    assert [(t["id"], t["merged_into"]) for t in listed] == [(2, 1)]


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("1", "--into", "1"), 2, "#1 cannot be merged into itself"),
        (("1", "--into", "99"), 1, "no ticket #99"),
        (("3", "--into", "2"), 2, "#2 was itself merged into #1: merge into #1 instead"),
        (("2", "--into", "3"), 2, "#2 was merged into #1 already"),
    ],
)
def test_a_merge_that_cannot_be_done_says_why(
    shop: CsTui, args: tuple[str, ...], code: int, said: str
) -> None:
    assert shop("ticket", "merge", "2", "--into", "1", "--yes").code == 0
    refused = shop("ticket", "merge", *args, "--yes")
    assert refused.code == code
    assert said in refused.err


def test_show_names_each_message_and_split_moves_it_into_a_new_ticket(shop: CsTui) -> None:
    shown = shop("ticket", "show", "3", "--json").json()
    refund = shown["messages"][2]
    assert refund["body"] == "Satu lagi: refund pesanan lain belum masuk"
    assert f"message {refund['id']}" in shop("ticket", "show", "3").out

    done = shop(
        "ticket", "split", "3", "--message", str(refund["id"]), "--and-after", "--subject", "Refund", "--json"
    )
    assert done.code == 0, done.err
    split = done.json()
    assert set(split) == {"ticket", "split", "moved_messages"}
    new = split["split"]
    assert (new["subject"], new["status"], new["customer"]["email"], split["moved_messages"]) == (
        "Refund",
        "open",
        "budi@example.com",
        2,
    )
    assert new["created_at"] == "2026-11-03T09:40:00Z"
    assert [m["body"] for m in shop("ticket", "show", str(new["id"]), "--json").json()["messages"]] == [
        "Satu lagi: refund pesanan lain belum masuk",
        "Refundnya kami proses",
        "Split from #3",
    ]
    assert [m["body"] for m in shop("ticket", "show", "3", "--json").json()["messages"]] == [
        "Paket kedua belum sampai",
        "Paketnya diantar hari ini",
        f"Split into #{new['id']}",
    ]


def test_split_says_in_words_what_it_did_and_what_it_will_not_do(shop: CsTui) -> None:
    messages = shop("ticket", "show", "3", "--json").json()["messages"]
    first, answer, refund = (m["id"] for m in messages[:3])

    opening = shop("ticket", "split", "3", "--message", str(first))
    assert opening.code == 2
    assert f"message {first} opens #3, so it stays there" in opening.err
    agents = shop("ticket", "split", "3", "--message", str(answer))
    assert agents.code == 2
    assert "split from a message the customer wrote" in agents.err
    typo = shop("ticket", "split", "3", "--message", "abc")
    assert typo.code == 2
    assert "not a message number" in typo.err

    done = shop("ticket", "split", "3", "--message", str(refund))
    assert done.code == 0, done.err
    assert "Split 1 message off #3 into #4: Paket dan refund" in done.out
    assert "#4 is new; #3 is open." in done.out

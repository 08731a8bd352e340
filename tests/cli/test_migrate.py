"""`cs-tui migrate`: a whole store copied into another (a file, PostgreSQL and back),
checked by comparing exports, and finished by running it again after a stop."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest

from cs_tui.domain.channels import Inbound, InboundFile
from cs_tui.domain.models import NewMessage
from cs_tui.domain.tokens import token_hash
from cs_tui.store import open_store
from cs_tui.store.base import channel_store
from tests import pgserver
from tests.contract.helpers import open_ticket

from .cli_runner import CsTui, Result

READ_UP_TO = "777:42"
"""Where the source's mailbox was read up to."""


def migrate(cs_tui: CsTui, source: Path | str, target: Path | str, *more: str) -> Result:
    return cs_tui("migrate", "--from", str(source), "--to", str(target), *more)


def exported(cs_tui: CsTui, store: Path | str) -> list[str]:
    done = cs_tui("export", "--store", str(store))
    assert done.code == 0, done.err
    return done.out.splitlines()


def count(cs_tui: CsTui, store: Path | str) -> int:
    return int(cs_tui("ticket", "list", "--count", "--query", "", "--store", str(store)).out)


async def shop(cs_tui: CsTui, tickets: int) -> str:
    """A demo shop's store with what lives beside its tickets: an admin with a token,
    a customer's notes, tags and second addresses, and a mailbox read up to a place.
    The admin's token."""
    assert cs_tui("demo", "--no-open", "--tickets", str(tickets)).code == 0
    added = cs_tui("agent", "add", "Tari Admin", "--email", "tari@tokoku.example", "--role", "admin")
    assert added.code == 0, added.err
    first = json.loads(exported(cs_tui, cs_tui.store)[0])["customer"]["email"]
    edited = cs_tui(
        "customer", "edit", first, "--notes", "Prefers WhatsApp after 17:00", "--tag", "vip",
        "--add-address", "whatsapp:+62 812-3456-7890", "--add-address", "second@example.com",
    )  # fmt: skip
    assert edited.code == 0, edited.err
    mailbox = cs_tui(
        "channel", "add", "email", "toko", "--address", "help@toko.example",
        "--imap", "imaps://help@127.0.0.1:9993/INBOX", "--smtp", "smtp+starttls://help@127.0.0.1:9587",
        "--password-env", "TOKO_PASSWORD",
    )  # fmt: skip
    assert mailbox.code == 0, mailbox.err
    store = channel_store(await open_store(str(cs_tui.store)))
    assert store is not None
    try:
        await store.quarantine("toko", b"not a mail", "unreadable", cursor=READ_UP_TO)
    finally:
        await store.close()
    return added.out.strip()


NOT_KEPT = ("id", "created_at", "updated_at", "quarantined")
"""What a listing shows that a move makes anew (numbers, times) or leaves behind."""


def _kept(listed: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in listed.items() if key not in NOT_KEPT}


async def assert_carried(cs_tui: CsTui, source: Path | str, target: Path | str, token: str) -> None:
    """What lives beside the tickets came along: agents with roles and tokens, canned
    responses with their use, the customer's record, the mailbox and its place."""
    for command in (("agent", "list"), ("canned", "list"), ("channel", "list")):
        ours = cs_tui(*command, "--json", "--store", str(source)).json()
        theirs = cs_tui(*command, "--json", "--store", str(target)).json()
        assert [_kept(each) for each in theirs] == [_kept(each) for each in ours], command
    record = cs_tui("customer", "show", "second@example.com", "--json", "--store", str(target)).json()
    assert record["notes"] == "Prefers WhatsApp after 17:00"
    assert record["tags"] == ["vip"]
    assert {"kind": "whatsapp", "value": "+6281234567890"} in record["identities"]
    store = await open_store(str(target))
    try:
        admin = await store.agent_for_token(token_hash(token))
        assert admin is not None
        assert admin.email == "tari@tokoku.example"
        channels = channel_store(store)
        assert channels is not None
        assert await channels.channel_cursor("toko") == READ_UP_TO
    finally:
        await store.close()


async def test_a_store_moves_into_an_empty_file_whole_and_checked(cs_tui: CsTui, tmp_path: Path) -> None:
    token = await shop(cs_tui, 40)
    target = tmp_path / "moved" / "store.db"

    moved = migrate(cs_tui, cs_tui.store, target)
    assert moved.code == 0, moved.err
    assert "tickets: 40 copied" in moved.err
    assert "both stores export the same 40 tickets" in moved.err
    assert "Not carried" in moved.err
    assert "drafts, read marks" in moved.err
    assert exported(cs_tui, target) == exported(cs_tui, cs_tui.store)
    await assert_carried(cs_tui, cs_tui.store, target, token)

    again = migrate(cs_tui, cs_tui.store, target)
    assert again.code == 0, again.err
    assert "tickets: 0 copied, 40 there already" in again.err
    assert "agents: 9 (0 new)" in again.err
    assert exported(cs_tui, target) == exported(cs_tui, cs_tui.store)
    await assert_carried(cs_tui, cs_tui.store, target, token)


@pytest.mark.slow
def test_a_move_killed_half_way_finishes_when_run_again(cs_tui: CsTui, tmp_path: Path) -> None:
    assert cs_tui("demo", "--no-open", "--tickets", "1500").code == 0
    target = tmp_path / "moved.db"
    command = [sys.executable, "-m", "cs_tui", "migrate", "--from", str(cs_tui.store), "--to", str(target)]
    running = subprocess.Popen(
        [*command, "--batch", "10"],
        env=cs_tui.env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert running.stderr is not None
        for line in running.stderr:
            if "tickets 10 of 1,500" in line:
                os.kill(running.pid, signal.SIGKILL)  # as a crash or a power cut would
                break
    finally:
        running.kill()
        running.wait(timeout=60)
    assert running.returncode == -signal.SIGKILL
    half_way = count(cs_tui, target)
    assert 10 <= half_way < 1500

    finished = migrate(cs_tui, cs_tui.store, target)
    assert finished.code == 0, finished.err
    assert f"tickets: {1500 - half_way:,} copied, {half_way:,} there already" in finished.err
    assert "both stores export the same 1,500 tickets" in finished.err
    assert count(cs_tui, target) == 1500
    assert exported(cs_tui, target) == exported(cs_tui, cs_tui.store)


def test_a_target_holding_other_tickets_is_refused(cs_tui: CsTui, tmp_path: Path) -> None:
    assert cs_tui("demo", "--no-open", "--tickets", "30").code == 0
    other = tmp_path / "other.db"
    assert cs_tui("demo", "--no-open", "--tickets", "20", "--seed", "2", "--store", str(other)).code == 0
    before = exported(cs_tui, other)

    refused = migrate(cs_tui, cs_tui.store, other)
    assert refused.code == 2
    assert "already holds 20 tickets, and they are not copies of" in refused.err
    assert "move into an empty store" in refused.err
    assert exported(cs_tui, other) == before

    assert migrate(cs_tui, cs_tui.store, cs_tui.store).code == 2
    assert "no store at" in migrate(cs_tui, tmp_path / "missing.db", tmp_path / "new.db").err
    served = migrate(cs_tui, "http://127.0.0.1:8765", tmp_path / "new.db")
    assert served.code == 2
    assert "is a team server" in served.err


def test_a_ticket_changed_in_the_target_is_said_to_differ(cs_tui: CsTui, tmp_path: Path) -> None:
    assert cs_tui("demo", "--no-open", "--tickets", "30").code == 0
    target = tmp_path / "moved.db"
    assert migrate(cs_tui, cs_tui.store, target).code == 0
    ticket = json.loads(exported(cs_tui, target)[4])
    replied = cs_tui(
        "ticket", "reply", str(ticket["id"]), "--body", "Sudah kami cek.", "--store", str(target)
    )
    assert replied.code == 0, replied.err

    checked = migrate(cs_tui, cs_tui.store, target)
    assert checked.code == 1
    assert "the exports differ: 1 differ (29 alike)" in checked.err
    messages = len(ticket["messages"])
    assert f"#{ticket['id']} (ref {ticket['ref']}) differs: " in checked.err
    assert f"messages ({messages} in the source, {messages + 1} in the target)" in checked.err


@pytest.mark.slow
async def test_a_store_goes_to_postgresql_and_back(cs_tui: CsTui, tmp_path: Path) -> None:
    name = "migrate_" + hashlib.sha256(str(tmp_path).encode()).hexdigest()[:16]
    postgresql = await pgserver.fresh_database(name)  # skips where there is no PostgreSQL
    try:
        token = await shop(cs_tui, 60)
        mail_tickets = await mail_desk(cs_tui.store)
        first = migrate(cs_tui, cs_tui.store, postgresql, "--batch", "25")
        assert first.code == 0, first.err
        assert "tickets: 63 copied" in first.err  # the demo's, the mail ticket and the merged two

        # The shop goes on for a while before the move is finished: only what is new goes.
        later = tmp_path / "later.jsonl"
        lines = [json.loads(line) for line in exported(cs_tui, cs_tui.store)[:3]]
        for number, line in enumerate(lines):
            line.pop("id")
            line["ref"] = f"later-{number}"
        later.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        assert cs_tui("import", str(later)).code == 0
        second = migrate(cs_tui, cs_tui.store, postgresql, "--batch", "25")
        assert second.code == 0, second.err
        assert "tickets: 3 copied, 63 there already" in second.err
        await assert_carried(cs_tui, cs_tui.store, postgresql, token)

        back = tmp_path / "back.db"
        returned = migrate(cs_tui, postgresql, back)
        assert returned.code == 0, returned.err
        assert "both stores export the same 66 tickets" in returned.err
        assert exported(cs_tui, back) == exported(cs_tui, postgresql) == exported(cs_tui, cs_tui.store)
        await assert_carried(cs_tui, cs_tui.store, back, token)
        await assert_mail_carried(cs_tui, cs_tui.store, back, mail_tickets)

        # The moved store takes new work: its numbers go on after the moved ones.
        new = cs_tui(
            "ticket", "new", "--subject", "Paket belum sampai", "--customer", "rina@example.com",
            "--body", "Halo, paket saya belum sampai.", "--store", postgresql,
        )  # fmt: skip
        assert new.code == 0, new.err
        assert int(new.out) == max(json.loads(line)["id"] for line in exported(cs_tui, back)) + 1
    finally:
        await pgserver.drop_database(name)


MAIL_ID = "retur-1@customer.example"
PHOTO = b"\xff\xd8 a photo of the parcel"


def _mail(message_id: str, body: str, **more: object) -> Inbound:
    raw = f"Message-ID: <{message_id}>\r\nSubject: Retur barang\r\n\r\n{body}".encode()
    return Inbound(
        external_id=message_id,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        sender="budi@customer.example",
        sender_name="Budi Santoso",
        subject="Retur barang",
        body=body,
        raw=raw,
        **more,  # type: ignore[arg-type]
    )


async def mail_desk(path: Path) -> tuple[int, int]:
    """A mailbox's ticket with Cc, a photo, a quoted answer and our reply waiting to
    go out; and a demo ticket merged into another. The mail ticket's number and the
    merged one's."""
    store = await open_store(str(path))
    try:
        channels = channel_store(store)
        assert channels is not None
        photo = InboundFile("paket.jpg", "image/jpeg", PHOTO)
        first = await channels.take_in(
            "toko",
            _mail(MAIL_ID, "Barangnya rusak.", cc=("ani@customer.example",), files=(photo,)),
            cursor="1",
        )
        await channels.take_in(
            "toko",
            _mail(
                "retur-2@customer.example",
                "Ini fotonya.",
                in_reply_to=(MAIL_ID,),
                quoted="> Barangnya",
            ),
            cursor=READ_UP_TO,
        )
        sari = await store.ensure_agent("Sari", "sari@tokoku.example")
        await store.add_message(
            first.ticket_id, NewMessage(str(uuid.uuid4()), "Halo Budi, kami ganti."), actor_id=sari.id
        )
        kept = await open_ticket(store, "Paket belum sampai", email="rina@example.com")
        merged = await open_ticket(store, "Paket belum sampai juga", email="rina@example.com")
        await store.merge_tickets(
            merged.id,
            kept.id,
            expected_version=merged.version,
            into_expected_version=kept.version,
            actor_id=sari.id,
        )
        return first.ticket_id, merged.id
    finally:
        await store.close()


def _shown(cs_tui: CsTui, store: Path | str, ticket_id: int) -> dict[str, Any]:
    shown: dict[str, Any] = cs_tui("ticket", "show", str(ticket_id), "--json", "--store", str(store)).json()
    for message in shown["messages"]:
        message.pop("id")
        for attachment in message["attachments"]:
            attachment.pop("id")
    return shown


async def assert_mail_carried(
    cs_tui: CsTui, source: Path | str, target: Path | str, tickets: tuple[int, int]
) -> None:
    """The mail ticket and the merged one show alike in both; the photo is there; a
    customer's answer to the first mail joins the moved ticket, and the first mail
    taken in again is known."""
    mail_ticket, merged = tickets
    for ticket_id in tickets:
        assert _shown(cs_tui, target, ticket_id) == _shown(cs_tui, source, ticket_id)
    shown = _shown(cs_tui, target, mail_ticket)
    assert shown["mailbox"] == "toko"
    assert shown["cc"] == ["ani@customer.example"]
    assert [m["quoted"] for m in shown["messages"]][:2] == ["", "> Barangnya"]  # the answer joined
    assert [m["delivery"]["state"] for m in shown["messages"] if m["delivery"]] == ["queued"]
    assert _shown(cs_tui, target, merged)["merged_into"] is not None
    [photo] = [a for m in shown["messages"] for a in m["attachments"]]
    assert photo["filename"] == "paket.jpg"
    raw = cs_tui("ticket", "show", str(mail_ticket), "--json", "--store", str(target)).json()
    [photo_id] = [a["id"] for m in raw["messages"] for a in m["attachments"]]
    with tempfile.TemporaryDirectory() as place:
        saved = Path(place) / "paket.jpg"
        done = cs_tui("attachment", "save", str(photo_id), str(saved), "--store", str(target))
        assert done.code == 0, done.err
        assert saved.read_bytes() == PHOTO
    store = await open_store(str(target))
    try:
        channels = channel_store(store)
        assert channels is not None
        again = await channels.take_in("toko", _mail(MAIL_ID, "Barangnya rusak."), cursor=None)
        assert again.duplicate
        answer = await channels.take_in(
            "toko",
            _mail("retur-3@customer.example", "Terima kasih.", in_reply_to=(MAIL_ID,)),
            cursor=None,
        )
        assert answer.ticket_id == mail_ticket
    finally:
        await store.close()


async def test_mail_tickets_move_with_their_mailbox_cc_files_threads_and_delivery(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    await shop(cs_tui, 20)
    tickets = await mail_desk(cs_tui.store)
    target = tmp_path / "moved.db"
    moved = migrate(cs_tui, cs_tui.store, target)
    assert moved.code == 0, moved.err
    assert "details: 2 tickets with a mailbox, conversation, Cc, link or merge" in moved.err
    await assert_mail_carried(cs_tui, cs_tui.store, target, tickets)


def test_the_help_says_what_is_not_carried(cs_tui: CsTui) -> None:
    shown = cs_tui("migrate", "--help")
    assert shown.code == 0
    assert "not carried:" in shown.out
    assert "drafts, read marks" in shown.out

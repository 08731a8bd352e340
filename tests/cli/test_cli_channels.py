"""`cs-tui channel`, `mail import`, `attachment save` and `quarantine`, run as an
admin runs them: a mailbox set up without its password ever reaching the store or
the screen, mail files taken in once, a mail that cannot be read kept and retried,
and an attachment written where it is asked to be, never run."""

from __future__ import annotations

import asyncio
import mailbox
import socket
import stat
from email.message import EmailMessage
from pathlib import Path

from cs_tui.store.sqlite import SqliteStore

from .cli_runner import CsTui

SECRET = "s3cret-Toko-8472"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_mailbox(cs_tui: CsTui, name: str = "toko", *more: str) -> None:
    port = closed_port()
    added = cs_tui(
        "channel",
        "add",
        "email",
        name,
        "--address",
        "cs@tokoku.example",
        "--imap",
        f"imap://toko@127.0.0.1:{port}/INBOX",
        "--smtp",
        f"smtp://toko@127.0.0.1:{port}",
        "--password-env",
        "TOKO_MAIL",
        *more,
    )
    assert added.code == 0, added.err


def mail(
    number: int, *, sender: str = "Budi Santoso <budi@example.com>", attachment: bytes = b""
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "cs@tokoku.example"
    message["Subject"] = f"Pesanan {number} belum sampai"
    message["Message-ID"] = f"<m{number}@mail.example.com>"
    message["Date"] = "Mon, 02 Nov 2026 10:00:00 +0700"
    message.set_content(f"Halo, pesanan {number} belum sampai.")
    if attachment:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="../../.bashrc")
    return message


def test_a_mailbox_is_set_up_and_listed_without_its_password_anywhere(cs_tui: CsTui, tmp_path: Path) -> None:
    password_file = tmp_path / "toko.pw"
    password_file.write_text(SECRET)
    password_file.chmod(0o600)
    add_mailbox(cs_tui, "toko", "--display-name", "Tokoku CS")
    port = closed_port()
    by_file = cs_tui(
        "channel", "add", "email", "kedua", "--address", "cs2@tokoku.example",
        "--imap", f"imaps://cs2@127.0.0.1:{port}", "--smtp", f"smtps://cs2@127.0.0.1:{port}",
        "--password-file", str(password_file), TOKO_MAIL=SECRET,
    )  # fmt: skip
    assert by_file.code == 0, by_file.err
    listed = cs_tui("channel", "list", "--json", TOKO_MAIL=SECRET)
    by_name = {row["name"]: row for row in listed.json()}
    assert by_name["toko"]["settings"]["password_env"] == "TOKO_MAIL"
    assert by_name["kedua"]["settings"]["password_file"] == str(password_file)
    assert by_name["toko"]["settings"]["display_name"] == "Tokoku CS"
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("store.db*"))
    assert SECRET.encode() not in stored
    assert SECRET not in listed.out + by_file.out + by_file.err


def test_a_password_in_the_url_or_plain_mail_to_another_machine_is_refused_saying_what_to_write(
    cs_tui: CsTui,
) -> None:
    in_url = cs_tui(
        "channel", "add", "email", "toko", "--address", "cs@tokoku.example",
        "--imap", f"imaps://cs:{SECRET}@imap.gmail.com:993/INBOX",
        "--smtp", "smtp+starttls://cs@smtp.gmail.com:587", "--password-env", "TOKO_MAIL",
    )  # fmt: skip
    assert in_url.code == 2
    assert "--password-file" in in_url.err
    assert SECRET not in in_url.err
    plain = cs_tui(
        "channel", "add", "email", "toko", "--address", "cs@tokoku.example",
        "--imap", "imap://cs@mail.tokoku.example/INBOX",
        "--smtp", "smtp+starttls://cs@mail.tokoku.example:587", "--password-env", "TOKO_MAIL",
    )  # fmt: skip
    assert plain.code == 2
    assert "imaps://" in plain.err
    assert cs_tui("channel", "list", "--json").json() == []


def test_a_second_mailbox_of_the_same_name_is_refused_and_remove_takes_it_away(cs_tui: CsTui) -> None:
    add_mailbox(cs_tui)
    port = closed_port()
    again = cs_tui(
        "channel", "add", "email", "toko", "--address", "x@tokoku.example",
        "--imap", f"imap://x@127.0.0.1:{port}", "--smtp", f"smtp://x@127.0.0.1:{port}", "--password-env", "X",
    )  # fmt: skip
    assert again.code == 2
    assert "already a channel named toko" in again.err
    assert cs_tui("channel", "remove", "toko").code == 0
    assert cs_tui("channel", "list", "--json").json() == []
    gone = cs_tui("channel", "remove", "toko")
    assert gone.code == 1
    assert "no channel named toko" in gone.err


def test_check_says_in_words_what_does_not_work(cs_tui: CsTui) -> None:
    add_mailbox(cs_tui)
    checked = cs_tui("channel", "check", "toko", TOKO_MAIL=SECRET)
    assert checked.code == 1
    assert "nothing is listening" in checked.out
    assert "SMTP" in checked.out
    unset = cs_tui("channel", "check", "toko", TOKO_MAIL="")
    assert unset.code == 1
    assert "TOKO_MAIL is not set or empty" in unset.out


def test_check_of_a_chat_says_its_sites_the_mailbox_that_answers_and_who_serves_it(cs_tui: CsTui) -> None:
    assert cs_tui("channel", "add", "chat", "web", "--origin", "https://tokoku.id").code == 0

    alone = cs_tui("channel", "check", "web")
    add_mailbox(cs_tui)
    answered = cs_tui("channel", "check", "web")

    assert alone.code == 1
    assert "✓ sites: https://tokoku.id" in alone.out
    assert "✗ answers by email: no mailbox is set up" in alone.out
    assert "no cs-tui serve works it now" in alone.out
    assert "✓ answers by email: from the mailbox toko" in answered.out


def test_an_mbox_imported_twice_adds_nothing_the_second_time_and_a_bad_mail_is_kept_by_its_number(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    add_mailbox(cs_tui)
    box = mailbox.mbox(tmp_path / "lama.mbox")
    for number in range(1, 4):
        box.add(mail(number))
    box.add(b"From: \r\nSubject: rusak\r\n\r\ntanpa pengirim\r\n")
    box.flush()
    first = cs_tui("mail", "import", str(tmp_path / "lama.mbox"))
    assert first.code == 1  # something was kept aside: a script notices
    assert "mail 4: could not be read" in first.out
    assert "3 mails taken in (3 new tickets" in first.out
    again = cs_tui("mail", "import", str(tmp_path / "lama.mbox"))
    assert "0 mails taken in" in again.out
    assert "3 already there" in again.out
    tickets = cs_tui("ticket", "list", "--json", "--query", "").json()
    assert len(tickets) == 3
    assert {t["created_at"][:10] for t in tickets} == {"2026-11-02"}  # placed at their Date
    [kept] = cs_tui("quarantine", "list", "--json").json()
    assert kept["attempts"] == 2
    assert "no sender address" in kept["reason"]
    retried = cs_tui("quarantine", "retry", str(kept["id"]))
    assert retried.code == 1
    assert "still cannot be read" in retried.out
    saved = cs_tui("quarantine", "save", str(kept["id"]), str(tmp_path))
    assert saved.code == 0
    assert (tmp_path / f"quarantined-{kept['id']}.eml").read_bytes().endswith(b"tanpa pengirim\r\n")
    assert cs_tui("quarantine", "drop", str(kept["id"])).code == 0
    assert cs_tui("quarantine", "list", "--json").json() == []


def test_a_maildir_joins_the_tickets_its_mails_answer(cs_tui: CsTui, tmp_path: Path) -> None:
    add_mailbox(cs_tui)
    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    answer = mail(2)
    answer.replace_header("Subject", "Re: Pesanan 1 belum sampai")
    answer.replace_header("Date", "Mon, 02 Nov 2026 11:00:00 +0700")
    answer["In-Reply-To"] = "<m1@mail.example.com>"
    folder.add(answer)  # the answer first, as a copied folder may hold them
    folder.add(mail(1))
    imported = cs_tui("mail", "import", str(tmp_path / "Maildir"))
    assert imported.code == 0, imported.out + imported.err
    assert "(1 new tickets, 1 on tickets there were)" in imported.out
    [ticket] = cs_tui("ticket", "list", "--json", "--query", "").json()
    shown = cs_tui("ticket", "show", str(ticket["id"]), "--json").json()
    assert [m["body"] for m in shown["messages"]] == [
        "Halo, pesanan 1 belum sampai.",
        "Halo, pesanan 2 belum sampai.",
    ]
    assert shown["mailbox"] == "toko"


def test_mail_import_needs_a_mailbox_and_says_which(cs_tui: CsTui, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "lama.mbox")
    box.add(mail(1))
    box.flush()
    none = cs_tui("mail", "import", str(tmp_path / "lama.mbox"))
    assert none.code == 2
    assert "cs-tui channel add email" in none.err
    add_mailbox(cs_tui, "toko")
    add_mailbox(cs_tui, "grosir")
    two = cs_tui("mail", "import", str(tmp_path / "lama.mbox"))
    assert two.code == 2
    assert "--channel NAME (one of grosir, toko)" in two.err
    assert cs_tui("mail", "import", str(tmp_path / "lama.mbox"), "--channel", "grosir").code == 0


def test_an_attachment_is_saved_under_a_safe_name_never_over_a_file_and_never_executable(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    add_mailbox(cs_tui)
    box = mailbox.mbox(tmp_path / "lama.mbox")
    box.add(mail(1, attachment=b"%PDF-1.7 invoice"))
    box.flush()
    cs_tui("mail", "import", str(tmp_path / "lama.mbox"))
    [ticket] = cs_tui("ticket", "list", "--json", "--query", "").json()
    [message] = cs_tui("ticket", "show", str(ticket["id"]), "--json").json()["messages"]
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("../../.bashrc", len(b"%PDF-1.7 invoice"))
    place = tmp_path / "unduhan"
    place.mkdir()
    saved = cs_tui("attachment", "save", str(attachment["id"]), str(place))
    assert saved.code == 0, saved.err
    [written] = list(place.iterdir())
    assert written.name == "_.._.bashrc"  # no folder climbed, no hidden file made
    assert written.read_bytes() == b"%PDF-1.7 invoice"
    assert not written.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    again = cs_tui("attachment", "save", str(attachment["id"]), str(place))
    assert again.code == 2
    assert "--force" in again.err


def test_a_webhook_delivery_kept_aside_goes_back_to_its_channel_when_retried(cs_tui: CsTui) -> None:
    secrets = ["--app-secret-env", "A", "--access-token-env", "B", "--verify-token-env", "C"]
    assert cs_tui("channel", "add", "whatsapp", "toko", "--phone-number-id", "1055", *secrets).code == 0
    delivery = b'{"object": "whatsapp_business_account", "entry": []}'

    async def keep_aside() -> int:
        store = await SqliteStore.open(cs_tui.store)
        try:
            return await store.quarantine("toko", delivery, "Meta's Graph API did not answer", cursor=None)
        finally:
            await store.close()

    async def inbox() -> tuple[list[bytes], int]:
        store = await SqliteStore.open(cs_tui.store)
        try:
            return [raw for _, raw in await store.received("toko", 0, 10)], len(
                await store.list_quarantined()
            )
        finally:
            await store.close()

    kept = asyncio.run(keep_aside())
    retried = cs_tui("quarantine", "retry", str(kept))

    assert retried.code == 0
    assert f"{kept}: back with toko" in retried.out
    assert asyncio.run(inbox()) == ([delivery], 0)

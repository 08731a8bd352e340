"""The mail an agent's reply goes out as, read back as a mail client reads it: who it
is from, the subject with the ticket's number, the thread's headers (Outlook's long
Message-IDs too), the headers that stop auto-responders, a UTF-8 body; and customer
text that tries to add a header never does."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.channels.email.reading import Attachment, read_mail
from cs_tui.channels.email.writing import (
    MAX_REFERENCES,
    acknowledgement_mail,
    is_ours,
    new_message_id,
    reference_chain,
    reply_mail,
    reply_subject,
)
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.threads import bare_subject

# Outlook's Message-IDs are longer than a header line.
OUTLOOK_ID = "SEZPR06MB6954A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8@SEZPR06MB6954.apcprd06.prod.outlook.com"


def reply(**changes: Any) -> EmailMessage:
    options: dict[str, Any] = {
        "mailbox_address": "cs@tokoku.example",
        "agent_name": "Sari Wulandari",
        "to_address": "budi@example.com",
        "to_name": "Budi Santoso",
        "cc": ["siti@example.com"],
        "ticket_id": 123,
        "ticket_subject": "Pesanan belum sampai",
        "body": "Halo Kak Budi,\n\nPaketnya sudah dikirim hari ini. 🙏\n",
        "message_id": "cs-tui.abc@tokoku.example",
        "in_reply_to": "m2@mail.example.com",
        "references": ["t0@tokoku.example", "r1@tokoku.example"],
    }
    options.update(changes)
    return reply_mail(**options)


def sent(message: EmailMessage) -> EmailMessage:
    """The mail as it goes over SMTP (aiosmtplib's policy) and is read back from the
    mailbox it is stored in (with plain line ends)."""
    raw = message.as_bytes(policy=policy.SMTP).replace(b"\r\n", b"\n")
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_reply_is_from_the_agent_to_the_customer_on_their_thread() -> None:
    mail = sent(reply())
    assert mail["From"].addresses[0].display_name == "Sari Wulandari"
    assert mail["From"].addresses[0].addr_spec == "cs@tokoku.example"
    assert str(mail["To"]) == "Budi Santoso <budi@example.com>"
    assert str(mail["Cc"]) == "siti@example.com"
    assert str(mail["Subject"]) == "Re: Pesanan belum sampai [#123]"
    assert str(mail["Message-ID"]) == "<cs-tui.abc@tokoku.example>"
    assert str(mail["In-Reply-To"]) == "<m2@mail.example.com>"
    assert str(mail["References"]).split() == [
        "<t0@tokoku.example>",
        "<r1@tokoku.example>",
        "<m2@mail.example.com>",
    ]
    assert mail["Date"].datetime.utcoffset() is not None
    assert str(mail["X-Auto-Response-Suppress"]) == "All"
    assert str(mail["X-Loop"]) == "cs@tokoku.example"
    assert mail["Auto-Submitted"] is None, "a person wrote it: an auto-responder may answer a person"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content() == "Halo Kak Budi,\n\nPaketnya sudah dikirim hari ini. 🙏\n"


def test_read_back_by_cs_tui_it_threads_as_a_reply_does() -> None:
    read = read_mail(reply().as_bytes(policy=policy.SMTP))
    assert read.message_id == "cs-tui.abc@tokoku.example"
    assert read.in_reply_to == ("m2@mail.example.com",)
    assert read.references == ("t0@tokoku.example", "r1@tokoku.example", "m2@mail.example.com")
    assert read.automatic is not None, "our own mail come back in is never answered"


def test_a_non_ascii_agent_name_and_indonesian_text_survive() -> None:
    body = "Mohon maaf atas keterlambatannya – kami kirim ulang besok. Terima kasih 😊\n" + "panjang " * 40
    mail = sent(reply(agent_name="Dewi Ayu Lestari – CS", to_name="Bú Ratna", body=body))
    assert mail["From"].addresses[0].display_name == "Dewi Ayu Lestari – CS"
    assert mail["To"].addresses[0].display_name == "Bú Ratna"
    assert mail.get_content() == body + "\n"
    assert all(len(line) <= 998 for line in reply(body=body).as_bytes(policy=policy.SMTP).split(b"\r\n"))


def test_a_name_with_commas_and_quotes_stays_one_address() -> None:
    mail = sent(reply(to_name='Budi, "Toko Maju" <evil@x.example>'))
    assert [a.addr_spec for a in mail["To"].addresses] == ["budi@example.com"]


@pytest.mark.parametrize("field", ["ticket_subject", "to_name", "agent_name"])
def test_customer_text_with_line_breaks_never_adds_a_header(field: str) -> None:
    injected = "Pesanan\r\nBcc: evil@x.example\r\nX-Evil: 1\nSubject: lain"
    raw = reply(**{field: injected}).as_bytes(policy=policy.SMTP)
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Bcc"] is None
    assert mail["X-Evil"] is None
    assert len(mail.get_all("Subject") or []) == 1
    assert b"\r\nBcc:" not in raw


@pytest.mark.parametrize("address", ["budi@example.com\r\nBcc: evil@x.example", "a@x, b@y", "<a@x>", ""])
def test_an_address_that_is_not_one_address_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match="one address"):
        reply(to_address=address)
    with pytest.raises(ValueError, match="one address"):
        reply(cc=[address])


def test_the_cc_never_holds_the_mailbox_or_the_customer_twice() -> None:
    mail = sent(reply(cc=["cs@tokoku.example", "budi@example.com", "siti@example.com", "siti@example.com"]))
    assert str(mail["Cc"]) == "siti@example.com"
    assert sent(reply(cc=["cs@tokoku.example"]))["Cc"] is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Pesanan belum sampai", "Re: Pesanan belum sampai [#123]"),
        ("Re: RE: Balas: Pesanan Belum Sampai [#123]", "Re: Pesanan Belum Sampai [#123]"),
        ("Fwd: bls: Refund [#77]", "Re: Refund [#123]"),
        ("AW: [#123] Re:  Ukuran   XL", "Re: Ukuran XL [#123]"),
        ("", "Re: [#123]"),
    ],
)
def test_the_subject_keeps_its_case_loses_prefixes_and_carries_the_ticket(
    subject: str, expected: str
) -> None:
    assert reply_subject(subject, 123) == expected


@given(st.text(max_size=200))
def test_a_reply_subject_compares_equal_to_the_ticket_subject(subject: str) -> None:
    # Threading by References needs the same subject (domain.threads), as the store
    # keeps it (sanitized, on one line).
    assert bare_subject(reply_subject(subject, 5)) == bare_subject(sanitize_line(subject))


def test_a_long_outlook_message_id_is_written_as_an_id_not_as_encoded_words() -> None:
    raw = reply(in_reply_to=OUTLOOK_ID, references=[OUTLOOK_ID.replace("A1", "Z9")]).as_bytes(
        policy=policy.SMTP
    )
    assert b"=?utf-8?" not in raw
    read = read_mail(raw)
    assert read.in_reply_to == (OUTLOOK_ID,)
    assert read.references == (OUTLOOK_ID.replace("A1", "Z9"), OUTLOOK_ID)


def test_references_keep_the_first_and_the_latest_each_once() -> None:
    earlier = [f"m{number}@example.com" for number in range(40)] + ["m3@example.com", "<m5@example.com>"]
    chain = reference_chain("m40@example.com", earlier)
    assert len(chain) == MAX_REFERENCES
    assert chain[0] == "m0@example.com"
    assert chain[-1] == "m40@example.com"
    assert len(set(chain)) == len(chain)
    assert reference_chain(None, []) == ()
    assert reference_chain("m@x", ["bad id", "ünï@x", "", "<a@x>"]) == ("a@x", "m@x")


def test_a_new_ticket_by_us_has_no_thread_headers() -> None:
    mail = sent(reply(in_reply_to=None, references=[]))
    assert mail["In-Reply-To"] is None
    assert mail["References"] is None


def test_attachments_go_with_the_reply() -> None:
    mail = sent(
        reply(
            attachments=[
                Attachment("resi pengiriman.pdf", "application/pdf", b"%PDF-1.4 resi"),
                Attachment("foto\r\nX-Evil: 1.png", "not a type", b"\x89PNG"),
            ]
        )
    )
    parts = list(mail.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ("resi pengiriman.pdf", "application/pdf", b"%PDF-1.4 resi"),
        ("foto X-Evil: 1.png", "application/octet-stream", b"\x89PNG"),
    ]
    body = mail.get_body(("plain",))
    assert body is not None
    assert "sudah dikirim" in body.get_content()


def test_an_acknowledgement_is_marked_automatic_and_goes_to_the_sender_only() -> None:
    mail = sent(
        acknowledgement_mail(
            mailbox_address="cs@tokoku.example",
            mailbox_name="CS Tokoku",
            to_address="budi@example.com",
            to_name="Budi Santoso",
            ticket_id=124,
            ticket_subject="Balas: Tukar ukuran",
            body="Terima kasih, pesan Anda sudah kami terima (tiket #124).",
            message_id="cs-tui.ack@tokoku.example",
            in_reply_to="m3@mail.example.com",
            references=[],
            date=datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        )
    )
    assert str(mail["Auto-Submitted"]) == "auto-replied"
    assert str(mail["X-Auto-Response-Suppress"]) == "All"
    assert str(mail["X-Loop"]) == "cs@tokoku.example"
    assert str(mail["From"]) == "CS Tokoku <cs@tokoku.example>"
    assert mail["Cc"] is None
    assert str(mail["Subject"]) == "Re: Tukar ukuran [#124]"
    assert str(mail["In-Reply-To"]) == "<m3@mail.example.com>"
    assert str(mail["Date"]) == "Thu, 03 Dec 2026 02:00:00 +0000"


def test_our_message_ids_are_known_as_ours_and_never_repeat() -> None:
    ids = {new_message_id("TokoKu.example") for _ in range(1000)}
    assert len(ids) == 1000
    one = ids.pop()
    assert one.startswith("cs-tui.")
    assert one.endswith("@tokoku.example")
    assert is_ours(one, "tokoku.example")
    assert is_ours(f"<{one.upper()}>", "TOKOKU.EXAMPLE")
    assert not is_ours(one, "other.example")
    assert not is_ours("m2@mail.example.com", "tokoku.example")
    assert not is_ours("cs-tui.x@tokoku.example.evil", "tokoku.example")
    assert new_message_id("tokoké.example").endswith("@xn--tokok-fsa.example")


@settings(max_examples=200, deadline=None)
@given(subject=st.text(max_size=300), name=st.text(max_size=100), body=st.text(max_size=500))
def test_any_customer_text_makes_a_mail_that_reads_back(subject: str, name: str, body: str) -> None:
    raw = reply(ticket_subject=subject, to_name=name, body=body).as_bytes(policy=policy.SMTP)
    read = read_mail(raw)
    assert read.from_address == "cs@tokoku.example"
    assert read.to == ("budi@example.com",)
    assert read.subject.endswith("[#123]")
    assert read.message_id == "cs-tui.abc@tokoku.example"

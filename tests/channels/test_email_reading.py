"""Mail as it really comes, read as an agent needs it: charsets and encodings of every
kind, HTML-only mail, quoted history in English and Indonesian, attachments, and the
machines that write to a shop (auto-replies, bounces, lists). Never a crash."""

from __future__ import annotations

import base64
import quopri
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.channels.email.quotes import split_quoted
from cs_tui.channels.email.reading import read_mail

HEADERS = (
    b"From: Budi Santoso <Budi@Example.com>\r\n"
    b"To: cs@tokoku.example\r\n"
    b"Cc: Siti <siti@example.com>, cs@tokoku.example\r\n"
    b"Date: Thu, 03 Dec 2026 09:15:00 +0700\r\n"
    b"Message-ID: <m2@mail.example.com>\r\n"
    b"In-Reply-To: <r1@tokoku.example>\r\n"
    b"References: <t0@tokoku.example> <r1@tokoku.example>\r\n"
)


PLAIN = "text/plain; charset=utf-8"


def mail(
    body: bytes,
    *,
    subject: bytes = b"Pesanan belum sampai",
    headers: bytes = HEADERS,
    content_type: str = PLAIN,
    encoding: str = "8bit",
) -> bytes:
    return (
        headers
        + b"Subject: " + subject + b"\r\n"
        + f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n".encode()
        + f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + body
    )  # fmt: skip


def test_who_wrote_to_whom_in_reply_to_what() -> None:
    read = read_mail(mail(b"Halo, paket saya belum sampai."))
    assert (read.from_name, read.from_address) == ("Budi Santoso", "budi@example.com")
    assert read.cc == ("siti@example.com", "cs@tokoku.example")
    assert read.message_id == "m2@mail.example.com"
    assert read.in_reply_to == ("r1@tokoku.example",)
    assert read.references == ("t0@tokoku.example", "r1@tokoku.example")
    assert read.date is not None
    assert read.date.utcoffset() is not None
    assert read.text == "Halo, paket saya belum sampai."
    assert read.automatic is None


@pytest.mark.parametrize(
    ("body", "mime", "expected"),
    [
        ("Terima kasih, sudah diterima 👍".encode(), {}, "Terima kasih, sudah diterima 👍"),
        # iso-8859-1 is what such mail says; windows-1252 is what it is (the quotes, the euro).
        (
            "Caf\xe9 \x93bagus\x94 \x80 5".encode("latin-1"),
            {"content_type": "text/plain; charset=iso-8859-1"},
            "Café “bagus” € 5",
        ),
        (
            quopri.encodestring("Harga: Rp 150.000 – sudah termasuk ongkir".encode()),
            {"encoding": "quoted-printable"},
            "Harga: Rp 150.000 – sudah termasuk ongkir",
        ),
        (base64.b64encode(b"Pesanan #TN123 dibatalkan"), {"encoding": "base64"}, "Pesanan #TN123 dibatalkan"),
        (b"Salah \xff\xfe byte", {}, "Salah ÿþ byte"),
        ("Ã¼ber".encode(), {"content_type": "text/plain; charset=no-such-charset"}, "Ã¼ber"),
    ],
    ids=["utf-8", "iso-8859-1", "quoted-printable", "base64", "bad-utf-8", "unknown-charset"],
)
def test_text_in_every_encoding_real_mail_has(body: bytes, mime: dict[str, str], expected: str) -> None:
    content_type, encoding = mime.get("content_type", PLAIN), mime.get("encoding", "8bit")
    assert read_mail(mail(body, content_type=content_type, encoding=encoding)).text == expected


def test_rfc2047_and_raw_8bit_headers_are_read() -> None:
    encoded = read_mail(mail(b"x", subject=b"=?utf-8?B?UGVzYW5hbiBiZWx1bSBzYW1wYWkg8J+Ypg==?="))
    assert encoded.subject == "Pesanan belum sampai 😦"
    raw = read_mail(mail(b"x", subject="Pengembalian dana – segera".encode()))
    assert raw.subject == "Pengembalian dana – segera"
    latin = read_mail(mail(b"x", subject="R\xe9servation".encode("latin-1")))
    assert latin.subject == "Réservation"


def test_html_only_mail_is_read_as_text_and_never_as_markup() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Halo <b>Kak</b>,</p><p>Pesanan <a href='https://x.example'>TN123</a> sudah dikirim.</p>"
        "<table><tr><td>Barang</td><td>Jumlah</td></tr><tr><td>Kaos</td><td>2</td></tr></table>"
        "<p>[bold]bukan markup[/bold] \x1b]0;PWNED\x07</p></body></html>"
    )
    read = read_mail(mail(html.encode(), content_type="text/html; charset=utf-8"))
    assert "Halo Kak," in read.text
    assert "Pesanan TN123 sudah dikirim." in read.text
    assert "Kaos" in read.text
    assert "Jumlah" in read.text
    assert "alert" not in read.text
    assert "color:red" not in read.text
    assert "<" not in read.text
    assert "[bold]bukan markup[/bold]" in read.text
    assert "\x1b" not in read.text
    assert "\x07" not in read.text


def test_attachments_are_kept_and_the_text_part_is_the_text() -> None:
    message = EmailMessage()
    message["From"] = "Budi <budi@example.com>"
    message["Subject"] = "Foto paket rusak"
    message.set_content("Ini fotonya, Kak.")
    message.add_alternative("<p>Ini fotonya, <b>Kak</b>.</p>", subtype="html")
    message.add_attachment(b"\x89PNG\r\n fake", maintype="image", subtype="png", filename="paket rusak.png")
    message.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename="\x1b]0;x\x07struk.pdf"
    )
    read = read_mail(message.as_bytes())
    assert read.text == "Ini fotonya, Kak."
    assert [(a.filename, a.content_type, a.data[:4]) for a in read.attachments] == [
        ("paket rusak.png", "image/png", b"\x89PNG"),
        ("struk.pdf", "application/pdf", b"%PDF"),
    ]


@pytest.mark.parametrize(
    ("history", "kind"),
    [
        (
            "On Wed, 2 Dec 2026 at 10:00, CS Tokoku <cs@tokoku.example> wrote:\n> Pesanan sedang dikemas.",
            "gmail-en",
        ),
        (
            "Pada Rab, 2 Des 2026 pukul 10.00 CS Tokoku <cs@tokoku.example>\nmenulis:\n"
            "> Pesanan sedang dikemas.",
            "gmail-id",
        ),
        (
            "Dari: CS Tokoku <cs@tokoku.example>\nDikirim: Rabu, 2 Desember 2026 10.00\n"
            "Kepada: Budi\nPerihal: Pesanan\n\nPesanan sedang dikemas.",
            "outlook-id",
        ),
        (
            "From: CS Tokoku <cs@tokoku.example>\nSent: Wednesday, December 2, 2026 10:00 AM\n"
            "Subject: Pesanan\n\nPesanan sedang dikemas.",
            "outlook-en",
        ),
        ("-----Original Message-----\nPesanan sedang dikemas.", "original-message"),
        ("> Pesanan sedang dikemas.\n> Terima kasih.", "quoted-lines"),
    ],
)
def test_the_quoted_history_is_folded_in_english_and_indonesian(history: str, kind: str) -> None:
    read = read_mail(mail(f"Baik, ditunggu ya.\n\n{history}\n".encode()))
    assert read.text == "Baik, ditunggu ya.", kind
    assert "Pesanan sedang dikemas." in read.quoted
    assert read.full_text.startswith("Baik, ditunggu ya.")


def test_an_inline_reply_is_never_folded_away() -> None:
    text = "On Wed, CS wrote:\n> Nomor pesanannya?\nTN123\n> Alamatnya?\nJl. Merdeka 1\n"
    new, quoted = split_quoted(f"Jawaban saya di bawah.\n\n{text}")
    assert quoted == ""
    assert "TN123" in new
    assert "Jl. Merdeka 1" in new


def test_a_mail_of_nothing_but_history_keeps_it_all() -> None:
    assert split_quoted("> cuma kutipan") == ("> cuma kutipan", "")


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (b"Auto-Submitted: auto-replied\r\n", "Auto-Submitted"),
        (b"Precedence: bulk\r\n", "Precedence"),
        (b"X-Autoreply: yes\r\n", "X-Autoreply"),
        (b"X-Auto-Response-Suppress: All\r\n", "X-Auto-Response-Suppress"),
        (b"List-Id: <promo.toko.example>\r\n", "List-Id"),
        (b"List-Unsubscribe: <mailto:unsub@promo.example>\r\n", "List-Unsubscribe"),
        (b"X-Loop: cs@toko.example\r\n", "X-Loop"),
        (b"Precedence: auto_reply\r\n", "Precedence"),
        (b"X-Auto-Response-Suppress: OOF\r\n", "X-Auto-Response-Suppress"),
    ],
)
def test_mail_a_machine_sent_is_known_so_nothing_answers_it(headers: bytes, why: str) -> None:
    read = read_mail(mail(b"Saya sedang cuti.", headers=HEADERS + headers))
    assert read.automatic is not None
    assert why in read.automatic


def test_a_bounce_is_known() -> None:
    headers = HEADERS.replace(
        b"Budi Santoso <Budi@Example.com>", b"Mail Delivery System <MAILER-DAEMON@mx.example>"
    )
    read = read_mail(mail(b"Delivery failed", headers=headers))
    assert read.automatic == "sent by mailer-daemon@mx.example"
    report = mail(
        b"--b\r\n\r\nfailed\r\n--b--\r\n",
        content_type='multipart/report; report-type=delivery-status; boundary="b"',
    )
    assert read_mail(report).automatic == "a delivery report (bounce)"


def test_auto_submitted_no_is_a_person() -> None:
    assert read_mail(mail(b"Halo", headers=HEADERS + b"Auto-Submitted: no\r\n")).automatic is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_read_without_a_crash(raw: bytes) -> None:
    read = read_mail(raw)
    assert "\x1b" not in read.full_text + read.subject + read.from_name


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500), st.sampled_from(["utf-8", "iso-8859-1", "koi8-r", "x-nope", "utf-7"]))
def test_any_body_in_any_charset_reads_without_a_crash(body: bytes, charset: str) -> None:
    read_mail(mail(body, content_type=f"text/plain; charset={charset}"))

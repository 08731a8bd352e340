"""Mail as shops get it, built by the tests themselves: every encoding real mail
comes in, HTML-only mail, a forward, replies quoting in Indonesian, auto-replies of
each kind, a large attachment and broken MIME. Each comes with what an agent must
see of it once it is taken in."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

SHOP = "cs@tokoku.example"


@dataclass(frozen=True)
class Expected:
    """What a mail must become: text in its first message, who it is from, whether
    a machine sent it, how many attachments of what size, whether history is folded."""

    subject: str
    sender: str
    text: str
    automatic: bool = False
    quoted: bool = False
    attachment_sizes: tuple[int, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Sample:
    label: str
    raw: bytes
    expected: Expected


def _mail(
    subject: str, text: str, *, sender: str = "Budi Santoso <budi@example.com>", **headers: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SHOP
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def _raw(head: str, body: bytes) -> bytes:
    return head.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body


def samples(big_attachment_bytes: int = 20 * 1024 * 1024) -> list[Sample]:
    utf8 = _mail(
        "Pesanan #1042 belum sampai 📦",
        "Halo, paket saya belum sampai. Terima kasih 🙏",
        Message_ID="<u1@mail.example>",
    )
    utf8.set_content("Halo, paket saya belum sampai. Terima kasih 🙏", cte="base64")
    html = EmailMessage()
    html["From"] = "Siti <siti@example.com>"
    html["To"] = SHOP
    html["Subject"] = "Tanya ukuran"
    html["Message-ID"] = "<h1@mail.example>"
    html.set_content(
        "<html><body><p>Apakah ada ukuran <b>XL</b>?</p><script>alert(1)</script>"
        "<table><tr><td>Warna</td><td>Merah</td></tr></table></body></html>",
        subtype="html",
    )
    big = _mail(
        "Foto kerusakan", "Ini videonya.", sender="Ani <ani@example.com>", Message_ID="<big1@mail.example>"
    )
    big.add_attachment(b"\x00" * big_attachment_bytes, maintype="video", subtype="mp4", filename="rusak.mp4")
    automatic = [
        ("Auto-Submitted", {"Auto_Submitted": "auto-replied"}),
        ("Precedence bulk", {"Precedence": "bulk"}),
        ("Precedence junk", {"Precedence": "junk"}),
        ("Precedence list", {"Precedence": "list"}),
        ("Precedence auto_reply", {"Precedence": "auto_reply"}),
        ("X-Auto-Response-Suppress", {"X_Auto_Response_Suppress": "OOF"}),
        ("X-Autoreply", {"X_Autoreply": "yes"}),
        ("X-Loop", {"X_Loop": "helpdesk@partner.example"}),
        ("List-Unsubscribe", {"List_Unsubscribe": "<mailto:unsub@promo.example>"}),
        ("our own Message-ID", {"Message_ID": "<cs-tui.0123456789abcdef@tokoku.example>"}),
    ]
    return [
        Sample(
            "utf-8 in base64",
            utf8.as_bytes(),
            Expected(
                "Pesanan #1042 belum sampai 📦", "budi@example.com", "Terima kasih 🙏", name="Budi Santoso"
            ),
        ),
        Sample(
            "iso-8859-1 read as windows-1252, quoted-printable, RFC 2047",
            _raw(
                "From: =?iso-8859-1?Q?Andr=E9_Dupont?= <andre@example.fr>\nTo: cs@tokoku.example\n"
                "Subject: =?iso-8859-1?Q?R=E9servation_annul=E9e?=\nMessage-ID: <l1@example.fr>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
                "Content-Transfer-Encoding: quoted-printable\n",
                b"Merci =93beaucoup=94, c'est 20 =80.\r\n",
            ),
            Expected(
                "Réservation annulée",
                "andre@example.fr",
                "Merci “beaucoup”, c'est 20 €.",
                name="André Dupont",
            ),
        ),
        Sample(
            "raw 8-bit UTF-8 headers",
            (
                "From: Dewi <dewi@example.com>\r\nTo: cs@tokoku.example\r\nMessage-ID: <r8@mail.example>\r\n"
                "Subject: Barang rusak – mohon ganti\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Kemasan sobek.\r\n"
            ).encode(),
            Expected("Barang rusak – mohon ganti", "dewi@example.com", "Kemasan sobek."),
        ),
        Sample(
            "HTML only",
            html.as_bytes(),
            Expected("Tanya ukuran", "siti@example.com", "Apakah ada ukuran XL?"),
        ),
        Sample(
            "forwarded",
            _mail(
                "Fwd: Pesanan 77",
                "Tolong dibantu.\n\n---------- Forwarded message ---------\nFrom: Rudi <rudi@example.com>\n"
                "Date: Mon, 30 Nov 2026\nSubject: Pesanan 77\n\nBarang belum datang.\n",
                sender="Rina <rina@example.com>",
                Message_ID="<f1@mail.example>",
            ).as_bytes(),
            Expected("Fwd: Pesanan 77", "rina@example.com", "Tolong dibantu.", quoted=True),
        ),
        Sample(
            "Gmail reply quoting in Indonesian",
            _mail(
                "Re: Pengembalian dana",
                "Baik, saya tunggu.\n\n"
                "Pada Rab, 2 Des 2026 pukul 10.00 CS Tokoku <cs@tokoku.example>\nmenulis:\n"
                "> Dana dikembalikan dalam 3 hari.\n",
                sender="Joko <joko@example.com>",
                Message_ID="<g1@mail.example>",
            ).as_bytes(),
            Expected("Re: Pengembalian dana", "joko@example.com", "Baik, saya tunggu.", quoted=True),
        ),
        Sample(
            "Outlook reply quoting in Indonesian",
            _mail(
                "RE: Garansi",
                "Sudah saya kirim fotonya.\n\nDari: CS Tokoku <cs@tokoku.example>\n"
                "Dikirim: Selasa, 01 Desember 2026 09.12\n"
                "Kepada: Maya <maya@example.com>\nSubjek: Garansi\n\nMohon kirim fotonya.\n",
                sender="Maya <maya@example.com>",
                Message_ID="<o1@mail.example>",
            ).as_bytes(),
            Expected("RE: Garansi", "maya@example.com", "Sudah saya kirim fotonya.", quoted=True),
        ),
        *[
            Sample(
                f"automatic: {label}",
                _mail(
                    f"Otomatis: {label}",
                    "Saya sedang cuti sampai Senin.",
                    sender=f"auto{number}@partner.example",
                    **headers,
                ).as_bytes(),
                Expected(
                    f"Otomatis: {label}", f"auto{number}@partner.example", "Saya sedang cuti", automatic=True
                ),
            )
            for number, (label, headers) in enumerate(automatic)
        ],
        Sample(
            "a 20 MB attachment",
            big.as_bytes(),
            Expected(
                "Foto kerusakan", "ani@example.com", "Ini videonya.", attachment_sizes=(big_attachment_bytes,)
            ),
        ),
        Sample(
            "broken MIME",
            _raw(
                "From: Hendra <hendra@example.com>\nTo: cs@tokoku.example\nSubject: Rusak\n"
                "Message-ID: <b1@mail.example>\nMIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="tidak-ada"\n',
                b"--lain\r\nContent-Type: text/plain; charset=x-tidak-dikenal\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n"
                b"SGFsbyBrYWth!!!\r\n",
            ),
            Expected("Rusak", "hendra@example.com", ""),
        ),
    ]

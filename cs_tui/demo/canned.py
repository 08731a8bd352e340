"""The demo shop's canned responses, each in Indonesian and in English."""

from __future__ import annotations

from cs_tui.domain.models import CannedActions, CannedResponse, Priority, Status

# title, shortcut, tags, language, body, actions
_Canned = tuple[str, str, tuple[str, ...], str, str, CannedActions]

_NONE = CannedActions()

_RESPONSES: tuple[_Canned, ...] = (
    (
        "Salam pembuka",
        "halo",
        ("sapaan",),
        "id",
        "Halo, {{customer.first_name}}! Terima kasih sudah menghubungi Toko Nusantara. "
        "Saya {{agent.first_name}}, siap membantu Kakak.",
        _NONE,
    ),
    (
        "Greeting",
        "hi",
        ("greeting",),
        "en",
        "Hi {{customer.first_name}}, thanks for contacting Toko Nusantara! "
        "I'm {{agent.first_name}} and I'll be helping you today.",
        _NONE,
    ),
    (
        "Cek status pesanan",
        "cek-pesanan",
        ("pesanan",),
        "id",
        "Halo Kak {{customer.first_name}}, saya sudah cek pesanan Kakak. Pesanan sedang dikemas "
        "di gudang dan akan diserahkan ke kurir hari ini. Nomor resi akan muncul di aplikasi "
        "maksimal 1x24 jam.",
        CannedActions(status=Status.PENDING),
    ),
    (
        "Order status check",
        "order-status",
        ("pesanan",),
        "en",
        "Hi {{customer.first_name}}, I've checked your order: it's being packed and goes to the "
        "courier today. The tracking number shows in the app within 24 hours.",
        CannedActions(status=Status.PENDING),
    ),
    (
        "Maaf pengiriman terlambat",
        "telat",
        ("pengiriman", "kurir"),
        "id",
        "Kak {{customer.first_name}}, mohon maaf atas keterlambatan pengirimannya. Saya sudah membuat "
        "laporan ke kurir dan akan mengabari Kakak di tiket {{ticket.id}} begitu ada jawaban.",
        CannedActions(status=Status.ON_HOLD, add_tags=("pengiriman",)),
    ),
    (
        "Shipping delay apology",
        "delay",
        ("pengiriman", "kurir"),
        "en",
        "{{customer.first_name}}, I'm sorry your parcel is late. I've opened an investigation with the "
        "courier and will update you on ticket {{ticket.id}} as soon as they reply.",
        CannedActions(status=Status.ON_HOLD, add_tags=("pengiriman",)),
    ),
    (
        "Refund sudah diproses",
        "refund-ok",
        ("refund",),
        "id",
        "Halo Kak {{customer.first_name}}, refund untuk tiket {{ticket.id}} sudah kami proses. Dana akan "
        "masuk ke rekening atau e-wallet Kakak dalam 3-7 hari kerja, tergantung bank.",
        CannedActions(status=Status.SOLVED, add_tags=("refund",)),
    ),
    (
        "Refund issued",
        "refund-done",
        ("refund",),
        "en",
        "Hi {{customer.first_name}}, the refund for ticket {{ticket.id}} has been issued. It takes 3-7 "
        "business days to reach your account, depending on your bank.",
        CannedActions(status=Status.SOLVED, add_tags=("refund",)),
    ),
    (
        "Minta foto barang",
        "foto",
        ("retur", "refund"),
        "id",
        "Kak {{customer.first_name}}, boleh kirim foto barang yang diterima dan foto label paketnya? "
        "Setelah kami terima, pengajuan retur atau refund langsung saya proses.",
        CannedActions(status=Status.PENDING, add_tags=("retur",)),
    ),
    (
        "Ask for a photo",
        "photo",
        ("retur", "refund"),
        "en",
        "{{customer.first_name}}, could you send a photo of the item and of the parcel label? "
        "Once we have them I'll process your return or refund straight away.",
        CannedActions(status=Status.PENDING, add_tags=("retur",)),
    ),
    (
        "Cara retur barang",
        "retur",
        ("retur",),
        "id",
        "Kak {{customer.first_name}}, retur bisa diajukan maksimal 7 hari setelah barang diterima. "
        "Label retur gratis sudah saya kirim ke {{customer.email}}; tempel di paket dan serahkan ke "
        "kurir terdekat.",
        CannedActions(add_tags=("retur",)),
    ),
    (
        "How to return an item",
        "return",
        ("retur",),
        "en",
        "{{customer.first_name}}, you can return items within 7 days of delivery. I've sent a free "
        "return label to {{customer.email}}; stick it on the parcel and drop it at any courier point.",
        CannedActions(add_tags=("retur",)),
    ),
    (
        "Pembayaran gagal, saldo terpotong",
        "bayar-gagal",
        ("pembayaran",),
        "id",
        "Halo Kak {{customer.first_name}}, mohon maaf atas kendala pembayarannya. Jika saldo sudah "
        "terpotong, dana otomatis kembali dalam 1x24 jam. Boleh kirim screenshot bukti bayarnya supaya "
        "saya cek manual?",
        CannedActions(status=Status.PENDING, priority=Priority.HIGH, add_tags=("pembayaran",)),
    ),
    (
        "Payment failed but charged",
        "payment-failed",
        ("pembayaran",),
        "en",
        "Hi {{customer.first_name}}, sorry about the payment trouble. If you were charged, the money "
        "returns automatically within 24 hours. Could you send a screenshot of the payment so I can "
        "check it by hand?",
        CannedActions(status=Status.PENDING, priority=Priority.HIGH, add_tags=("pembayaran",)),
    ),
    (
        "Stok tersedia",
        "stok",
        ("produk",),
        "id",
        "Halo Kak {{customer.first_name}}, produknya ready stok ya. Pesanan sebelum jam 15.00 WIB "
        "dikirim di hari yang sama.",
        CannedActions(status=Status.SOLVED),
    ),
    (
        "In stock",
        "stock",
        ("produk",),
        "en",
        "Hi {{customer.first_name}}, good news: it's in stock. Orders placed before 3 pm WIB ship the "
        "same day.",
        CannedActions(status=Status.SOLVED),
    ),
    (
        "Voucher tidak berlaku",
        "voucher",
        ("promo",),
        "id",
        "Kak {{customer.first_name}}, voucher tersebut hanya berlaku untuk kategori tertentu dan minimal "
        "belanja yang tertera di syarat dan ketentuan. Saya bantu cek keranjangnya ya.",
        CannedActions(add_tags=("promo",)),
    ),
    (
        "Voucher not valid",
        "voucher-en",
        ("promo",),
        "en",
        "{{customer.first_name}}, that voucher only works for some categories and above the minimum "
        "spend in its terms. Let me check your cart.",
        CannedActions(add_tags=("promo",)),
    ),
    (
        "Pesanan dibatalkan",
        "batal",
        ("pembatalan",),
        "id",
        "Kak {{customer.first_name}}, pesanan Kakak sudah kami batalkan. Dana kembali ke metode "
        "pembayaran semula dalam 1-3 hari kerja.",
        CannedActions(status=Status.SOLVED, add_tags=("pembatalan",)),
    ),
    (
        "Order cancelled",
        "cancel",
        ("pembatalan",),
        "en",
        "{{customer.first_name}}, your order is cancelled. The money goes back to your original payment "
        "method within 1-3 business days.",
        CannedActions(status=Status.SOLVED, add_tags=("pembatalan",)),
    ),
    (
        "Eskalasi ke gudang",
        "eskalasi",
        ("pesanan",),
        "id",
        "Kak {{customer.first_name}}, kasus ini sudah saya eskalasi ke tim gudang dengan prioritas "
        "tinggi. Saya kabari lagi paling lambat besok siang.",
        CannedActions(status=Status.ON_HOLD, priority=Priority.HIGH, add_tags=("eskalasi",)),
    ),
    (
        "Escalated to the warehouse",
        "escalate",
        ("pesanan",),
        "en",
        "{{customer.first_name}}, I've escalated this to our warehouse team as a priority and will get "
        "back to you by tomorrow noon at the latest.",
        CannedActions(status=Status.ON_HOLD, priority=Priority.HIGH, add_tags=("eskalasi",)),
    ),
    (
        "Menunggu balasan pelanggan",
        "follow-up",
        ("tindak-lanjut",),
        "id",
        "Halo Kak {{customer.first_name}}, kami belum menerima balasan untuk tiket {{ticket.id}} "
        "({{ticket.subject}}). Apakah masih ada yang bisa kami bantu?",
        CannedActions(status=Status.PENDING),
    ),
    (
        "Following up",
        "follow-up-en",
        ("tindak-lanjut",),
        "en",
        "Hi {{customer.first_name}}, we haven't heard back about ticket {{ticket.id}} "
        "({{ticket.subject}}). Is there anything else we can help with?",
        CannedActions(status=Status.PENDING),
    ),
    (
        "Penutup",
        "tutup",
        ("penutup",),
        "id",
        "Terima kasih sudah berbelanja di Toko Nusantara, Kak {{customer.first_name}}. Tiket ini saya "
        "tutup; kalau ada pertanyaan lain, cukup balas pesan ini.\n\nSalam,\n{{agent.name}}",
        CannedActions(status=Status.SOLVED),
    ),
    (
        "Closing",
        "bye",
        ("penutup",),
        "en",
        "Thanks for shopping with Toko Nusantara, {{customer.first_name}}. I'll close this ticket; just "
        "reply if anything else comes up.\n\nBest regards,\n{{agent.name}}",
        CannedActions(status=Status.SOLVED),
    ),
)


_USES = {
    "halo": 64, "hi": 41, "cek-pesanan": 57, "order-status": 33, "telat": 38, "delay": 22,
    "tutup": 35, "bye": 24, "refund-ok": 19, "refund-done": 12, "retur": 17, "return": 11,
    "foto": 14, "photo": 9, "bayar-gagal": 13, "payment-failed": 8, "follow-up": 10,
    "follow-up-en": 7, "eskalasi": 6, "escalate": 4, "voucher": 5, "voucher-en": 3,
    "batal": 4, "cancel": 3, "stok": 2, "stock": 1,
}  # fmt: skip
"""How often the demo team has used each response (by shortcut): greetings and order
checks most, as in a shop's helpdesk, so the picker's most-used-first order shows."""


def canned_responses() -> list[CannedResponse]:
    return [
        CannedResponse(
            id=None,
            title=title,
            body=body,
            shortcut=shortcut,
            tags=tags,
            language=language,
            actions=actions,
            usage_count=_USES.get(shortcut, 0),
        )
        for title, shortcut, tags, language, body, actions in _RESPONSES
    ]

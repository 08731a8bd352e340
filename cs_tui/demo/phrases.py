"""Lines every demo conversation shares, whatever it is about, and the shop's catalogue."""

from __future__ import annotations

from cs_tui.demo.people import SHOP

ITEMS = (
    "Sepatu lari Nusa Run 2", "Headphone Bluetooth Sora X1", "Rice cooker Miyako 1.8L",
    "Kemeja batik pria", "Powerbank 20000mAh", "Tas ransel kanvas", "Kabel USB-C 2m",
    "Blender Philips HR2115", "Hijab voal motif", "Smartwatch Amazfit Bip", "Kipas angin berdiri",
    "Set panci anti lengket", "Kopi Gayo 500g", "Mouse wireless Logitech", "Dress linen wanita",
    "Lampu meja LED", "Tumbler stainless 750ml", "Keyboard mekanikal", "Sandal jepit kulit",
    "Action figure Gundam",
)  # fmt: skip
COURIERS = ("JNE", "J&T Express", "SiCepat", "AnterAja", "Pos Indonesia", "Ninja Xpress", "GoSend")
PAYMENTS = ("GoPay", "OVO", "DANA", "ShopeePay", "BCA Virtual Account", "Mandiri VA", "QRIS", "kartu kredit")
VOUCHERS = ("HEMAT50", "ONGKIRGRATIS", "NUSA1111", "PAYDAY25", "BARU10")

AUTO_ACK = {
    "id": (
        f"Terima kasih telah menghubungi {SHOP}. Pesan Anda sudah kami terima dan akan dibalas oleh "
        "tim kami secepatnya (Senin-Minggu, 08.00-22.00 WIB)."
    ),
    "en": (
        f"Thank you for contacting {SHOP}. We have received your message and a member of our team "
        "will reply soon (every day, 8 am to 10 pm WIB)."
    ),
}

PENDING_ASKS = {
    "id": (
        "Boleh kirim foto bukti atau nomor pesanannya, Kak {first}? Setelah itu langsung saya proses.",
        "Kak {first}, saya tunggu konfirmasi alamat lengkapnya ya, supaya bisa saya teruskan ke kurir.",
        "Mohon dicek dulu ya Kak, kalau masih ada kendala balas pesan ini saja.",
    ),
    "en": (
        "Could you send a photo or the order number, {first}? I'll take it from there.",
        "Could you confirm your full address, {first}, so I can pass it to the courier?",
        "Please check on your side and reply here if anything is still wrong.",
    ),
}

HOLD_NOTES = {
    "id": (
        "Menunggu jawaban tim gudang.",
        "Menunggu konfirmasi dari {courier}.",
        "Menunggu finance, estimasi 2 hari kerja.",
    ),
    "en": (
        "Waiting for the warehouse team.",
        "Waiting on {courier} to confirm.",
        "Waiting for finance, about 2 business days.",
    ),
}

HOLD_REPLIES = {
    "id": (
        "Kak {first}, kasus ini sedang kami teruskan ke tim terkait. Saya kabari lagi begitu ada jawaban.",
    ),
    "en": (
        "{first}, I've passed this on to the team that can fix it and will update you as soon as I hear.",
    ),
}

THANKS = {
    "id": (
        "Sudah sampai min, terima kasih banyak!",
        "Oke beres, makasih kak.",
        "Terima kasih, sangat membantu 🙏",
        "Sip, sudah saya terima. Mantap!",
    ),
    "en": ("Got it, thank you so much!", "All sorted, thanks.", "Thanks for the quick help 🙏"),
}

CLOSINGS = {
    "id": (
        "Sama-sama, Kak {first}! Senang bisa membantu. Tiket ini saya tutup ya, kalau ada apa-apa "
        "balas saja pesan ini.",
        "Terima kasih sudah berbelanja di Toko Nusantara, Kak {first}. Semoga harinya menyenangkan!",
    ),
    "en": (
        "You're welcome, {first}! I'll mark this as solved; just reply if you need anything else.",
        "Thanks for shopping with Toko Nusantara, {first}. Have a great day!",
    ),
}

SIGNATURES = {
    "id": "\n\nSalam,\n{agent}\nTim Layanan Pelanggan " + SHOP,
    "en": "\n\nBest regards,\n{agent}\n" + SHOP + " Customer Care",
}

CSAT_COMMENTS = {
    "id": (
        "Pelayanan cepat dan ramah!",
        "Mantap, adminnya responsif.",
        "Lumayan, tapi agak lama balasnya.",
        "Masalah tidak selesai.",
        "",
        "",
    ),
    "en": ("Fast and friendly!", "Great help.", "Took a while but solved.", "Not resolved.", "", ""),
}

EXTRA_TAGS = ("vip", "tokopedia", "shopee", "instagram", "dropship", "grosir", "luar-negeri")

# Said in any conversation, whatever it is about; mixed with the topic's own lines.
CUSTOMER_MORE = {
    "id": (
        "Baik kak, saya tunggu kabarnya ya.",
        "Halo? Masih diproses kan min?",
        "Sudah saya kirim lewat email juga ya kak.",
        "Mohon dibantu secepatnya ya, terima kasih.",
        "Kira-kira berapa lama lagi ya min?",
        "Nomor WA saya 0812-xxxx-4471 kalau perlu telepon.",
    ),
    "en": (
        "OK, I'll wait for your update.",
        "Any news on this?",
        "I've also sent it by email.",
        "How much longer will it take?",
        "Please hurry, thank you.",
    ),
}
AGENT_MORE = {
    "id": (
        "Terima kasih atas kesabarannya, Kak {first}. Saya masih menunggu update dari tim terkait.",
        "Sudah saya terima, Kak. Saya proses sekarang ya.",
        "Mohon maaf menunggu lama, Kak {first}. Hari ini kasusnya saya follow up lagi.",
        "Baik Kak, sudah saya catat di tiket ini.",
    ),
    "en": (
        "Thanks for your patience, {first}. I'm still waiting to hear back from the team.",
        "Got it, thank you. I'm on it now.",
        "Sorry for the wait, {first}. I'm following up on this again today.",
        "Noted on the ticket, thanks.",
    ),
}

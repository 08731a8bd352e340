"""What the demo shop's customers write about, in Indonesian and in English.

Lines are format strings over a fixed set of names filled in per ticket:
{first} the customer's first name, {agent} the agent's first name, {order},
{item}, {courier}, {awb} (the tracking number), {amount}, {pay} (payment
method), {code} (a voucher code) and {days}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lines:
    """One topic's lines in one language."""

    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    first_replies: tuple[str, ...]
    customer_more: tuple[str, ...]
    agent_more: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    tags: tuple[str, ...]
    weight: int
    priority_weights: tuple[int, int, int, int]
    """Weights of low, normal, high and urgent."""
    id: Lines
    en: Lines


TOPICS: tuple[Topic, ...] = (
    Topic(
        "order_status",
        ("pesanan",),
        22,
        (15, 60, 20, 5),
        id=Lines(
            subjects=(
                "Pesanan {order} belum sampai",
                "Status pesanan {order}?",
                "Kapan pesanan saya dikirim? ({order})",
                "Pesanan {order} masih diproses terus",
            ),
            openings=(
                "Halo min, pesanan saya {order} kok belum sampai ya? Sudah {days} hari sejak checkout.",
                "Selamat siang, saya mau tanya status pesanan {order} ({item}). Di aplikasi masih "
                "tertulis 'diproses' dari kemarin.",
                "Min, {item} yang saya pesan ({order}) kapan dikirim? Mau dipakai buat hadiah ulang "
                "tahun minggu ini.",
            ),
            first_replies=(
                "Halo Kak {first}, terima kasih sudah menghubungi Toko Nusantara. Saya cek dulu "
                "pesanan {order} ya, Kak. Pesanan sudah dikemas dan akan diserahkan ke {courier} "
                "hari ini.",
                "Halo Kak {first}, mohon maaf atas keterlambatannya. Pesanan {order} sudah dikirim "
                "lewat {courier} dengan nomor resi {awb}. Estimasi tiba {days} hari kerja.",
            ),
            customer_more=(
                "Resinya belum bisa dilacak di website {courier}, min.",
                "Oke kak, saya tunggu ya. Tolong dikabari kalau ada update.",
                "Alamatnya sudah benar kan? Saya pindah kos bulan lalu.",
                "Kok lama banget ya, teman saya pesan kemarin sudah sampai duluan.",
            ),
            agent_more=(
                "Resi {awb} biasanya baru aktif 1x24 jam setelah paket diserahkan ke {courier}, Kak.",
                "Alamat di pesanan {order} sudah sesuai dengan yang Kakak tulis saat checkout. Kalau "
                "ada perubahan, mohon kirim alamat lengkapnya ya.",
                "Sudah saya tandai prioritas ke tim gudang, Kak {first}. Begitu paket keluar saya "
                "kabari lagi di sini.",
            ),
            notes=(
                "Gudang Cikarang telat pick-up dua hari, sudah dikonfirmasi ke kepala gudang.",
                "Cek stok {item}: masih ada 3, seharusnya tidak ada backorder.",
            ),
        ),
        en=Lines(
            subjects=(
                "Where is my order {order}?",
                "Order {order} still not shipped",
                "Tracking for order {order}",
            ),
            openings=(
                "Hi, I ordered a {item} ({order}) {days} days ago and it still says 'processing'. "
                "Can you tell me when it will ship?",
                "Hello, my order {order} hasn't arrived yet. Could you check what's going on?",
            ),
            first_replies=(
                "Hi {first}, thanks for reaching out to Toko Nusantara. I've checked order {order}: "
                "it was handed to {courier} today, tracking number {awb}.",
                "Hi {first}, sorry for the wait. Your order {order} is packed and leaves our "
                "warehouse with {courier} this afternoon.",
            ),
            customer_more=(
                "The tracking number doesn't work on the {courier} site yet.",
                "Thanks. Can you let me know once it's on its way?",
                "Is there any way to speed it up? I need it before the weekend.",
            ),
            agent_more=(
                "Tracking numbers usually become active within 24 hours of pick-up, {first}.",
                "I've asked the warehouse to prioritise it. I'll update you here as soon as it moves.",
                "It's now in transit at the {courier} hub in Jakarta; expected delivery is in {days} days.",
            ),
            notes=(
                "Courier pick-up missed twice at the Cikarang warehouse; raised with the ops lead.",
                "Customer asked for express; no express option for this area.",
            ),
        ),
    ),
    Topic(
        "shipping_delay",
        ("pengiriman", "kurir"),
        16,
        (10, 55, 28, 7),
        id=Lines(
            subjects=(
                "Paket tertahan di {courier}",
                "Pengiriman {order} telat, resi {awb}",
                "Paket tidak bergerak sejak {days} hari",
                "Status 'gagal kirim' padahal saya di rumah",
            ),
            openings=(
                "Min, paket saya dengan resi {awb} sudah {days} hari statusnya 'transit' di gudang "
                "{courier} dan tidak bergerak. Tolong dibantu ya.",
                "Kurir {courier} tulis gagal kirim karena alamat tidak ditemukan, padahal saya seharian "
                "di rumah. Pesanan {order}.",
                "Halo, pesanan {order} katanya sudah sampai tapi saya belum terima apa-apa!",
            ),
            first_replies=(
                "Halo Kak {first}, mohon maaf atas kendala pengirimannya. Saya sudah buat laporan ke "
                "{courier} untuk resi {awb}, biasanya ada jawaban dalam 1x24 jam.",
                "Halo Kak {first}, terima kasih infonya. Saya hubungi {courier} dulu untuk minta paket "
                "diantar ulang ke alamat Kakak.",
            ),
            customer_more=(
                "Sudah 2 hari belum ada kabar juga min.",
                "Tolong minta kurirnya telepon dulu sebelum datang ya, nomor saya aktif.",
                "Kalau paketnya hilang bagaimana? Saya sudah bayar lunas.",
                "Baik kak, terima kasih sudah dibantu.",
            ),
            agent_more=(
                "Update dari {courier}: paket sudah keluar dari hub dan dijadwalkan antar besok, Kak.",
                "Kalau paket dinyatakan hilang, kami kirim ulang {item} tanpa biaya atau refund penuh, "
                "Kakak tidak perlu khawatir.",
                "Kurir akan menghubungi Kakak sebelum mengantar. Mohon maaf sekali lagi atas "
                "keterlambatannya.",
            ),
            notes=(
                "Klaim ke {courier} dibuat, no. tiket klaim CLM-{days}8812.",
                "Hub {courier} Bekasi sedang overload minggu ini, banyak paket telat.",
            ),
        ),
        en=Lines(
            subjects=(
                "Package stuck with {courier}",
                "Delivery delayed, tracking {awb}",
                "Marked as delivered but nothing arrived",
            ),
            openings=(
                "My parcel ({awb}) has been sitting at the {courier} hub for {days} days. What is going on?",
                "Tracking says delivered but there is no package. Order {order}.",
            ),
            first_replies=(
                "Hi {first}, I'm sorry about this. I've opened an investigation with {courier} for "
                "{awb}; they normally answer within a day.",
                "Hi {first}, thanks for letting us know. I've asked {courier} for the proof of "
                "delivery and the driver's location.",
            ),
            customer_more=(
                "Still nothing today.",
                "Please ask them to call me before delivering.",
                "If it's lost, can you send a new one?",
            ),
            agent_more=(
                "Good news: {courier} found the parcel and it's out for delivery tomorrow.",
                "If the parcel is confirmed lost we will send a replacement {item} at no cost.",
            ),
            notes=(
                "Opened courier claim; waiting for their reply.",
                "POD photo shows a different house number; asked courier to re-deliver.",
            ),
        ),
    ),
    Topic(
        "refund",
        ("refund",),
        14,
        (5, 45, 40, 10),
        id=Lines(
            subjects=(
                "Refund pesanan {order} belum masuk",
                "Minta refund {order}",
                "Dana refund {amount} kapan cair?",
            ),
            openings=(
                "Min, pesanan {order} sudah dibatalkan {days} hari lalu tapi refund {amount} belum masuk "
                "ke rekening saya.",
                "Saya mau minta refund untuk {item}, barangnya tidak sesuai deskripsi. Pesanan {order}.",
            ),
            first_replies=(
                "Halo Kak {first}, terima kasih sudah menunggu. Refund {amount} untuk pesanan {order} "
                "sudah kami proses; dana masuk 3-7 hari kerja tergantung bank.",
                "Halo Kak {first}, mohon maaf barangnya tidak sesuai. Boleh kirim foto {item} yang "
                "diterima supaya refund bisa saya ajukan?",
            ),
            customer_more=(
                "Ini fotonya min, warnanya beda jauh sama di foto produk.",
                "Sudah lewat 7 hari kerja tapi belum masuk juga.",
                "Refundnya bisa ke {pay} saja? Lebih cepat.",
            ),
            agent_more=(
                "Terima kasih fotonya, Kak. Refund {amount} sudah disetujui dan diteruskan ke tim finance.",
                "Saya sudah cek ke finance: dana ditransfer kemarin, nomor referensi RF{days}2091. "
                "Kalau belum masuk besok, kabari saya ya.",
            ),
            notes=(
                "Refund {amount} disetujui, menunggu batch transfer finance hari Kamis.",
                "Customer sudah 3x refund bulan ini, cek pola sebelum approve.",
            ),
        ),
        en=Lines(
            subjects=(
                "Refund for order {order}",
                "Still waiting for my refund of {amount}",
            ),
            openings=(
                "I cancelled order {order} a week ago and haven't received my refund of {amount} yet.",
                "The {item} I received is not what was described. I'd like a refund please.",
            ),
            first_replies=(
                "Hi {first}, sorry for the wait. The refund of {amount} for {order} has been issued; "
                "it takes 3-7 business days to appear, depending on your bank.",
                "Hi {first}, I'm sorry it wasn't as described. Could you send a photo of the {item} so "
                "I can approve the refund?",
            ),
            customer_more=(
                "Photo attached. The colour is completely different.",
                "It's been more than 7 business days now.",
            ),
            agent_more=(
                "Thanks, {first}. The refund of {amount} is approved and with our finance team.",
                "Finance confirms the transfer went out yesterday, reference RF{days}2091.",
            ),
            notes=("Refund approved, waiting for finance batch.",),
        ),
    ),
    Topic(
        "return",
        ("retur",),
        10,
        (20, 60, 17, 3),
        id=Lines(
            subjects=(
                "Retur {item} rusak",
                "Tukar ukuran {item}",
                "Barang diterima cacat ({order})",
            ),
            openings=(
                "Min, {item} yang saya terima layarnya retak. Bisa retur? Pesanan {order}.",
                "Kak, ukurannya kekecilan. Bisa tukar ke ukuran yang lebih besar?",
                "Barang dari pesanan {order} datang dalam kondisi penyok, dusnya juga basah.",
            ),
            first_replies=(
                "Halo Kak {first}, mohon maaf atas kondisi barangnya. Retur bisa diajukan maksimal 7 "
                "hari setelah diterima. Mohon kirim foto dan video unboxing ya, Kak.",
                "Halo Kak {first}, bisa kok tukar ukuran. Kirim balik {item} ke gudang kami dengan "
                "label retur yang saya kirim lewat email, ongkirnya kami tanggung.",
            ),
            customer_more=(
                "Video unboxingnya tidak ada min, tapi fotonya ada.",
                "Labelnya sudah saya print, kirim lewat {courier} ya?",
                "Barang sudah saya kirim balik, resi {awb}.",
            ),
            agent_more=(
                "Foto sudah cukup, Kak. Retur disetujui.",
                "Barang retur sudah diterima gudang dan lolos QC. Pengganti dikirim hari ini.",
            ),
            notes=("QC gudang: layar retak, klaim ke supplier.", "Stok ukuran L habis, tawarkan refund."),
        ),
        en=Lines(
            subjects=("Return request: damaged {item}", "Exchange {item} for another size"),
            openings=(
                "The {item} arrived with a cracked screen. How do I return it? Order {order}.",
                "The size is too small. Can I exchange it?",
            ),
            first_replies=(
                "Hi {first}, I'm sorry it arrived damaged. Please send us a photo and we'll arrange a "
                "free return with {courier}.",
                "Hi {first}, of course. I've emailed you a prepaid return label; once we receive the "
                "{item} we'll ship the new size.",
            ),
            customer_more=("Photos attached.", "Sent it back today, tracking {awb}."),
            agent_more=(
                "We received the return and your replacement ships today.",
                "Return approved. The courier will pick it up tomorrow between 9 and 5.",
            ),
            notes=("Damaged in transit; file claim with courier.",),
        ),
    ),
    Topic(
        "payment",
        ("pembayaran",),
        12,
        (5, 35, 40, 20),
        id=Lines(
            subjects=(
                "Pembayaran {pay} gagal tapi saldo terpotong",
                "Sudah bayar, status masih 'menunggu pembayaran'",
                "Double charge {amount}",
            ),
            openings=(
                "Min tolong, saya bayar pakai {pay} {amount} tapi pesanan {order} masih 'menunggu "
                "pembayaran', saldo saya sudah terpotong!",
                "Kartu kredit saya kena tagih dua kali untuk pesanan {order}, masing-masing {amount}.",
            ),
            first_replies=(
                "Halo Kak {first}, mohon maaf atas kendalanya. Boleh kirim bukti pembayaran {pay} "
                "(screenshot) supaya saya cocokkan dengan sistem kami?",
                "Halo Kak {first}, saya cek memang ada dua transaksi {amount}. Yang kedua akan "
                "dibatalkan otomatis oleh bank dalam 1-3 hari kerja.",
            ),
            customer_more=(
                "Ini bukti transfernya min.",
                "Sudah 3 hari belum kembali juga uangnya.",
                "Tolong cepat ya, itu uang belanja bulanan saya.",
            ),
            agent_more=(
                "Pembayaran sudah terverifikasi manual, pesanan {order} sekarang diproses, Kak.",
                "Dana {amount} sudah kami kembalikan ke {pay} Kakak, nomor referensi PY{days}771.",
            ),
            notes=(
                "Callback {pay} gagal antara 10:00-10:40, eskalasi ke tim payment.",
                "Sudah dicek di dashboard payment gateway: status settled.",
            ),
        ),
        en=Lines(
            subjects=("Payment failed but I was charged", "Charged twice for order {order}"),
            openings=(
                "I paid {amount} with {pay} but the order still says awaiting payment.",
                "My card was charged twice for order {order}.",
            ),
            first_replies=(
                "Hi {first}, sorry about that. Could you send a screenshot of the payment so I can "
                "match it in our system?",
                "Hi {first}, I can see two charges of {amount}. The duplicate is voided automatically "
                "by your bank within 1-3 business days.",
            ),
            customer_more=("Screenshot attached.", "It's been three days and the money isn't back."),
            agent_more=(
                "Payment verified manually; order {order} is now being processed.",
                "We've refunded the duplicate {amount}, reference PY{days}771.",
            ),
            notes=("Payment gateway callback outage this morning.",),
        ),
    ),
    Topic(
        "product",
        ("produk",),
        12,
        (40, 55, 5, 0),
        id=Lines(
            subjects=("Tanya stok {item}", "{item} original atau bukan?", "Garansi {item} berapa lama?"),
            openings=(
                "Kak, {item} masih ready stok? Mau order 2.",
                "Min, {item} ini original? Ada garansi resminya?",
                "Halo, {item} bisa dipakai di tegangan 110V? Mau dibawa ke luar negeri.",
            ),
            first_replies=(
                "Halo Kak {first}, {item} ready stok ya. Semua produk kami original dengan garansi resmi "
                "1 tahun.",
                "Halo Kak {first}, terima kasih pertanyaannya. Saya cek spesifikasi {item} ke tim produk "
                "dulu ya.",
            ),
            customer_more=("Bisa dikirim hari ini kalau saya order sekarang?", "Ada warna lain?"),
            agent_more=(
                "Order sebelum jam 15:00 dikirim di hari yang sama, Kak.",
                "Saat ini tersedia warna hitam, putih dan navy.",
            ),
            notes=("Tim produk konfirmasi: 100-240V.",),
        ),
        en=Lines(
            subjects=("Is the {item} in stock?", "Warranty on {item}"),
            openings=(
                "Do you have the {item} in stock? I'd like two.",
                "How long is the warranty on the {item}?",
            ),
            first_replies=(
                "Hi {first}, yes, the {item} is in stock and comes with a one-year official warranty.",
                "Hi {first}, good question. Let me check with our product team.",
            ),
            customer_more=("Can it ship today?", "Do you ship to Singapore?"),
            agent_more=(
                "Orders placed before 3 pm ship the same day.",
                "Yes, we ship to Singapore; delivery takes {days} days.",
            ),
            notes=("Product team says the EU plug version is not sold here.",),
        ),
    ),
    Topic(
        "complaint",
        ("komplain",),
        7,
        (5, 40, 40, 15),
        id=Lines(
            subjects=("Kecewa dengan pelayanan", "Kurir tidak sopan", "Komplain: barang tidak lengkap"),
            openings=(
                "Saya sangat kecewa. Sudah 3 kali chat tidak ada yang balas, pesanan {order} juga belum "
                "jelas.",
                "Kurir {courier} melempar paket saya ke pagar dan bicara kasar. Tolong ditindak.",
                "Isi paket tidak lengkap, charger {item} tidak ada.",
            ),
            first_replies=(
                "Halo Kak {first}, saya Kak {agent}. Mohon maaf sebesar-besarnya atas pengalaman ini; "
                "saya pegang langsung kasus Kakak sampai selesai.",
                "Halo Kak {first}, terima kasih sudah melapor. Laporan soal kurir sudah saya teruskan "
                "ke {courier}.",
            ),
            customer_more=("Saya minta kompensasi.", "Ya sudah, saya tunggu solusinya."),
            agent_more=(
                "Sebagai permintaan maaf, kami kirim voucher {code} senilai Rp 50.000 ke akun Kakak.",
                "Kelengkapan yang kurang sudah dikirim hari ini, resi {awb}.",
            ),
            notes=("Pelanggan loyal (12 pesanan), beri voucher kompensasi.",),
        ),
        en=Lines(
            subjects=("Very disappointed", "Missing items in my package"),
            openings=(
                "I've written three times and nobody answers. This is unacceptable.",
                "The charger for the {item} was missing from the box.",
            ),
            first_replies=(
                "Hi {first}, I'm {agent} and I'm very sorry. I'll handle your case personally from here.",
                "Hi {first}, sorry about the missing part. I'm sending it out today.",
            ),
            customer_more=("I'd like some compensation.", "OK, waiting for your answer."),
            agent_more=("We've added voucher {code} to your account as an apology.",),
            notes=("Long-time customer; approve goodwill voucher.",),
        ),
    ),
    Topic(
        "account",
        ("akun",),
        5,
        (25, 60, 13, 2),
        id=Lines(
            subjects=("Tidak bisa login", "OTP tidak masuk", "Ganti nomor HP di akun"),
            openings=(
                "Min, saya tidak bisa login, OTP tidak pernah masuk ke HP saya.",
                "Saya mau ganti nomor HP di akun, nomor lama sudah hilang.",
            ),
            first_replies=(
                "Halo Kak {first}, coba minta OTP lewat email dulu ya. Kalau masih gagal, kabari saya.",
                "Halo Kak {first}, untuk keamanan mohon kirim foto KTP dan selfie supaya nomor bisa "
                "kami ganti.",
            ),
            customer_more=("Lewat email bisa min, terima kasih!", "Sudah saya kirim datanya."),
            agent_more=("Nomor HP di akun sudah kami ganti, silakan login ulang.",),
            notes=("Verifikasi identitas OK.",),
        ),
        en=Lines(
            subjects=("Can't log in", "Change phone number on my account"),
            openings=("I never receive the login code.", "I need to change my phone number."),
            first_replies=(
                "Hi {first}, please try requesting the code by email instead.",
                "Hi {first}, for security please reply with the email address on your account.",
            ),
            customer_more=("The email code worked, thanks!",),
            agent_more=("Your phone number has been updated.",),
            notes=("Identity verified.",),
        ),
    ),
    Topic(
        "promo",
        ("promo",),
        5,
        (40, 55, 5, 0),
        id=Lines(
            subjects=("Kode voucher {code} tidak bisa dipakai", "Promo 11.11 tidak muncul"),
            openings=(
                "Min, voucher {code} katanya 'tidak memenuhi syarat', padahal belanja saya {amount}.",
                "Kenapa harga promo tidak muncul di keranjang saya?",
            ),
            first_replies=(
                "Halo Kak {first}, voucher {code} hanya berlaku untuk kategori elektronik ya, Kak.",
                "Halo Kak {first}, promo berlaku mulai jam 00:00; coba refresh aplikasinya.",
            ),
            customer_more=("Oh begitu, oke min.", "Sudah dicoba tetap tidak bisa."),
            agent_more=("Saya sudah tambahkan voucher pengganti ke akun Kakak.",),
            notes=("Bug promo di aplikasi Android versi lama.",),
        ),
        en=Lines(
            subjects=("Voucher {code} not working",),
            openings=("Voucher {code} says I'm not eligible but my cart is {amount}.",),
            first_replies=("Hi {first}, voucher {code} is valid for electronics only.",),
            customer_more=("Ah, I see. Thanks.",),
            agent_more=("I've added a replacement voucher to your account.",),
            notes=("Known promo bug in the old Android app.",),
        ),
    ),
    Topic(
        "cancel",
        ("pembatalan",),
        6,
        (15, 55, 25, 5),
        id=Lines(
            subjects=("Batalkan pesanan {order}", "Salah pilih varian, mau batal"),
            openings=(
                "Min, tolong batalkan pesanan {order}, saya salah pilih warna.",
                "Bisa batal pesanan? Belum dikirim kan?",
            ),
            first_replies=(
                "Halo Kak {first}, pesanan {order} sudah saya batalkan. Dana {amount} kembali ke {pay} "
                "dalam 1-3 hari kerja.",
                "Halo Kak {first}, pesanan sudah terlanjur dikirim, jadi tidak bisa dibatalkan. Kakak "
                "bisa retur gratis setelah barang diterima.",
            ),
            customer_more=("Oke terima kasih min.", "Yah, ya sudah deh."),
            agent_more=("Sama-sama, Kak. Kalau mau pesan ulang warna yang benar, stoknya masih ada.",),
            notes=("Pesanan dibatalkan sebelum pick-up.",),
        ),
        en=Lines(
            subjects=("Cancel order {order}",),
            openings=("Please cancel order {order}, I ordered the wrong colour.",),
            first_replies=(
                "Hi {first}, order {order} is cancelled and {amount} goes back to your {pay} in 1-3 days.",
            ),
            customer_more=("Great, thank you.",),
            agent_more=("You're welcome!",),
            notes=("Cancelled before pick-up.",),
        ),
    ),
    Topic(
        "invoice",
        ("faktur",),
        3,
        (50, 45, 5, 0),
        id=Lines(
            subjects=("Minta faktur pajak pesanan {order}", "Invoice atas nama perusahaan"),
            openings=("Selamat pagi, saya butuh faktur pajak untuk pesanan {order} atas nama PT Maju Jaya.",),
            first_replies=(
                "Selamat pagi Kak {first}, mohon kirim NPWP dan alamat perusahaan ya, faktur kami "
                "terbitkan dalam 2 hari kerja.",
            ),
            customer_more=("NPWP sudah saya kirim lewat email.",),
            agent_more=("Faktur pajak sudah kami kirim ke email Kakak.",),
            notes=("Diteruskan ke finance untuk e-Faktur.",),
        ),
        en=Lines(
            subjects=("Company invoice for {order}",),
            openings=("I need an invoice for order {order} in my company's name.",),
            first_replies=("Hi {first}, please send the company name and tax ID and we'll issue it.",),
            customer_more=("Details sent by email.",),
            agent_more=("The invoice is in your inbox.",),
            notes=("Passed to finance.",),
        ),
    ),
)

"""Demo topics about the rest: products, complaints, accounts, promotions,
cancelling, invoices (see topics.py for the names the lines fill in)."""

from __future__ import annotations

from cs_tui.demo.topics import Lines, Topic

OTHER_TOPICS: tuple[Topic, ...] = (
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

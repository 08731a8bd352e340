"""Demo topics about an order on its way: its status, delays, refunds, returns, payment
(see topics.py for the names the lines fill in)."""

from __future__ import annotations

from cs_tui.demo.topics import Lines, Topic

ORDER_TOPICS: tuple[Topic, ...] = (
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
)

"""Who is in the demo shop: its agents, and the names its customers are made of."""

from __future__ import annotations

from dataclasses import dataclass

from cs_tui.domain.models import Role

SHOP = "Toko Nusantara"


@dataclass(frozen=True, slots=True)
class DemoAgent:
    name: str
    email: str
    role: Role = Role.AGENT


DEMO_AGENTS: tuple[DemoAgent, ...] = (
    DemoAgent("Sari Wulandari", "sari@tokonusantara.example", Role.ADMIN),
    DemoAgent("Andi Pratama", "andi@tokonusantara.example"),
    DemoAgent("Maya Putri", "maya@tokonusantara.example"),
    DemoAgent("Rizky Hidayat", "rizky@tokonusantara.example"),
    DemoAgent("Dewi Lestari", "dewi@tokonusantara.example"),
    DemoAgent("Kevin Tanoto", "kevin@tokonusantara.example"),
    DemoAgent("Sarah Mitchell", "sarah@tokonusantara.example"),
)

# How much of the queue each agent carries (the admin answers less).
AGENT_WEIGHTS: tuple[int, ...] = (4, 10, 10, 9, 8, 7, 5)

# Most customers have an Indonesian name and write in Indonesian; some write in
# English anyway, and the shop also sells to Malaysia, Singapore and beyond.
INDONESIAN_FIRST = (
    "Budi", "Siti", "Agus", "Dewi", "Rudi", "Putri", "Ahmad", "Nur", "Wahyu", "Fitri",
    "Eko", "Ratna", "Joko", "Indah", "Hendra", "Yuliana", "Bambang", "Ayu", "Fajar", "Lestari",
    "Dimas", "Anisa", "Rahmat", "Wulan", "Yusuf", "Nadia", "Arif", "Intan", "Teguh", "Mega",
    "Bayu", "Kartika", "Irfan", "Melati", "Gilang", "Citra", "Rizal", "Novi", "Hadi", "Sri",
    "Made", "Ketut", "Wayan", "Nyoman", "Tiur", "Rani", "Galih", "Dian", "Yoga", "Aulia",
)  # fmt: skip
INDONESIAN_LAST = (
    "Santoso", "Wijaya", "Saputra", "Kurniawan", "Hidayat", "Setiawan", "Pratama", "Lestari",
    "Sihombing", "Simanjuntak", "Nasution", "Harahap", "Siregar", "Tanjung", "Halim", "Gunawan",
    "Susanto", "Wibowo", "Nugroho", "Rahayu", "Permata", "Hakim", "Salim", "Putra", "Utami",
    "Kusuma", "Suryadi", "Manurung", "Tambunan", "Sembiring", "Ginting", "Wirawan", "Anggraini",
)  # fmt: skip
# Many Indonesians go by one name.
INDONESIAN_SINGLE = (
    "Sukarni", "Mulyono", "Suparman", "Sumiati", "Wagiman", "Sutrisno", "Paijo", "Suharti",
    "Ngatini", "Parjo",
)  # fmt: skip
OTHER_NAMES = (
    "Emily Clarke", "James Wong", "Priya Sharma", "Nguyen Van An", "Aiko Tanaka",
    "Michael O'Brien", "Zoë Müller", "Ahmad bin Ismail", "Tan Wei Ling", "Siobhan Kelly",
    "Lucas Oliveira", "Chloé Martin", "Rajesh Kumar", "Lim Mei Hua", "Daniel Schmidt",
    "Olivia Brown", "Nurul Aisyah binti Hassan", "Kim Min-jun", "Sofia Rossi", "Mohammed Al-Farsi",
)  # fmt: skip
MAIL_DOMAINS = ("example.com", "example.co.id", "example.net", "example.org", "mail.example")

"""Sanitising untrusted text: nothing a terminal would act on survives, everything else does."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.domain.text import sanitize, sanitize_line


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # CSI: clear screen, colours, cursor moves; 7-bit and 8-bit introducers.
        ("Halo\x1b[2JBudi", "HaloBudi"),
        ("\x1b[31mmerah\x1b[0m", "merah"),
        ("a\x1b[1;1Hb", "ab"),
        ("a\x1b[?1049hb", "ab"),
        ("a\x9b2Jb", "ab"),
        # OSC: window title and hyperlinks, ended by BEL or by ST (ESC \ or 8-bit).
        ("\x1b]0;pwned\x07Halo", "Halo"),
        ("\x1b]0;pwned\x1b\\Halo", "Halo"),
        ("\x1b]0;pwned\x9cHalo", "Halo"),
        ("\x9d0;pwned\x07Halo", "Halo"),
        ("\x1b]8;;https://evil.example\x1b\\klik\x1b]8;;\x1b\\", "klik"),
        # DCS and other ESC sequences.
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
        ("a\x1bcb", "ab"),
        ("a\x1b(Bb", "ab"),
        # Lone C0 and C1 controls and DEL.
        ("a\x00b\x07c\x08d", "abcd"),
        ("a\x0bb\x0cc", "abc"),
        ("a\x7fb", "ab"),
        ("a\x85b\x9ac\x80d", "abcd"),
        ("trailing escape\x1b", "trailing escape"),
        # An unterminated string loses its introducer, not the customer's words.
        ("Halo\x1b]Budi, pesanan saya\nbelum sampai", "HaloBudi, pesanan saya\nbelum sampai"),
        ("Caf\x90 rest of the line", "Caf rest of the line"),
        ("\x9d0;title without end", "0;title without end"),
        # Bidi overrides cannot reverse a subject; line separators end lines.
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2067tersembunyi\u2069", "tersembunyi"),
        ("satu\u2028dua\u2029tiga", "satu\ndua\ntiga"),
        # Tabs and newlines stay; carriage returns become newlines.
        ("baris 1\nbaris 2\tkolom", "baris 1\nbaris 2\tkolom"),
        ("a\r\nb", "a\nb"),
        ("total: 10\rtotal: 99", "total: 10\ntotal: 99"),
    ],
)
def test_sanitize_removes_what_a_terminal_would_act_on(raw: str, clean: str) -> None:
    assert sanitize(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "Halo, pesanan saya INV/20261103/MPL/1234 belum sampai. Terima kasih 🙏",
        "Pengiriman ke Surabaya — ongkir Rp15.000",
        "退款申请 / 返金してください / 환불",
        "👨‍👩‍👧 keluarga, 👍🏽",
        "Café Ñoño naïve",
        "[bold red]x[/]",
        "[@click=app.quit]quit[/]",
        "[link=https://evil.example]klik[/link]",
        "{{customer.name}} \\x1b[2J (escaped, not an escape)",
        "",
    ],
)
def test_ordinary_text_and_markup_are_kept_literally(text: str) -> None:
    assert sanitize(text) == text
    assert sanitize_line(text) == text


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Pesanan\nbelum\tsampai", "Pesanan belum sampai"),
        ("  Budi   Santoso \r\n", "Budi Santoso"),
        ("\x1b]0;pwned\x07Budi\x1b[2J Santoso", "Budi Santoso"),
        ("budi@example.com\x00", "budi@example.com"),
        ("\n\t \x07", ""),
    ],
)
def test_sanitize_line_folds_to_one_line(raw: str, line: str) -> None:
    assert sanitize_line(raw) == line


_FRAGMENTS = st.sampled_from(
    [
        *[
            "\x1b",
            "\x1b[",
            "\x1b]",
            "\x1bP",
            "\x9b",
            "\x9d",
            "\x07",
            "\x1b\\",
            "\x9c",
            "\r",
            "\r\n",
            "\n",
            "\t",
        ],
        *["2J", "0;", "31m", "[bold]", "Halo", " ", "🙏", "退款", "\u202e", "\u2066", "\u2028"],
    ]
)
_untrusted = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)


_REORDERING = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc"}


@settings(max_examples=200, deadline=None)
@given(_untrusted)
def test_sanitize_leaves_no_control_character_but_tab_and_newline(raw: str) -> None:
    clean = sanitize(raw)
    assert _controls(clean) <= {"\n", "\t"}
    assert not set(clean) & _REORDERING
    assert sanitize(clean) == clean


@settings(max_examples=200, deadline=None)
@given(_untrusted)
def test_sanitize_line_leaves_one_clean_line(raw: str) -> None:
    line = sanitize_line(raw)
    assert not _controls(line)
    assert line == line.strip()
    assert "  " not in line
    assert sanitize_line(line) == line


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_without_control_characters_is_unchanged(text: str) -> None:
    text = "".join(c for c in text if unicodedata.category(c) != "Cc" and c not in _REORDERING)
    assert sanitize(text) == text

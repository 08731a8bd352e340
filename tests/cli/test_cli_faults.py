"""A store the CLI cannot write, or cannot open, is said in words with what to do,
never as an unexpected error."""

from __future__ import annotations

from pathlib import Path

from ..faults import read_only, small_disk, store_files
from .cli_runner import CsTui

NEW = ("ticket", "new", "--subject", "Pesanan", "--customer", "budi@example.com", "--body", "Halo")


def test_a_read_only_store_reads_and_says_why_it_takes_no_write(cs_tui: CsTui) -> None:
    assert cs_tui(*NEW).code == 0
    with read_only(*store_files(cs_tui.store)):
        assert cs_tui("ticket", "list").code == 0
        refused = cs_tui("ticket", "reply", "1", "--body", "Sudah dikirim")
    assert refused.code == 1
    assert "cannot be written: the file or its folder is read-only for you" in refused.err
    assert "unexpected error" not in refused.err
    assert "Sudah dikirim" not in cs_tui("ticket", "show", "1").out


def test_a_full_disk_is_said_as_such(cs_tui: CsTui, tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        store = disk.place / "cs-tui.db"
        assert cs_tui(*NEW, CS_TUI_STORE=str(store)).code == 0
        disk.fill()
        refused = cs_tui(
            "ticket", "reply", "1", "--body", "-", input="kata " * 50_000, CS_TUI_STORE=str(store)
        )
        disk.free()
    assert refused.code == 1
    assert "disk is full" in refused.err or "not full" in refused.err, refused.err
    assert "unexpected error" not in refused.err

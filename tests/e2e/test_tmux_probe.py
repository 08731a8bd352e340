"""The hostile-input probe in a real terminal (tmux): escape sequences in every field,
through cs-tui's own doors and written straight into the store file, reach neither
the TUI's terminal nor the CLI's. tmux tells: an OSC 0 retitles its pane, an OSC 52
fills one of its paste buffers. And a store deleted under the running TUI is said,
with the reply kept."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .test_tmux import CS_TUI, keys, run, screen, wait_for

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)"),
    pytest.mark.slow,
]

TITLE = "\x1b]0;PWNED\x07"
CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
BELL = "\x07"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "config.toml").write_text("undo_seconds = 2\n")
    return {
        **os.environ,
        "CS_TUI_STORE": str(tmp_path / "cs-tui.db"),
        "CS_TUI_AGENT": "sari@tokoku.example",
        "CS_TUI_CONFIG": str(tmp_path / "config.toml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
    }


@contextmanager
def terminal(env: dict[str, str], command: str) -> Iterator[str]:
    """`command` in a tmux server of its own that takes OSC 52 into its buffers."""
    socket = f"cs-tui-probe-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    clean_env = {k: v for k, v in env.items() if k != "TMUX"}
    subprocess.run([*tmux, "new-session", "-d", "-x", "160", "-y", "45", "sh"], env=clean_env, check=True)
    try:
        subprocess.run([*tmux, "set", "-g", "set-clipboard", "on"], check=True)
        subprocess.run([*tmux, "set", "-g", "remain-on-exit", "on"], check=True)
        title = pane_title(socket)
        keys(socket, command, literal=True)
        keys(socket, "Enter")
        yield socket
        assert pane_title(socket) == title, "an escape sequence retitled the terminal"
        buffers = subprocess.run([*tmux, "list-buffers"], capture_output=True, text=True, check=False)
        assert not buffers.stdout.strip(), f"an escape sequence wrote the clipboard: {buffers.stdout}"
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)


def pane_title(socket: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, "display", "-p", "#{pane_title}"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def hostile_store(env: dict[str, str]) -> None:
    """A ticket made through the CLI with escapes in every field it takes, and one
    whose fields hold escapes written into the file by something else."""
    run(
        "ticket", "new",
        "--subject", f"Pesanan {TITLE}belum sampai{CLIPBOARD}",
        "--customer", "budi@example.com",
        "--name", f"Budi {TITLE}Santoso",
        "--body", f"Halo{BELL} {CLIPBOARD}kak",
        "--tag", f"vip{TITLE}", "--tag", f"{CLIPBOARD}refund",
        env=env,
    )  # fmt: skip
    run("ticket", "new", "--subject", "s", "--customer", "dewi@example.com", "--body", "b", env=env)
    with sqlite3.connect(env["CS_TUI_STORE"]) as db:
        dirty = f"{TITLE}kiriman{CLIPBOARD}telat{BELL}"
        db.execute("UPDATE tickets SET subject = ? WHERE id = 2", (dirty,))
        db.execute("UPDATE customers SET name = ? WHERE email = 'dewi@example.com'", (dirty,))
        db.execute("UPDATE messages SET body = ? WHERE ticket_id = 2", (dirty,))
        db.execute("INSERT INTO ticket_tags(ticket_id, tag) VALUES (2, ?)", (dirty,))


@pytest.mark.usefixtures("hostile_store")
def test_the_tui_shows_hostile_fields_as_text_and_the_terminal_is_untouched(env: dict[str, str]) -> None:
    with terminal(env, " ".join(CS_TUI)) as tmux:
        wait_for(tmux, "1 Mine")
        keys(tmux, "3")
        wait_for(tmux, "kirimantelat")  # the queue row of the dirty ticket
        seen = ""
        for _ in range(2):
            keys(tmux, "Enter")
            seen += wait_for(tmux, "@example.com>")
            keys(tmux, "Escape")
            wait_for(tmux, "3 All open")
            keys(tmux, "j")
        assert "Budi Santoso <budi@example.com>" in seen
        assert "Pesanan belum sampai" in seen
        assert "kirimantelat <dewi@example.com>" in seen
        keys(tmux, "C-q")


@pytest.mark.usefixtures("hostile_store")
@pytest.mark.parametrize(
    "command",
    [
        "ticket show 1",
        "ticket show 2",
        "ticket show 2 --json",
        "ticket list",
        "ticket list --json",
        "export",
    ],
)
def test_the_cli_prints_hostile_fields_as_text_and_the_terminal_is_untouched(
    env: dict[str, str], command: str
) -> None:
    with terminal(env, f"{' '.join(CS_TUI)} {command}; echo PROBE-$((1 + 1))") as tmux:
        wait_for(tmux, "PROBE-2")
        assert "kiriman" in screen(tmux) or "Pesanan" in screen(tmux)


def test_a_store_deleted_under_the_tui_is_said_and_the_reply_kept(env: dict[str, str]) -> None:
    run("ticket", "new", "--subject", "Paket", "--customer", "budi@example.com", "--body", "Halo", env=env)
    store = Path(env["CS_TUI_STORE"])
    with terminal(env, " ".join(CS_TUI)) as tmux:
        wait_for(tmux, "1 Mine")
        keys(tmux, "3")
        wait_for(tmux, "Paket")
        keys(tmux, "Enter")
        wait_for(tmux, "<budi@example.com>")
        keys(tmux, "r")
        wait_for(tmux, "Reply to")
        keys(tmux, "Baik, kami cek dulu.", literal=True)
        for file in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
            file.unlink(missing_ok=True)
        wait_for(tmux, "is gone")
        keys(tmux, "C-s")
        wait_for(tmux, "Your text stays here")
        assert "Reply sent" not in screen(tmux)
        keys(tmux, "C-q")
    kept = list((Path(env["XDG_STATE_HOME"]) / "cs-tui" / "kept").glob("*/ticket-1.txt"))
    assert [path.read_text() for path in kept] == ["reply\nBaik, kami cek dulu."]

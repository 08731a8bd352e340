"""Copying and the signs of new tickets in a real terminal (tmux): `y` then a key puts
the text in tmux's paste buffer by OSC 52 (`set-clipboard on`), cleaned of the escapes
a message held; a new ticket in the agent's views puts its count in the pane's title
(OSC 2) until a key is pressed, and its desktop notification (OSC 777) is passed
through tmux."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .test_tmux import CS_TUI, keys, run, wait_for

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)"),
    pytest.mark.slow,
]

HOSTILE = "Halo\x1b]0;PWNED\x07 kak,\x07 \x1b]52;c;aGVsbG8=\x07paket\x1b[2J saya belum sampai"
"""A message that would retitle the terminal, fill its clipboard and clear its screen."""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "config.toml").write_text('undo_seconds = 2\ndesktop_notifications = "osc777"\n')
    return {
        **os.environ,
        "CS_TUI_STORE": str(tmp_path / "cs-tui.db"),
        "CS_TUI_AGENT": "sari@tokoku.example",
        "CS_TUI_CONFIG": str(tmp_path / "config.toml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
    }


@pytest.fixture
def ticket(env: dict[str, str]) -> str:
    """A ticket whose message holds escape sequences, written into the store file by
    something other than cs-tui (whose intake would clean them); its number."""
    number = run(
        "ticket", "new", "--subject", "Paket", "--customer", "budi@example.com", "--body", "b", env=env
    )
    with sqlite3.connect(env["CS_TUI_STORE"]) as db:
        db.execute("UPDATE messages SET body = ?", (HOSTILE,))
    return number.strip()


@contextmanager
def terminal(env: dict[str, str], size: tuple[int, int], output: Path) -> Iterator[str]:
    """cs-tui in a tmux server of its own that takes OSC 52 into its buffers, everything
    cs-tui writes also kept in `output`."""
    socket = f"cs-tui-copy-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    clean_env = {k: v for k, v in env.items() if k != "TMUX"}
    width, height = size
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", str(width), "-y", str(height), "sh"], env=clean_env, check=True
    )
    try:
        subprocess.run([*tmux, "set", "-g", "set-clipboard", "on"], check=True)
        subprocess.run([*tmux, "pipe-pane", "-o", f"cat >> {output}"], check=True)
        keys(socket, " ".join(CS_TUI), literal=True)
        keys(socket, "Enter")
        yield socket
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)


def tmux(socket: str, *args: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=True)
    return done.stdout


def title(socket: str) -> str:
    return tmux(socket, "display", "-p", "#{pane_title}").rstrip("\n")


def wait_for_title(socket: str, wanted: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while title(socket) != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert title(socket) == wanted


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_yank_reaches_tmux_clean_and_a_new_ticket_is_counted_in_the_title(
    env: dict[str, str], ticket: str, size: tuple[int, int], tmp_path: Path
) -> None:
    output = tmp_path / "written"
    with terminal(env, size, output) as socket:
        wait_for(socket, "1 Mine")
        own_title = title(socket)
        keys(socket, "3")
        wait_for(socket, "3 All open")
        keys(socket, "Enter")
        wait_for(socket, "<budi@example.com>")
        keys(socket, "y")
        wait_for(socket, "Copy to the clipboard")
        keys(socket, "n")
        wait_for(socket, f"Copied #{ticket}")
        assert tmux(socket, "show-buffer") == f"#{ticket}"
        keys(socket, "y", "m")
        wait_for(socket, "s message (")
        assert tmux(socket, "show-buffer") == "Halo kak, paket saya belum sampai"
        assert len(tmux(socket, "list-buffers").splitlines()) == 2  # the message made no buffer of its own
        assert title(socket) == own_title  # nor retitled the pane

        made = run(
            "ticket",
            "new",
            "--subject",
            "Refund; tolong",
            "--customer",
            "rina@example.com",
            "--body",
            "b",
            env=env,
        )
        wait_for_title(socket, "(1) cs-tui")
        written = output.read_bytes().decode("utf-8", errors="replace")
        notification = (
            f"\x1b]777;notify;cs-tui: New ticket;#{made.strip()} Refund, tolong (in Unassigned, All open)\x07"
        )
        assert "\x1bPtmux;" + notification.replace("\x1b", "\x1b\x1b") + "\x1b\\" in written
        keys(socket, "k")  # the agent is back
        wait_for_title(socket, own_title)
        keys(socket, "q")

"""The real `cs-tui` in a real terminal (tmux): open a ticket, type a reply, send it,
and find it with `cs-tui ticket show --json`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from .conftest import terminal

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)"),
    pytest.mark.slow,
]

CS_TUI = [sys.executable, "-m", "cs_tui"]
AGENT = "sari@tokonusantara.example"
OTHER_AGENT = "rudi@tokonusantara.example"


def run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*CS_TUI, *args], env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def screen(socket: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True, check=True
    ).stdout


def keys(socket: str, *names: str, literal: bool = False) -> None:
    subprocess.run(["tmux", "-L", socket, "send-keys", *(["-l"] if literal else []), *names], check=True)


def wait_for(socket: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(socket)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear; the screen shows:\n{shown}")


@pytest.mark.usefixtures("demo_store")
def test_a_reply_typed_in_the_terminal_is_stored(env: dict[str, str], tmux: str) -> None:
    first = json.loads(run("ticket", "list", "--limit", "1", "--json", env=env))[0]
    wait_for(tmux, "1 Mine")
    keys(tmux, "3")
    wait_for(tmux, "3 All open")
    keys(tmux, "Enter")
    wait_for(tmux, f"<{first['customer']['email']}>")
    keys(tmux, "r")
    wait_for(tmux, "Reply to")
    keys(tmux, "Terima kasih, paket sudah kami kirim ulang.", literal=True)
    keys(tmux, "C-s")
    wait_for(tmux, "goes out in 2 s")
    wait_for(tmux, "Reply sent.")
    shown = json.loads(run("ticket", "show", str(first["id"]), "--json", env=env))
    last = shown["messages"][-1]
    assert last["body"] == "Terima kasih, paket sudah kami kirim ulang."
    assert last["author"] == f"agent:{AGENT}"
    assert last["internal"] is False


@pytest.mark.usefixtures("demo_store")
def test_two_agents_on_one_file_see_each_other(env: dict[str, str], tmux: str) -> None:
    first = json.loads(run("ticket", "list", "--limit", "1", "--json", env=env))[0]
    customer = f"<{first['customer']['email']}>"
    with terminal(env | {"CS_TUI_AGENT": OTHER_AGENT}) as other:
        for socket in (tmux, other):
            wait_for(socket, "1 Mine")
            keys(socket, "3")
            wait_for(socket, "3 All open")
        # Sari opens the first ticket and starts a reply; Rudi sees it in his queue.
        keys(tmux, "Enter")
        wait_for(tmux, customer)
        keys(tmux, "r")
        wait_for(tmux, "Reply to")
        row = next(line for line in wait_for(other, "✎").splitlines() if "✎" in line)
        assert f"#{first['id']} " in row
        # He opens it too: the header says who is writing.
        keys(other, "Enter")
        wait_for(other, customer)
        wait_for(other, "Sari Wulandari is replying")
        # Sari leaves the reply (keeping her draft) and quits: Rudi sees her go.
        keys(tmux, "Escape")
        wait_for(other, "Sari Wulandari is viewing")
        keys(tmux, "Escape")
        time.sleep(0.3)
        keys(tmux, "q")
        deadline = time.monotonic() + 10
        while "Sari Wulandari is" in screen(other) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Sari Wulandari is" not in screen(other)

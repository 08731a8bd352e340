"""What the tmux tests share: the environment of a cs-tui of the test's own, a tmux
server running it, and a demo shop's store."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CS_TUI = [sys.executable, "-m", "cs_tui"]
AGENT = "sari@tokonusantara.example"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "config.toml").write_text("undo_seconds = 2\n")
    return {
        **os.environ,
        "CS_TUI_STORE": str(tmp_path / "cs-tui.db"),
        "CS_TUI_AGENT": AGENT,
        "CS_TUI_CONFIG": str(tmp_path / "config.toml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
    }


@contextmanager
def terminal(env: dict[str, str]) -> Iterator[str]:
    """A tmux server of its own (a running one would lend the session its
    environment), running cs-tui; yields the server's socket name."""
    socket = f"cs-tui-{uuid.uuid4().hex[:8]}"
    command = " ".join([*CS_TUI])
    subprocess.run(
        ["tmux", "-L", socket, "-f", os.devnull, "new-session", "-d", "-x", "160", "-y", "45", command],
        env={k: v for k, v in env.items() if k != "TMUX"},
        check=True,
    )
    try:
        yield socket
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False)


@pytest.fixture
def tmux(env: dict[str, str]) -> Iterator[str]:
    with terminal(env) as socket:
        yield socket


@pytest.fixture
def demo_store(env: dict[str, str]) -> None:
    subprocess.run(
        [*CS_TUI, "demo", "--no-open", "--tickets", "300"], env=env, check=True, capture_output=True
    )

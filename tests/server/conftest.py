"""`cs-tui serve` as a real process on a loopback port, over a SQLite file of a demo
shop of 300 tickets (enough that some are always open); it can be stopped, killed
and started again on the same port."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CS_TUI = [sys.executable, "-m", "cs_tui"]
START_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(
        self, place: Path, workers: int = 1, options: tuple[str, ...] = (), files: int | None = None
    ) -> None:
        self.store = place / "cs-tui.db"
        self.env = {**os.environ, "CS_TUI_STORE": str(self.store), "XDG_STATE_HOME": str(place / "state")}
        self.port = free_port()
        self.workers = workers
        self.options = options
        """More `cs-tui serve` options."""
        self.files = files
        """The server's limit on open files (soft and hard), when it is to have one."""
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([*CS_TUI, *args], env=self.env, capture_output=True, text=True, check=True)
        return done.stdout

    def token(self, name: str, email: str, role: str = "agent") -> str:
        return self.cli("agent", "add", name, "--email", email, "--role", role).strip()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*CS_TUI, "serve", "--port", str(self.port), "--workers", str(self.workers), *self.options],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=None if self.files is None else self._limit_files,
            start_new_session=True,  # its workers with it, for kill()
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                output = self.process.stderr.read().decode() if self.process.stderr else ""
                raise AssertionError(f"cs-tui serve did not start:\n{output}")
            time.sleep(0.05)

    def _limit_files(self) -> None:
        assert self.files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.files, self.files))

    def kill(self) -> None:
        """As a power cut would: no chance to finish anything, for the server and for
        each of its workers (which would otherwise outlive it, serving on)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        if self.process is None:
            return 0
        self.process.terminate()
        status = self.process.wait(15)
        self.process = None
        return status


_demo_store: Path | None = None


def demo_store() -> Path:
    """A 300-ticket demo store, made by `cs-tui demo` once per test process."""
    global _demo_store
    if _demo_store is None:
        place = Path(tempfile.mkdtemp(prefix="cs-tui-demo-"))
        Server(place).cli("demo", "--no-open", "--tickets", "300")
        _demo_store = place / "cs-tui.db"
    return _demo_store


@contextmanager
def demo_server(
    place: Path, workers: int = 1, options: tuple[str, ...] = (), files: int | None = None
) -> Iterator[Server]:
    """`cs-tui serve --workers N [options]` over a copy of the 300-ticket demo store in
    `place` (with at most `files` open files), killed after."""
    served = Server(place, workers=workers, options=options, files=files)
    shutil.copyfile(demo_store(), served.store)
    served.start()
    try:
        yield served
    finally:
        served.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with demo_server(tmp_path) as served:
        yield served

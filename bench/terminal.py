"""A program in a pseudo-terminal, read by a terminal emulator (pyte), as a user's
terminal would show it: what is on the screen, and when each byte arrived."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyte

READ_SIZE = 65536


class TimedOut(Exception):
    """What was waited for never showed; the message holds the screen."""


class _Screen(pyte.Screen):
    """A screen that answers the program's queries, as a terminal does."""

    def __init__(self, columns: int, lines: int, answer: Callable[[str], None]) -> None:
        super().__init__(columns, lines)
        self._answer = answer

    def write_process_input(self, data: str) -> None:
        self._answer(data)


@dataclass(frozen=True, slots=True)
class Shown:
    """The moment the screen first satisfied a wait, and the bytes read until then."""

    at_ns: int
    bytes_read: int


class Terminal:
    """Runs `argv` in a pseudo-terminal of `size` (columns, lines)."""

    def __init__(self, argv: Sequence[str], *, env: dict[str, str], size: tuple[int, int]) -> None:
        columns, lines = size
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.started_ns = time.perf_counter_ns()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)},
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._fd = master
        self.screen = _Screen(columns, lines, self._answer)
        self._stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        self.last_read_ns = self.started_ns

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """The screen's rows, as the user sees them."""
        return [str(row) for row in self.screen.display]

    def line(self, y: int) -> str:
        return str(self.screen.display[y])

    def send(self, keys: str | bytes) -> int:
        """Type `keys`; returns the moment they were written (perf_counter_ns)."""
        data = keys.encode() if isinstance(keys, str) else keys
        sent = time.perf_counter_ns()
        os.write(self._fd, data)
        return sent

    def wait_for(self, shown: Callable[[Terminal], bool], timeout: float = 30.0) -> Shown:
        """Read until `shown(self)` is true; returns when the bytes that made it so arrived."""
        deadline = time.monotonic() + timeout
        while not shown(self):
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise TimedOut(f"the wait timed out; the screen shows:\n{self.text()}")
        return Shown(self.last_read_ns, self.bytes_read)

    def wait_for_text(self, text: str, timeout: float = 30.0) -> Shown:
        return self.wait_for(lambda terminal: text in terminal.text(), timeout)

    def drain(self, quiet: float = 0.15) -> int:
        """Read until nothing arrives for `quiet` seconds; returns the bytes read."""
        before = self.bytes_read
        while self._read(quiet):
            pass
        return self.bytes_read - before

    def pump(self, seconds: float) -> None:
        """Keep reading (and showing) for `seconds`, as a terminal does while the user pauses."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._read(left)

    def _read(self, timeout: float) -> bool:
        """Read what has arrived (waiting up to `timeout` for the first byte), note
        when the last of it came, then show it. Taking everything waiting before
        emulating keeps the emulator's own time out of the arrival times."""
        chunks: list[bytes] = []
        wait = max(timeout, 0)
        while select.select([self._fd], [], [], wait)[0]:
            try:
                data = os.read(self._fd, READ_SIZE)
            except OSError:  # the program has gone and the terminal closed
                break
            if not data:
                break
            chunks.append(data)
            self.last_read_ns = time.perf_counter_ns()
            wait = 0
        if not chunks:
            return False
        data = b"".join(chunks)
        self.bytes_read += len(data)
        self._stream.feed(data)
        return True

    def _answer(self, data: str) -> None:
        os.write(self._fd, data.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self._fd)

    def rss_bytes(self) -> int:
        """Resident memory of the program, from /proc."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc: resident memory is measured on Linux")

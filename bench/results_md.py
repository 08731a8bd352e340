"""bench/RESULTS.md: each bench writes its last run there, in a section of its own
(the machine, the date, the command, and its report with the figures and the
targets), leaving the other benches' sections as they are."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import sqlite3
import sys
from collections.abc import Iterator
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
ORDER = ("store", "scale", "tui", "load", "load_postgres", "big", "email", "chat")
"""The sections, in the order the page shows them."""
HEADER = """# Benchmark results

Written by the benches themselves: each section is the last run of one bench, as it
printed it, with the machine it ran on. Run a bench again to bring its section up to
date (see the README of each below). Figures are medians unless said otherwise;
targets are marked met or missed in each report.
"""


def machine() -> str:
    """The machine a figure was measured on, in one line."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    textual = metadata.version("textual")
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Textual {textual}"
    )


@contextlib.contextmanager
def section(name: str, title: str, module: str) -> Iterator[None]:
    """Everything printed inside goes to stdout as usual and, once the block ends
    without an error, into RESULTS.md as the section `name`; `module` is the bench's
    (bench.store_bench), for the command line that made the figures."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, printed)):
        yield
    command = " ".join(["python -m", module, *sys.argv[1:]])
    at = datetime.now().astimezone()
    body = (
        f"## {title}\n\n"
        f"`{command}`, {at:%Y-%m-%d %H:%M %Z}, on {machine()}.\n\n"
        f"```text\n{printed.getvalue().strip()}\n```\n"
    )
    write(name, body)


def write(name: str, body: str, path: Path = RESULTS_MD) -> None:
    """Put `body` in as the section `name`, keeping the others."""
    sections = read(path)
    sections[name] = body.strip() + "\n"
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    text = HEADER + "".join(f"\n<!-- bench:{n} -->\n{sections[n]}<!-- /bench:{n} -->\n" for n in names)
    path.write_text(text, encoding="utf-8")


def read(path: Path = RESULTS_MD) -> dict[str, str]:
    if not path.exists():
        return {}
    found = re.findall(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", path.read_text(), re.DOTALL)
    return dict(found)


class _Tee(io.TextIOBase):
    """Writes to several streams at once."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()

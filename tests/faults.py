"""Real faults for a store file: one that cannot be written, and a disk that fills.

Root may write any file whatever its mode, so for root a read-only file is an
immutable one (chattr +i), and a full disk is a small tmpfs filled to the brim.
Where neither can be had the test says so and is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """`paths` (a store file and its -wal and -shm) read-only for this process."""
    existing = [path for path in paths if path.exists()]
    if os.geteuid() == 0:
        if not shutil.which("chattr") or not _run("chattr", "+i", *map(str, existing)):
            pytest.skip("root writes any file, and chattr +i (to make one immutable) failed here")
        try:
            yield
        finally:
            _run("chattr", "-i", *map(str, existing))
        return
    modes = {path: path.stat().st_mode for path in existing}
    for path in existing:
        path.chmod(0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


class SmallDisk:
    """A 4 MB file system of its own, which `fill` fills and `free` empties again."""

    def __init__(self, place: Path) -> None:
        self.place = place
        self._filler = place / "filler"

    def fill(self) -> None:
        with self._filler.open("ab") as filler:
            block = b"\0" * 65536
            try:
                while True:
                    filler.write(block)
                    filler.flush()
            except OSError:
                pass
        assert shutil.disk_usage(self.place).free < 65536

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)


@contextmanager
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    place = tmp_path / "small-disk"
    place.mkdir()
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(place)):
        pytest.skip("a full disk is a small tmpfs here, which needs root and mount")
    try:
        yield SmallDisk(place)
    finally:
        _run("umount", "-l", str(place))


def store_files(store: Path) -> tuple[Path, Path, Path]:
    return store, Path(f"{store}-wal"), Path(f"{store}-shm")

"""Files a store keeps beside itself, by the SHA-256 of their content: attachments
and the raw mail they came in. The same file sent twice is kept once; a file is
written whole or not at all (to a temporary name, then renamed), so a crash never
leaves half a file under a hash."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from cs_tui.store.base import NotFound, StoreUnwritable

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """A folder of files named by hash, two levels deep (`ab/abcdef...`) so that no
    folder grows past a few thousand entries."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        if not _SHA256.fullmatch(digest):
            raise NotFound(f"{digest[:80]!r} is not the SHA-256 of a stored file")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Keeps `data` (once, whatever how often it is put) and returns its hash."""
        digest = sha256(data)
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temporary, 0o640)  # as the store file: its group (the team) reads it
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StoreUnwritable(
                f"cannot keep a file in {self.root}: {error.strerror or error}. "
                f"Check that its disk is there and not full (df -h {self.root.parent})"
            ) from error
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"the file {digest[:12]}… is not in {self.root}: it was moved or deleted"
            ) from None


def files_beside(store_file: Path) -> FileStore:
    """Where a store file keeps its files: `cs-tui.db` keeps them in `cs-tui-files/`."""
    return FileStore(store_file.with_name(f"{store_file.stem}-files"))

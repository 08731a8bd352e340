"""What an agent wrote that the store could not take (its file read-only, its disk
full, the file gone): kept in a file of the agent's own, one per ticket, until the
store takes it. The TUI puts it back in the composer when the ticket opens again,
also after a restart, and forgets it once the store has it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cs_tui.domain.models import DraftKind
from cs_tui.store.outbox import private_file, state_path


class KeptTexts:
    """Texts kept in `folder` (made readable by its owner alone), by ticket."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def of(cls, store_label: str, agent_id: int) -> KeptTexts:
        return cls(state_path("kept", store_label, agent_id))

    def path(self, ticket_id: int) -> Path:
        return self.folder / f"ticket-{ticket_id}.txt"

    def keep(self, ticket_id: int, kind: DraftKind, body: str) -> Path:
        """Keep `body` for the ticket (written whole, or the last one kept stays)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path(ticket_id)
        fresh = path.with_suffix(".new")
        with private_file(fresh, "w") as file:
            file.write(f"{kind.value}\n{body}")
            file.flush()
            os.fsync(file.fileno())
        fresh.replace(path)
        return path

    def get(self, ticket_id: int) -> tuple[DraftKind, str] | None:
        try:
            text = self.path(ticket_id).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        kind, _, body = text.partition("\n")
        try:
            return DraftKind(kind), body
        except ValueError:
            return DraftKind.REPLY, text

    def forget(self, ticket_id: int) -> None:
        with contextlib.suppress(OSError):
            self.path(ticket_id).unlink()

    def tickets(self) -> list[int]:
        """The tickets something is kept for."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("ticket-*.txt"):
            with contextlib.suppress(ValueError):
                found.append(int(path.stem.removeprefix("ticket-")))
        return sorted(found)


def shown_path(path: Path) -> str:
    """`path` as an agent reads it: the home directory as ~."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + os.sep) else text

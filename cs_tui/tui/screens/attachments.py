"""Saving a file a customer sent: the agent picks which one (when the thread has
several) and where, and it is written there as a new file, never opened or run and
never replacing a file that is there. A file the store cannot give (a team server
whose store keeps none) is said in words.

A file's name comes from the customer: it is shown as plain text, and the name it is
saved under has no folders in it and does not start with a dot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cs_tui.domain.channels import AttachmentInfo
from cs_tui.domain.models import Message
from cs_tui.domain.text import file_size, safe_filename
from cs_tui.store.base import Store, StoreError
from cs_tui.tui.format import in_a_notice, when
from cs_tui.tui.kept import shown_path

FILE_CSS = """
AttachmentPicker, SaveAsScreen { align: center middle; }
AttachmentPicker > Vertical, SaveAsScreen > Vertical {
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}
AttachmentPicker OptionList { height: auto; max-height: 14; border: none; }
AttachmentPicker .dialog-title, SaveAsScreen .dialog-title { text-style: bold; margin: 0 0 1 0; }
AttachmentPicker .dialog-help, SaveAsScreen .dialog-help { color: $text-muted; }
SaveAsScreen #save-error { color: $error; text-style: bold; }
"""

Files = Sequence[tuple[AttachmentInfo, Message]]
"""Files and the messages they came with, in the order the picker lists them."""


def default_folder() -> Path:
    """Where a file is offered to go: ~/Downloads, or the current folder without one."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


def where_to(typed: str, filename: str) -> tuple[Path | None, str]:
    """The new file to write for the path the agent typed (a folder takes the file's
    own name), or None and why not."""
    if not typed.strip():
        return None, "Type where to save it."
    path = Path(typed.strip()).expanduser().absolute()
    if path.is_dir():
        path = path / safe_filename(filename)
    if path.exists() or path.is_symlink():
        return None, f"{shown_path(path)} is there already: type another name (nothing is replaced)."
    if not path.parent.is_dir():
        return None, f"There is no folder {shown_path(path.parent)}."
    return path, ""


def write_new(path: Path, data: bytes) -> None:
    """`data` in a new file at `path`: never over one that is there (nor through a
    link), never executable (0666 less the umask); nothing is left of a failed write."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "wb") as out:
            out.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def describe(file: AttachmentInfo) -> str:
    """ "paket.jpg (3.2 MB, image/jpeg)" """
    kind = in_a_notice(file.content_type, 60) or "unknown type"
    return f"{in_a_notice(file.filename, 80) or '(no name)'} ({file_size(file.size)}, {kind})"


class AttachmentPicker(ModalScreen[AttachmentInfo | None]):
    """Which of the thread's files to save, the newest first."""

    DEFAULT_CSS = FILE_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, files: Files, now: datetime) -> None:
        super().__init__()
        self.files = list(files)
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Save which of {len(self.files)} files?"), classes="dialog-title")
            options = []
            for index, (file, message) in enumerate(self.files):
                label = Text(describe(file))
                author = in_a_notice(message.author_name, 40) or "(unknown)"
                label.append(f"  from {author}, {when(message.created_at, self.now)}", style="dim")
                options.append(Option(label, id=str(index)))
            yield OptionList(*options)
            yield Static("enter picks · esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.files[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


class SaveAsScreen(ModalScreen[Path | None]):
    """Where to save one file: a path offered, the agent's to change."""

    DEFAULT_CSS = FILE_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, file: AttachmentInfo) -> None:
        super().__init__()
        self.file = file

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Save {describe(self.file)}"), classes="dialog-title")
            offered = shown_path(default_folder() / safe_filename(self.file.filename))
            yield Input(value=offered, id="save-path")
            yield Static("", id="save-error")
            yield Static(
                "It is written there as a new file, never opened. enter saves · esc cancels",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#save-path")
    def choose_place(self, event: Input.Submitted) -> None:
        path, why_not = where_to(event.value, self.file.filename)
        if path is None:
            self.query_one("#save-error", Static).update(Text(why_not))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


async def save_attachment(app: App[Any], store: Store, files: Files, now: datetime) -> None:
    """Ask which file and where, then fetch it from the store and write it. Call it
    from a worker: it waits for the agent's answers."""
    if not files:
        app.notify("No message here came with a file.", title="Save a file", severity="warning")
        return
    chosen = files[0][0] if len(files) == 1 else await app.push_screen_wait(AttachmentPicker(files, now))
    if chosen is None:
        return
    path = await app.push_screen_wait(SaveAsScreen(chosen))
    if path is None:
        return
    try:
        _info, data = await store.attachment(chosen.id)
    except (StoreError, OSError) as error:  # OSError: the store's copy of the file is gone
        app.notify(
            f"The store could not give {describe(chosen)}: {error}.",
            title="Not saved",
            severity="error",
            timeout=15,
        )
        return
    try:
        await asyncio.to_thread(write_new, path, data)
    except OSError as error:
        app.notify(
            f"Cannot write {shown_path(path)}: {error.strerror or error}.",
            title="Not saved",
            severity="error",
            timeout=15,
        )
        return
    app.notify(f"{describe(chosen)} saved to {shown_path(path)}.", title="Saved")

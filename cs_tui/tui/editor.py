"""Handing the composer's text to the agent's own editor ($VISUAL, $EDITOR) and back."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


def edit_in_editor(app: App[object], text: str) -> str | None:
    """The text as the editor left it; None (and a notice) if the editor failed."""
    command = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    with tempfile.NamedTemporaryFile(
        "w", suffix=".txt", prefix="cs-tui-", delete=False, encoding="utf-8"
    ) as file:
        file.write(text)
        path = Path(file.name)
    try:
        try:
            with app.suspend():
                result = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            # No terminal to hand over (a headless run): the editor runs without one.
            result = subprocess.run([*command, str(path)], check=False, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            app.notify(
                f"{command[0]} exited with {result.returncode}; your text is unchanged.", severity="warning"
            )
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        app.notify(f"Could not run {command[0]}: {error}. Set $EDITOR to your editor.", severity="error")
        return None
    finally:
        path.unlink(missing_ok=True)

"""What the app writes to the terminal beside its frames (OSC 52, titles, notifications),
read where a real terminal would get it: through Textual's driver, whose headless
one used by run_test writes nothing and is listened to here."""

from __future__ import annotations

import base64
import re

import pytest
from textual.drivers.headless_driver import HeadlessDriver

OSC_52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
TITLE = re.compile(r"\x1b\]2;([^\x07\x1b]*)\x07")


class TerminalOutput:
    """Every string the app wrote through its driver, in order."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.writes)

    def clipboard(self) -> list[str]:
        """What each OSC 52 put on the clipboard, decoded."""
        return [base64.b64decode(found).decode("utf-8") for found in OSC_52.findall(self.text)]

    def titles(self) -> list[str]:
        """Each title an OSC 2 set."""
        return TITLE.findall(self.text)

    def clear(self) -> None:
        self.writes.clear()


def listen(monkeypatch: pytest.MonkeyPatch) -> TerminalOutput:
    output = TerminalOutput()

    def write(driver: HeadlessDriver, data: str) -> None:
        output.writes.append(data)

    monkeypatch.setattr(HeadlessDriver, "write", write)
    return output

"""Runs the real `cs-tui` command in a subprocess, on a store file of the test's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class CsTui:
    def __init__(self, store: Path, home: Path) -> None:
        self.store = store
        self.env = os.environ | {
            "CS_TUI_STORE": str(store),
            "CS_TUI_AGENT": "ana@tokoku.example",
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "COLUMNS": "120",
        }

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "cs_tui", *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env | env,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return Result(done.returncode, done.stdout, done.stderr)

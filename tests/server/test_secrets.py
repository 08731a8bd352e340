"""No secret reaches a log, and what cs-tui writes for one user (the log, the outbox)
only that user can read: an unexpected error against a server that echoes the token
back still leaves no token in the log file."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cs_tui.cli.logfile import open_log
from cs_tui.domain.models import NewMessage
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.outbox import Outbox, Waiting

from .conftest import CS_TUI


class Echo(BaseHTTPRequestHandler):
    """A broken server: its answer to anything carries the request's Authorization."""

    def do_GET(self) -> None:
        body = json.dumps({"id": self.headers.get("Authorization"), "name": "x"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("how", "secret"),
    [
        ("--token X", "cst_" + "A1b2C3d4" * 5),
        ("--token=X", "cst_" + "Z9y8X7w6" * 5),
        ("CS_TUI_TOKEN", "plain-secret-from-the-environment"),
    ],
)
def test_an_unexpected_error_logs_no_token_and_only_its_owner_reads_the_log(
    echo: str, tmp_path: Path, how: str, secret: str
) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "CS_TUI_STORE": echo}
    env.pop("CS_TUI_TOKEN", None)
    log = tmp_path / "state" / "cs-tui" / "log" / "cs-tui.log"
    log.parent.mkdir(parents=True)
    log.write_text("an older run\n")
    log.chmod(0o644)  # as cs-tui left it before
    args = {"--token X": ["--token", secret], "--token=X": [f"--token={secret}"], "CS_TUI_TOKEN": []}[how]
    if how == "CS_TUI_TOKEN":
        env["CS_TUI_TOKEN"] = secret
    done = subprocess.run(
        [*CS_TUI, "ticket", "list", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert "unexpected error" in done.stderr
    assert str(log) in done.stderr
    written = log.read_text()
    assert secret not in written
    assert secret not in done.stderr
    assert "[redacted]" in written
    assert mode(log) == 0o600
    assert "unexpected error in ticket list" in written
    assert "Traceback" in written  # what a bug report needs is still there


@pytest.mark.parametrize(
    "line",
    [
        "cs-tui serve --token s3cret-value --port 8765",
        "cs-tui --token=s3cret-value ticket list",
        "headers: {'Authorization': 'Bearer s3cret-value'}",
        "Authorization: Basic s3cret-value",
        "CS_TUI_TOKEN=s3cret-value cs-tui",
        'token = "s3cret-value"',
        "password: s3cret-value",
        "smtp+starttls://sari:s3cret-value@mail.toko.example:587",
    ],
)
def test_a_log_line_shows_no_secret(line: str, tmp_path: Path) -> None:
    handler = open_log(tmp_path / "cs-tui.log")
    record = logging.LogRecord("cs_tui", logging.ERROR, __file__, 1, "failed: %s", (line,), None)
    shown = handler.format(record)
    handler.close()
    assert "s3cret-value" not in shown
    assert "[redacted]" in shown


def test_the_outbox_file_is_its_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "outbox" / "waiting.jsonl"
    outbox = Outbox(path, 7)
    for body in ("Paket dikirim hari ini.", "Nomor resi: 12345."):
        reply = NewMessage(str(uuid.uuid4()), body)
        outbox.keep(Waiting(reply.client_id, 1, 7, utcnow(), message=reply))
    assert mode(path) == 0o600
    outbox.drop(next(iter(outbox)).key)  # rewrites the file
    assert mode(path) == 0o600
    assert "Nomor resi" in path.read_text()

"""Attachments through `cs-tui serve`: an agent on another machine saves the file a
customer sent, and a browser that is handed its address downloads it and never
shows it as a page, whatever the customer called it."""

from __future__ import annotations

import json
import mailbox
import subprocess
from email.message import EmailMessage
from pathlib import Path

import httpx

from .conftest import CS_TUI, Server

PAGE = b"<html><script>alert('pwned')</script></html>"


def test_an_attachment_is_saved_over_the_team_server_and_is_only_ever_a_download(
    server: Server, tmp_path: Path
) -> None:
    server.cli(
        "channel", "add", "email", "toko", "--address", "cs@tokoku.example",
        "--imap", "imap://toko@127.0.0.1:1/INBOX", "--smtp", "smtp://toko@127.0.0.1:1", "--password-env", "X",
    )  # fmt: skip
    message = EmailMessage()
    message["From"] = "Budi <budi.transfer@example.net>"
    message["To"] = "cs@tokoku.example"
    message["Subject"] = "Bukti transfer"
    message["Message-ID"] = "<t1@mail.example.com>"
    message.set_content("Ini buktinya.")
    message.add_attachment(PAGE, maintype="text", subtype="html", filename="bukti.html")
    box = mailbox.mbox(tmp_path / "in.mbox")
    box.add(message)
    box.flush()
    server.cli("mail", "import", str(tmp_path / "in.mbox"))
    token = server.token("Dewi", "dewi@toko.example")
    remote = {**server.env, "CS_TUI_STORE": server.url, "CS_TUI_TOKEN": token}

    def cs_tui(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CS_TUI, *args], env=remote, capture_output=True, text=True, check=False)

    listed = cs_tui("ticket", "list", "--json", "--query", "customer:budi.transfer@example.net")
    [ticket] = json.loads(listed.stdout)
    shown = json.loads(cs_tui("ticket", "show", str(ticket["id"]), "--json").stdout)
    [attachment] = shown["messages"][0]["attachments"]
    saved = cs_tui("attachment", "save", str(attachment["id"]), str(tmp_path))
    assert saved.returncode == 0, saved.stderr
    assert (tmp_path / "bukti.html").read_bytes() == PAGE

    answer = httpx.get(
        f"{server.url}/api/v1/attachments/{attachment['id']}/content",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.content == PAGE
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{server.url}/api/v1/attachments/{attachment['id']}/content").status_code == 401

"""`cs-tui channel check` for a Meta channel: each secret readable (never shown), and
the phone number or Page asked of the Graph API with the access token, said in
words. Nothing is sent and nothing changes."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from cs_tui.channels.meta.errors import GraphError
from cs_tui.channels.meta.graph import GraphClient
from cs_tui.channels.meta.settings import SECRETS, MetaSettings, Secret, SettingsError, read_secret
from cs_tui.domain.text import sanitize_line

_FIELDS = {
    "whatsapp": "display_phone_number,verified_name,quality_rating,name_status",
    "messenger": "name",
    "instagram": "name,instagram_business_account{username}",
}


class CheckLine(NamedTuple):
    """One finding: whether it is fine, what it is about, and what was found."""

    ok: bool
    what: str
    said: str


async def check_meta(settings: MetaSettings, environ: Mapping[str, str] = os.environ) -> list[CheckLine]:
    """What works of the channel: its secrets, then a live look at its number or Page."""
    lines: list[CheckLine] = []
    token = ""
    for which in SECRETS:
        what = which.replace("_", " ")
        try:
            value = read_secret(settings, which, environ)
        except SettingsError as error:
            lines.append(CheckLine(False, what, str(error)))
            continue
        if which == "access_token":
            token = value
        exposed = _exposed(settings, which)
        lines.append(CheckLine(not exposed, what, exposed or f"read from {settings.secret_source(which)}"))
    if not token:
        lines.append(CheckLine(False, "Graph API", "not asked: the access token cannot be read"))
        return lines
    async with GraphClient(settings, token) as graph:
        try:
            answer = await graph.node(settings.business_id, _FIELDS[settings.kind])
        except GraphError as error:
            lines.append(CheckLine(False, "Graph API", _refused(settings, error)))
            return lines
    lines.append(CheckLine(True, "Graph API", _found(settings, answer)))
    return lines


def _refused(settings: MetaSettings, error: GraphError) -> str:
    if error.code != 100:
        return error.reason.removesuffix("; it will be tried again")  # a check tries nothing again
    if settings.kind == "whatsapp":
        return (
            f"Meta has no phone number id {settings.phone_number_id} this access token may see: copy the id "
            "from WhatsApp Manager (App → WhatsApp → API setup), and give the token "
            "whatsapp_business_messaging on it"
        )
    return (
        f"Meta has no Page {settings.page_id} this access token may see: copy the Page's id (the Page → "
        "About → Page transparency), and give a Page access token of it"
    )


def _found(settings: MetaSettings, answer: dict[str, Any]) -> str:
    def text(key: str) -> str:
        value = answer.get(key)
        return sanitize_line(value) if isinstance(value, str) else ""

    if settings.kind == "whatsapp":
        number = text("display_phone_number") or settings.phone_number_id
        named = f" ({text('verified_name')})" if text("verified_name") else ""
        quality = f"; quality rating {text('quality_rating')}" if text("quality_rating") else ""
        return f"the access token works for the number {number}{named}{quality}"
    said = f"the access token works for the Page {text('name') or settings.page_id}"
    if settings.kind == "instagram":
        account = answer.get("instagram_business_account")
        username = account.get("username") if isinstance(account, dict) else None
        if not isinstance(username, str) or not username:
            return (
                said
                + ", but it has no Instagram professional account linked: link one in the Page's settings"
            )
        said += f", linked to Instagram @{sanitize_line(username)}"
    return said


def _exposed(settings: MetaSettings, which: Secret) -> str:
    """What is wrong when the secret's file can be read by other users, with the fix."""
    file = settings.secret_file(which)
    if file is None or os.name != "posix":
        return ""
    path = Path(file).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"the file {path} can be read by other users (mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
    return ""

"""`cs-tui channel add whatsapp|messenger|instagram` and their `channel check`: a
WhatsApp number or a Facebook Page (for Messenger, and Instagram through the Page)
whose webhook Meta calls on `cs-tui serve`. Its three secrets are named (a file or an
environment variable), never given, kept or printed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.text import Text

from cs_tui.channels.meta.settings import (
    DEFAULT_GRAPH_URL,
    KINDS,
    SECRETS,
    MetaSettings,
    SettingsError,
)
from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, shown
from cs_tui.domain.channels import ChannelInfo

_APPS = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}
_SECRET_HELP = {
    "app_secret": "the app secret (App settings → Basic), which signs Meta's deliveries",
    "access_token": "the access token (a system user's, that does not expire) replies are sent with",
    "verify_token": "the verify token: words of your choosing, given to Meta with the webhook's URL",
}


def register_meta(kinds: Any, common: argparse.ArgumentParser) -> None:
    """`channel add whatsapp`, `messenger` and `instagram`."""
    for kind in KINDS:
        _register(kinds, common, kind)


def _register(kinds: Any, common: argparse.ArgumentParser, kind: str) -> None:
    app = _APPS[kind]
    whatsapp = kind == "whatsapp"
    parser = kinds.add_parser(
        kind,
        parents=[common],
        help="a WhatsApp Business number (Cloud API)" if whatsapp else f"a {app} account, through its Page",
        description=f"{app} messages as tickets, and replies back by {app}. Meta calls the webhook "
        f"`cs-tui serve` answers at https://YOUR-SERVER/public/v1/{kind}/NAME/webhook; docs/meta.md "
        "says where to click in Meta's dashboard.",
        epilog=f"example: cs-tui channel add {kind} toko "
        + ("--phone-number-id 106540352242922 " if whatsapp else "--page-id 110198307638924 ")
        + "--app-secret-file ~/.config/cs-tui/meta-app-secret "
        "--access-token-file ~/.config/cs-tui/meta-token --verify-token-file ~/.config/cs-tui/meta-verify",
    )
    parser.add_argument(
        "name", help="a short name for the channel, e.g. toko (it is in the webhook's address)"
    )
    if whatsapp:
        parser.add_argument(
            "--phone-number-id",
            required=True,
            metavar="ID",
            help="the phone number's id (App → WhatsApp → API setup), not the number itself",
        )
    else:
        parser.add_argument(
            "--page-id",
            required=True,
            metavar="ID",
            help="the Facebook Page's id"
            + (" (the Page linked to the Instagram professional account)" if kind == "instagram" else ""),
        )
    for which in SECRETS:
        option = which.replace("_", "-")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(f"--{option}-file", metavar="FILE", help=f"a file holding {_SECRET_HELP[which]}")
        source.add_argument(f"--{option}-env", metavar="VAR", help="an environment variable holding it")
    parser.add_argument(
        "--graph-url", metavar="URL", help=f"the Graph API's address (default {DEFAULT_GRAPH_URL})"
    )
    if whatsapp:
        parser.add_argument(
            "--template",
            action="append",
            default=[],
            metavar="NAME:LANGUAGE:PLACEHOLDERS",
            help="an approved template agents may send after the 24 hours, e.g. order_update:en_US:2 "
            "(again for each)",
        )
    parser.set_defaults(handler=add_meta_channel, meta_kind=kind)


async def add_meta_channel(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.cli.channels import channels_of

    kind = args.meta_kind
    sources: dict[str, str] = {}
    for which in SECRETS:
        file, variable = getattr(args, f"{which}_file"), getattr(args, f"{which}_env")
        if file is not None:
            sources[f"{which}_file"] = _absolute(file)
        if variable is not None:
            sources[f"{which}_env"] = variable
    try:
        settings = MetaSettings.parse(
            kind,
            phone_number_id=getattr(args, "phone_number_id", None),
            page_id=getattr(args, "page_id", None),
            graph_url=args.graph_url,
            templates=getattr(args, "template", []),
            **sources,
        )
    except SettingsError as error:
        raise UsageError(str(error)) from None
    store = await channels_of(context)
    await store.add_channel(args.name, kind, settings.to_dict())
    print(f"Added the {_APPS[kind]} channel {args.name} ({meta_address(settings.to_dict())}).")
    print(
        "Next: give Meta this webhook (callback URL), with the verify token, once `cs-tui serve` "
        "is reachable there by HTTPS:\n"
        f"  https://YOUR-SERVER/public/v1/{kind}/{args.name}/webhook\n"
        f"and `cs-tui channel check {args.name}` says whether the secrets and the access token work."
    )
    return 0


def meta_address(settings: dict[str, Any]) -> str:
    """What a Meta channel shows in `channel list`'s address column."""
    if settings.get("phone_number_id"):
        return f"phone number id {settings['phone_number_id']}"
    if settings.get("page_id"):
        return f"Page {settings['page_id']}"
    return ""


async def check_meta_channel(info: ChannelInfo) -> int:
    """`channel check NAME` for a Meta channel: lines of what works, exit 1 if not all."""
    from cs_tui.channels.meta.checking import check_meta

    try:
        settings = MetaSettings.from_dict(info.settings)
    except SettingsError as error:
        raise UsageError(f"the settings of {info.name} cannot work: {error}") from None
    lines = await check_meta(settings)
    out = console()
    for line in lines:
        mark = Text("✓ " if line.ok else "✗ ", style="green" if line.ok else "bold red")
        out.print(mark + Text(f"{line.what}: ", style="bold") + shown(line.said))
    out.print(
        Text("  webhook: ", style="bold")
        + shown(f"Meta calls https://YOUR-SERVER/public/v1/{info.kind}/{info.name}/webhook")
    )
    return 0 if all(line.ok for line in lines) else 1


def _absolute(path: str) -> str:
    """A path as the store keeps it: absolute, so that `cs-tui serve` started from
    another folder finds it too."""
    return str(Path(path).expanduser().resolve())

"""`cs-tui channel add` for the shop's website: a chat, its widget allowed on the shop's sites."""

from __future__ import annotations

import argparse
from typing import Any

from cs_tui.channels.chat.settings import ChatSettings, ChatSettingsError
from cs_tui.cli.context import Context, UsageError
from cs_tui.domain.text import sanitize_line


def register_web(kinds: Any, common: argparse.ArgumentParser) -> None:
    """The channels of the shop's website: `channel add chat` (and the others here)."""
    _register_chat(kinds, common)


def _register_chat(kinds: Any, common: argparse.ArgumentParser) -> None:
    chat = kinds.add_parser(
        "chat",
        parents=[common],
        help="a chat on the shop's website: one <script> tag",
        description="A chat button on the shop's pages. Visitors' messages come in as chat "
        "tickets at once; replies reach their page. `cs-tui serve` serves the widget: put "
        '<script src="https://SERVER/public/v1/chat/NAME/widget.js" async></script> on the pages.',
        epilog="example: cs-tui channel add chat web --origin https://tokoku.id --origin https://www.tokoku.id",
    )
    chat.add_argument("name", help="a short name for the chat, e.g. web (it is in the script's address)")
    chat.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="URL",
        help="a site the chat may run on, as https://tokoku.id (again for each site)",
    )
    chat.add_argument("--title", help="the title over the chat (default: Chat with us)")
    chat.add_argument("--greeting", help="the first words a visitor reads")
    chat.add_argument("--away", help="what it says when nobody of the team is there")
    chat.add_argument("--max-file-mb", type=float, metavar="MB", help="a visitor's file at most (default 10)")
    chat.set_defaults(handler=add_chat)


async def add_chat(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.cli.channels import channels_of

    try:
        settings = ChatSettings.parse(
            origins=args.origin,
            title=sanitize_line(args.title or ""),
            greeting=sanitize_line(args.greeting or ""),
            away=sanitize_line(args.away or ""),
            file_mb=args.max_file_mb,
        )
    except ChatSettingsError as error:
        raise UsageError(str(error)) from None
    store = await channels_of(context)
    await store.add_channel(args.name, "chat", settings.to_dict())
    print(f"Added the chat {args.name}, allowed on {', '.join(settings.origins)}.")
    print(
        "Next: with `cs-tui serve` running, put this on the shop's pages:\n"
        f'  <script src="https://YOUR-SERVER/public/v1/chat/{args.name}/widget.js" async></script>'
    )
    return 0

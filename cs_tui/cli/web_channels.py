"""`cs-tui channel add` for the shop's website: a chat, its widget allowed on the shop's
sites, and web forms, taken in and answered by a mailbox."""

from __future__ import annotations

import argparse
from typing import Any

from cs_tui.channels.chat.settings import ChatSettings, ChatSettingsError
from cs_tui.channels.form.settings import FormSettings, FormSettingsError
from cs_tui.cli.context import Context, UsageError
from cs_tui.domain import forms
from cs_tui.domain.channels import ChannelInfo
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import ChannelStore


def register_web(kinds: Any, common: argparse.ArgumentParser) -> None:
    """The channels of the shop's website: `channel add chat` and `channel add form`."""
    _register_chat(kinds, common)
    _register_form(kinds, common)


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
    chat.add_argument(
        "--mailbox",
        metavar="NAME",
        help="the mailbox that answers messages left while nobody is there and mails transcripts "
        "(default: the first mailbox set up)",
    )
    chat.add_argument(
        "--hours",
        metavar="HOURS",
        help='business hours, e.g. "mon-fri 09:00-17:00, sat 09:00-13:00" (or senin-jumat ...); '
        "outside them the chat offers to answer by email (default: always open)",
    )
    chat.add_argument(
        "--timezone", metavar="ZONE", help="the time zone of --hours, e.g. Asia/Jakarta (default UTC)"
    )
    chat.set_defaults(handler=add_chat)


def _register_form(kinds: Any, common: argparse.ArgumentParser) -> None:
    form = kinds.add_parser(
        "form",
        parents=[common],
        help="a web form on the shop's site (contact us, a refund request), answered by email",
        description="A form on the shop's pages that posts to "
        "https://SERVER/public/v1/forms/NAME. Each post is a web ticket, taken in by a mailbox "
        "so that its answers go to the customer by email. docs/forms.md has a form to copy.",
        epilog="example: cs-tui channel add form contact --origin https://tokoku.id "
        "--redirect https://tokoku.id/thanks",
    )
    form.add_argument("name", help="a short name for the form, e.g. contact (it is in the form's address)")
    form.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="URL",
        help="a site whose pages may post the form, as https://tokoku.id (again for each; default: any)",
    )
    form.add_argument(
        "--redirect",
        metavar="URL",
        help="where the browser goes once the form is sent (default: a thank-you page)",
    )
    form.add_argument(
        "--mailbox",
        metavar="NAME",
        help="the mailbox that takes the posts in and answers (default: the first)",
    )
    form.add_argument("--max-file-mb", type=float, metavar="MB", help="an attached file at most (default 10)")
    form.set_defaults(handler=add_form)


async def add_chat(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.cli.channels import channels_of

    try:
        settings = ChatSettings.parse(
            origins=args.origin,
            title=sanitize_line(args.title or ""),
            greeting=sanitize_line(args.greeting or ""),
            away=sanitize_line(args.away or ""),
            file_mb=args.max_file_mb,
            answer_from=args.mailbox,
            hours=args.hours,
            timezone=args.timezone,
        )
    except ChatSettingsError as error:
        raise UsageError(str(error)) from None
    store = await channels_of(context)
    mailbox = await _mailbox(store, args.mailbox, args.name, "chat")
    await store.add_channel(args.name, "chat", settings.to_dict())
    print(f"Added the chat {args.name}, allowed on {', '.join(settings.origins)}.")
    if mailbox is None:
        print(
            "No mailbox is set up yet: messages left while nobody is there, and transcripts, "
            "need one (`cs-tui channel add email NAME ...`)."
        )
    print(
        "Next: with `cs-tui serve` running, put this on the shop's pages:\n"
        f'  <script src="https://YOUR-SERVER/public/v1/chat/{args.name}/widget.js" async></script>'
    )
    return 0


async def add_form(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.cli.channels import channels_of

    store = await channels_of(context)
    mailbox = await _mailbox(store, args.mailbox, args.name, "form")
    if mailbox is None:
        raise UsageError(
            "a form's messages are answered by email, and no mailbox is set up: add one first "
            "(`cs-tui channel add email NAME ...`, docs/email.md)"
        )
    try:
        settings = FormSettings.parse(
            mailbox=mailbox, origins=args.origin, redirect=args.redirect, file_mb=args.max_file_mb
        )
    except FormSettingsError as error:
        raise UsageError(str(error)) from None
    await store.add_channel(args.name, "form", settings.to_dict())
    sites = ", ".join(settings.origins) or "any site"
    print(f"Added the form {args.name}, posted from {sites}, answered by email from the mailbox {mailbox}.")
    print(
        "Next: with `cs-tui serve` running, point a form on the shop's pages at it:\n"
        f'  <form method="post" action="https://YOUR-SERVER/public/v1/forms/{args.name}">'
        " (docs/forms.md has one to copy)"
    )
    return 0


async def _mailbox(store: ChannelStore, named: str | None, name: str, kind: str) -> str | None:
    """The mailbox `--mailbox` names (UsageError when it is not one), else the first."""
    channels = await store.list_channels()
    if named and not any(c.name == named and c.kind == "email" for c in channels):
        raise UsageError(
            f"--mailbox {named}: there is no mailbox of that name; `cs-tui channel list` shows "
            f"those there are (or leave --mailbox out and the {kind} {name} uses the first)"
        )
    return forms.answering_mailbox(channels, named or "")


async def check_web_channel(store: ChannelStore, info: ChannelInfo) -> list[tuple[bool, str, str]]:
    """What a chat or a form needs, each said as (works, what, in words): the sites it
    takes, the mailbox that answers by email, and a process that serves it."""
    lines: list[tuple[bool, str, str]] = []
    if info.kind == "chat":
        settings = ChatSettings.from_dict(info.settings)
        sites, wanted = settings.origins, settings.answer_from
        lines.append((bool(sites), "sites", ", ".join(sites) or "none: add the shop's with --origin"))
    else:
        form = FormSettings.from_dict(info.settings)
        sites, wanted = form.origins, form.mailbox
        lines.append((True, "sites", ", ".join(sites) or "any (no --origin given)"))
    mailbox = forms.answering_mailbox(await store.list_channels(), wanted)
    if mailbox is None:
        lines.append((False, "answers by email", "no mailbox is set up: `cs-tui channel add email NAME ...`"))
    else:
        lines.append((True, "answers by email", f"from the mailbox {mailbox}"))
    holder = await store.lease_holder(info.name)
    said = holder or "no cs-tui serve works it now: start `cs-tui serve` (it serves /public/v1/)"
    lines.append((holder is not None, "served by", said))
    return lines

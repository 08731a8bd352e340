"""`cs-tui channel add/list/check/remove/run`: where tickets come from and replies go.

Passwords are never given on the command line, kept in the store or printed: a
mailbox names the file or environment variable its password is read from.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from cs_tui.channels.email.settings import DEFAULT_PROCESSED_FOLDER, MailboxSettings, SettingsError
from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.meta_channels import check_meta_channel, meta_address, register_meta
from cs_tui.cli.output import console, print_json, shown
from cs_tui.cli.web_channels import check_web_channel, register_web
from cs_tui.domain.channels import ChannelInfo
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import to_iso
from cs_tui.store.base import ChannelStore, channel_store

MAX_ACKNOWLEDGEMENT_BYTES = 16 * 1024


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    channel = commands.add_parser(
        "channel",
        parents=[common],
        help="mailboxes and other channels: set up, check, run",
        description="Where tickets come from and where replies go. Set a channel up with "
        "`add`, see that it works with `check`; `cs-tui serve` runs the channels, or "
        "`channel run` alone, or the TUI itself when nothing else does.",
    )
    actions = channel.add_subparsers(title="actions", metavar="ACTION", required=True)

    adding = actions.add_parser("add", parents=[common], help="set up a channel")
    kinds = adding.add_subparsers(title="kinds", metavar="KIND", required=True)
    _register_email(kinds, common)
    register_web(kinds, common)
    register_meta(kinds, common)

    listing = actions.add_parser("list", parents=[common], help="the channels set up, and who works them")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=list_channels)

    check = actions.add_parser(
        "check", parents=[common], help="connect to a channel's servers and say what works"
    )
    check.add_argument("name", help="the channel")
    check.set_defaults(handler=check_channel)

    remove = actions.add_parser("remove", parents=[common], help="stop using a channel (its tickets stay)")
    remove.add_argument("name", help="the channel")
    remove.set_defaults(handler=remove_channel)

    run = actions.add_parser(
        "run",
        parents=[common],
        help="work the channels in the foreground (for a systemd service)",
        description="Take mail in and send replies until stopped (Ctrl-C or SIGTERM). Each "
        "channel is worked by one process at a time: run this on as many machines as you "
        "like, one takes each channel and another takes over within 30 s if it stops.",
    )
    run.add_argument("names", nargs="*", metavar="NAME", help="only these channels (default: all)")
    run.set_defaults(handler=run_channels)


def _register_email(kinds: Any, common: argparse.ArgumentParser) -> None:
    email = kinds.add_parser(
        "email",
        parents=[common],
        help="a mailbox: mail in by IMAP, replies out by SMTP",
        description="A mailbox customers write to. Mail is read by IMAP (IDLE, so it shows within "
        "seconds), left unread, and moved to a processed folder once it is a ticket; replies go "
        "out by SMTP. docs/email.md shows the settings for Gmail and a shop's own server.",
        epilog="example: cs-tui channel add email toko --address cs@tokoku.id "
        "--imap imaps://cs%%40tokoku.id@imap.gmail.com:993/INBOX "
        "--smtp smtp+starttls://cs%%40tokoku.id@smtp.gmail.com:587 --password-file ~/.config/cs-tui/toko.pw",
    )
    email.add_argument("name", help="a short name for the mailbox, e.g. toko")
    email.add_argument("--address", required=True, help="the address customers write to")
    email.add_argument(
        "--imap",
        required=True,
        metavar="URL",
        help="imaps://USER@HOST:993/FOLDER or imap+starttls://USER@HOST:143",
    )
    email.add_argument(
        "--smtp", required=True, metavar="URL", help="smtp+starttls://USER@HOST:587 or smtps://USER@HOST:465"
    )
    secret = email.add_mutually_exclusive_group(required=True)
    secret.add_argument("--password-file", metavar="FILE", help="a file holding the password (chmod 600)")
    secret.add_argument("--password-env", metavar="VAR", help="an environment variable holding the password")
    email.add_argument(
        "--processed-folder",
        default=DEFAULT_PROCESSED_FOLDER,
        metavar="FOLDER",
        help=f"where mail goes once it is a ticket (default {DEFAULT_PROCESSED_FOLDER}; made if missing)",
    )
    email.add_argument(
        "--max-mail-mb",
        type=float,
        default=25,
        metavar="MB",
        help="attachments of a larger mail are not kept (default 25, what Gmail and Outlook send)",
    )
    email.add_argument(
        "--display-name", default="", metavar="NAME", help='who automatic mail is from, e.g. "Tokoku CS"'
    )
    email.add_argument(
        "--acknowledgement-file",
        metavar="FILE",
        help="send this text to whoever opens a ticket (off by default; never to automatic mail, at most "
        "3 a day to one sender; placeholders like {{customer.first_name}} and {{ticket.id}} are filled in)",
    )
    email.add_argument("--ca-file", metavar="FILE", help="trust only this CA for both servers (a shop's own)")
    email.add_argument(
        "--allow-plain",
        action="store_true",
        help="allow unencrypted connections to another machine (the password goes in the clear)",
    )
    email.set_defaults(handler=add_mailbox)


async def channels_of(context: Context) -> ChannelStore:
    store = channel_store(await context.store())
    if store is None:
        raise UsageError(
            "channels are set up where the store is: run this on the server's machine with "
            "--store PATH (the file `cs-tui serve` serves)"
        )
    return store


async def add_mailbox(args: argparse.Namespace, context: Context) -> int:
    try:
        settings = MailboxSettings.parse(
            address=args.address,
            imap=args.imap,
            smtp=args.smtp,
            password_file=_absolute(args.password_file),
            password_env=args.password_env,
            processed_folder=args.processed_folder,
            max_mail_bytes=int(args.max_mail_mb * 1024 * 1024),
            allow_plain=args.allow_plain,
            ca_file=_absolute(args.ca_file),
            display_name=sanitize_line(args.display_name),
            acknowledgement=_acknowledgement(args.acknowledgement_file),
        )
    except SettingsError as error:
        raise UsageError(str(error)) from None
    store = await channels_of(context)
    await store.add_channel(args.name, "email", settings.to_dict())
    print(f"Added the mailbox {args.name} ({settings.address}).")
    print(f"Next: `cs-tui channel check {args.name}` says whether both servers take the password.")
    return 0


def _absolute(path: str | None) -> str | None:
    """A path as the store keeps it: absolute, so that `cs-tui serve` started from
    another folder finds it too."""
    return str(Path(path).expanduser().resolve()) if path else None


def _acknowledgement(path: str | None) -> str:
    if path is None:
        return ""
    try:
        raw = Path(path).expanduser().read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read --acknowledgement-file {path}: {error.strerror}") from None
    if len(raw) > MAX_ACKNOWLEDGEMENT_BYTES:
        raise UsageError(f"--acknowledgement-file {path} is over {MAX_ACKNOWLEDGEMENT_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise UsageError(f"--acknowledgement-file {path} is not UTF-8 text") from None
    if not text:
        raise UsageError(f"--acknowledgement-file {path} is empty")
    from cs_tui.domain import templates

    try:
        templates.check(text)
    except templates.TemplateError as error:
        raise UsageError(f"--acknowledgement-file {path}: {error}") from None
    return text


async def list_channels(args: argparse.Namespace, context: Context) -> int:
    store = await channels_of(context)
    channels = await store.list_channels()
    quarantined = await store.list_quarantined()
    rows = []
    for info in channels:
        rows.append(
            {
                **channel_json(info),
                "worked_by": await store.lease_holder(info.name),
                "quarantined": sum(1 for each in quarantined if each.channel == info.name),
            }
        )
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No channels yet: `cs-tui channel add email NAME ...` sets up a mailbox (docs/email.md).")
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("name", "kind", "address", "worked by", "could not be read"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(
            shown(row["name"]),
            row["kind"],
            shown(row["settings"].get("address") or meta_address(row["settings"])),
            shown(row["worked_by"] or "nobody now"),
            f"{row['quarantined']} kept aside" if row["quarantined"] else "-",
        )
    console().print(table)
    return 0


def channel_json(info: ChannelInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "kind": info.kind,
        "settings": info.settings,
        "created_at": to_iso(info.created_at),
    }


async def check_channel(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.channels.email.checking import check_mailbox

    store = await channels_of(context)
    info = await store.get_channel(args.name)
    if info.kind in ("whatsapp", "messenger", "instagram"):
        return await check_meta_channel(info)
    if info.kind in ("chat", "form"):
        said = await check_web_channel(store, info)
    else:
        try:
            settings = MailboxSettings.from_dict(info.settings)
        except SettingsError as error:
            raise UsageError(f"the settings of {args.name} cannot work: {error}") from None
        said = [(line.ok, line.what, line.said) for line in await check_mailbox(settings)]
    out = console()
    for ok, what, words in said:
        mark = Text("✓ " if ok else "✗ ", style="green" if ok else "bold red")
        out.print(mark + Text(f"{what}: ", style="bold") + shown(words))
    return 0 if all(ok for ok, _, _ in said) else 1


async def remove_channel(args: argparse.Namespace, context: Context) -> int:
    store = await channels_of(context)
    await store.remove_channel(args.name)
    print(f"Removed the channel {args.name}; its tickets stay.")
    return 0


async def run_channels(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.channels.runner import ChannelRunner, ChannelStatus

    store = await channels_of(context)
    known = {info.name for info in await store.list_channels()}
    unknown = [name for name in args.names if name not in known]
    if unknown:
        raise UsageError(
            f"no channel named {', '.join(unknown)}: `cs-tui channel list` shows those there are"
        )
    if not known:
        raise UsageError("no channels are set up: `cs-tui channel add email NAME ...` adds a mailbox")

    def say(status: ChannelStatus) -> None:
        mark = "" if status.ok else "problem: "
        print(
            f"{sanitize_line(status.channel)}: {mark}{sanitize_line(status.said)}",
            file=sys.stderr,
            flush=True,
        )

    runner = ChannelRunner(store, names=args.names, purpose="cs-tui channel run", on_status=say)
    task = asyncio.ensure_future(runner.run())
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(number, task.cancel)
    print(f"Working {', '.join(args.names) or 'every channel'}; Ctrl-C stops.", file=sys.stderr, flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    print("Stopped; another cs-tui takes the channels over.", file=sys.stderr)
    return 0

"""`cs-tui mail import`, `cs-tui attachment save` and `cs-tui quarantine ...`: mail
from a file, files from mail, and the mail a mailbox could not read.

Nothing here opens or runs a file: an attachment is written where it is asked to be
and nothing more.
"""

from __future__ import annotations

import argparse
import mailbox
import os
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from cs_tui.channels.email.settings import MailboxSettings, SettingsError
from cs_tui.cli.channels import channels_of
from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json, shown
from cs_tui.domain.text import file_size, safe_filename, sanitize_line
from cs_tui.domain.timeutil import to_iso
from cs_tui.store.base import ChannelStore, StoreUnavailable, StoreUnwritable


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    mail = commands.add_parser("mail", parents=[common], help="mail from files into tickets")
    actions = mail.add_subparsers(title="actions", metavar="ACTION", required=True)
    importing = actions.add_parser(
        "import",
        parents=[common],
        help="an mbox file or a Maildir folder into tickets, as the mailbox would take them in",
        description="Read an mbox file or a Maildir folder into tickets with the same reading and "
        "threading as a mailbox's intake; each mail is placed at its Date. Importing the same "
        "mail twice adds nothing. A mail that cannot be read is kept aside (cs-tui quarantine).",
    )
    importing.add_argument("path", metavar="FILE|DIR", help="an mbox file, or a Maildir (with cur/ and new/)")
    importing.add_argument(
        "--channel", metavar="NAME", help="the mailbox replies go out by (default: the only one set up)"
    )
    importing.set_defaults(handler=import_mail)

    attachment = commands.add_parser("attachment", parents=[common], help="files that came with messages")
    files = attachment.add_subparsers(title="actions", metavar="ACTION", required=True)
    save = files.add_parser("save", parents=[common], help="write an attachment to a file")
    save.add_argument("id", type=int, help="the attachment's id (ticket show --json lists them)")
    save.add_argument("path", nargs="?", help="where to write it (default: its name, here)")
    save.add_argument("--force", action="store_true", help="replace a file that is there")
    save.set_defaults(handler=save_attachment)

    quarantine = commands.add_parser(
        "quarantine", parents=[common], help="mail a mailbox could not read, kept as it came"
    )
    kept = quarantine.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = kept.add_parser("list", parents=[common], help="what is kept aside, and why")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=list_quarantine)
    retry = kept.add_parser("retry", parents=[common], help="try to take kept mail in again")
    retry.add_argument("ids", type=int, nargs="*", metavar="ID", help="which (default with --all: every one)")
    retry.add_argument("--all", action="store_true", help="every mail kept aside")
    retry.set_defaults(handler=retry_quarantine)
    saving = kept.add_parser("save", parents=[common], help="write a kept mail to a file (.eml)")
    saving.add_argument("id", type=int)
    saving.add_argument("path", nargs="?", help="where (default: quarantined-ID.eml, here)")
    saving.add_argument("--force", action="store_true", help="replace a file that is there")
    saving.set_defaults(handler=save_quarantined)
    drop = kept.add_parser("drop", parents=[common], help="forget kept mail for good")
    drop.add_argument("ids", type=int, nargs="+", metavar="ID")
    drop.set_defaults(handler=drop_quarantined)


async def _mailbox(store: ChannelStore, name: str | None) -> tuple[str, MailboxSettings]:
    mailboxes = [info for info in await store.list_channels() if info.kind == "email"]
    if name is not None:
        chosen = [info for info in mailboxes if info.name == name]
        if not chosen:
            raise UsageError(f"there is no mailbox named {name}: `cs-tui channel list` shows them")
    elif len(mailboxes) == 1:
        chosen = mailboxes
    elif not mailboxes:
        raise UsageError(
            "set up the mailbox first (`cs-tui channel add email NAME ...`), so that replies to the "
            "imported tickets can go out by it"
        )
    else:
        names = ", ".join(info.name for info in mailboxes)
        raise UsageError(f"say which mailbox the mail is for: --channel NAME (one of {names})")
    try:
        return chosen[0].name, MailboxSettings.from_dict(chosen[0].settings)
    except SettingsError as error:
        raise UsageError(f"the settings of {chosen[0].name} cannot work: {error}") from None


def _mails(path: Path) -> Iterator[tuple[str, bytes]]:
    """Each mail of an mbox file or a Maildir folder, oldest first (by its Date, so
    that an answer comes after what it answers), with where it is: its number in
    the file or folder."""
    if path.is_dir():
        if not ((path / "cur").is_dir() or (path / "new").is_dir()):
            raise UsageError(f"{path} is a folder but not a Maildir (it has no cur/ or new/ folder)")
        folder: mailbox.Mailbox[Any] = mailbox.Maildir(path, factory=None, create=False)
        keys = sorted(folder.keys())  # Maildir names start with when the mail came
    elif path.is_file():
        folder = mailbox.mbox(path, factory=None, create=False)
        keys = list(folder.keys())
    else:
        raise UsageError(f"there is no file or folder {path}")
    numbered = {key: number for number, key in enumerate(keys, start=1)}
    for key in sorted(keys, key=lambda key: (_date(folder, key), numbered[key])):
        yield f"mail {numbered[key]}", folder.get_bytes(key)


def _date(folder: mailbox.Mailbox[Any], key: str) -> float:
    """When a mail says it was written, as a timestamp; 0 when it does not say."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(folder.get_bytes(key))
        return parsedate_to_datetime(str(headers.get("Date", ""))).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0


async def import_mail(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.channels.email.mailbox import take_mail

    store = await channels_of(context)
    name, settings = await _mailbox(store, args.channel)
    path = _path(args.path)
    new = joined = repeated = kept = 0
    for where, raw in _mails(path):
        try:
            taken = await take_mail(store, name, settings, raw, dated=True)
        except (StoreUnavailable, StoreUnwritable):
            raise
        except Exception as error:
            reason = sanitize_line(str(error)) or type(error).__name__
            await store.quarantine(
                name, raw, f"{where} of {path.name} could not be read: {reason}", cursor=None
            )
            print(f"{where}: could not be read ({reason}); kept aside: cs-tui quarantine list")
            kept += 1
            continue
        if taken.duplicate:
            repeated += 1
        elif taken.new_ticket:
            new += 1
        else:
            joined += 1
    print(
        f"{new + joined} mails taken in ({new} new tickets, {joined} on tickets there were), "
        f"{repeated} already there, {kept} kept aside."
    )
    return 1 if kept else 0


async def save_attachment(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    info, data = await store.attachment(args.id)
    target = _write(_path(args.path or "."), safe_filename(info.filename), data, force=args.force)
    print(f"Saved {sanitize_line(info.filename)} ({file_size(len(data))}) to {target}")
    return 0


def _path(text: str) -> Path:
    return Path(text).expanduser()


def _write(target: Path, name: str, data: bytes, *, force: bool) -> Path:
    """Writes `data` to `target`, or to `name` in it when it is a folder; where it went."""
    if target.is_dir():
        target = target / name
    if target.exists() and not force:
        raise UsageError(f"{target} is there already: give another path, or --force to replace it")
    try:
        # Never executable, whatever it is: 0666 less the umask.
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), "wb") as out:
            out.write(data)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None
    return target


async def list_quarantine(args: argparse.Namespace, context: Context) -> int:
    store = await channels_of(context)
    kept = await store.list_quarantined()
    if args.json:
        print_json(
            [
                {
                    "id": each.id,
                    "channel": each.channel,
                    "reason": each.reason,
                    "size": each.size,
                    "received_at": to_iso(each.received_at),
                    "attempts": each.attempts,
                }
                for each in kept
            ]
        )
        return 0
    if not kept:
        print("Nothing is kept aside: every mail was read.")
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "channel", "came", "size", "tries", "why"):
        table.add_column(column, no_wrap=column != "why", overflow="fold")
    for each in kept:
        table.add_row(
            str(each.id),
            shown(each.channel),
            to_iso(each.received_at)[:16],
            file_size(each.size),
            str(each.attempts),
            shown(each.reason),
        )
    console().print(table)
    print("cs-tui quarantine retry ID tries again; save ID writes the mail to a file.")
    return 0


WEBHOOK_KINDS = ("whatsapp", "messenger", "instagram")
"""Channels whose messages come as webhook deliveries, kept in the channel's inbox."""


async def retry_quarantine(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.channels.email.mailbox import take_mail

    store = await channels_of(context)
    if not args.ids and not args.all:
        raise UsageError("say which mail to retry (IDs from `cs-tui quarantine list`), or --all")
    ids = args.ids or [each.id for each in await store.list_quarantined()]
    failed = 0
    kinds = {info.name: info.kind for info in await store.list_channels()}
    for kept_id in ids:
        channel, raw = await store.quarantined_raw(kept_id)
        if kinds.get(channel) in WEBHOOK_KINDS:
            # A webhook delivery goes back to its channel's inbox, taken in as it came.
            await store.keep_received(channel, raw)
            await store.release_quarantined(kept_id)
            print(f"{kept_id}: back with {channel}, whose worker takes it in (`cs-tui ticket list` shows it)")
            continue
        try:
            _name, settings = await _mailbox(store, channel)
            taken = await take_mail(store, channel, settings, raw)
        except (StoreUnavailable, StoreUnwritable):
            raise
        except Exception as error:
            reason = sanitize_line(str(error)) or type(error).__name__
            await store.release_quarantined(kept_id, reason=f"it could not be read: {reason}")
            print(f"{kept_id}: still cannot be read ({reason})")
            failed += 1
            continue
        await store.release_quarantined(kept_id)
        print(f"{kept_id}: taken in, ticket #{taken.ticket_id}")
    return 1 if failed else 0


async def save_quarantined(args: argparse.Namespace, context: Context) -> int:
    store = await channels_of(context)
    _channel, raw = await store.quarantined_raw(args.id)
    target = _write(_path(args.path or "."), f"quarantined-{args.id}.eml", raw, force=args.force)
    print(f"Saved the mail ({file_size(len(raw))}) to {target}")
    return 0


async def drop_quarantined(args: argparse.Namespace, context: Context) -> int:
    store = await channels_of(context)
    for kept_id in args.ids:
        await store.release_quarantined(kept_id)
    print(f"Dropped {len(args.ids)} kept mail{'s' if len(args.ids) != 1 else ''}.")
    return 0

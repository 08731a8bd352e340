"""`cs-tui canned list/import/export`: canned responses as YAML or JSON.

A file holds a list of {title, body, shortcut, tags, language, actions: {status,
priority, add_tags}}. Importing matches existing responses by title and updates them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any, TextIO

from rich.table import Table

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json, shown
from cs_tui.cli.transfer import _open
from cs_tui.domain.models import CannedActions, CannedResponse, Priority, Status, normalize_tag
from cs_tui.domain.text import safe_json
from cs_tui.store.base import InvalidInput


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    canned = commands.add_parser(
        "canned",
        parents=[common],
        help="canned responses: list, import, export",
        description="Canned responses: replies with placeholders such as {{customer.first_name}}, "
        "plus optional actions (set status, set priority, add tags).",
    )
    actions = canned.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="every canned response, most used first")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=list_canned)

    importing = actions.add_parser(
        "import", parents=[common], help="add or update canned responses from a YAML or JSON file"
    )
    importing.add_argument("file", help="a .yaml, .yml or .json file, or - for standard input")
    importing.add_argument("--format", choices=("yaml", "json"), help="when the name does not say")
    importing.set_defaults(handler=import_canned)

    exporting = actions.add_parser("export", parents=[common], help="write canned responses as YAML or JSON")
    exporting.add_argument("file", nargs="?", default="-", help="the file (default: standard output)")
    exporting.add_argument("--format", choices=("yaml", "json"), help="default: by the file name, else YAML")
    exporting.set_defaults(handler=export_canned)


def _dump_yaml(entries: list[dict[str, Any]], target: TextIO) -> None:
    """Multi-line bodies as YAML literal blocks, the way a person would write them.
    (yaml is imported here: the TUI, which starts through this module, never needs it.)"""
    import yaml

    class BlockDumper(yaml.SafeDumper):
        pass

    def represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = "|" if "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    BlockDumper.add_representer(str, represent_text)
    yaml.dump(entries, target, Dumper=BlockDumper, allow_unicode=True, sort_keys=False, width=88)


def _format(path: str, chosen: str | None) -> str:
    if chosen:
        return chosen
    return "json" if path.lower().endswith(".json") else "yaml"


def to_mapping(canned: CannedResponse) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": canned.title,
        "shortcut": canned.shortcut,
        "language": canned.language,
        "tags": list(canned.tags),
        "body": canned.body,
    }
    actions: dict[str, Any] = {}
    if canned.actions.status:
        actions["status"] = canned.actions.status.value
    if canned.actions.priority:
        actions["priority"] = canned.actions.priority.value
    if canned.actions.add_tags:
        actions["add_tags"] = list(canned.actions.add_tags)
    if actions:
        data["actions"] = actions
    return data


def from_mapping(data: Any) -> CannedResponse:
    if not isinstance(data, Mapping):
        raise InvalidInput("each canned response must be a mapping with a title and a body")
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("missing 'title'")
    if not isinstance(body, str):
        raise InvalidInput(f"{title!r}: missing 'body'")
    actions = data.get("actions") or {}
    if not isinstance(actions, Mapping):
        raise InvalidInput(f"{title!r}: 'actions' must be a mapping of status, priority, add_tags")
    try:
        status = Status(actions["status"]) if actions.get("status") else None
        priority = Priority(actions["priority"]) if actions.get("priority") else None
    except ValueError as error:
        raise InvalidInput(f"{title!r}: {error}") from None
    return CannedResponse(
        id=None,
        title=title,
        body=body,
        shortcut=str(data.get("shortcut") or ""),
        tags=_tags(data.get("tags"), title),
        language=str(data.get("language") or ""),
        actions=CannedActions(status, priority, _tags(actions.get("add_tags"), title)),
    )


def _tags(value: Any, title: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(f"{title!r}: tags must be a list")
    return tuple(dict.fromkeys(t for t in (normalize_tag(str(v)) for v in value) if t))


async def list_canned(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    responses = await store.list_canned()
    if args.json:
        print_json([{"id": c.id, "usage_count": c.usage_count} | to_mapping(c) for c in responses])
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "title", "shortcut", "lang", "used", "preview"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for canned in responses:
        table.add_row(
            str(canned.id),
            shown(canned.title),
            shown(canned.shortcut),
            shown(canned.language),
            str(canned.usage_count),
            shown(canned.body[:200])[:60],
        )
    console().print(table)
    return 0


async def import_canned(args: argparse.Namespace, context: Context) -> int:
    import yaml

    with ExitStack() as stack:
        text = _open(args.file, "r", stack).read()
    try:
        is_json = _format(args.file, args.format) == "json"
        entries = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise UsageError(
            f"{args.file} is not valid {_format(args.file, args.format).upper()}: {error}"
        ) from None
    if isinstance(entries, Mapping) and "canned_responses" in entries:
        entries = entries["canned_responses"]
    if not isinstance(entries, list):
        raise UsageError(f"{args.file} must hold a list of canned responses")
    store = await context.store()
    agent = await context.agent()
    existing = {c.title.casefold(): c for c in await store.list_canned()}
    saved = failed = 0
    for number, entry in enumerate(entries, start=1):
        try:
            canned = from_mapping(entry)
            previous = existing.get(canned.title.casefold())
            if previous is not None:
                canned = CannedResponse(
                    previous.id,
                    canned.title,
                    canned.body,
                    canned.shortcut,
                    canned.tags,
                    canned.language,
                    canned.actions,
                )
            await store.save_canned(canned, actor_id=agent.id)
            saved += 1
        except InvalidInput as error:
            failed += 1
            print(f"{args.file}: entry {number}: {error}", file=sys.stderr)
    print(
        f"saved {saved} canned responses" + (f"; {failed} with problems (above)" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0


async def export_canned(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    entries = [to_mapping(c) for c in await store.list_canned()]
    with ExitStack() as stack:
        target = _open(args.file, "w", stack)
        if _format(args.file, args.format) == "json":
            target.write(safe_json(entries, indent=2) + "\n")
        else:
            _dump_yaml(entries, target)
    return 0

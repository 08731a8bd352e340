"""Entry point: the argument parser, and errors turned into messages and exit codes
(2 for bad usage, 1 for a failure), never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cs_tui import __version__
from cs_tui.cli import (
    agents,
    canned,
    channels,
    customers,
    demo,
    mail,
    metrics,
    migrate,
    serve,
    tickets,
    transfer,
    tui,
)
from cs_tui.cli.context import Context, UsageError, log_path
from cs_tui.cli.logfile import RedactingFormatter, open_log, redact
from cs_tui.config import load_config
from cs_tui.domain.query import QueryError
from cs_tui.store import default_store_path
from cs_tui.store.base import InvalidInput, StoreError

log = logging.getLogger("cs_tui")

EPILOG = """\
examples:
  cs-tui demo                                  a demo shop's helpdesk to try things on
  cs-tui ticket list --query 'assignee:me status:open'
  cs-tui ticket reply 1042 --body 'Halo Budi, paketnya sudah dikirim.'
  cs-tui metrics --since 2026-11-01 --json

Run `cs-tui COMMAND --help` for each command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the store: a file path, sqlite:///PATH, http(s)://HOST:PORT of `cs-tui serve`, "
        "or postgresql://USER@HOST/DATABASE "
        f"(env CS_TUI_STORE; default: {default_store_path()})",
    )
    common.add_argument(
        "--token",
        metavar="TOKEN",
        default=argparse.SUPPRESS,
        help="your token for an http(s) store (env CS_TUI_TOKEN, or token in the config)",
    )
    common.add_argument(
        "--agent",
        metavar="EMAIL_OR_NAME",
        default=argparse.SUPPRESS,
        help="who you are (env CS_TUI_AGENT; default: your login name)",
    )
    parser = argparse.ArgumentParser(
        prog="cs-tui",
        description="A keyboard-driven helpdesk for customer-service agents.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"cs-tui {__version__}")
    parser.set_defaults(handler=tui.run_tui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (
        demo,
        tickets,
        customers,
        transfer,
        canned,
        metrics,
        agents,
        serve,
        channels,
        mail,
        migrate,
    ):
        module.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = load_config()
    context = Context(
        store_url=getattr(args, "store", None) or os.environ.get("CS_TUI_STORE") or config.store,
        agent_spec=getattr(args, "agent", None) or os.environ.get("CS_TUI_AGENT") or config.agent,
        config=config,
        token=getattr(args, "token", None) or os.environ.get("CS_TUI_TOKEN") or config.token,
    )
    try:
        with asyncio.Runner(loop_factory=_loop_factory(args)) as runner:
            return runner.run(_run(args, context))
    except KeyboardInterrupt:
        return 130
    except InvalidInput as error:
        print(f"cs-tui: {error}{_hint(error.field, args)}", file=sys.stderr)
        return 2
    except (UsageError, QueryError) as error:
        print(f"cs-tui: {error}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"cs-tui: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error.
        sys.stderr.close()
        return 0
    except Exception as error:
        path = log_path()
        _log_traceback(path, context.token)
        print(
            f"cs-tui: unexpected error: {redact(repr(error), (context.token or '',))}. "
            f"The details are in {path}; please include them if you report it.",
            file=sys.stderr,
        )
        return 1


OPTION_OF_FIELD = {"subject": "subject", "customer_email": "customer", "body": "body", "name": "name"}
"""The option (its dest) that sets a field the store found wrong (InvalidInput.field)."""


def _hint(field: str, args: argparse.Namespace) -> str:
    """Which option to give, when this command has one for the field."""
    if field == "agent":
        return ": say who you are with --agent (or CS_TUI_AGENT)"
    option = OPTION_OF_FIELD.get(field)
    return f": give it with --{option}" if option and option in vars(args) else ""


def _loop_factory(args: argparse.Namespace) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop for a command that serves many connections (set_defaults(fast_loop=True)),
    where it is installed; asyncio's own loop otherwise."""
    if not getattr(args, "fast_loop", False):
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _run(args: argparse.Namespace, context: Context) -> int:
    try:
        result: int = await args.handler(args, context)
        return result
    finally:
        await context.close()


def _log_traceback(path: Path, token: str | None) -> None:
    """The traceback in the log file (its owner's alone), with the command that met
    it; secrets (a token, a password) are redacted from both."""
    try:
        handler = open_log(path, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    except OSError:
        return
    formatter = handler.formatter
    if isinstance(formatter, RedactingFormatter) and token:
        formatter.known = (token,)
    log.addHandler(handler)
    log.exception("unexpected error in %s", " ".join(sys.argv[1:]) or "cs-tui")
    handler.close()
    log.removeHandler(handler)

"""Opening the TUI from the command line: plain `cs-tui` and `cs-tui demo`.

Without a terminal (output piped or redirected) the open queue is printed instead,
so scripts and `cs-tui | less` still get something useful.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cs_tui.cli.context import Context, WhoAreYou, log_path, newcomer
from cs_tui.cli.logfile import open_log
from cs_tui.cli.tickets import show_queue
from cs_tui.domain.models import Agent


async def run_tui(args: argparse.Namespace, context: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return await show_queue(args, context)
    from cs_tui.store.outbox import Outbox, OutboxStore, outbox_path
    from cs_tui.tui.app import HelpdeskApp
    from cs_tui.tui.kept import KeptTexts
    from cs_tui.tui.memory import freeze_what_was_loaded, give_freed_memory_back

    give_freed_memory_back()
    store = await context.store(one_screen=True)
    agent = await _who_is_here(context)
    if agent is None:
        return 0
    handler = _log_to_file()
    outbox = Outbox(outbox_path(context.store_label, agent.id), agent.id)
    for problem in outbox.problems:
        logging.getLogger("cs_tui").warning(
            "outbox line skipped (kept in a .bad file beside it): %s", problem
        )
    # What the agent writes while the store is away waits rather than fails.
    context.wrap_store(await OutboxStore.open(store, outbox))
    try:
        kept = KeptTexts.of(context.store_label, agent.id)
        app = HelpdeskApp(await context.store(), agent, context.config, kept=kept)
        freeze_what_was_loaded()
        await app.run_async()
    finally:
        if handler is not None:
            logging.getLogger("cs_tui").removeHandler(handler)
            handler.close()
    return app.return_code or 0


async def _who_is_here(context: Context) -> Agent | None:
    """The agent at the keyboard; when the name given is not one agent of the store,
    asked on the screen (the answer is remembered in the config). None: they quit."""
    from cs_tui.config import remember
    from cs_tui.tui.who import NEW, WhoAreYouApp

    try:
        return await context.agent()
    except WhoAreYou as question:
        name, email = newcomer(question.spec)
        said = (
            f"{question.spec!r} could be several agents of this store: which are you?"
            if question.several
            else f"{question.spec!r} is no agent of this store: which are you?"
        )
        answer = await WhoAreYouApp(said, question.candidates, f"{name} <{email}>").run_async()
        if answer is None:
            return None
        store = await context.store()
        if answer == NEW:
            agent = await store.ensure_agent(name, email)
        else:
            found = await store.find_agent(answer)
            assert found is not None
            agent = found
        context.use_agent(agent)
        remember("agent", agent.email)
        return agent


def _log_to_file() -> logging.Handler | None:
    """While the TUI owns the terminal, warnings and tracebacks go to the log file."""
    path = log_path()
    try:
        handler = open_log(path)  # its owner's alone, and no secret in it
    except OSError:
        return None
    logger = logging.getLogger("cs_tui")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler

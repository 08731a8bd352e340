"""`cs-tui demo`: fill an empty store with an online shop's helpdesk, then show it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from cs_tui.cli.context import Context
from cs_tui.cli.tui import run_tui
from cs_tui.domain.records import TicketRecord
from cs_tui.domain.timeutil import utcnow


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="fill an empty store with demo data and open it",
        description="Fill an empty store with a believable online shop's helpdesk: customers "
        "writing in Indonesian and English about orders, shipping, refunds and payments, "
        "agents, canned responses. The same --seed gives the same data. A store that "
        "already has tickets is opened as it is.",
    )
    demo.add_argument("--tickets", type=int, default=2000, metavar="N", help="how many (default 2000)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    demo.add_argument("--no-open", dest="open", action="store_false", help="only fill the store")
    demo.set_defaults(handler=run_demo)


def _progress(records: Iterable[TicketRecord], total: int) -> Iterator[tuple[int, TicketRecord]]:
    step = max(total // 10, 10_000)
    for number, record in enumerate(records, start=1):
        yield number, record
        if number % step == 0 and number < total:
            print(f"  {number:,} of {total:,} tickets", file=sys.stderr)


async def run_demo(args: argparse.Namespace, context: Context) -> int:
    from cs_tui.demo import DEMO_AGENTS, canned_responses, generate_tickets

    store = await context.store()
    existing = await store.count_tickets(None)
    if existing:
        print(
            f"{context.store_label} already has {existing:,} tickets; showing it as it is.", file=sys.stderr
        )
    else:
        started = time.perf_counter()
        print(f"Filling {context.store_label} with {args.tickets:,} demo tickets…", file=sys.stderr)
        for agent in DEMO_AGENTS:
            found = await store.find_agent(agent.email)
            if found is None:
                await store.create_agent(agent.name, agent.email, agent.role)
        for canned in canned_responses():
            saved = await store.save_canned(canned, actor_id=None)
            assert saved.id is not None
            for _ in range(canned.usage_count):  # the picker lists the most used first
                await store.record_canned_use(saved.id)
        records = generate_tickets(args.tickets, seed=args.seed, now=utcnow())
        report = await store.import_tickets(_progress(records, args.tickets))
        elapsed = time.perf_counter() - started
        print(f"Done: {report.imported:,} tickets in {elapsed:.1f} s.", file=sys.stderr)
    if args.open:
        if context.agent_spec is None:
            # The demo is seen through the eyes of its team lead, whose queue is not empty.
            context.agent_spec = DEMO_AGENTS[0].email
        return await run_tui(args, context)
    return 0

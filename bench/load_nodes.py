"""The load bench on PostgreSQL: the same agents against 1, 2, 4... `cs-tui serve` nodes
sharing one database, each node count on a fresh copy of a kept demo database.

    python -m bench.load --postgres postgresql://USER@HOST:PORT --nodes 1,2,4 --agents 200

The demo database load_demo_N is filled by the real `cs-tui demo` the first time and
kept on the server (its comment says what filled it); each node count gets a copy of
it (CREATE DATABASE ... TEMPLATE), with the agents and their tokens added, dropped
afterwards. Each node is a `cs-tui serve --workers 1` on a loopback port of its own,
and agent number k talks to node k mod N only, as a round-robin proxy would send it.
Cores are counted for the nodes and for PostgreSQL's processes (when the server runs
on this machine), so that requests a second can be given per core used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg

from bench import results_md
from bench.cpu import Postgres, postmaster_of
from bench.demo_stores import BuildFailed
from bench.load import (
    ACTIONS,
    DRAIN_S,
    NEXT_PAGE,
    Node,
    Setup,
    add_agents,
    healthz_baseline,
    on_uvloop,
    phases,
    say,
    serving,
)
from bench.load_nodes_report import node_checks, print_nodes_report, sizing, title
from bench.load_report import save_json, summary, to_json
from bench.pg_demos import NotAServer, PgDemo, PgServer, pg_demo, postgres_server

PREFIX = "load_demo"
"""The kept demo databases are load_demo_N; the copies each run works on, load_run_N."""
REQUESTS_PER_ACTION = {
    "queue": 1 + NEXT_PAGE,
    "search": 1 + NEXT_PAGE,
    "open": 2,  # the ticket, then its messages
    "reply": 1,
    "change": 2,  # the ticket, then the change against its version
    "metrics": 1,
}
"""What each of an agent's actions sends (bench/load.py's Agent), for the sizing on paper."""
OLDEST_WRITER = """
    SELECT extract(epoch FROM max(now() - xact_start)) FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM $1
"""
"""How long the oldest transaction that writes in another database of the cluster has
been open: a node gives events only once every older transaction in the whole cluster
has ended (transaction ids are the cluster's), so such a one holds back live events."""
WATCH_EVERY_S = 0.5


def main_postgres(args: argparse.Namespace) -> int:
    """Each node count in turn, then the report and its section of RESULTS.md."""
    workers = args.workers or 1
    runs = []
    try:
        with postgres_server(args.postgres) as server:
            say(f"The {args.tickets:,}-ticket demo database ({PREFIX}_{args.tickets})...")
            demo = pg_demo(server, args.tickets, prefix=PREFIX)
            described = server.describe()
            with tempfile.TemporaryDirectory(prefix="cs-tui-load-") as folder:
                for count in args.node_counts:
                    place = Path(folder) / f"{count}-nodes"
                    runs.append(run_nodes(server, demo, count, workers, args, place))
    except (NotAServer, BuildFailed) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    context = {
        "tickets": args.tickets,
        "postgres": described,
        "node_counts": args.node_counts,
        "workers_per_node": workers,
        "think": "{:g}-{:g} s".format(*args.think),
        "think_mean_s": sum(args.think) / 2,
        "actions": ACTIONS,
        "requests_per_action": REQUESTS_PER_ACTION,
        "search_words": args.words,
    }
    found = [phase for run in runs for phase in run["phases"]]
    results = node_checks(found)
    data = {
        **to_json(context, runs[0]["healthz"], found),
        "checks": [check.to_json() for check in results],
        "missed": sum(not check.passed for check in results),
        "runs": runs,
        "sizing": sizing(context, runs),
    }
    saved = save_json(data, args.json, stem="load-postgres")
    with results_md.section("load_postgres", title(args.node_counts), "bench.load"):
        print_nodes_report(context, runs, saved)
    return 0


def run_nodes(
    server: PgServer, demo: PgDemo, count: int, workers: int, args: argparse.Namespace, place: Path
) -> dict[str, Any]:
    """Every phase against `count` nodes on a fresh copy of the demo database."""
    plural = "node" if count == 1 else "nodes"
    say(f"{count} {plural}: copying {demo.database}...")
    with database_copy(server, demo) as (url, name):
        team = asyncio.run(add_agents(url, max(args.counts)))
        postgres = asyncio.run(postgres_here(url, name))
        with contextlib.ExitStack() as stack:
            writers = stack.enter_context(watching_writers(server, name))
            nodes = []
            for number in range(count):
                process, node_url, log = stack.enter_context(serving(url, place / f"node-{number}", workers))
                nodes.append(Node(node_url, process.pid, log))
            say(f"{count} {plural} at {', '.join(node.url for node in nodes)}")
            healthz = healthz_baseline(nodes[0].url)
            setup = Setup(tuple(nodes), team, args.tickets, args.think, args.words, postgres)
            found = on_uvloop(phases(setup, args.counts, args.seconds, args.baseline_seconds))
    summaries = []
    for phase in found:
        figures = summary(phase)
        figures["label"] = f"{count} {plural}, {figures['label']}"
        figures["nodes"] = count
        until = phase.started + phase.elapsed + DRAIN_S
        seen = [open_s for at, open_s in writers if phase.started <= at <= until]
        figures["other_writers_open_s"] = round(max(seen, default=0.0), 1)
        summaries.append(figures)
    return {
        "nodes": count,
        "database_cpu_counted": postgres is not None,
        "healthz": healthz,
        "phases": summaries,
    }


@contextlib.contextmanager
def database_copy(server: PgServer, demo: PgDemo) -> Iterator[tuple[str, str]]:
    """A copy of the demo database to write to, dropped on exit: its URL and name."""
    name = f"load_run_{demo.tickets}"
    asyncio.run(_copy(server, demo.database, name))
    try:
        yield server.url(name), name
    finally:
        asyncio.run(_drop(server, name))


async def _copy(server: PgServer, template: str, name: str) -> None:
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        # FILE_COPY copies the files after a checkpoint; the default (PostgreSQL 15's
        # WAL_LOG) writes the whole database to the WAL.
        strategy = " STRATEGY FILE_COPY" if admin.get_server_version().major >= 15 else ""
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
    finally:
        await admin.close()


async def _drop(server: PgServer, name: str) -> None:
    admin = await asyncpg.connect(server.url("postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def postgres_here(url: str, database: str) -> Postgres | None:
    """The cluster's processes, found from a backend of ours, when the server runs on
    this machine; None (and PostgreSQL's CPU not counted) when it does not."""
    connection = await asyncpg.connect(url)
    try:
        backend = int(await connection.fetchval("SELECT pg_backend_pid()"))
        postmaster = postmaster_of(backend)
    finally:
        await connection.close()
    if postmaster is None:
        say("PostgreSQL is not on this machine: its CPU is not counted")
        return None
    return Postgres(postmaster, database)


@contextlib.contextmanager
def watching_writers(server: PgServer, database: str) -> Iterator[list[tuple[float, float]]]:
    """Every WATCH_EVERY_S, from a thread of its own: (time.monotonic(), how long the
    oldest transaction writing in another database has been open, in s)."""
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=lambda: asyncio.run(_watch(server, database, samples, stop)), name="writers", daemon=True
    )
    watcher.start()
    try:
        yield samples
    finally:
        stop.set()
        watcher.join()


async def _watch(
    server: PgServer, database: str, samples: list[tuple[float, float]], stop: threading.Event
) -> None:
    connection = await asyncpg.connect(server.url("postgres"))  # not counted in the database's CPU
    try:
        while not stop.is_set():
            open_s = await connection.fetchval(OLDEST_WRITER, database)
            samples.append((time.monotonic(), float(open_s or 0.0)))
            await asyncio.sleep(WATCH_EVERY_S)
    finally:
        await connection.close()

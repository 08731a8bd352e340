"""Load on `cs-tui serve`: N simulated agents over HTTP on a 100,000-ticket store.

    python -m bench.load [--agents 50,200] [--seconds 30] [--tickets 100000] [--json PATH]
    python -m bench.load --postgres postgresql://USER@HOST:PORT --nodes 1,2,4 --agents 200

A real `cs-tui serve` process on a copy of the cached demo store (bench/.cache/), and
in this process N agents, each with a token of its own, an HTTP client of its own and
an open event stream, doing with a think time between actions what agents do: queue
pages, searches, opening tickets, replies, priority changes (a 409 is a normal answer)
and the metrics. Reported per phase: requests a second; p50 and p99 latency per kind
and overall, as the client saw it and as the server's access log timed it; errors by
status; how busy the server and the generator kept the cores; and the time from a
write's answer until every other agent's stream has its event. The baselines, in the
same run: GET /healthz on an idle server, and one agent alone sending the same mix
back to back (with one more agent listening, for the events).

With --postgres, the same on PostgreSQL, against 1, 2, 4... nodes in turn: see
bench/load_nodes.py.

The load generator shares the machine's cores with the server. A report, not a test:
it exits 0 when a target is missed, and says which.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import results_md
from bench.cpu import Postgres, cpu_now, cpu_used
from bench.demo_stores import BuildFailed, demo_store
from bench.load_report import QUEUE, Key, Phase, print_report, save_json, spread, summary, to_json
from bench.sse import event_lines
from cs_tui.domain.models import Role
from cs_tui.domain.tokens import new_token, token_hash
from cs_tui.store import open_store

THINK_S = (0.5, 2.0)
"""An agent's pause between actions, drawn uniformly: N agents are N people, not N loops."""
ACTIONS = {"queue": 30, "search": 10, "open": 30, "reply": 12, "change": 6, "metrics": 12}
"""How often an agent does each thing, in relative weights."""
SEARCH_WORDS = ("pesanan", "refund", "priority:urgent", "tag:refund", "ongkir")
"""Added to the queue's query: a word in half the tickets, rarer ones, and the field syntax."""
PAGE = 50
NEXT_PAGE = 0.2
"""Share of queue pages and searches followed by the next page."""
FROM_QUEUE = 0.7
"""Share of opened tickets taken from the agent's last queue page; the rest are any ticket."""
REPLY = "Halo Kak, pesanan Kakak sudah kami cek dan paketnya dikirim hari ini ya."
BASELINE_S = 10.0
HEALTHZ_RUNS = 200
DRAIN_S = 1.5
"""After the last action, how long the streams get to deliver the events still on their way."""
WORKERS = 2
"""Server processes: one per core of the 2-core machine the README's figures come from."""
LAG_TICK_S = 0.01


# The store and the server


def prepare(tickets: int, agents: int, place: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A copy of the cached demo store in `place`, with `agents` agents holding tokens."""
    source = demo_store(tickets).path
    path = place / "cs-tui.db"
    with closing(sqlite3.connect(source)) as cached, closing(sqlite3.connect(path)) as copy:
        cached.backup(copy)
    return path, asyncio.run(add_agents(path, agents))


async def add_agents(store_url: Path | str, agents: int) -> list[tuple[int, str]]:
    """`agents` new agents in the store, each with a token of its own: (id, token)."""
    store = await open_store(str(store_url))
    team = []
    try:
        for number in range(agents):
            token = new_token()
            name, email = f"Load Agent {number}", f"load{number}@bench.example"
            agent = await store.create_agent(name, email, Role.AGENT, token_hash=token_hash(token))
            team.append((agent.id, token))
    finally:
        await store.close()
    return team


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def serving(
    store: Path | str, place: Path, workers: int, options: tuple[str, ...] = ()
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """`cs-tui serve --workers N [options]` on a free loopback port, up once /healthz
    answers; its access log (one JSON line per request on stderr) goes to a file."""
    port = free_port()
    place.mkdir(parents=True, exist_ok=True)
    log = place / "serve.log"
    env = {**os.environ, "XDG_STATE_HOME": str(place / "state"), "XDG_CONFIG_HOME": str(place / "config")}
    command = [sys.executable, "-m", "cs_tui", "serve", "--store", str(store), "--port", str(port)]
    command += ["--workers", str(workers), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield process, url, log
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"cs-tui serve did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)


def healthz_baseline(url: str, runs: int = HEALTHZ_RUNS) -> dict[str, Any]:
    """GET /healthz back to back on the idle server: the floor for a round trip."""
    found = []
    with httpx.Client(base_url=url) as client:
        for number in range(runs + 20):
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            if number >= 20:  # the first ones warm the connection up
                found.append((time.perf_counter() - started) * 1000)
    return spread(found)


# The agents


@dataclass(frozen=True, slots=True)
class Node:
    """One `cs-tui serve` the agents talk to."""

    url: str
    pid: int
    log: Path


@dataclass(frozen=True, slots=True)
class Setup:
    """What every phase runs against, and how its agents behave."""

    nodes: tuple[Node, ...]
    """Agent number k talks to node k mod len(nodes), as a round-robin proxy would send it."""
    team: list[tuple[int, str]]
    tickets: int
    think: tuple[float, float]
    words: tuple[str, ...]
    """What agents search for, each added to the queue's query."""
    postgres: Postgres | None = None
    """The store's PostgreSQL, when it is on this machine: its CPU is counted too."""


class Agent:
    """One simulated agent: a token, an HTTP client and an event stream of its own."""

    def __init__(self, me: int, client: httpx.AsyncClient, phase: Phase, seed: int, setup: Setup) -> None:
        self.me = me
        self.client = client
        self.phase = phase
        self.rng = random.Random(seed)
        self.setup = setup
        self.page: list[int] = []
        """Ticket ids on the last queue page this agent saw."""

    async def listen(self, ready: asyncio.Event) -> None:
        """Follow the event stream from now on, noting when each event arrives."""
        heard: dict[Key, list[float]] = {}
        self.phase.heard[self.me] = heard
        try:
            last = (await self.client.get("/events/last")).json()["id"]
            token = self.client.headers["Authorization"].removeprefix("Bearer ")
            async for line in event_lines(f"{self.client.base_url}events?since={last}", token, ready):
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    key = (event["kind"], event["ticket_id"] or 0, event["actor_id"] or 0)
                    heard.setdefault(key, []).append(time.perf_counter())
                elif line.startswith(b": ping"):
                    self.phase.pings += 1
        except Exception as error:  # a broken stream is a finding, not a crash
            self.phase.stream_failures[type(error).__name__] += 1
        finally:
            ready.set()

    async def work(self, until: float, think: tuple[float, float]) -> None:
        """Act, think, act... until `until` (time.monotonic)."""
        await asyncio.sleep(self.rng.uniform(0, think[1]))  # agents do not all start at once
        while time.monotonic() < until:
            action = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
            try:
                await getattr(self, action)()
            except Exception as error:  # an answer the agent could not read
                self.phase.statuses[action][type(error).__name__] += 1
            await asyncio.sleep(self.rng.uniform(*think))

    async def request(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One timed request; None when no answer came."""
        started = time.perf_counter()
        try:
            answer = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.phase.record(kind, started, type(error).__name__)
            return None
        self.phase.record(kind, started, answer.status_code)
        return answer

    async def queue(self, words: str = "", kind: str = "queue") -> None:
        """A queue page, sometimes followed by the next one."""
        params: dict[str, Any] = {"q": f"{QUEUE} {words}".strip(), "sort": "updated", "limit": PAGE}
        answer = await self.request(kind, "GET", "/tickets", params=params)
        if answer is None or answer.status_code != 200:
            return
        page = answer.json()
        self.page = [ticket["id"] for ticket in page["tickets"]] or self.page
        if page["next_cursor"] and self.rng.random() < NEXT_PAGE:
            await self.request(kind, "GET", "/tickets", params={**params, "after": page["next_cursor"]})

    async def search(self) -> None:
        await self.queue(self.rng.choice(self.setup.words), "search")

    def pick(self) -> int:
        """A ticket from the last queue page mostly, any ticket otherwise."""
        if self.page and self.rng.random() < FROM_QUEUE:
            return self.rng.choice(self.page)
        return self.rng.randint(1, self.setup.tickets)

    async def open(self) -> None:
        ticket = self.pick()
        answer = await self.request("ticket", "GET", f"/tickets/{ticket}")
        if answer is not None and answer.status_code == 200:
            await self.request("messages", "GET", f"/tickets/{ticket}/messages", params={"limit": PAGE})

    async def reply(self) -> None:
        ticket = self.pick()
        body = {"client_id": str(uuid.uuid4()), "body": REPLY}
        answer = await self.request("reply", "POST", f"/tickets/{ticket}/messages", json=body)
        if answer is not None and answer.status_code == 201:
            self.phase.writes.append((("message.added", ticket, self.me), time.perf_counter()))

    async def change(self) -> None:
        """Read the ticket, then change its priority against the version read."""
        ticket = self.pick()
        seen = await self.request("ticket", "GET", f"/tickets/{ticket}")
        if seen is None or seen.status_code != 200:
            return
        current = seen.json()
        priority = self.rng.choice(
            [p for p in ("low", "normal", "high", "urgent") if p != current["priority"]]
        )
        body = {"expected_version": current["version"], "priority": priority}
        answer = await self.request("change", "PATCH", f"/tickets/{ticket}", json=body)
        if answer is not None and answer.status_code == 200:
            self.phase.writes.append((("ticket.updated", ticket, self.me), time.perf_counter()))

    async def metrics(self) -> None:
        """Today's figures mostly, the week's sometimes."""
        now = datetime.now(UTC)
        days = 1 if self.rng.random() < 0.75 else 7
        params = {"since": (now - timedelta(days=days)).isoformat(), "until": now.isoformat()}
        await self.request("metrics", "GET", "/metrics", params=params)


# A phase


def client_for(url: str, token: str) -> httpx.AsyncClient:
    """An agent's own client: its event stream holds one connection, its requests another."""
    return httpx.AsyncClient(
        base_url=f"{url}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
        timeout=60,
    )


async def run_phase(setup: Setup, label: str, agents: int, seconds: float, listeners: int = 0) -> Phase:
    """`agents` agents at work for `seconds`, each listening to events, and `listeners`
    more agents that only listen. The clock starts once every stream is open."""
    phase = Phase(label, agents, seconds)
    think = setup.think if agents > 1 else (0.0, 0.0)  # one agent alone: back to back
    nodes = setup.nodes
    async with contextlib.AsyncExitStack() as stack:
        team = []
        for number, (me, token) in enumerate(setup.team[: agents + listeners]):
            phase.node_of[me] = number % len(nodes)
            client = await stack.enter_async_context(client_for(nodes[number % len(nodes)].url, token))
            team.append(Agent(me, client, phase, number, setup))
        ready = [asyncio.Event() for _ in team]
        streams = [
            asyncio.create_task(agent.listen(opened)) for agent, opened in zip(team, ready, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(opened.wait() for opened in ready)), 120)
        logs_from = [node.log.stat().st_size for node in nodes]
        pids = [node.pid for node in nodes]
        before = cpu_now(*pids, postgres=setup.postgres)
        started = phase.started = time.monotonic()
        lag = asyncio.create_task(watch_lag(phase.lag_ms))
        await asyncio.gather(*(agent.work(started + seconds, think) for agent in team[:agents]))
        phase.elapsed = time.monotonic() - started
        phase.cpu = cpu_used(before, cpu_now(*pids, postgres=setup.postgres), phase.elapsed)
        lag.cancel()
        await asyncio.gather(lag, return_exceptions=True)
        await asyncio.sleep(DRAIN_S)
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    for node, log_from in zip(nodes, logs_from, strict=True):
        phase.server_log += read_log(node.log, log_from)
    return phase


async def watch_lag(found: list[float]) -> None:
    """How late a 10 ms timer fires, over and over: the generator's own backlog."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(LAG_TICK_S)
        found.append(max(0.0, (time.perf_counter() - started - LAG_TICK_S) * 1000))


def read_log(log: Path, offset: int) -> list[dict[str, Any]]:
    """The server's access-log lines written since `offset`."""
    with log.open("rb") as file:
        file.seek(offset)
        lines = file.read().decode(errors="replace").splitlines()
    found = []
    for line in lines:
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
    return found


# The run


async def phases(setup: Setup, counts: list[int], seconds: float, baseline_s: float) -> list[Phase]:
    """One agent alone (with one more listening), then each number of agents in turn."""
    say(f"one agent alone, back to back, for {baseline_s:g} s...")
    found = [await run_phase(setup, "1 agent, back to back", 1, baseline_s, listeners=1)]
    for count in counts:
        say(f"{count} agents for {seconds:g} s...")
        found.append(await run_phase(setup, f"{count} agents", count, seconds))
    return found


def on_uvloop(work: Coroutine[Any, Any, list[Phase]]) -> list[Phase]:
    """The agents run on uvloop (installed with cs-tui serve): the generator shares the
    cores with the server, and the less of them it takes, the less of its own delay is
    in the client-side figures."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


def say(text: str) -> None:
    """Progress, on stderr: stdout is the report."""
    print(text, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", default="50,200", help="agent counts to run, comma-separated (50,200)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (default 30)")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the store (default 100000)")
    parser.add_argument(
        "--think", default="0.5,2", help="seconds between an agent's actions, min,max (default 0.5,2)"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=BASELINE_S, help="one agent alone (default 10)"
    )
    parser.add_argument(
        "--search-words",
        default=",".join(SEARCH_WORDS),
        help=f"what agents search for, comma-separated (default {','.join(SEARCH_WORDS)})",
    )
    parser.add_argument(
        "--workers", type=int, help=f"cs-tui serve --workers (default {WORKERS}, or 1 a node with --postgres)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on PostgreSQL instead: a server (postgresql://USER@HOST:PORT, no database) to keep"
        " the demo database load_demo_N in and copy it from",
    )
    parser.add_argument(
        "--nodes", default="1,2,4", help="with --postgres: node counts to run, comma-separated (1,2,4)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here (default bench/results/)")
    parser.add_argument(
        "--server-log", type=Path, help="keep the server's access log here (not with --postgres)"
    )
    args = parser.parse_args(argv)
    try:
        args.counts = sorted({int(n) for n in args.agents.split(",")})
        args.node_counts = sorted({int(n) for n in args.nodes.split(",")})
        low, high = (float(s) for s in args.think.split(","))
    except ValueError:
        parser.error("--agents and --nodes take whole numbers and --think two numbers, comma-separated")
    if not args.counts or min(args.counts) < 1 or not 0 <= low <= high:
        parser.error("--agents must be at least 1, and --think min,max with 0 <= min <= max")
    if not args.node_counts or min(args.node_counts) < 1:
        parser.error("--nodes takes whole numbers of at least 1, comma-separated")
    args.think = (low, high)
    args.words = tuple(word.strip() for word in args.search_words.split(",") if word.strip()) or ("",)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.postgres:
        from bench.load_nodes import main_postgres  # it builds on this module

        return main_postgres(args)
    args.workers = args.workers or WORKERS
    with tempfile.TemporaryDirectory(prefix="cs-tui-load-") as folder:
        place = Path(folder)
        say(f"Preparing a copy of the {args.tickets:,}-ticket store with {max(args.counts)} agents...")
        try:
            path, team = prepare(args.tickets, max(args.counts), place)
        except BuildFailed as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
        with serving(path, place, args.workers) as (process, url, log):
            say(f"cs-tui serve at {url} (pid {process.pid})")
            healthz = healthz_baseline(url)
            setup = Setup((Node(url, process.pid, log),), team, args.tickets, args.think, args.words)
            found = [
                summary(phase)
                for phase in on_uvloop(phases(setup, args.counts, args.seconds, args.baseline_seconds))
            ]
        if args.server_log:
            args.server_log.write_bytes(log.read_bytes())
    context = {
        "tickets": args.tickets,
        "think": "{:g}-{:g} s".format(*args.think),
        "actions": ACTIONS,
        "search_words": args.words,
        "workers": args.workers,
    }
    saved = save_json(to_json(context, healthz, found), args.json)
    with results_md.section("load", "The team server under load", "bench.load"):
        print_report(context, healthz, found, saved)
    return 0  # a report: missed targets are printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

"""Load on `cs-tui serve`: N simulated agents over HTTP on a 100,000-ticket store.

Each agent has a token of its own, listens to the live events, and with a think
time between actions does what agents do: queue pages and searches, opening
tickets, replies, status changes, metrics. Reported per number of agents:
requests a second, p50 and p99 latency (per kind and overall), errors, and the
time from a write's answer to its event reaching every other agent. The baseline,
in the same run, is one agent alone doing the same.

    python -m bench.load [--agents 50,200] [--seconds 30] [--tickets 100000]

The load generator runs on the same machine as the server and shares its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.demo_stores import demo_store
from cs_tui.domain.models import Role
from cs_tui.domain.tokens import new_token, token_hash
from cs_tui.store import open_store

THINK_S = (0.5, 2.0)
"""An agent's pause between actions, drawn uniformly."""
ACTIONS = {"queue": 30, "search": 10, "open": 30, "reply": 12, "change": 6, "metrics": 12}
SEARCHES = ["priority:urgent status:open", "tag:refund", "refund", "status:pending sort", "ongkir"]
P99_TARGET_MS = 100.0
EVENT_P95_TARGET_MS = 500.0
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Phase:
    agents: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    writes: list[tuple[tuple[str, int, int], float]] = field(default_factory=list)
    """(event kind, ticket id, actor id) of each write, and when its answer came."""
    heard: dict[int, dict[tuple[str, int, int], float]] = field(default_factory=dict)
    """Per listening agent (by id): when each event first reached it."""

    def record(self, kind: str, started: float, status: int) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        if status >= 400 and status != 409:  # a conflict is an agent's normal answer
            self.errors[f"{kind} {status}"] += 1

    def all_ms(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]

    def event_ms(self) -> tuple[list[float], int]:
        """From each write's answer to its event at every other agent; and how many
        of those never arrived."""
        delays, missed = [], 0
        for key, answered in self.writes:
            for agent_id, heard in self.heard.items():
                if agent_id == key[2]:
                    continue
                if key in heard:
                    delays.append(max(0.0, (heard[key] - answered) * 1000))
                else:
                    missed += 1
        return delays, missed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


async def prepare(tickets: int, agents: int, place: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A copy of the cached demo store with `agents` agents holding tokens."""
    source = demo_store(tickets).path
    path = place / "cs-tui.db"
    shutil.copy(source, path)
    store = await open_store(str(path))
    made = []
    try:
        for number in range(agents):
            token = new_token()
            agent = await store.create_agent(
                f"Load Agent {number}",
                f"load{number}@bench.example",
                Role.AGENT,
                token_hash=token_hash(token),
            )
            made.append((agent.id, token))
    finally:
        await store.close()
    return path, made


def serve(path: Path, place: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CS_TUI_STORE": str(path), "XDG_STATE_HOME": str(place / "state")}
    log = (place / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cs_tui", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"cs-tui serve did not start; see {place / 'serve.log'}")
        time.sleep(0.1)


async def listen(
    client: httpx.AsyncClient, heard: dict[tuple[str, int, int], float], ready: asyncio.Event
) -> None:
    last = (await client.get("/events/last")).json()["id"]
    async with client.stream("GET", "/events", params={"since": last}, timeout=None) as stream:
        ready.set()
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                key = (event["kind"], event["ticket_id"] or 0, event["actor_id"] or 0)
                heard.setdefault(key, time.perf_counter())


async def act(client: httpx.AsyncClient, phase: Phase, rng: random.Random, me: int, tickets: int) -> None:
    kind = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
    ticket = rng.randint(1, tickets)
    started = time.perf_counter()
    if kind == "queue":
        answer = await client.get("/tickets", params={"q": "status:open", "sort": "updated", "limit": 50})
    elif kind == "search":
        answer = await client.get("/tickets", params={"q": rng.choice(SEARCHES), "limit": 50})
    elif kind == "open":
        answer = await client.get(f"/tickets/{ticket}")
        if answer.status_code < 400:
            answer = await client.get(f"/tickets/{ticket}/messages", params={"limit": 50})
    elif kind == "reply":
        body = {"client_id": str(uuid.uuid4()), "body": "Baik Kak, kami cek dulu ya."}
        answer = await client.post(f"/tickets/{ticket}/messages", json=body)
        if answer.status_code == 201:
            phase.writes.append((("message.added", ticket, me), time.perf_counter()))
    elif kind == "change":
        seen = (await client.get(f"/tickets/{ticket}")).json()
        priority = rng.choice(["low", "normal", "high"])
        answer = await client.patch(
            f"/tickets/{ticket}", json={"expected_version": seen["version"], "priority": priority}
        )
        if answer.status_code == 200:
            phase.writes.append((("ticket.updated", ticket, me), time.perf_counter()))
    else:
        now = datetime.now(UTC)
        params = {"since": (now - timedelta(days=1)).isoformat(), "until": now.isoformat()}
        answer = await client.get("/metrics", params=params)
    phase.record(kind, started, answer.status_code)


async def agent(
    url: str, me: int, token: str, phase: Phase, seed: int, tickets: int, until: float, ready: asyncio.Event
) -> None:
    rng = random.Random(seed)
    # The baseline is one agent alone sending its requests back to back.
    think = THINK_S if phase.agents > 1 else (0.0, 0.0)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"{url}/api/v1", headers=headers, limits=limits, timeout=30
    ) as client:
        heard: dict[tuple[str, int, int], float] = {}
        phase.heard[me] = heard
        listening = asyncio.create_task(listen(client, heard, asyncio.Event()))
        await ready.wait()
        await asyncio.sleep(rng.uniform(*think))  # agents do not all start at once
        try:
            while time.monotonic() < until:
                try:
                    await act(client, phase, rng, me, tickets)
                except httpx.HTTPError as error:
                    phase.errors[type(error).__name__] += 1
                await asyncio.sleep(rng.uniform(*think))
            await asyncio.sleep(1.0)  # the last events on their way
        finally:
            listening.cancel()


async def run_phase(
    url: str, team: list[tuple[int, str]], agents: int, seconds: float, tickets: int
) -> Phase:
    phase = Phase(agents, seconds)
    ready = asyncio.Event()
    until = time.monotonic() + seconds + 2
    tasks = [
        asyncio.create_task(agent(url, me, token, phase, number, tickets, until, ready))
        for number, (me, token) in enumerate(team[:agents])
    ]
    await asyncio.sleep(2)  # every agent's event stream open before the clock starts
    ready.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return phase


def cpu_s(pid: int | None = None) -> float:
    """CPU seconds used so far by a process (this one by default)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured_phase(
    url: str, server_pid: int, team: list[tuple[int, str]], agents: int, seconds: float, tickets: int
) -> dict[str, Any]:
    """A phase's summary, with the CPU the server and the load generator each used."""
    server_before, here_before, wall = cpu_s(server_pid), cpu_s(), time.monotonic()
    found = summary(await run_phase(url, team, agents, seconds, tickets))
    wall = time.monotonic() - wall
    found["server_cpu"] = round((cpu_s(server_pid) - server_before) / wall, 2)
    found["generator_cpu"] = round((cpu_s() - here_before) / wall, 2)
    return found


def summary(phase: Phase) -> dict[str, Any]:
    everything = phase.all_ms()
    events, missed = phase.event_ms()
    kinds = {
        kind: {
            "count": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
        }
        for kind, ms in sorted(phase.latencies.items())
    }
    return {
        "agents": phase.agents,
        "seconds": phase.seconds,
        "requests": len(everything),
        "per_second": round(len(everything) / phase.seconds, 1),
        "p50_ms": round(statistics.median(everything), 1) if everything else None,
        "p99_ms": round(percentile(everything, 0.99), 1),
        "kinds": kinds,
        "errors": dict(phase.errors),
        "events": len(events),
        "events_missed": missed,
        "event_p50_ms": round(statistics.median(events), 1) if events else None,
        "event_p95_ms": round(percentile(events, 0.95), 1),
    }


def print_summary(found: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    print(
        f"\n{found['agents']} agents, {found['seconds']:g} s: {found['requests']:,} requests, "
        f"{found['per_second']} a second; errors: {found['errors'] or 'none'}"
    )
    print(f"  cores busy: server {found['server_cpu']}, load generator {found['generator_cpu']}")
    print(f"  {'kind':<9}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, figures in found["kinds"].items():
        print(f"  {kind:<9}{figures['count']:>7}{figures['p50_ms']:>9}{figures['p99_ms']:>9}")
    ratio = ""
    if baseline and baseline["p99_ms"]:
        ratio = f" ({found['p99_ms'] / baseline['p99_ms']:.2f}x one agent alone)"
    print(f"  {'all':<9}{found['requests']:>7}{found['p50_ms']:>9}{found['p99_ms']:>9}{ratio}")
    print(
        f"  events to every other agent: p50 {found['event_p50_ms']} ms, p95 {found['event_p95_ms']} ms "
        f"({found['events']:,} deliveries, {found['events_missed']} missed)"
    )


def checks(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for found in results:
        if found["agents"] >= 200:
            verdict = "met" if found["p99_ms"] <= P99_TARGET_MS else "MISSED"
            lines.append(
                f"{found['agents']} agents p99 {found['p99_ms']} ms <= {P99_TARGET_MS:g} ms: {verdict}"
            )
        if found["agents"] > 1 and found["events"]:
            verdict = "met" if found["event_p95_ms"] <= EVENT_P95_TARGET_MS else "MISSED"
            p95 = found["event_p95_ms"]
            lines.append(
                f"{found['agents']} agents events p95 {p95} ms <= {EVENT_P95_TARGET_MS:g} ms: {verdict}"
            )
    return lines


async def main_async(args: argparse.Namespace) -> int:
    counts = sorted({int(n) for n in args.agents.split(",")})
    with tempfile.TemporaryDirectory(prefix="cs-tui-load-") as folder:
        place = Path(folder)
        print(f"Preparing a {args.tickets:,}-ticket store with {max(counts)} agents...", flush=True)
        path, team = await prepare(args.tickets, max(counts), place)
        process, url = serve(path, place)
        print(f"cs-tui serve at {url}; {os.cpu_count()} cores shared with the load generator", flush=True)
        try:
            baseline = await measured_phase(url, process.pid, team, 1, min(args.seconds, 10), args.tickets)
            print_summary(baseline, None)
            results = [baseline]
            for count in counts:
                found = await measured_phase(url, process.pid, team, count, args.seconds, args.tickets)
                print_summary(found, baseline)
                results.append(found)
        finally:
            process.terminate()
            process.wait(20)
    print("\nTargets:")
    for line in checks(results):
        print(f"  {line}")
    RESULTS.mkdir(exist_ok=True)
    saved = RESULTS / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    saved.write_text(json.dumps({"tickets": args.tickets, "results": results}, indent=2))
    print(f"\nSaved {saved}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--agents", default="50,200", help="agent counts to run, comma-separated (default 50,200)"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run (default 30)")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the store (default 100000)")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())

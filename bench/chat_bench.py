"""The website chat under load: N visitors chatting at once against a real `cs-tui serve`.

    python -m bench.chat_bench [--visitors 200] [--seconds 60] [--think 5,15]

A `cs-tui serve` process on a fresh store with one chat, behind a reverse proxy as
a shop's site is (each visitor with an address of their own), and in this process N
visitors, each with a session and its event stream open as the widget keeps it, each
writing a message after a think time drawn from --think, and one agent with the
store's event stream open as the TUI keeps it, answering each visitor's message.

- Visitor to agent: from the visitor's POST /messages to the agent's event stream
  having the message's event (what wakes the agent's TUI; the TUI then reads the
  ticket and draws it: bench.tui_bench measures that part).
- Agent to visitor: from the agent's reply being accepted by the server (the undo
  window over, as the TUI writes it then) to the visitor's event stream having the
  reply (the chat's delivery marks it sent, and each visitor's stream sends it).

The baseline, in the same run before the load: one visitor alone, the same two paths
(what they cost with nothing else going on). The widget's size, gzipped, is reported
too. The generator shares the machine's cores with the server. A report, not a test:
a target missed is printed, not an exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import results_md
from bench.load import serving
from bench.widget_size import BUDGET_GZIPPED, WIDGET

SHOP = "https://tokoku.example"
TARGET_P95_S = 1.0
WAIT_S = 30.0
"""A message not heard within this long counts as lost."""
CHAT = "web"


@dataclass
class Run:
    """Timings of one phase, in seconds."""

    to_agent: list[float] = field(default_factory=list)
    to_visitor: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Visitor:
    token: str
    code: str = field(default_factory=lambda: f"kode{uuid.uuid4().hex[:10]}")
    """A word in the visitor's messages alone, by which the agent finds their ticket."""
    ticket_id: int | None = None
    heard: dict[int, float] = field(default_factory=dict)
    """Message id → when the visitor's stream had it."""
    waiting: dict[int, asyncio.Event] = field(default_factory=dict)


async def _sse(client: httpx.AsyncClient, url: str, **options: object) -> AsyncIterator[tuple[str, str]]:
    async with client.stream("GET", url, timeout=httpx.Timeout(10, read=None), **options) as stream:  # type: ignore[arg-type]
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                yield kind, line[6:]


class Agent:
    """The agent's event stream: when each ticket's message event came."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.messages: dict[int, list[float]] = {}
        self.arrived = asyncio.Condition()

    async def listen(self) -> None:
        async for kind, data in _sse(self.client, "/api/v1/events"):
            if kind in ("message.added", "ticket.created"):
                ticket_id = json.loads(data)["ticket_id"]
                self.messages.setdefault(ticket_id, []).append(time.perf_counter())
                async with self.arrived:
                    self.arrived.notify_all()

    async def heard_after(self, ticket_of: Visitor, since: float) -> float:
        """When the agent's stream had a message of the visitor's ticket written after `since`."""
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(
                    lambda: (
                        ticket_of.ticket_id is not None
                        and any(t >= since for t in self.messages.get(ticket_of.ticket_id, []))
                    )
                ),
                WAIT_S,
            )
        assert ticket_of.ticket_id is not None
        return min(t for t in self.messages[ticket_of.ticket_id] if t >= since)


async def _listen_visitor(web: httpx.AsyncClient, visitor: Visitor) -> None:
    async for kind, data in _sse(web, f"/public/v1/chat/{CHAT}/events?token={visitor.token}"):
        if kind == "message":
            said = json.loads(data)
            visitor.heard.setdefault(said["id"], time.perf_counter())
            if said["id"] in visitor.waiting:
                visitor.waiting[said["id"]].set()


async def _one_exchange(
    web: httpx.AsyncClient, agent_client: httpx.AsyncClient, agent: Agent, visitor: Visitor, run: Run
) -> None:
    auth = {"Authorization": f"Bearer {visitor.token}"}
    started = time.perf_counter()
    sent = await web.post(
        f"/public/v1/chat/{CHAT}/messages",
        json={"body": f"Halo, pesanan {visitor.code} sudah dikirim?", "client_id": uuid.uuid4().hex},
        headers=auth,
    )
    if sent.status_code != 202:
        _count(run, f"the visitor's message answered {sent.status_code}")
        return
    if visitor.ticket_id is None:  # the ticket the first message opened, as the agent finds it
        found = (await agent_client.get("/api/v1/tickets", params={"q": visitor.code, "limit": 1})).json()
        visitor.ticket_id = int(found["tickets"][0]["id"])
    try:
        heard = await agent.heard_after(visitor, started)
    except TimeoutError:
        _count(run, "a visitor's message never reached the agent")
        return
    run.to_agent.append(heard - started)
    reply = await agent_client.post(
        f"/api/v1/tickets/{visitor.ticket_id}/messages",
        json={"client_id": uuid.uuid4().hex, "body": "Halo kak, sudah kami cek, paketnya di jalan."},
    )
    accepted = time.perf_counter()
    if reply.status_code != 201:
        _count(run, f"the agent's reply answered {reply.status_code}")
        return
    message_id = reply.json()["id"]
    arrived = visitor.waiting.setdefault(message_id, asyncio.Event())
    if message_id in visitor.heard:
        arrived.set()
    try:
        await asyncio.wait_for(arrived.wait(), WAIT_S)
    except TimeoutError:
        _count(run, "a reply never reached the visitor")
        return
    run.to_visitor.append(visitor.heard[message_id] - accepted)


def _count(run: Run, what: str) -> None:
    run.errors[what] = run.errors.get(what, 0) + 1


async def _session(web: httpx.AsyncClient, number: int) -> Visitor:
    """A visitor of their own address, as the shop's reverse proxy tells the server."""
    address = {"X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}
    answer = await web.post(
        f"/public/v1/chat/{CHAT}/session", json={"name": f"Visitor {number}"}, headers=address
    )
    answer.raise_for_status()
    return Visitor(answer.json()["token"])


async def _phase(url: str, token: str, visitors: int, seconds: float, think: tuple[float, float]) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=visitors * 2 + 20, max_keepalive_connections=visitors * 2 + 20)
    headers = {"Origin": SHOP}
    async with (
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as web,
        httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as agents,
    ):
        agent = Agent(agents)
        listening = [asyncio.create_task(agent.listen())]
        people = [await _session(web, number) for number in range(visitors)]
        listening += [asyncio.create_task(_listen_visitor(web, visitor)) for visitor in people]
        await asyncio.sleep(1.0)  # every stream open
        deadline = time.perf_counter() + seconds

        async def chat(visitor: Visitor) -> None:
            await asyncio.sleep(random.uniform(0, think[1]))
            while time.perf_counter() < deadline:
                await _one_exchange(web, agents, agent, visitor, run)
                await asyncio.sleep(random.uniform(*think))

        await asyncio.gather(*(chat(visitor) for visitor in people))
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)
    return run


def _prepare(place: Path) -> tuple[Path, str]:
    """A fresh store with one agent (its token) and the chat."""
    store = place / "cs-tui.db"
    run = [sys.executable, "-m", "cs_tui"]
    subprocess.run(
        [*run, "channel", "add", "chat", CHAT, "--origin", SHOP, "--store", str(store)], check=True
    )
    made = subprocess.run(
        [*run, "agent", "add", "Sari", "--email", "sari@tokoku.example", "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    )
    return store, made.stdout.strip().splitlines()[-1]


def _stats(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered) * 1000
    return f"median {median:7.1f} ms   p95 {p95 * 1000:7.1f} ms   ({len(ordered)} messages)"


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples) or [float("inf")]
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200, help="visitors chatting at once (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they chat (default 60)")
    parser.add_argument("--think", default="5,15", help="seconds between a visitor's messages (default 5,15)")
    args = parser.parse_args(argv)
    think = tuple(float(each) for each in args.think.split(","))
    with tempfile.TemporaryDirectory(prefix="cs-tui-chat-bench-") as folder:
        place = Path(folder)
        store, token = _prepare(place)
        # Behind the shop's reverse proxy, as a website chat is: each visitor's address
        # is theirs, so that the limits per address are each visitor's.
        with serving(store, place, 1, ("--trusted-proxy", "127.0.0.1")) as (_process, url, _log):
            # Alone, at the pace the limits allow one visitor (20 messages a minute).
            alone = asyncio.run(_phase(url, token, 1, min(args.seconds, 45), (3.0, 3.5)))
            loaded = asyncio.run(_phase(url, token, args.visitors, args.seconds, (think[0], think[1])))
    script = WIDGET.read_bytes()
    zipped = len(gzip.compress(script, compresslevel=9))
    title = f"Website chat: {args.visitors} visitors at once"
    with results_md.section("chat", title, "bench.chat_bench"):
        every = f"{think[0]:g}-{think[1]:g} s"
        print(f"{args.visitors} visitors, each a message every {every}, for {args.seconds:g} s;")
        print("one agent answering each message. One cs-tui serve process; the visitors share its 2 cores.\n")
        print("Visitor's message to the agent's event stream")
        print(f"  one visitor alone (baseline)  {_stats(alone.to_agent)}")
        print(f"  {args.visitors} visitors                 {_stats(loaded.to_agent)}")
        print("Agent's reply to the visitor's page")
        print(f"  one visitor alone (baseline)  {_stats(alone.to_visitor)}")
        print(f"  {args.visitors} visitors                 {_stats(loaded.to_visitor)}")
        if loaded.errors or alone.errors:
            print(f"Errors: {dict(alone.errors) | dict(loaded.errors)}")
        print(f"\nThe widget: {len(script):,} bytes, {zipped:,} bytes gzipped (-9)")
        print("\nTargets")
        for name, samples in (("visitor to agent", loaded.to_agent), ("agent to visitor", loaded.to_visitor)):
            p95 = _p95(samples)
            print(f"  {'PASS' if p95 <= TARGET_P95_S else 'FAIL'}  p95 <= 1 s, {name}: {p95 * 1000:.0f} ms")
        verdict = "PASS" if zipped <= BUDGET_GZIPPED else "FAIL"
        print(f"  {verdict}  widget <= 15 KB gzipped: {zipped / 1024:.1f} KB")
    return 0  # a report: a target missed is printed, not an exit status


if __name__ == "__main__":
    raise SystemExit(main())

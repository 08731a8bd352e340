"""What the load benchmark recorded, the targets it is held to, and how both read:
a table on stdout and JSON in bench/results/ (or where --json says)."""

from __future__ import annotations

import json
import math
import os
import platform
import re
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.demo_stores import ROOT
from bench.report import Check

RESULTS = ROOT / "bench" / "results"
QUEUE = "status:open"
"""The queue's query, as agents keep it; searches add a word to it."""
TARGET_AGENTS = 200
P99_TARGET_MS = 100.0
"""At TARGET_AGENTS agents, every request but the event stream, client-side."""
EVENT_P95_TARGET_MS = 500.0
"""From a write's answer until every other agent's stream has its event."""
OTHERS_WARNING = 0.2
"""Cores other processes may use during a phase before the report warns about them."""
CLIENT_KINDS = ("queue", "search", "ticket", "messages", "reply", "change", "metrics")
SERVER_KINDS = ("list", "ticket", "messages", "reply", "change", "metrics")
"""The access log has paths, not query strings: queue pages and searches are both `list`."""

Key = tuple[str, int, int]
"""An event as a listener can match it to a write: (kind, ticket id, actor id)."""


@dataclass(slots=True)
class Phase:
    """What one phase recorded as it happened; summarised afterwards."""

    label: str
    agents: int
    seconds: float
    started: float = 0.0
    """time.monotonic() when the clock started, every stream open."""
    elapsed: float = 0.0
    """From the first action to the end of the last: the phase's seconds and the last answers."""
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Client-side milliseconds per request kind."""
    statuses: dict[str, Counter[int | str]] = field(default_factory=lambda: defaultdict(Counter))
    """Per kind, answers by status, and requests that got none by the exception's name."""
    writes: list[tuple[Key, float]] = field(default_factory=list)
    """Each successful write's event, and when its answer reached the writer."""
    heard: dict[int, dict[Key, list[float]]] = field(default_factory=dict)
    """Per listening agent id: when each event reached its stream, in order of arrival."""
    node_of: dict[int, int] = field(default_factory=dict)
    """Per agent id, the node (server) its client talks to: 0 while there is one."""
    stream_failures: Counter[str] = field(default_factory=Counter)
    pings: int = 0
    lag_ms: list[float] = field(default_factory=list)
    """How late the load generator's event loop ran a 10 ms timer: its own backlog."""
    cpu: dict[str, float] = field(default_factory=dict)
    """Cores kept busy meanwhile: the server (all, main thread, others), the generator, the rest."""
    server_log: list[dict[str, Any]] = field(default_factory=list)
    """The server's access-log lines for this phase's requests."""

    def record(self, kind: str, started: float, status: int | str) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[kind][status] += 1


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank, as bench.timing does; None when there is nothing to rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else None


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50_ms": _round(percentile(values, 0.5)),
        "p95_ms": _round(percentile(values, 0.95)),
        "p99_ms": _round(percentile(values, 0.99)),
    }


def event_delays(phase: Phase, *, across_nodes: bool = False) -> tuple[list[float], list[float], int, int]:
    """From each write's answer to its event at each other agent's stream ("deliveries"),
    and to the last of them ("every other agent"), in ms; then the deliveries that never
    came and the writes some agent never heard of. The n-th write with a key is matched
    to the n-th event with it; an event that beat the answer counts as 0 ms. With
    `across_nodes`, only the streams of agents on another node than the writer's count."""
    deliveries: list[float] = []
    to_all: list[float] = []
    missed = unheard = 0
    seen: Counter[Key] = Counter()
    for key, answered in phase.writes:
        nth = seen[key]
        seen[key] += 1
        writer = key[2]
        listeners = [
            listener
            for listener in phase.heard
            if listener != writer
            and not (across_nodes and phase.node_of.get(listener) == phase.node_of.get(writer))
        ]
        arrivals = []
        for listener in listeners:
            times = phase.heard[listener].get(key, [])
            if nth < len(times):
                arrivals.append(max(0.0, (times[nth] - answered) * 1000))
            else:
                missed += 1
        deliveries.extend(arrivals)
        if arrivals and len(arrivals) == len(listeners):
            to_all.append(max(arrivals))
        else:
            unheard += 1
    return deliveries, to_all, missed, unheard


def server_kind(line: dict[str, Any]) -> str | None:
    """The request kind of an access-log line, by method and path."""
    path, method = line.get("path", ""), line.get("method", "")
    if method == "GET" and path == "/api/v1/tickets":
        return "list"
    if re.fullmatch(r"/api/v1/tickets/\d+", path):
        return {"GET": "ticket", "PATCH": "change"}.get(method)
    if re.fullmatch(r"/api/v1/tickets/\d+/messages", path):
        return {"GET": "messages", "POST": "reply"}.get(method)
    if method == "GET" and path == "/api/v1/metrics":
        return "metrics"
    return None


def summary(phase: Phase) -> dict[str, Any]:
    """The phase in figures, as the report prints them and the JSON keeps them."""
    every = [ms for kind in phase.latencies for ms in phase.latencies[kind]]
    deliveries, to_all, missed, unheard = event_delays(phase)
    server: dict[str, list[float]] = defaultdict(list)
    for line in phase.server_log:
        kind = server_kind(line)
        if kind is not None:
            server[kind].append(float(line["ms"]))
    errors = {
        f"{kind} {status}": count
        for kind, statuses in sorted(phase.statuses.items())
        for status, count in sorted(statuses.items(), key=str)
        if not (isinstance(status, int) and (status < 400 or status == 409))
    }
    return {
        "label": phase.label,
        "agents": phase.agents,
        "seconds": phase.seconds,
        "requests": len(every),
        "elapsed_s": round(phase.elapsed, 2),
        "per_second": round(len(every) / (phase.elapsed or phase.seconds), 1),
        "all": spread(every),
        "kinds": {kind: spread(phase.latencies[kind]) for kind in CLIENT_KINDS if kind in phase.latencies},
        "conflicts": phase.statuses["change"][409],
        "errors": errors,
        "stream_failures": dict(phase.stream_failures),
        "writes": len(phase.writes),
        "events": {
            "listeners": len(phase.heard),
            "deliveries": spread(deliveries),
            "to_every_other_agent": spread(to_all),
            "deliveries_missed": missed,
            "writes_not_heard_by_all": unheard if phase.heard else None,
            "pings": phase.pings,
        },
        "nodes": len(set(phase.node_of.values())) or 1,
        "server": {
            "all": spread([ms for values in server.values() for ms in values]),
            "kinds": {kind: spread(server[kind]) for kind in SERVER_KINDS if kind in server},
        },
        "generator_lag": spread(phase.lag_ms),
        **({"across_nodes": _across_nodes(phase)} if len(set(phase.node_of.values())) > 1 else {}),
        "cpu": phase.cpu,
    }


def _across_nodes(phase: Phase) -> dict[str, Any]:
    """Events from a write on one node to the streams of agents on the other nodes."""
    deliveries, to_all, missed, unheard = event_delays(phase, across_nodes=True)
    return {
        "deliveries": spread(deliveries),
        "to_every_agent_elsewhere": spread(to_all),
        "deliveries_missed": missed,
        "writes_not_heard_by_all": unheard,
    }


def checks(found: list[dict[str, Any]]) -> list[Check]:
    """p99 at TARGET_AGENTS agents, and event delivery wherever other agents listened."""
    result = []
    for phase in found:
        if phase["agents"] == TARGET_AGENTS and phase["all"]["p99_ms"] is not None:
            target = f"p99 of every request <= {P99_TARGET_MS:g} ms at {TARGET_AGENTS} agents"
            result.append(Check(target, phase["label"], phase["all"]["p99_ms"], P99_TARGET_MS, "ms"))
        to_all = phase["events"]["to_every_other_agent"]
        if phase["agents"] > 1 and to_all["p95_ms"] is not None:
            target = f"write to its event at every other agent, p95 <= {EVENT_P95_TARGET_MS:g} ms"
            result.append(Check(target, phase["label"], to_all["p95_ms"], EVENT_P95_TARGET_MS, "ms"))
    return result


# The report


def print_report(
    context: dict[str, Any], healthz: dict[str, Any], found: list[dict[str, Any]], saved: Path
) -> None:
    print(
        f"cs-tui load benchmark · {context['tickets']:,} tickets · SQLite {sqlite3.sqlite_version}"
        f" · Python {platform.python_version()} · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    print(
        f"The server (`cs-tui serve --workers {context['workers']}`) and the load generator (this"
        f" process, asyncio\n+ httpx on uvloop) share the same {os.cpu_count()} cores: the generator's"
        " own CPU and event-loop\nlag are shown, as its time is in every client-side figure. Think"
        f" time between an agent's\nactions: {context['think']}.\nSearches: {QUEUE} and one of"
        f" {', '.join(context['search_words'])}."
    )
    _print_overview(healthz, found)
    for phase in found:
        print_kinds(phase)
    _print_targets(checks(found))
    print(f"\nJSON: {_relative(saved)}")


def _print_overview(healthz: dict[str, Any], found: list[dict[str, Any]]) -> None:
    base = found[0]["all"] if found and found[0]["agents"] == 1 else None
    print(f"\n{'':<26}{'req/s':>7}{'p50 ms':>9}{'p99 ms':>9}{'x base':>13}{'errors':>8}{'cores':>17}")
    print(f"  {'GET /healthz, idle':<24}{'':>7}{_ms(healthz['p50_ms'])}{_ms(healthz['p99_ms'])}")
    for phase in found:
        every, cpu = phase["all"], phase["cpu"]
        ratio = ""
        if base is not None and phase is not found[0]:
            ratio = f"{every['p50_ms'] / base['p50_ms']:.1f}/{every['p99_ms'] / base['p99_ms']:.1f}"
        cores = f"{cpu['server']:.2f}+{cpu['generator']:.2f}+{cpu['other_processes']:.2f}"
        print(
            f"  {phase['label']:<24}{phase['per_second']:>7.1f}{_ms(every['p50_ms'])}{_ms(every['p99_ms'])}"
            f"{ratio:>13}{sum(phase['errors'].values()):>8}{cores:>17}"
        )
    print(
        "  (client-side, every request but the event streams; x base: p50/p99 over one agent alone;"
        "\n   cores: server + load generator + other processes on the machine)"
    )
    others = max((phase["cpu"]["other_processes"] for phase in found), default=0.0)
    if others >= OTHERS_WARNING:
        print(
            f"  WARNING: other processes kept up to {others:.2f} cores busy during a phase: the"
            " figures are\n  pessimistic; run again on a quiet machine."
        )


def print_kinds(phase: dict[str, Any]) -> None:
    cpu, lag, events = phase["cpu"], phase["generator_lag"], phase["events"]
    print(
        f"\n{phase['label']}: {phase['requests']:,} requests in {phase['seconds']:g} s,"
        f" {phase['writes']:,} writes, {phase['conflicts']} changes refused as stale (409)"
    )
    print(
        f"  cores busy: {_servers(phase)} {cpu['server']:.2f} (main thread {cpu['server_main']:.2f},"
        f" other threads {cpu['server_threads']:.2f}, the busiest of them"
        f" {cpu['server_busiest_thread']:.2f}),\n"
        + (
            f"  PostgreSQL {cpu['database']:.2f} (its shared processes {cpu['database_shared']:.2f}), "
            if "database" in cpu
            else "  "
        )
        + f"load generator {cpu['generator']:.2f} (its loop lag p99 {_value(lag['p99_ms'])} ms),"
        f" other processes {cpu['other_processes']:.2f}"
    )
    print(f"  {'client-side':<12}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}     {'server-side':<12}", end="")
    print(f"{'count':>7}{'p50 ms':>9}{'p99 ms':>9}")
    client = [*phase["kinds"].items(), ("all", phase["all"])]
    server = [*phase["server"]["kinds"].items(), ("all", phase["server"]["all"])]
    for row in range(max(len(client), len(server))):
        line = "  " + (_kind_cells(*client[row]) if row < len(client) else " " * 37)
        if row < len(server):
            line += "     " + _kind_cells(*server[row])
        print(line.rstrip())
    if events["listeners"]:
        deliveries, to_all = events["deliveries"], events["to_every_other_agent"]
        print(
            f"  events, from a write's answer: to every other agent p50 {_value(to_all['p50_ms'])} /"
            f" p95 {_value(to_all['p95_ms'])} ms; each delivery p50 {_value(deliveries['p50_ms'])} /"
            f" p95 {_value(deliveries['p95_ms'])} ms\n  ({deliveries['count']:,} deliveries to"
            f" {events['listeners']} streams, {events['deliveries_missed']} missed, {events['pings']} pings)"
        )
    if "across_nodes" in phase:
        deliveries, to_all = (
            phase["across_nodes"]["deliveries"],
            phase["across_nodes"]["to_every_agent_elsewhere"],
        )
        print(
            f"  across nodes, to every agent on another node p50 {_value(to_all['p50_ms'])} / p95"
            f" {_value(to_all['p95_ms'])} / p99 {_value(to_all['p99_ms'])} ms; each delivery p50"
            f" {_value(deliveries['p50_ms'])} / p95 {_value(deliveries['p95_ms'])} ms"
            f" ({phase['across_nodes']['deliveries_missed']} missed)"
        )
    problems = {**phase["errors"], **{f"stream {k}": v for k, v in phase["stream_failures"].items()}}
    print(f"  errors: {', '.join(f'{k}: {v}' for k, v in problems.items()) or 'none'}")


def _servers(phase: dict[str, Any]) -> str:
    nodes = phase.get("nodes", 1)
    return "server" if nodes == 1 else f"{nodes} nodes"


def _kind_cells(kind: str, figures: dict[str, Any]) -> str:
    return f"{kind:<12}{figures['count']:>7,}{_ms(figures['p50_ms'])}{_ms(figures['p99_ms'])}"


def _print_targets(found: list[Check]) -> None:
    print("\nTargets")
    for check in found:
        verdict = "met   " if check.passed else "MISSED"
        print(f"  {verdict}  {check.target}: {check.subject} {check.measured:.1f} {check.unit}")
    if not found:
        print(f"  (none checked: no phase of {TARGET_AGENTS} agents or with other agents listening)")


def to_json(context: dict[str, Any], healthz: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, Any]:
    results = checks(found)
    return {
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "argv": sys.argv[1:],
        **context,
        "healthz": healthz,
        "phases": found,
        "checks": [check.to_json() for check in results],
        "missed": sum(not check.passed for check in results),
    }


def save_json(data: dict[str, Any], path: Path | None, stem: str = "load") -> Path:
    """To `path`, or by default a new file in bench/results/ named from `stem`."""
    if path is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _ms(value: float | None) -> str:
    return f"{_value(value):>9}"


def _value(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _relative(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

"""How the load bench on PostgreSQL reads: the node counts side by side, how rate and
p99 move against one node, each phase's detail, and the cores 2,000 agents would need
worked out on paper from the requests a second per core measured here."""

from __future__ import annotations

import math
import os
import platform
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.load_report import (
    OTHERS_WARNING,
    QUEUE,
    _ms,
    _relative,
    _value,
    checks,
    print_kinds,
)
from bench.report import Check

ACROSS_NODES_P99_TARGET_MS = 1000.0
"""An agent on one node sees another's reply on another node within a second."""
WRITERS_WARNING_S = 0.5
"""How long another database's writing transaction may stay open before the report warns."""
AGENTS_ON_PAPER = 2000
NODE_CORES = 4
"""The node machine the sizing counts in: 4 cores, `cs-tui serve --workers 4`."""
BUSY_AT_MOST = 0.5
"""The share of a core the sizing plans to keep busy: p99 climbs steeply as cores fill,
and the runs here met or missed the p99 target at the busy shares they print."""


def title(node_counts: list[int]) -> str:
    """The section's heading in RESULTS.md."""
    return (
        f"The team server under load on PostgreSQL: {_counts(node_counts)} nodes, the load generator"
        f" and PostgreSQL sharing one {os.cpu_count()}-core machine"
    )


def node_checks(found: list[dict[str, Any]]) -> list[Check]:
    """The load bench's targets, and events across nodes within a second at p99."""
    result = checks(found)
    for phase in found:
        to_all = phase.get("across_nodes", {}).get("to_every_agent_elsewhere", {})
        if phase["agents"] > 1 and to_all.get("p99_ms") is not None:
            target = f"write to its event on every other node, p99 <= {ACROSS_NODES_P99_TARGET_MS:g} ms"
            result.append(Check(target, phase["label"], to_all["p99_ms"], ACROSS_NODES_P99_TARGET_MS, "ms"))
    return result


def per_core(phase: dict[str, Any]) -> float | None:
    """Requests a second for each core the nodes and PostgreSQL kept busy."""
    cores = phase["cpu"]["server"] + phase["cpu"].get("database", 0.0)
    return phase["per_second"] / cores if cores else None


def sizing(context: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """2,000 agents on paper: their requests a second at the bench's think time, over the
    fewest requests a second per core among the node counts at the most agents run."""
    weights = context["actions"]
    per_action = sum(weights[a] * context["requests_per_action"][a] for a in weights) / sum(weights.values())
    per_agent = per_action / context["think_mean_s"]
    top = [run["phases"][-1] for run in runs if run["phases"][-1]["agents"] > 1]
    measured = [(per_core(phase), phase) for phase in top if per_core(phase)]
    if not measured or not context["think_mean_s"]:
        return None
    rate, phase = min(measured, key=lambda pair: pair[0] or 0.0)
    assert rate is not None
    cpu = phase["cpu"]
    database_share = cpu.get("database", 0.0) / (cpu["server"] + cpu.get("database", 0.0))
    requests = per_agent * AGENTS_ON_PAPER
    busy_cores = requests / rate
    node_cores = busy_cores * (1 - database_share) / BUSY_AT_MOST
    database_cores = busy_cores * database_share / BUSY_AT_MOST
    return {
        "agents": AGENTS_ON_PAPER,
        "requests_per_action": round(per_action, 3),
        "requests_per_agent_s": round(per_agent, 3),
        "measured_per_agent_s": round(phase["per_second"] / phase["agents"], 3),
        "requests_s": round(requests),
        "from_phase": phase["label"],
        "requests_per_core": round(rate, 1),
        "database_share": round(database_share, 3),
        "busy_cores": round(busy_cores, 1),
        "busy_at_most": BUSY_AT_MOST,
        "node_cores": round(node_cores, 1),
        "nodes": math.ceil(node_cores / NODE_CORES),
        "node_size_cores": NODE_CORES,
        "database_cores": round(database_cores, 1),
        "node_cpu_ms": round(cpu["server"] / phase["per_second"] * 1000, 2),
        "database_cpu_ms": round(cpu.get("database", 0.0) / phase["per_second"] * 1000, 2),
        "machine_busy": round(_machine_busy(cpu), 3),
        "p99_ms": phase["all"]["p99_ms"],
    }


def _machine_busy(cpu: dict[str, float]) -> float:
    """The share of the machine's cores every process kept busy."""
    busy = cpu["server"] + cpu.get("database", 0.0) + cpu["generator"] + cpu["other_processes"]
    return busy / (os.cpu_count() or 1)


# The report


def print_nodes_report(context: dict[str, Any], runs: list[dict[str, Any]], saved: Path) -> None:
    counts = _counts(context["node_counts"])
    print(
        f"cs-tui load benchmark on PostgreSQL · {context['tickets']:,} tickets · {counts} nodes"
        f" · Python {platform.python_version()} · {datetime.now().astimezone():%Y-%m-%d %H:%M}"
    )
    print(context["postgres"])
    cores, more = os.cpu_count(), _counts(context["node_counts"][1:])
    print(
        f"Everything runs on this one machine of {cores} cores: the load generator (this process,"
        " asyncio\n+ httpx on uvloop), PostgreSQL and every node (`cs-tui serve --workers"
        f" {context['workers_per_node']}` each) share\nthe same {cores} cores, so more nodes cannot add"
        " cores here"
        + (
            f": what {more} nodes show is what spreading\nthe agents and their events over more processes"
            " costs, not what more machines would gain."
            if more
            else "."
        )
        + "\nEach agent talks to one node (agent k to node k mod N, as a round-robin proxy would send"
        " it);\neach node count runs on a fresh copy of the demo database. Think time between an agent's"
        f"\nactions: {context['think']}. Searches: {QUEUE} and one of {', '.join(context['search_words'])}."
    )
    found = [phase for run in runs for phase in run["phases"]]
    _print_overview(runs)
    _print_scaling(runs)
    for phase in found:
        print_kinds(phase)
    _print_sizing(sizing(context, runs))
    print("\nTargets")
    for check in node_checks(found):
        verdict = "met   " if check.passed else "MISSED"
        print(f"  {verdict}  {check.target}: {check.subject} {check.measured:.1f} {check.unit}")
    print(f"\nJSON: {_relative(saved)}")


def _print_overview(runs: list[dict[str, Any]]) -> None:
    print(f"\n{'':<34}{'req/s':>7}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'cores':>22}{'req/s a core':>14}")
    for run in runs:
        healthz = run["healthz"]
        label = f"{run['nodes']} node{'' if run['nodes'] == 1 else 's'}, GET /healthz idle"
        print(f"  {label:<32}{'':>7}{_ms(healthz['p50_ms'])}{_ms(healthz['p99_ms'])}")
        for phase in run["phases"]:
            cpu, every = phase["cpu"], phase["all"]
            cores = f"{cpu['server']:.2f}+{_value(cpu.get('database'))}+{cpu['generator']:.2f}"
            cores += f"+{cpu['other_processes']:.2f}"
            print(
                f"  {phase['label']:<32}{phase['per_second']:>7.1f}{_ms(every['p50_ms'])}"
                f"{_ms(every['p99_ms'])}{sum(phase['errors'].values()):>8}{cores:>22}"
                f"{_value(per_core(phase)):>14}"
            )
    print(
        "  (client-side, every request but the event streams; cores: nodes + PostgreSQL + load"
        "\n   generator + other processes; req/s a core: over the cores of the nodes and PostgreSQL)"
    )
    others = max((phase["cpu"]["other_processes"] for run in runs for phase in run["phases"]), default=0.0)
    if others >= OTHERS_WARNING:
        print(
            f"  WARNING: other processes kept up to {others:.2f} cores busy during a phase: the"
            " figures are\n  pessimistic; run again on a quiet machine."
        )
    held = max((phase["other_writers_open_s"] for run in runs for phase in run["phases"]), default=0.0)
    if held >= WRITERS_WARNING_S:
        print(
            f"  WARNING: a transaction writing in another database of this PostgreSQL was open for up to"
            f" {held:.1f} s\n  during a phase: every node holds live events back until such a one ends"
            " (transaction ids\n  are the whole cluster's), so the events figures are pessimistic."
        )


def _print_scaling(runs: list[dict[str, Any]]) -> None:
    """Each agent count's rate, p99 and requests per core against the same on one node."""
    base = {phase["agents"]: phase for phase in runs[0]["phases"] if phase["agents"] > 1}
    if not base or len(runs) < 2:
        return
    first_nodes = f"{runs[0]['nodes']} node{'' if runs[0]['nodes'] == 1 else 's'}"
    print(f"\nAgainst {first_nodes}, at the same number of agents")
    print(f"  {'':<24}{'req/s':>8}{'x':>6}{'p99 ms':>9}{'x':>6}", end="")
    print(f"{'req/s a core':>14}{'x':>6}{'across p95 ms':>15}")
    for run in runs:
        for phase in run["phases"]:
            first = base.get(phase["agents"])
            if first is None:
                continue
            rate, p99, core = phase["per_second"], phase["all"]["p99_ms"], per_core(phase)
            across = phase.get("across_nodes", {}).get("to_every_agent_elsewhere", {}).get("p95_ms")
            print(
                f"  {phase['label']:<24}{rate:>8.1f}{_ratio(rate, first['per_second']):>6}{_ms(p99)}"
                f"{_ratio(p99, first['all']['p99_ms']):>6}{_value(core):>14}"
                f"{_ratio(core, per_core(first)):>6}"
                f"{_value(across):>15}"
            )
    print(
        "  (x: over the same figure on one node; across p95: from a write's answer until every agent"
        "\n   on another node has its event)"
    )


def _print_sizing(found: dict[str, Any] | None) -> None:
    if found is None:
        return
    rows = [
        (
            "requests an action",
            f"{found['requests_per_action']:.2f}",
            "the mix's weights; a next page after"
            " 1 queue page or search in 5;\n  a ticket read before its messages, and before a change",
        ),
        (
            "requests/s an agent",
            f"{found['requests_per_agent_s']:.2f}",
            "over the mean think time, as if answers took no time\n"
            f"  ({found['measured_per_agent_s']:.2f} measured at {found['from_phase']})",
        ),
        (f"requests/s, {found['agents']:,} agents", f"{found['requests_s']:,}", ""),
        (
            "requests/s a core",
            f"{found['requests_per_core']:.1f}",
            f"the fewest of the node counts: {found['from_phase']}",
        ),
        (
            "CPU ms a request",
            f"{found['node_cpu_ms'] + found['database_cpu_ms']:.1f}",
            f"a node's {found['node_cpu_ms']:.1f}, PostgreSQL's {found['database_cpu_ms']:.1f}",
        ),
        (
            "cores kept busy",
            f"{found['busy_cores']:.1f}",
            f"{found['database_share']:.0%} of them PostgreSQL's",
        ),
        (
            f"cores at {found['busy_at_most']:.0%} busy",
            f"{found['node_cores'] + found['database_cores']:.1f}",
            f"nodes {found['node_cores']:.1f} ({found['nodes']} of {found['node_size_cores']} cores),"
            f" PostgreSQL {found['database_cores']:.1f}",
        ),
    ]
    print(f"\nOn paper: {found['agents']:,} agents")
    for name, value, why in rows:
        line = f"  {name:<30}{value:>8}  {why}".rstrip()
        print(line.replace("\n  ", "\n" + " " * 42))
    print(
        f"  (that phase kept the machine's {os.cpu_count()} cores {found['machine_busy']:.0%} busy, the load"
        f" generator\n   included, at p99 {_value(found['p99_ms'])} ms)"
    )


def _counts(counts: list[int]) -> str:
    words = [str(count) for count in counts]
    return "".join(words) if len(words) < 2 else f"{', '.join(words[:-1])} and {words[-1]}"


def _ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}"

"""`cs-tui metrics`: the sidebar's figures, for people and scripts."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from rich.text import Text

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json
from cs_tui.domain.metrics import Metrics, Window, today
from cs_tui.domain.timeutil import duration, parse_local, utcnow


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    metrics = commands.add_parser(
        "metrics",
        parents=[common],
        help="first response time, open tickets, resolution, CSAT",
        description="The metrics sidebar's figures. The window defaults to today (since local "
        "midnight) until now; a date or time without an offset is local time, so --since "
        "2026-11-01 is local midnight. FRT and awaiting count tickets created in the window; resolution "
        "counts tickets solved in it; CSAT, ratings given in it; open counts are as of now.",
    )
    metrics.add_argument(
        "--since",
        metavar="ISO",
        help="window start, e.g. 2026-11-01 (local midnight) or 2026-11-01T08:00:00+07:00",
    )
    metrics.add_argument("--until", metavar="ISO", help="window end (default: now)")
    metrics.add_argument("--json", action="store_true", help="print JSON for scripts")
    metrics.set_defaults(handler=show_metrics)


def _time(text: str, name: str) -> datetime:
    try:
        return parse_local(text)
    except ValueError:
        raise UsageError(
            f"--{name} {text!r} is not an ISO 8601 time; write e.g. 2026-11-01T08:00:00Z"
        ) from None


def window_from(since: str | None, until: str | None, now: datetime) -> Window:
    end = _time(until, "until") if until else now
    start = _time(since, "since") if since else today(end).since
    if start >= end:
        raise UsageError("--since must be before --until")
    return Window(start, end)


async def show_metrics(args: argparse.Namespace, context: Context) -> int:
    now = utcnow()
    window = window_from(args.since, args.until, now)
    store = await context.store()
    agent = await context.agent()
    figures = await store.metrics(window, viewer_id=agent.id, now=now)
    if args.json:
        print_json(figures.to_json())
    else:
        print_metrics(figures)
    return 0


def _d(seconds: float | None) -> str:
    return duration(seconds) if seconds is not None else "-"


def print_metrics(m: Metrics) -> None:
    out = console()
    since = m.window.since.astimezone().strftime("%Y-%m-%d %H:%M")
    until = m.window.until.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out.print(Text(f"{since} - {until}", style="dim"))
    lines = [
        (
            "First response",
            f"median {_d(m.frt.median_s)} · mean {_d(m.frt.mean_s)} · {m.frt.responded} answered",
        ),
        (
            "Awaiting",
            f"{m.frt.awaiting} without a reply"
            + (f" · oldest {_d(m.frt.oldest_awaiting_s)}" if m.frt.awaiting else ""),
        ),
        (
            "Open",
            f"new {m.open.new} · open {m.open.open} · pending {m.open.pending} · on hold {m.open.on_hold}",
        ),
        ("", f"unassigned {m.open.unassigned} · mine {m.open.mine} · breaching SLA {m.open.breaching}"),
        (
            "Resolution",
            f"median {_d(m.resolution.median_s)} · mean {_d(m.resolution.mean_s)} · "
            f"{m.resolution.solved} solved",
        ),
        (
            "CSAT",
            f"{m.csat.mean:.2f} from {m.csat.count} ratings" if m.csat.mean is not None else "no ratings",
        ),
    ]
    for label, value in lines:
        out.print(Text(f"{label:<15} ", style="bold") + Text(value))

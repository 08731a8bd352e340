"""The metric definitions: first response time, resolution time, SLA breach, open
counts and CSAT. Stores compute these with indexes; `compute` here is the
definition in plain Python, and the yardstick the stores are tested against."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from cs_tui.domain.models import Ticket
from cs_tui.domain.timeutil import to_iso


@dataclass(frozen=True, slots=True)
class Window:
    """Half-open: since <= t < until."""

    since: datetime
    until: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.since <= moment < self.until


def today(now: datetime) -> Window:
    """Since local midnight until `now`: the default window of the sidebar and the CLI."""
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return Window(midnight.astimezone(now.tzinfo), now)


def last_days(now: datetime, days: int) -> Window:
    return Window(now - timedelta(days=days), now)


@dataclass(frozen=True, slots=True)
class FrtStats:
    median_s: float | None
    mean_s: float | None
    responded: int
    awaiting: int
    oldest_awaiting_s: float | None


@dataclass(frozen=True, slots=True)
class OpenCounts:
    new: int
    open: int
    pending: int
    on_hold: int
    unassigned: int
    mine: int
    breaching: int

    @property
    def total(self) -> int:
        return self.new + self.open + self.pending + self.on_hold


@dataclass(frozen=True, slots=True)
class ResolutionStats:
    median_s: float | None
    mean_s: float | None
    solved: int


@dataclass(frozen=True, slots=True)
class CsatStats:
    mean: float | None
    count: int


@dataclass(frozen=True, slots=True)
class Metrics:
    window: Window
    frt: FrtStats
    open: OpenCounts
    resolution: ResolutionStats
    csat: CsatStats

    def to_json(self) -> dict[str, Any]:
        return {
            "window": {"since": to_iso(self.window.since), "until": to_iso(self.window.until)},
            "frt": asdict(self.frt),
            "open": asdict(self.open),
            "resolution": asdict(self.resolution),
            "csat": asdict(self.csat),
        }


def at_least_zero(seconds: float) -> float:
    """A duration as the figures count it: never negative, even for a ticket whose
    times cannot be (an answer dated before the question, kept from an older store)."""
    return max(0.0, seconds)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def compute(tickets: Iterable[Ticket], window: Window, *, now: datetime, agent_id: int | None) -> Metrics:
    """The metrics of `window` as seen by agent `agent_id` at `now`.

    - FRT: over tickets created in the window that have a first response; beside
      it, the window's tickets still awaiting one (active, never answered) and the
      age of the oldest at `now`.
    - Open counts: every active ticket, whatever its age; breaching, those waiting on
      the team (new or open) past their SLA deadline, whose clock stood still while
      they were pending or on hold (Ticket.is_breaching).
    - Resolution: creation to solved, over tickets solved in the window.
    - CSAT: mean of the ratings given in the window.

    A ticket merged into another counts in none of them: its conversation is the
    other's, which is counted (once). No duration counts below zero (at_least_zero).
    """
    frt: list[float] = []
    awaiting_created: list[datetime] = []
    resolution: list[float] = []
    ratings: list[int] = []
    counts = dict.fromkeys(("new", "open", "pending", "on_hold", "unassigned", "mine"), 0)
    breaching = 0
    for ticket in tickets:
        if ticket.merged_into is not None:
            continue
        if ticket.created_at in window:
            if ticket.first_response_s is not None:
                frt.append(at_least_zero(ticket.first_response_s))
            elif ticket.awaiting_first_response:
                awaiting_created.append(ticket.created_at)
        if ticket.solved_at is not None and ticket.solved_at in window:
            resolution.append(at_least_zero((ticket.solved_at - ticket.created_at).total_seconds()))
        if ticket.csat is not None and ticket.csat.rated_at in window:
            ratings.append(ticket.csat.rating)
        if ticket.status.is_active:
            counts[ticket.status.value] += 1
            if ticket.assignee is None:
                counts["unassigned"] += 1
            elif ticket.assignee.id == agent_id:
                counts["mine"] += 1
            if ticket.is_breaching(now):
                breaching += 1
    oldest = min(awaiting_created, default=None)
    return Metrics(
        window=window,
        frt=FrtStats(
            median_s=median(frt),
            mean_s=mean(frt),
            responded=len(frt),
            awaiting=len(awaiting_created),
            oldest_awaiting_s=at_least_zero((now - oldest).total_seconds()) if oldest else None,
        ),
        open=OpenCounts(breaching=breaching, **counts),
        resolution=ResolutionStats(median(resolution), mean(resolution), len(resolution)),
        csat=CsatStats(mean([float(r) for r in ratings]), len(ratings)),
    )

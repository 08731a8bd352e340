"""How a window of the metrics is read from their counters (cs_tui.store.sqlite.metric_counts):
which runs of whole days, hours and ten minutes to add or take away, and which minutes
at either end to read from the tickets themselves."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MINUTES_US = 600_000_000
HOUR_US = 6 * MINUTES_US
DAY_US = 24 * HOUR_US
SPANS = (MINUTES_US, HOUR_US, DAY_US)
"""Ten minutes, an hour and a UTC day, each a whole number of the one before."""
EVER = DAY_US << 25
"""A span of whole days that holds every moment a store keeps (until the year 2888):
its one counter, from 0, counts all time."""


@dataclass(frozen=True, slots=True)
class Pieces:
    """A window [since, until) as the counters read it: `counted`, the (weight, span,
    first, last) of runs of whole days, hours or ten minutes, [first, last), whose
    counters are added `weight` times (a negative weight takes them away), and `ends`,
    the (weight, first, last) stretches read from the tickets (at most two, each shorter
    than ten minutes).

    A window is what lies before `until` less what lies before `since`. What lies before
    a moment is the whole days before its cut and, at each finer span, either the spans
    of its day (hour, ten minutes) before its own ("down", the cut below) or those from
    its own on taken away from the whole ("up", the cut after it). Each moment takes,
    of the eight ways, the one that reads the fewest counters, counting none that
    start after `now`: nothing is counted there yet. So the end of a window at now
    reads its whole day and takes away nearly nothing, where it read every hour of it.
    A short window is read in whole spans from its start, the widest that fit, where
    that reads fewer."""

    ends: tuple[tuple[int, int, int], ...]
    counted: tuple[tuple[int, int, int, int], ...]

    @classmethod
    def before(cls, moment: int) -> Pieces:
        """Everything before `moment`, as all time (EVER) less what lies from it on:
        for what is mostly before it, as deadlines are (a few days ahead at most)."""
        after = cls.of(moment, EVER, EVER)
        return cls(
            tuple((-weight, first, last) for weight, first, last in after.ends),
            (
                (1, EVER, 0, EVER),
                *((-weight, span, first, last) for weight, span, first, last in after.counted),
            ),
        )

    @classmethod
    def of(cls, since: int, until: int, now: int) -> Pieces:
        horizon = max(now, until)
        runs = min(
            _covered(since, until), _signed(since, until, horizon), key=lambda runs: _cost(runs, horizon)
        )
        return cls(
            tuple((weight, first, last) for span, first, last, weight in runs if span == 0),
            tuple((weight, span, first, last) for span, first, last, weight in runs if span),
        )


Run = tuple[int, int, int, int]
"""(span, first, last, weight): the counters of span `span` from `first` to `last`,
each added `weight` times; span 0 for the tickets themselves."""

TICKETS_A_COUNTER = 3
"""How many counters reading ten minutes of tickets costs as much as, for choosing a
window's pieces."""


def _cost(runs: Iterable[Run], horizon: int) -> float:
    """About what reading `runs` costs, in counters, none after `horizon`."""
    cost = 0.0
    for span, first, last, _ in runs:
        last = min(last, horizon)
        if last > first:
            cost += (last - first) * TICKETS_A_COUNTER / SPANS[0] if span == 0 else -((first - last) // span)
    return cost


def _covered(since: int, until: int) -> list[Run]:
    """[since, until) in whole spans, the widest that fit, and the tickets at either end."""
    runs: list[Run] = []

    def cover(start: int, end: int, level: int) -> None:
        if start >= end:
            return
        if level < 0:
            runs.append((0, start, end, 1))
            return
        span = SPANS[level]
        first, last = -(-start // span) * span, end // span * span
        if first >= last:
            cover(start, end, level - 1)
            return
        cover(start, first, level - 1)
        runs.append((span, first, last, 1))
        cover(last, end, level - 1)

    cover(since, until, len(SPANS) - 1)
    return runs


def _signed(since: int, until: int, horizon: int) -> list[Run]:
    """[since, until) as what lies before `until` less what lies before `since`, each
    moment's ladder chosen to read the fewest counters before `horizon` (`_ladder`)."""
    runs: list[Run] = []
    cuts: list[int] = []
    top = SPANS[-1]
    for moment, sign in ((until, 1), (since, -1)):
        ladders = (_ladder(moment, ups) for ups in itertools.product((False, True), repeat=len(SPANS)))
        # With the day the top run reads for it: the end's own where its cut is after
        # it, the start's where its cut is before.
        cut, ladder = min(
            ladders,
            key=lambda found: (
                _cost(found[1], horizon) + ((found[0] > moment) if sign > 0 else (found[0] < moment))
            ),
        )
        cuts.append(cut)
        runs += [(span, first, last, sign * weight) for span, first, last, weight in ladder]
    runs.append((top, min(cuts), max(cuts), 1 if cuts[0] > cuts[1] else -1))
    return _merged(runs)


def _ladder(moment: int, ups: tuple[bool, ...]) -> tuple[int, list[Run]]:
    """What lies before `moment` from its cut on, counted the way `ups` says at each span
    (finest first): up, the spans from the moment's own to the end of the wider one,
    taken away; down, those from the start of the wider one to the moment's own. The cut
    is where the wider span's count ends. Where the moment starts a span, it and the
    finer ones have nothing to count."""
    runs: list[Run] = []
    cut, under = moment, 0
    for span, up in zip(SPANS, ups, strict=True):
        floor = moment - moment % span
        if floor == moment:
            cut = moment
        elif up:
            runs.append((under, cut, floor + span, -1))
            cut = floor + span
        else:
            runs.append((under, floor, cut, 1))
            cut = floor
        under = span
    return cut, runs


def _merged(runs: list[Run]) -> list[Run]:
    """The runs of each span summed, as maximal runs of one weight, none of weight 0."""
    steps: dict[int, Counter[int]] = {}
    for span, first, last, weight in runs:
        if first < last and weight:
            step = steps.setdefault(span, Counter())
            step[first] += weight
            step[last] -= weight
    merged: list[Run] = []
    for span, step in sorted(steps.items()):
        weight, start = 0, 0
        for at in sorted(step):
            if step[at] == 0:
                continue
            if weight:
                merged.append((span, start, at, weight))
            weight += step[at]
            start = at
    return merged

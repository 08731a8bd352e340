"""Timing one operation: warm-up runs, then many timed runs, as median and p95."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Budget:
    """How long to spend on one operation."""

    runs: int = 200
    warmup: int = 20
    min_runs: int = 20
    """A slow operation stops at its deadline, but never before this many runs."""
    seconds: float = 3.0
    """The deadline for the timed runs of one operation."""


@dataclass(frozen=True, slots=True)
class Timing:
    median_ms: float
    p95_ms: float
    runs: int

    @classmethod
    def of(cls, samples_ns: list[int]) -> Timing:
        ordered = sorted(samples_ns)
        p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
        return cls(statistics.median(ordered) / 1e6, p95 / 1e6, len(ordered))

    def to_json(self) -> dict[str, float | int]:
        return {"median_ms": round(self.median_ms, 4), "p95_ms": round(self.p95_ms, 4), "runs": self.runs}


class _Runs:
    """Counts runs against a budget: `wanted` of them, or fewer once time is up."""

    def __init__(self, wanted: int, minimum: int, seconds: float) -> None:
        self.wanted = wanted
        self.minimum = minimum
        self.deadline = time.perf_counter() + seconds
        self.done = 0

    def more(self) -> bool:
        if self.done >= self.wanted:
            return False
        return self.done < self.minimum or time.perf_counter() < self.deadline


@contextmanager
def _no_gc() -> Iterator[None]:
    # A collection landing inside one sample would show up as a p95 outlier.
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def time_sync(call: Callable[[], object], budget: Budget) -> Timing:
    warmup = _Runs(budget.warmup, 1, budget.seconds / 4)
    while warmup.more():
        call()
        warmup.done += 1
    samples: list[int] = []
    runs = _Runs(budget.runs, budget.min_runs, budget.seconds)
    with _no_gc():
        while runs.more():
            started = time.perf_counter_ns()
            call()
            samples.append(time.perf_counter_ns() - started)
            runs.done += 1
    return Timing.of(samples)


async def time_async(call: Callable[[], Awaitable[object]], budget: Budget) -> Timing:
    warmup = _Runs(budget.warmup, 1, budget.seconds / 4)
    while warmup.more():
        await call()
        warmup.done += 1
    samples: list[int] = []
    runs = _Runs(budget.runs, budget.min_runs, budget.seconds)
    with _no_gc():
        while runs.more():
            started = time.perf_counter_ns()
            await call()
            samples.append(time.perf_counter_ns() - started)
            runs.done += 1
    return Timing.of(samples)

"""How the TUI process handles its memory: what a burst of work freed goes back to
the system, and Python's cycle collector runs between keys.

A search over half of a big store makes SQLite build large lists of matches for a
moment. glibc's malloc keeps memory freed in such bursts for the next one: after a
large block is freed it raises its own thresholds (up to 32 MB), so later blocks
come from the heap and are never trimmed back. On a shared server every agent's
cs-tui would keep its biggest search for the rest of the day. With fixed
thresholds, blocks of 64 KB and more are mapped on their own and unmapped when
freed, and free memory over 64 KB at the top of the heap is given back.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import itertools
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# mallopt parameters, from glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

BURST_BLOCK_BYTES = 64 * 1024


def give_freed_memory_back() -> bool:
    """Fix glibc's thresholds (see the module's doc); False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # a C library without mallopt (musl)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, BURST_BLOCK_BYTES) and mallopt(M_TRIM_THRESHOLD, BURST_BLOCK_BYTES))


YOUNG_EVERY_S = 0.25
FULL_EVERY = 40
"""Full collections, in young ones: every 10 s."""


@asynccontextmanager
async def collecting_on_a_timer() -> AsyncIterator[None]:
    """Python's cycle collector on a timer rather than when allocations pile up.

    Left to itself it runs in the middle of drawing a frame, which is when objects
    are made: a full collection there held a ticket's opening up by 56 ms. On a timer
    it mostly falls between keys. What was loaded to start is frozen out of every
    collection (it lives as long as the program)."""
    gc.collect()
    gc.freeze()
    gc.disable()

    async def collect() -> None:
        for rounds in itertools.count(1):
            await asyncio.sleep(YOUNG_EVERY_S)
            gc.collect(2 if rounds % FULL_EVERY == 0 else 1)

    task = asyncio.create_task(collect())
    try:
        yield
    finally:
        task.cancel()
        gc.unfreeze()
        gc.enable()

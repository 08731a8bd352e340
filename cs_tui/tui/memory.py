"""How the TUI process handles its memory: what a burst of work freed goes back to
the system, and what was loaded to start is left out of Python's cycle collection.

A search over half of a big store makes SQLite build large lists of matches for a
moment. glibc's malloc keeps memory freed in such bursts for the next one: after a
large block is freed it raises its own thresholds (up to 32 MB), so later blocks
come from the heap and are never trimmed back. On a shared server every agent's
cs-tui would keep its biggest search for the rest of the day. With fixed
thresholds, blocks of 64 KB and more are mapped on their own and unmapped when
freed, and free memory over 64 KB at the top of the heap is given back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

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


def freeze_what_was_loaded() -> None:
    """Leave what was loaded to start out of every later cycle collection.

    Python's full collection walks every object the program holds; it runs as
    allocations pile up, which is in the middle of drawing a frame. The modules and
    classes loaded to start live as long as the program: frozen, they are not walked
    again, and each full collection is that much shorter. No collection first: it
    would walk all 40,000 of them (15 ms before the first frame) for a dozen objects
    of garbage."""
    gc.freeze()

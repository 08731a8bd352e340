"""Memory freed after a burst of work (a search over half the store) goes back to
the system, so an agent's cs-tui does not keep its biggest search all day; and
what was loaded to start is left out of cycle collection (shorter pauses)."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys
import weakref

import pytest

from cs_tui.tui.memory import freeze_what_was_loaded

# In a process of its own: the thresholds hold for the whole process. A 30 MB block,
# freed, raises glibc's own thresholds; then 40 MB in blocks of 1 MB, freed.
BURST = """
import sys
from cs_tui.tui.memory import give_freed_memory_back

def resident_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

assert give_freed_memory_back()
block = b"x" * (30 << 20)
del block
before = resident_kb()
burst = [b"x" * (1 << 20) for _ in range(40)]
del burst
print(resident_kb() - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_a_burst_of_big_blocks_is_given_back_once_freed() -> None:
    done = subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True, check=True)
    kept_kb = int(done.stdout)
    assert kept_kb < 8 * 1024  # glibc's defaults keep all 40 MB


def test_what_was_loaded_is_left_out_of_cycle_collection_and_the_rest_is_not() -> None:
    freeze_what_was_loaded()
    try:
        assert gc.get_freeze_count() > 10_000  # the modules and classes loaded so far
        collected: list[bool] = []
        cycle: list[object] = []
        cycle.append(cycle)
        weakref.finalize(Holder(cycle), collected.append, True)
        del cycle
        gc.collect()
        assert collected == [True]
    finally:
        gc.unfreeze()


class Holder:
    """A cycle's member that can be watched for its collection."""

    def __init__(self, cycle: list[object]) -> None:
        cycle.append(self)

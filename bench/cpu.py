"""How busy the load benchmark kept the cores: the server's processes and threads, the
load generator (this process) and the rest of the machine, read from /proc (Linux)."""

from __future__ import annotations

import contextlib
import os
import resource
from pathlib import Path


def cpu_now(pid: int) -> dict[str, float]:
    """CPU seconds so far: each thread of the server's processes (the one started and,
    with --workers, its workers), keyed "pid/thread", this process, and the whole
    machine (to tell what other processes took meanwhile)."""
    found = {}
    for process in (pid, *_children(pid)):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            for task in Path(f"/proc/{process}/task").iterdir():
                with contextlib.suppress(OSError):  # a thread that ended meanwhile
                    found[f"{process}/{task.name}"] = _thread_cpu_s(task / "stat")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    found["generator"] = usage.ru_utime + usage.ru_stime
    found["machine"] = _machine_busy_s()
    return found


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(_stat_fields(stat)[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _machine_busy_s() -> float:
    """CPU seconds every process has used since boot, all cores together."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _thread_cpu_s(stat: Path) -> float:
    fields = _stat_fields(stat)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stat_fields(stat: Path) -> list[str]:
    """The fields of a /proc stat file after the command name (which may hold spaces):
    state, parent pid, ... utime is [11], stime [12]."""
    return stat.read_text().rsplit(")", 1)[1].split()


def cpu_used(before: dict[str, float], after: dict[str, float], wall_s: float) -> dict[str, float]:
    """Cores kept busy between two readings of cpu_now: the server (its processes' main
    threads, the busiest other thread, a SQLite connection's under load, and all the
    others), the load generator, and every other process on the machine."""
    used = {key: max(0.0, after[key] - before.get(key, 0.0)) / wall_s for key in after}
    generator, machine = used.pop("generator"), used.pop("machine")
    mains = [key for key in used if key.split("/")[0] == key.split("/")[1]]
    main = sum(used.pop(key) for key in mains)
    server = main + sum(used.values())
    found = {
        "server": server,
        "server_main": main,
        "server_busiest_thread": max(used.values(), default=0.0),
        "server_threads": server - main,
        "generator": generator,
        "other_processes": max(0.0, machine - server - generator),
    }
    return {key: round(value, 2) for key, value in found.items()}

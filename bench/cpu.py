"""How busy the load benchmark kept the cores: the server's processes and threads (of
one node or several), PostgreSQL's processes when the store is there, the load
generator (this process) and the rest of the machine, read from /proc (Linux)."""

from __future__ import annotations

import contextlib
import os
import resource
from dataclasses import dataclass
from pathlib import Path

DATABASE = "pg:"
"""The key prefix of PostgreSQL's processes in a reading of cpu_now."""
SHARED = "pg:shared:"
"""The key prefix of those of them that work for every database (WAL writer, checkpointer...)."""


@dataclass(frozen=True, slots=True)
class Postgres:
    """A PostgreSQL cluster on this machine, and the database the benchmark uses in it."""

    postmaster: int
    """The pid of the cluster's first process, whose children are all the others."""
    database: str


def cpu_now(*pids: int, postgres: Postgres | None = None) -> dict[str, float]:
    """CPU seconds so far: each thread of the server's processes (each one started and,
    with --workers, its workers), keyed "pid/thread"; with `postgres`, its processes
    that work for the benchmark's database, keyed "pg:pid", and those that work for
    every database, "pg:shared:pid"; this process; and the whole machine (to tell what
    other processes took meanwhile)."""
    found = {}
    for process in (process for pid in pids for process in (pid, *_children(pid))):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            for task in Path(f"/proc/{process}/task").iterdir():
                with contextlib.suppress(OSError):  # a thread that ended meanwhile
                    found[f"{process}/{task.name}"] = _thread_cpu_s(task / "stat")
    if postgres is not None:
        for process in (postgres.postmaster, *_children(postgres.postmaster)):
            with contextlib.suppress(OSError, ValueError):
                database = _database_of(process)
                if database is None:
                    found[f"{SHARED}{process}"] = _thread_cpu_s(Path(f"/proc/{process}/stat"))
                elif database == postgres.database:
                    found[f"{DATABASE}{process}"] = _thread_cpu_s(Path(f"/proc/{process}/stat"))
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


def postmaster_of(backend: int) -> int | None:
    """The cluster's first process, from the pid of one of its backends (SELECT
    pg_backend_pid()); None when that is not a PostgreSQL process on this machine."""
    try:
        if not Path(f"/proc/{backend}/cmdline").read_bytes().startswith(b"postgres:"):
            return None
        return int(_stat_fields(Path(f"/proc/{backend}/stat"))[1])
    except (OSError, ValueError, IndexError):
        return None


def _database_of(process: int) -> str | None:
    """The database a PostgreSQL process works in, from the title it shows: "postgres:
    USER DATABASE HOST(PORT) STATE" for a client's, "postgres: autovacuum worker
    DATABASE", "postgres: parallel worker for PID N" for a helper of another; None for
    the processes of the whole cluster (checkpointer, WAL writer, ...)."""
    words = Path(f"/proc/{process}/cmdline").read_bytes().decode(errors="replace").split()
    if len(words) >= 4 and words[0] == "postgres:" and ("(" in words[3] or words[3] == "[local]"):
        return words[2]
    if words[1:3] == ["autovacuum", "worker"] and len(words) >= 4:
        return words[3]
    if words[1:5] == ["parallel", "worker", "for", "PID"] and len(words) >= 6:
        return _database_of(int(words[5])) or "?"
    return None


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
    others), PostgreSQL's processes (when read), the load generator, and every other
    process on the machine. A process born meanwhile counts from its start."""
    used = {key: max(0.0, after[key] - before.get(key, 0.0)) / wall_s for key in after}
    generator, machine = used.pop("generator"), used.pop("machine")
    shared = sum(used[key] for key in used if key.startswith(SHARED))
    database = sum(used.pop(key) for key in [key for key in used if key.startswith(DATABASE)])
    mains = [key for key in used if key.split("/")[0] == key.split("/")[1]]
    main = sum(used.pop(key) for key in mains)
    server = main + sum(used.values())
    found = {
        "server": server,
        "server_main": main,
        "server_busiest_thread": max(used.values(), default=0.0),
        "server_threads": server - main,
        "generator": generator,
        "other_processes": max(0.0, machine - server - generator - database),
    }
    if any(key.startswith(DATABASE) for key in after):
        found["database"] = database
        found["database_shared"] = shared
    return {key: round(value, 2) for key, value in found.items()}

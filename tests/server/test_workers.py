"""`cs-tui serve --workers 2`: two server processes on one port and one store answer
as one server: every write is stored once, every event reaches every listener
whichever process serves it, and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cs_tui.domain.models import Event, NewMessage
from cs_tui.store import open_store
from cs_tui.store.http import HttpStore

from .conftest import CS_TUI, Server, demo_server
from .test_team import collect, wait_for

pytestmark = pytest.mark.slow  # real servers stopped, killed and started again

CLIENTS = 8
REPLIES_EACH = 5


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Server]:
    with demo_server(tmp_path, workers=2) as served:
        yield served


def worker_pids(log: str) -> set[int]:
    return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log)}


async def test_two_workers_store_each_reply_once_and_share_every_event(workers: Server) -> None:
    listener = await open_store(workers.url, token=workers.token("Sari", "sari@toko.example"))
    token = workers.token("Budi", "budi@toko.example")
    writers = [await open_store(workers.url, token=token) for _ in range(CLIENTS)]
    assert isinstance(listener, HttpStore)
    assert all(isinstance(writer, HttpStore) for writer in writers)
    seen: list[Event] = []
    listening = asyncio.create_task(collect(listener, await listener.last_event_id(), seen))
    try:

        async def reply(writer: HttpStore, number: int) -> None:
            for each in range(REPLIES_EACH):
                text = f"Balasan {number}-{each}"
                await writer.add_message(7, NewMessage(str(uuid.uuid4()), text), actor_id=writer.agent.id)

        await asyncio.gather(*(reply(writer, n) for n, writer in enumerate(writers)))  # type: ignore[arg-type]
        await wait_for(seen, CLIENTS * REPLIES_EACH)
        await asyncio.sleep(0.3)
        assert len(seen) == CLIENTS * REPLIES_EACH
        assert {event.kind for event in seen} == {"message.added"}
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        for store in (listener, *writers):
            await store.close()

    shown = json.loads(workers.cli("ticket", "show", "7", "--json"))
    bodies = [m["body"] for m in shown["messages"] if m["body"].startswith("Balasan ")]
    assert sorted(bodies) == sorted(f"Balasan {n}-{e}" for n in range(CLIENTS) for e in range(REPLIES_EACH))


def test_sigterm_ends_live_streams_and_stops_every_worker(workers: Server) -> None:
    headers = {"Authorization": f"Bearer {workers.token('Budi', 'budi@toko.example')}"}
    process = workers.process
    assert process is not None
    assert process.stderr is not None
    with (
        httpx.Client(base_url=f"{workers.url}/api/v1", headers=headers, timeout=10) as client,
        client.stream("GET", "/events") as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        rest = list(lines)  # the stream ends rather than holding the shutdown up
    assert all(not line or line.startswith(":") for line in rest)
    assert process.wait(15) == 0
    # Not a speed figure: with streams left open, the workers wait out their 10 s grace.
    assert time.monotonic() - started < 8
    workers.process = None
    log = process.stderr.read().decode()
    pids = worker_pids(log)
    assert len(pids) == 2, log
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_must_be_one_or_more(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CS_TUI, "serve", "--store", str(tmp_path / "s.db"), "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "--workers is how many server processes to run: 1 or more" in done.stderr

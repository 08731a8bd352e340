"""A flood of silent or slow connections does not shut agents out: such connections
are closed, their number is bounded under the server's file limit, and an agent's
request and live stream go on meanwhile."""

from __future__ import annotations

import asyncio
import resource
import select
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from .conftest import Server, demo_server

pytestmark = pytest.mark.slow  # waits for the server to close what stays silent

FILES = 256
"""The server's file limit here: as 1,024 is to 1,100 idle sockets, at a quarter the size."""
IDLE_SOCKETS = 300
CLOSED_WITHIN_S = 30.0


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Server]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE_SOCKETS + 200:  # this test's own sockets
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, IDLE_SOCKETS + 200), hard))
    try:
        with demo_server(tmp_path, files=FILES) as served:
            yield served
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def closed(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (without waiting)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1024) == b""
    except OSError:
        return True


async def test_idle_and_slow_connections_do_not_shut_out_a_working_agent(limited: Server) -> None:
    server = limited
    token = server.token("Dewi", "dewi@toko.example")
    signed = {"Authorization": f"Bearer {token}"}
    api = f"{server.url}/api/v1"
    async with (
        httpx.AsyncClient(base_url=api, headers=signed, timeout=10) as client,
        client.stream("GET", "/events") as live,
    ):
        assert live.status_code == 200
        lines = live.aiter_lines()
        with ExitStack() as stack:
            idle = [
                stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
                for _ in range(IDLE_SOCKETS)
            ]
            slow = stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            slow.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n")

            served = await client.get("/me")  # while all those sit there
            assert served.status_code == 200
            assert served.json()["email"] == "dewi@toko.example"

            deadline = time.monotonic() + CLOSED_WITHIN_S
            open_ones = [*idle, slow]
            while open_ones:
                assert time.monotonic() < deadline, f"{len(open_ones)} idle connections still open"
                open_ones = [sock for sock in open_ones if not closed(sock)]
                if slow in open_ones:
                    slow.sendall(b"X")  # a header trickling in, a byte at a time
                await asyncio.sleep(0.5)

        # The live stream was not idle: it is open still, and brings what happens now.
        note = {"client_id": str(uuid.uuid4()), "body": "Masih di sini", "internal": True}
        assert (await client.post("/tickets/1/messages", json=note)).status_code == 201
        async with asyncio.timeout(15):
            async for line in lines:
                if line.startswith("event: message"):
                    break


def test_max_connections_must_be_one_or_more(tmp_path: Path) -> None:
    server = Server(tmp_path, options=("--max-connections", "0"))
    with pytest.raises(AssertionError, match=r"--max-connections is how many.*1 or more"):
        server.start()

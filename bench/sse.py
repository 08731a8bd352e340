"""A lean reader of a server-sent event stream, for the load benchmarks: their
hundreds of agents each follow `/events` from one process on the machine the server
runs on, where httpx's streaming (each chunk parsed by h11, in Python) took a quarter
of the load generator's CPU and lagged its loop, which every request's time then
counted. The stream is plain HTTP/1.1: a status line, headers, and chunks of lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit


class StreamRefused(Exception):
    """The server answered the stream's request with another status than 200."""


async def event_lines(url: str, token: str, opened: asyncio.Event) -> AsyncIterator[bytes]:
    """The lines of the event stream at `url` (`http://host:port/path?query`), asked
    with the agent's bearer token; `opened` is set once the server has answered 200."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        status = await reader.readline()
        if status.split(b" ")[1:2] != [b"200"]:
            raise StreamRefused(status.decode(errors="replace").strip())
        chunked = False
        while (header := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = header.lower().partition(b":")
            chunked = chunked or (name.strip() == b"transfer-encoding" and b"chunked" in value)
        opened.set()
        pending = b""
        while True:
            if chunked:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    return
                data = (await reader.readexactly(size + 2))[:-2]
            else:
                data = await reader.read(65_536)
                if not data:
                    return
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                yield line
    finally:
        writer.close()

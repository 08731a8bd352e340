"""Protections every public door shares: how fast one visitor or one address may
write (answered with 429, Retry-After and how long to wait, in words), and the
headers that let a shop's pages read the answers (CORS, for the sites a chat allows;
the route itself refuses any other site)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cs_tui.domain.channels import ChannelInfo
from cs_tui.server.problems import Problem
from cs_tui.store.base import ChannelStore, NotFound, Store, channel_store

PUBLIC = "/public/v1"


@dataclass(slots=True)
class RateLimits:
    """Token buckets by key ("message:VISITOR", "session:ADDRESS"): each allows
    `burst` at once and `per_minute` on average. Kept in the process: with several
    server processes a visitor gets each one's allowance, which is still a limit."""

    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def wait_s(self, key: str, *, per_minute: float, burst: int) -> float:
        """0 when `key` may act now (and it is counted), else the seconds to wait."""
        now = time.monotonic()
        tokens, at = self.buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - at) * per_minute / 60)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) * 60 / per_minute
        self.buckets[key] = (tokens - 1, now)
        if len(self.buckets) > 100_000:  # forget those long refilled
            for old in [k for k, (_, seen) in self.buckets.items() if now - seen > 3600][:50_000]:
                del self.buckets[old]
        return 0.0

    def check(self, key: str, what: str, *, per_minute: float, burst: int) -> None:
        """Problem 429 saying `what` is too fast and how long to wait."""
        wait = self.wait_s(key, per_minute=per_minute, burst=burst)
        if wait:
            seconds = max(1, math.ceil(wait))
            raise Problem(
                429,
                "Too fast",
                f"{what} too fast; wait {seconds} second{'s' if seconds != 1 else ''} and try again.",
                {"Retry-After": str(seconds)},
            )


async def public_channel(
    store: Store, name: str, kind: str, noun: str, nouns: str
) -> tuple[ChannelStore, ChannelInfo]:
    """The channel `name` of `kind` a public door serves (a chat, a form): 503 when the
    store is another server's, 404 in words when there is none such."""
    channels = channel_store(store)
    if channels is None:
        raise Problem(503, f"No {nouns} here", f"This server has no {nouns}: its store is another server's.")
    try:
        info: ChannelInfo | None = await channels.get_channel(name)
    except NotFound:
        info = None
    if info is None or info.kind != kind:
        raise Problem(404, f"No such {noun}", f"There is no {noun} named {name} on this server.")
    return channels, info


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class PublicCors:
    """Lets the page that called read the answer, error or not: the calling site is
    echoed back (the chat's routes refuse a site the chat does not allow, in words the
    widget can then show), and preflights are answered here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PUBLIC):
            await self.app(scope, receive, send)
            return
        origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
        if origin is None:
            await self.app(scope, receive, send)
            return
        allow = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
            (b"access-control-expose-headers", b"Retry-After"),
        ]
        if scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        *allow,
                        (b"access-control-allow-methods", b"GET, POST"),
                        (b"access-control-allow-headers", b"Authorization, Content-Type, Last-Event-ID"),
                        (b"access-control-max-age", b"600"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_allowing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *allow]}
            await send(message)

        await self.app(scope, receive, send_allowing)

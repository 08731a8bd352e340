"""`cs-tui serve`: the team server, for agents on other machines."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from cs_tui.cli.context import Context, UsageError
from cs_tui.domain.tokens import token_hash

DEFAULT_PORT = 8765
MIN_SERVICE_TOKEN = 32


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="the team server: this store over HTTP",
        description="Serve the store over HTTP under /api/v1 (OpenAPI at /api/v1/openapi.json). "
        "Every request needs a token from `cs-tui agent add`. Listens on 127.0.0.1 unless --host "
        "says otherwise; use --certfile and --keyfile for HTTPS, or a reverse proxy.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--certfile", help="TLS certificate (PEM), with --keyfile")
    serve.add_argument("--keyfile", help="TLS private key (PEM), with --certfile")
    serve.add_argument(
        "--service-token-file",
        metavar="FILE",
        help="a file holding a token for channels and scripts that act as the helpdesk itself "
        "(an admin's rights, no agent's name): a long random line, e.g. from `openssl rand -hex 32`",
    )
    serve.set_defaults(handler=run_server)


async def run_server(args: argparse.Namespace, context: Context) -> int:
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile and --keyfile go together: give both for HTTPS, or neither")
    import uvicorn

    from cs_tui.server.app import create_app

    service_hash = _service_token_hash(args.service_token_file) if args.service_token_file else None
    _log_requests()
    store = await context.store()
    config = uvicorn.Config(
        create_app(store, service_token_hash=service_hash),
        host=args.host,
        port=args.port,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    await _server_class()(config).serve()
    return 0


def _server_class() -> Any:
    import uvicorn

    class Server(uvicorn.Server):
        """Ends the live event streams as soon as it is asked to stop, so that requests in
        flight finish and it exits, rather than waiting on streams that never end."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            app: Any = self.config.app
            hub = getattr(app.state, "hub", None)
            if hub is not None:
                asyncio.get_event_loop().call_soon_threadsafe(hub.close)
            super().handle_exit(sig, frame)

    return Server


def _log_requests() -> None:
    """The access log: one JSON line per request on standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger("cs_tui.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


def _service_token_hash(path: str) -> str:
    try:
        token = Path(path).read_text().strip()
    except OSError as error:
        raise UsageError(f"cannot read --service-token-file: {error.strerror}: {error.filename}") from None
    if len(token) < MIN_SERVICE_TOKEN:
        raise UsageError(
            f"the service token in {path} is {len(token)} characters; "
            f"use at least {MIN_SERVICE_TOKEN} random ones, e.g. from `openssl rand -hex 32`"
        )
    return token_hash(token)

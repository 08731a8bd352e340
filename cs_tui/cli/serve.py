"""`cs-tui serve`: the team server, for agents on other machines."""

from __future__ import annotations

import argparse
from typing import Any

from cs_tui.cli.context import Context, UsageError

DEFAULT_PORT = 8765


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
    serve.set_defaults(handler=run_server)


async def run_server(args: argparse.Namespace, context: Context) -> int:
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile and --keyfile go together: give both for HTTPS, or neither")
    import uvicorn

    from cs_tui.server.app import create_app

    store = await context.store()
    config = uvicorn.Config(
        create_app(store),
        host=args.host,
        port=args.port,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    await uvicorn.Server(config).serve()
    return 0

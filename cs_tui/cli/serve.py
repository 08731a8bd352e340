"""`cs-tui serve`: the team server, for agents on other machines."""

from __future__ import annotations

import argparse
import ipaddress
import os
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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port, each with the store open (default 1); "
        "more answer more agents at once on a machine with more cores",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections each server process keeps at most (default 1000, or fewer when "
        "the file limit allows fewer); past it the one idle the longest is closed",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help="a reverse proxy's address (or network, e.g. 10.0.0.0/24) whose X-Forwarded-For "
        "names the client; repeat for more. Without it X-Forwarded-For is ignored, and every "
        "client is the address it connects from",
    )
    serve.set_defaults(handler=run_server, fast_loop=True)


async def run_server(args: argparse.Namespace, context: Context) -> int:
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile and --keyfile go together: give both for HTTPS, or neither")
    if args.workers < 1:
        raise UsageError("--workers is how many server processes to run: 1 or more")
    if args.max_connections is not None and args.max_connections < 1:
        raise UsageError("--max-connections is how many connections to keep open at most: 1 or more")
    import uvicorn

    from cs_tui.server import connections, workers
    from cs_tui.server.app import create_app, log_requests

    trusted = [_proxy(address) for address in args.trusted_proxy]
    service_hash = _service_token_hash(args.service_token_file) if args.service_token_file else None
    store = await context.store()  # opened here first, so that an upgrade runs once
    settings: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "ssl_certfile": args.certfile,
        "ssl_keyfile": args.keyfile,
        "log_level": "info",
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        # uvicorn trusts X-Forwarded-For from loopback unless told otherwise: a client
        # there could then name any address and so dodge the wrong-token limit.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        # Silent or slow connections are closed and their number bounded (see
        # cs_tui.server.connections); the live streams are requests in flight and stay.
        "http": connections.PROTOCOL,
        "timeout_keep_alive": connections.KEEP_ALIVE_S,
    }
    os.environ[connections.MAX_CONNECTIONS_ENV] = str(connections.connection_bound(args.max_connections))
    if args.workers == 1:
        log_requests()
        app = create_app(
            store,
            service_token_hash=service_hash,
            end_streams_on_signal=True,
            run_channels=True,
            wake_snoozed=True,
        )
        await uvicorn.Server(uvicorn.Config(app, **settings)).serve()
        return 0
    await context.close()
    os.environ[workers.STORE_ENV] = context.store_label
    os.environ[workers.SERVICE_HASH_ENV] = service_hash or ""
    if context.token:
        os.environ[workers.TOKEN_ENV] = context.token
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(f"{workers.__name__}:app", factory=True, workers=args.workers, **settings)

    # Starts the workers and keeps them running until SIGINT or SIGTERM; nothing else
    # runs in this process meanwhile.
    Multiprocess(config, sockets=[config.bind_socket()]).run()
    return 0


def _proxy(address: str) -> str:
    try:
        return str(ipaddress.ip_network(address.strip(), strict=False))
    except ValueError:
        raise UsageError(
            f"--trusted-proxy {address!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/24)"
        ) from None


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

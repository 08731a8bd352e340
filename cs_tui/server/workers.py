"""`cs-tui serve --workers N`: several server processes on one port, each with the
store open itself (a local store takes writers from several processes at once)."""

from __future__ import annotations

import os
from functools import partial

from fastapi import FastAPI

from cs_tui.server.app import create_app, log_requests
from cs_tui.store import open_store

STORE_ENV = "CS_TUI_SERVE_STORE"
"""The store every worker opens, set by the process that starts them."""
SERVICE_HASH_ENV = "CS_TUI_SERVE_SERVICE_HASH"
"""The service token's hash, if there is one."""
TOKEN_ENV = "CS_TUI_TOKEN"
"""The token for a store that is itself a server (as for every cs-tui command)."""


def app() -> FastAPI:
    """The app of one worker (a uvicorn factory, run in the worker's process)."""
    log_requests()
    return create_app(
        partial(open_store, os.environ[STORE_ENV], token=os.environ.get(TOKEN_ENV)),
        service_token_hash=os.environ.get(SERVICE_HASH_ENV) or None,
        end_streams_on_signal=True,
        run_channels=True,
        wake_snoozed=True,
    )

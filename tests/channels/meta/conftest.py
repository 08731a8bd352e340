"""What the Meta channel tests share: the Graph API stand-in, and each channel's
settings pointed at it with its secrets in environment variables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cs_tui.channels.meta.settings import MetaSettings

from ...graphapi import PAGE_ID, PHONE_NUMBER_ID, GraphApi, graph_api_server


@pytest.fixture
def graph_api() -> Iterator[GraphApi]:
    with graph_api_server() as api:
        yield api


def settings_for(kind: str, graph_url: str, **changes: object) -> MetaSettings:
    """A `kind` channel reading its secrets from SHOP_APP_SECRET, SHOP_TOKEN and
    SHOP_VERIFY, its Graph API at `graph_url`."""
    ids = {"phone_number_id": PHONE_NUMBER_ID} if kind == "whatsapp" else {"page_id": PAGE_ID}
    options: dict[str, object] = {
        **ids,
        "app_secret_env": "SHOP_APP_SECRET",
        "access_token_env": "SHOP_TOKEN",
        "verify_token_env": "SHOP_VERIFY",
        "graph_url": graph_url,
    }
    options.update(changes)
    return MetaSettings.parse(kind, **options)  # type: ignore[arg-type]

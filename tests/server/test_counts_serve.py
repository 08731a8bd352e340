"""A queue page's count over HTTP: `{"value": N, "exact": true}`, or past 1,000 maybe
an estimate, `"exact": false`; `/tickets/count` counts exactly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from cs_tui.store import open_store
from tests.contract.helpers import PESANAN, SHOP, fill_shop

from .conftest import Server


async def shop_store(path: Path) -> None:
    store = await open_store(str(path))
    try:
        await fill_shop(store)
    finally:
        await store.close()


def test_a_page_says_whether_its_total_is_exact(tmp_path: Path) -> None:
    served = Server(tmp_path)
    asyncio.run(shop_store(served.store))
    served.start()
    try:
        token = served.token("Dewi Lestari", "dewi@toko.example")
        api = httpx.Client(base_url=f"{served.url}/api/v1", headers={"Authorization": f"Bearer {token}"})
        exact = api.get("/tickets", params={"q": "ongkir", "limit": 3}).json()
        assert exact["total"] == {"value": 1_000, "exact": True}
        assert len(exact["tickets"]) == 3
        assert exact["next_cursor"]

        estimated = api.get("/tickets", params={"q": "pesanan", "limit": 3}).json()
        assert set(estimated["total"]) == {"value", "exact"}
        assert estimated["total"]["exact"] is False
        assert abs(estimated["total"]["value"] - PESANAN) <= 0.05 * PESANAN
        assert api.get("/tickets/count", params={"q": "pesanan"}).json() == {"count": PESANAN}

        everyone = api.get("/tickets", params={"limit": 1}).json()
        assert everyone["total"] == {"value": SHOP, "exact": True}
        customer = everyone["tickets"][0]["customer"]["id"]
        theirs = api.get(f"/customers/{customer}/tickets", params={"q": "pesanan"}).json()
        assert theirs["total"]["exact"] is True
        assert theirs["total"]["value"] == len(theirs["tickets"])

        document = httpx.get(f"{served.url}/api/v1/openapi.json").json()
        total = document["components"]["schemas"]["Total"]
        assert set(total["properties"]) == {"value", "exact"}
    finally:
        served.kill()

"""Customers over HTTP: HttpStore's reads of customers and their records, and the
edits and merges an agent makes to them."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import TypeAdapter

from cs_tui.domain.customers import CustomerChanges, CustomerMerge, CustomerPage, CustomerRecord
from cs_tui.domain.models import Customer
from cs_tui.store.http.client import Client

_customers = TypeAdapter(list[Customer])
_page = TypeAdapter(CustomerPage)
_record = TypeAdapter(CustomerRecord)
_merge = TypeAdapter(CustomerMerge)


class _Calling(Protocol):
    _client: Client

    def _as(self, agent_id: int | None) -> dict[str, str] | None: ...

    async def get_customer_record(self, customer_id: int) -> CustomerRecord: ...


class CustomerCalls:
    """`/customers` and the requests under it, for HttpStore."""

    async def customer_ticket_count(self: _Calling, customer_id: int) -> int:
        answer = await self._client.call("GET", f"/customers/{customer_id}/ticket-count")
        return int(answer.json()["count"])

    async def get_customer(self: _Calling, customer_id: int) -> Customer:
        return (await self.get_customer_record(customer_id)).customer

    async def find_customer(self: _Calling, email: str) -> Customer | None:
        answer = await self._client.call("GET", "/customers", params={"email": email})
        found = _customers.validate_python(answer.json())
        return found[0] if found else None

    async def list_customers(
        self: _Calling, term: str = "", *, after: str | None = None, limit: int = 50
    ) -> CustomerPage:
        params: dict[str, Any] = {"q": term, "limit": limit}
        if after is not None:
            params["after"] = after
        answer = await self._client.call("GET", "/customers", params=params)
        return _page.validate_python(answer.json())

    async def get_customer_record(self: _Calling, customer_id: int) -> CustomerRecord:
        answer = await self._client.call("GET", f"/customers/{customer_id}")
        return _record.validate_python(answer.json())

    async def update_customer(
        self: _Calling,
        customer_id: int,
        changes: CustomerChanges,
        *,
        expected_version: int,
        actor_id: int | None,
    ) -> CustomerRecord:
        body: dict[str, Any] = {"expected_version": expected_version}
        for name in ("name", "notes"):
            if (value := getattr(changes, name)) is not None:
                body[name] = value
        for name in ("add_tags", "remove_tags"):
            if tags := getattr(changes, name):
                body[name] = list(tags)
        for name in ("add_identities", "remove_identities"):
            if identities := getattr(changes, name):
                body[name] = [{"kind": i.kind.value, "value": i.value} for i in identities]
        answer = await self._client.call(
            "PATCH", f"/customers/{customer_id}", json=body, headers=self._as(actor_id)
        )
        return _record.validate_python(answer.json())

    async def merge_customers(
        self: _Calling, merged_id: int, into_id: int, *, actor_id: int | None
    ) -> CustomerMerge:
        answer = await self._client.call(
            "POST", f"/customers/{merged_id}/merge", json={"into": into_id}, headers=self._as(actor_id)
        )
        return _merge.validate_python(answer.json())

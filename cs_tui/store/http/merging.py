"""Merging and splitting tickets over HTTP: HttpStore's merge_tickets and split_ticket."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import TypeAdapter

from cs_tui.domain.merging import TicketMerge, TicketSplit
from cs_tui.store.http.client import Client

_merge = TypeAdapter(TicketMerge)
_split = TypeAdapter(TicketSplit)


class _Calling(Protocol):
    _client: Client

    def _as(self, agent_id: int | None) -> dict[str, str] | None: ...


class TicketMoves:
    """`POST /tickets/ID/merge` and `POST /tickets/ID/split`, for HttpStore."""

    async def merge_tickets(
        self: _Calling,
        merged_id: int,
        into_id: int,
        *,
        expected_version: int,
        into_expected_version: int,
        actor_id: int | None,
    ) -> TicketMerge:
        body = {
            "into": into_id,
            "expected_version": expected_version,
            "into_expected_version": into_expected_version,
        }
        answer = await self._client.call(
            "POST", f"/tickets/{merged_id}/merge", json=body, headers=self._as(actor_id)
        )
        return _merge.validate_python(answer.json())

    async def split_ticket(
        self: _Calling,
        ticket_id: int,
        message_id: int,
        *,
        and_after: bool = False,
        subject: str | None = None,
        expected_version: int,
        actor_id: int | None,
    ) -> TicketSplit:
        body: dict[str, Any] = {
            "message_id": message_id,
            "and_after": and_after,
            "subject": subject,
            "expected_version": expected_version,
        }
        answer = await self._client.call(
            "POST", f"/tickets/{ticket_id}/split", json=body, headers=self._as(actor_id)
        )
        return _split.validate_python(answer.json())

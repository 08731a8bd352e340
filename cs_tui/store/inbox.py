"""What a channel fed by webhooks (WhatsApp, Messenger, Instagram) asks of the store
besides what every channel does: an inbox, so that a webhook is answered at once and
nothing it brought is lost, and its replies' delivery as the app reports it."""

from __future__ import annotations

from typing import Protocol

from cs_tui.domain.channels import DeliveryState


class ChannelInbox(Protocol):
    """A channel's inbox of webhook deliveries, part of every ChannelStore."""

    async def keep_received(self, channel: str, raw: bytes) -> int:
        """Keeps a webhook delivery exactly as it came, to be taken in after (the
        webhook answers at once); its id, larger than every id before it. A
        CHANNEL_RECEIVED event in the same transaction wakes the process that works the
        channel, whichever it is. Deliveries the channel's cursor has passed are dropped
        once messaging.RECEIVED_KEPT old. NotFound when there is no such channel."""
        ...

    async def received(self, channel: str, after: int, limit: int) -> list[tuple[int, bytes]]:
        """The channel's kept deliveries after id `after`, oldest first, at most `limit`,
        each as (id, raw bytes). The worker takes each in with `cursor=str(id)` (take_in,
        quarantine), so that the cursor moves in the same transaction as what it wrote."""
        ...

    async def received_done(self, channel: str, received_id: int) -> None:
        """Moves the channel's cursor past delivery `received_id` when what it held wrote
        nothing that carried the cursor (only delivery reports, or nothing to keep)."""
        ...

    async def delivery_seen(
        self, channel: str, external_id: str, state: DeliveryState, reason: str = ""
    ) -> bool:
        """The app reports where one of the channel's replies is, by the id it went out
        under (the message's external id, as finish_delivery recorded it): sent,
        delivered, read, or failed with `reason`. It only moves forward
        (messaging.delivery_advances), with a DELIVERY_CHANGED event. Whether it moved:
        False for an id no reply of the channel has, or a report older than one seen."""
        ...

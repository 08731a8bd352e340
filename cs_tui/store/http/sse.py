"""Reading a Server-Sent Events stream of the store's events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from pydantic import TypeAdapter

from cs_tui.domain.models import Event, EventKind

_event = TypeAdapter(Event)


async def read_events(lines: AsyncIterator[str]) -> AsyncIterator[Event]:
    """The events in a text/event-stream, as each one's blank line ends it.
    Comments (the server's heartbeats) and `retry:` lines are skipped."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                event = json.loads("\n".join(data))
                data = []
                if isinstance(event, dict) and EventKind.known(str(event.get("kind"))) is not None:
                    yield _event.validate_python(event)  # else a newer server's kind: not for us
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))

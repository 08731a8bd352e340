"""What changed between two versions of a ticket, in words an agent reads at a glance."""

from __future__ import annotations

from cs_tui.domain.models import Ticket
from cs_tui.domain.text import sanitize_line
from cs_tui.tui.format import status_label


def describe_changes(seen: Ticket, current: Ticket) -> list[str]:
    lines: list[str] = []
    if seen.status != current.status:
        lines.append(f"status {status_label(seen.status)} → {status_label(current.status)}")
    if seen.priority != current.priority:
        lines.append(f"priority {seen.priority.value} → {current.priority.value}")
    if seen.assignee != current.assignee:
        before = seen.assignee.name if seen.assignee else "nobody"
        after = current.assignee.name if current.assignee else "nobody"
        lines.append(f"assigned {before} → {after}")
    added = [t for t in current.tags if t not in seen.tags]
    removed = [t for t in seen.tags if t not in current.tags]
    if added:
        lines.append("tags added: " + " ".join(sanitize_line(t) for t in added))
    if removed:
        lines.append("tags removed: " + " ".join(sanitize_line(t) for t in removed))
    if seen.subject != current.subject:
        lines.append(f"subject now {sanitize_line(current.subject)!r}")
    if current.message_count > seen.message_count:
        new = current.message_count - seen.message_count
        lines.append(f"{new} new message{'s' if new > 1 else ''}")
    return lines

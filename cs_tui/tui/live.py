"""Which of the agent's views a new ticket belongs to, for the "new ticket" notice.

Filters are checked exactly; free words are matched against the subject and the
customer, which is what a new ticket's first glance shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cs_tui.config import View
from cs_tui.domain.models import Ticket
from cs_tui.domain.query import Field, Filter, Query, QueryError, parse


def matching_views(ticket: Ticket, views: Iterable[View], *, viewer_id: int, now: datetime) -> list[str]:
    names = []
    for view in views:
        try:
            query = parse(view.query)
        except QueryError:
            continue
        if ticket_matches(query, ticket, viewer_id=viewer_id, now=now):
            names.append(view.name)
    return names


def ticket_matches(query: Query, ticket: Ticket, *, viewer_id: int, now: datetime) -> bool:
    for item in query.filters:
        if _filter_matches(item, ticket, viewer_id=viewer_id, now=now) == item.negated:
            return False
    haystack = " ".join([ticket.subject, ticket.customer.name, ticket.customer.email]).lower()
    return all((word.text.lower() in haystack) != word.negated for word in query.words)


def _filter_matches(item: Filter, ticket: Ticket, *, viewer_id: int, now: datetime) -> bool:
    values = item.values
    match item.field:
        case Field.STATUS:
            return ticket.status.value in values
        case Field.PRIORITY:
            return ticket.priority.value in values
        case Field.CHANNEL:
            return ticket.channel.value in values
        case Field.TAG:
            return any(tag in values for tag in ticket.tags)
        case Field.CUSTOMER:
            return ticket.customer.email.lower() in {v.lower() for v in values}
        case Field.BREACHING:
            return ("yes" if ticket.is_breaching(now) else "no") in values
        case Field.ASSIGNEE:
            assignee = ticket.assignee
            for value in values:
                if value == "me" and assignee is not None and assignee.id == viewer_id:
                    return True
                if value == "none" and assignee is None:
                    return True
                if assignee is not None and value.lower() in (assignee.email.lower(), assignee.name.lower()):
                    return True
            return False
    raise AssertionError(item.field)

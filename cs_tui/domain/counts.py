"""A queue's count, exact or an estimate (ARCHITECTURE.md, "Counts"): how it reads
("about 51,000") and how the HTTP API carries it (`{"value": N, "exact": false}`)."""

from __future__ import annotations

from dataclasses import dataclass

from cs_tui.domain.models import Ticket, TicketPage

ESTIMATE_DIGITS = 2
"""An estimate reads to this many significant digits: "about 51,000", not "about 51,284"."""


def count_text(total: int, *, estimate: bool = False) -> str:
    """A count as the queue and the CLI say it: "51,284", or "about 51,000"."""
    if not estimate:
        return f"{total:,}"
    rounded = round(total, ESTIMATE_DIGITS - len(str(abs(total)))) if total else 0
    return f"about {rounded:,}"


@dataclass(frozen=True, slots=True)
class Total:
    """A page's count: `exact` is false for an estimate, only ever past 1,000."""

    value: int
    exact: bool = True


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A TicketPage as the HTTP API carries it."""

    tickets: tuple[Ticket, ...]
    total: Total
    next_cursor: str | None

    @classmethod
    def of(cls, page: TicketPage) -> QueuePage:
        return cls(page.tickets, Total(page.total, exact=not page.total_is_estimate), page.next_cursor)

    def page(self) -> TicketPage:
        return TicketPage(
            self.tickets, self.total.value, self.next_cursor, total_is_estimate=not self.total.exact
        )

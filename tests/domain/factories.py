"""Small builders for domain objects, so a test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime

from cs_tui.domain.models import Agent, Channel, Csat, Customer, Priority, SlaPolicy, Status, Ticket

T0 = datetime(2026, 11, 3, 0, 0, tzinfo=UTC)
"""Midnight UTC of the day most tests look at."""

ANA = Agent(1, "Ana Putri", "ana@tokoku.example")
RUDI = Agent(2, "Rudi Hartono", "rudi@tokoku.example")
BUDI = Customer(10, "Budi Santoso", "budi@example.com")


def ticket(
    *,
    id: int = 1042,
    created_at: datetime = T0,
    status: Status = Status.OPEN,
    priority: Priority = Priority.NORMAL,
    first_response_at: datetime | None = None,
    solved_at: datetime | None = None,
    assignee: Agent | None = None,
    csat: Csat | None = None,
    customer: Customer = BUDI,
    subject: str = "Pesanan belum sampai",
    sla: SlaPolicy | None = None,
) -> Ticket:
    """A ticket whose SLA deadline is what `sla` (the default policy) makes of it."""
    policy = sla or SlaPolicy.default()
    return Ticket(
        id=id,
        ref=None,
        subject=subject,
        status=status,
        priority=priority,
        channel=Channel.EMAIL,
        customer=customer,
        assignee=assignee,
        tags=(),
        created_at=created_at,
        updated_at=created_at,
        first_response_at=first_response_at,
        solved_at=solved_at,
        sla_due_at=policy.due_at(
            priority=priority, status=status, created_at=created_at, first_response_at=first_response_at
        ),
        version=1,
        csat=csat,
    )

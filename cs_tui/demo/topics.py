"""What the demo shop's customers write about, in Indonesian and in English: the
shape of a topic here, the topics themselves in topics_orders.py and topics_others.py.

Lines are format strings over a fixed set of names filled in per ticket:
{first} the customer's first name, {agent} the agent's first name, {order},
{item}, {courier}, {awb} (the tracking number), {amount}, {pay} (payment
method), {code} (a voucher code) and {days}.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lines:
    """One topic's lines in one language."""

    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    first_replies: tuple[str, ...]
    customer_more: tuple[str, ...]
    agent_more: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    tags: tuple[str, ...]
    weight: int
    priority_weights: tuple[int, int, int, int]
    """Weights of low, normal, high and urgent."""
    id: Lines
    en: Lines

"""Demo data: a believable online shop's helpdesk, for `cs-tui demo` and the benchmarks."""

from __future__ import annotations

from cs_tui.demo.canned import canned_responses
from cs_tui.demo.generator import generate_tickets
from cs_tui.demo.people import DEMO_AGENTS, DemoAgent

__all__ = ["DEMO_AGENTS", "DemoAgent", "canned_responses", "generate_tickets"]

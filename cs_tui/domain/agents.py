"""Who a name or an address given for an agent means: `--agent sari`, CS_TUI_AGENT or
the login name, matched to the team as a person would read it."""

from __future__ import annotations

from collections.abc import Sequence

from cs_tui.domain.models import Agent


def agents_named(agents: Sequence[Agent], spec: str) -> list[Agent]:
    """The agents `spec` names, best first: the one with that address; else those with
    that name; else those whose first name, a whole word of the name, or the part of
    the address before the @ is it; else those whose name or address holds it. Case
    does not matter. Empty when nobody fits."""
    wanted = spec.strip().casefold()
    if not wanted:
        return []
    active = [agent for agent in agents if agent.active]
    for fits in (
        lambda agent: agent.email.casefold() == wanted,
        lambda agent: agent.name.casefold() == wanted,
        lambda agent: (
            wanted in agent.name.casefold().split() or agent.email.casefold().split("@")[0] == wanted
        ),
        lambda agent: wanted in agent.name.casefold() or wanted in agent.email.casefold(),
    ):
        found = [agent for agent in active if fits(agent)]
        if found:
            return found
    return []

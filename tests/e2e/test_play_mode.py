"""Play mode in a real terminal: answering the most urgent ticket that waits on us
with a canned reply, setting it pending and landing on the next one, counting every
key the agent presses (at most 6)."""

from __future__ import annotations

import json
import time

import pytest

from cs_tui.demo import DEMO_AGENTS

from .conftest import terminal
from .test_tmux import keys, run, wait_for

pytestmark = pytest.mark.slow
MOST_KEYS = 6
MINE = "assignee:me status:new,open,pending,on_hold"
"""View 1, Mine, as the TUI shows it (by SLA)."""


@pytest.mark.usefixtures("demo_store")
def test_the_most_urgent_ticket_is_answered_set_pending_and_left_for_the_next_in_six_keys(
    env: dict[str, str],
) -> None:
    # An agent of the demo shop with two tickets or more of their own (the demo's
    # tickets are as old as they are at this hour, so whose they are varies).
    for agent in DEMO_AGENTS:
        env = env | {"CS_TUI_AGENT": agent.email}
        mine = json.loads(run("ticket", "list", "--query", MINE, "--sort", "sla", "--json", env=env))
        if len(mine) >= 2:
            break
    urgent, following = mine[0]["id"], mine[1]["id"]
    with terminal(env) as tmux:
        pressed = answer_in_play_mode(tmux, following)
        deadline = time.monotonic() + 20  # the reply waits out its undo window (2 s here)
        while time.monotonic() < deadline:
            shown = json.loads(run("ticket", "show", str(urgent), "--json", env=env))
            if shown["status"] == "pending":
                break
            time.sleep(0.3)
    assert pressed <= MOST_KEYS
    assert shown["status"] == "pending", shown["messages"][-2:]
    assert shown["messages"][-1]["author"] == f"agent:{env['CS_TUI_AGENT']}"


def answer_in_play_mode(tmux: str, following: int) -> int:
    """The keys an agent presses, from the queue of view 1, each counted."""
    wait_for(tmux, "1 Mine")
    pressed = 0

    def press(name: str) -> None:
        nonlocal pressed
        pressed += 1
        keys(tmux, name)

    press("c")  # the canned responses, for the highlighted (most urgent) ticket
    wait_for(tmux, "enter inserts")
    press("Enter")  # the most used one
    wait_for(tmux, "ctrl+s send")
    press("C-n")  # send, and next
    wait_for(tmux, "Send, and set")
    press("p")  # pending
    wait_for(tmux, f"│ #{following} ")  # the next ticket, open: its header
    return pressed

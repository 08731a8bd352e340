"""`--agent sari` means Sari Wulandari, as a person reads it; two Saris are both offered."""

from __future__ import annotations

from cs_tui.domain.agents import agents_named
from cs_tui.domain.models import Agent

SARI = Agent(1, "Sari Wulandari", "sari@tokonusantara.example")
DEWI = Agent(2, "Dewi Lestari", "dewi.l@tokonusantara.example")
BUDI = Agent(3, "Budi Santoso", "cs.budi@tokonusantara.example")
GONE = Agent(4, "Sari Gone", "sari.gone@tokonusantara.example", active=False)
TEAM = [SARI, DEWI, BUDI, GONE]


def test_an_address_or_a_whole_name_names_one_agent_whatever_the_case() -> None:
    assert agents_named(TEAM, "SARI@tokonusantara.example") == [SARI]
    assert agents_named(TEAM, "dewi lestari") == [DEWI]


def test_a_first_name_a_word_of_the_name_or_the_address_before_the_at_names_them() -> None:
    assert agents_named(TEAM, "sari") == [SARI]  # not the one who left
    assert agents_named(TEAM, "Lestari") == [DEWI]
    assert agents_named(TEAM, "cs.budi") == [BUDI]


def test_part_of_a_name_names_everyone_who_has_it_and_a_stranger_nobody() -> None:
    assert agents_named(TEAM, "ari") == [SARI, DEWI]  # Sari Wulandari, Dewi Lestari: both offered
    assert agents_named(TEAM, "root") == []
    assert agents_named(TEAM, "  ") == []

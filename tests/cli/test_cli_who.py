"""Who you are, from the command line: a name means the agent it names (`--agent
sari` is Sari Wulandari), a name that fits several or nobody is asked about in
words, and a new agent is made only on a store that has none yet or for an address
given on purpose: never a ghost "sari <sari@host>"."""

from __future__ import annotations

from .cli_runner import CsTui


def filled(cs_tui: CsTui) -> None:
    done = cs_tui("demo", "--no-open", "--tickets", "30")
    assert done.code == 0, done.err


def team(cs_tui: CsTui) -> list[str]:
    return sorted(a["email"] for a in cs_tui("agent", "list", "--json").json())


def test_a_first_name_is_the_agent_of_that_name_and_makes_no_ghost(cs_tui: CsTui) -> None:
    filled(cs_tui)
    before = team(cs_tui)
    replied = cs_tui("ticket", "reply", "1", "--body", "Halo, sudah kami cek.", "--json", "--agent", "sari")
    assert replied.code == 0, replied.err
    assert replied.json()["author"] == "agent:sari@tokonusantara.example"
    assert team(cs_tui) == before


def test_a_login_name_nobody_has_is_asked_about_naming_the_team(cs_tui: CsTui) -> None:
    filled(cs_tui)
    before = team(cs_tui)
    listed = cs_tui("ticket", "reply", "1", "--body", "x", CS_TUI_AGENT="", LOGNAME="kasir", USER="kasir")
    assert listed.code == 2
    assert "no agent of this store is 'kasir'" in listed.err
    assert "sari@tokonusantara.example" in listed.err
    assert "cs-tui agent add" in listed.err
    assert team(cs_tui) == before


def test_a_name_that_fits_several_agents_names_them_all(cs_tui: CsTui) -> None:
    filled(cs_tui)
    people = cs_tui("agent", "list", "--json").json()
    shared = "a"  # in most names
    fits = [p for p in people if shared in p["name"].lower()]
    assert len(fits) > 1
    asked = cs_tui("ticket", "reply", "1", "--body", "x", "--agent", shared)
    assert asked.code == 2
    assert "could be" in asked.err
    assert all(p["email"] in asked.err for p in fits[:8])


def test_the_first_agent_of_an_empty_store_is_made_and_an_address_given_on_purpose_is_too(
    cs_tui: CsTui,
) -> None:
    opened = cs_tui("ticket", "new", "--subject", "Tes", "--customer", "c@example.com", "--body", "x",
                    CS_TUI_AGENT="", LOGNAME="kasir", USER="kasir")  # fmt: skip
    assert opened.code == 0, opened.err
    assert team(cs_tui) == [f"kasir@{team(cs_tui)[0].split('@')[1]}"]
    added = cs_tui("ticket", "reply", "1", "--body", "Halo", "--agent", "budi@tokoku.example")
    assert added.code == 0, added.err
    assert "budi@tokoku.example" in team(cs_tui)

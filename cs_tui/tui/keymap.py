"""The ids a keymap may name: every binding's id in cs-tui's screens and widgets, so
that a keymap entry naming none of them is said, not ignored."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode


def binding_ids() -> set[str]:
    """The id of every binding of cs-tui's own screens, widgets and app."""
    ids: set[str] = set()
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("cs_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def unknown_ids(keymap: Mapping[str, str], known: set[str]) -> list[str]:
    """A sentence for each keymap entry that names no binding, with the id it may mean."""
    said = []
    for name in keymap:
        if name in known:
            continue
        near = difflib.get_close_matches(name, sorted(known), n=1)
        maybe = f" (did you mean {near[0]}?)" if near else ""
        said.append(f"keymap: no key has the id {name!r}{maybe}; ignored. `?` lists the ids")
    return said


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)

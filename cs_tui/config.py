"""The user's config file (TOML in the user config dir): store, agent, theme, how new
tickets are told, saved views and keymap. A broken file is reported, never fatal:
defaults apply."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from cs_tui.domain.chat import FIRST_RESPONSE_S
from cs_tui.domain.query import Query, QueryError, Sort, parse

ACTIVE = "status:new,open,pending,on_hold"


@dataclass(frozen=True, slots=True)
class View:
    key: str
    """"1" to "9"."""
    name: str
    query: str
    """Search syntax."""
    sort: Sort = Sort.UPDATED

    @property
    def parsed(self) -> Query | None:
        """The query, parsed (the config file's views are checked when it is read)."""
        return parse(self.query) if self.query.strip() else None


DEFAULT_VIEWS: tuple[View, ...] = (
    View("1", "Mine", f"assignee:me {ACTIVE}", Sort.SLA),
    View("2", "Unassigned", f"assignee:none {ACTIVE}", Sort.SLA),
    View("3", "All open", ACTIVE, Sort.UPDATED),
    View("4", "Urgent", f"priority:urgent {ACTIVE}", Sort.UPDATED),
    View("5", "Breaching SLA", "breaching:yes", Sort.SLA),
    View("6", "Pending", "status:pending", Sort.UPDATED),
    View("7", "Recently solved", "status:solved", Sort.UPDATED),
)


@dataclass(frozen=True, slots=True)
class Config:
    store: str | None = None
    agent: str | None = None
    token: str | None = None
    theme: str = "cs-dark"
    bell: bool = False
    """Ring the terminal bell when a new ticket lands in one of my views."""
    desktop_notifications: str = "off"
    """Ask the terminal for a desktop notification of new tickets in my views: "osc9",
    "osc777" or "off" (DESKTOP_NOTIFICATIONS)."""
    title_count: bool = True
    """Show how many new tickets in my views wait unseen in the terminal's title."""
    views: tuple[View, ...] = DEFAULT_VIEWS
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. {"send": "ctrl+s,ctrl+enter"}."""
    undo_seconds: float = 10.0
    chat_first_response_s: float = FIRST_RESPONSE_S
    """A chat waiting longer than this since the visitor last wrote is late (red in the
    SLA column); from two thirds of it, it is due (amber)."""
    chat_bell: bool = True
    """Ring the bell for a new chat in my views, whatever `bell` says: a visitor waits
    on the page."""
    path: Path | None = None
    problems: tuple[str, ...] = ()
    """What was wrong with the file; each says where and what to do."""


def config_path() -> Path:
    override = os.environ.get("CS_TUI_CONFIG")
    if override:
        return Path(override)
    return platformdirs.user_config_path("cs-tui", appauthor=False) / "config.toml"


_SCALARS: dict[str, type | tuple[type, ...]] = {
    "store": str,
    "agent": str,
    "token": str,
    "theme": str,
    "bell": bool,
    "desktop_notifications": str,
    "title_count": bool,
    "undo_seconds": (int, float),
    "chat_first_response_s": (int, float),
    "chat_bell": bool,
}
_SECONDS = ("undo_seconds", "chat_first_response_s")
"""Numbers of seconds, where TOML's true is not one."""
DESKTOP_NOTIFICATIONS = ("off", "osc9", "osc777")
"""The ways of asking the terminal for a desktop notification: none, iTerm2's, urxvt's."""


def load_config(path: Path | None = None) -> Config:
    """The config in `path` (default: config_path()); never raises for a bad file."""
    path = path or config_path()
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as error:
        return Config(path=path, problems=(f"{path}: cannot be read ({error}); started with the defaults",))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Config(path=path, problems=(f"{name}: {_where(error)}; fix it, started with the defaults",))
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SCALARS:
            if key == "desktop_notifications" and value not in DESKTOP_NOTIFICATIONS:
                choices = ", ".join(f'"{choice}"' for choice in DESKTOP_NOTIFICATIONS)
                problems.append(f"{name}: {key} = {value!r} is not one of {choices}; ignored")
            elif isinstance(value, _SCALARS[key]) and not (key in _SECONDS and isinstance(value, bool)):
                values[key] = value
            else:
                problems.append(f"{name}: {key} = {value!r} is not a {_kind(_SCALARS[key])}; ignored")
        elif key == "keymap":
            values["keymap"] = _keymap(value, name, problems)
        elif key == "views":
            views = _views(value, name, problems)
            if views:
                values["views"] = views
        else:
            known = ", ".join([*_SCALARS, "keymap", "views"])
            problems.append(f"{name}: unknown setting {key!r} (known: {known}); ignored")
    return Config(**values, path=path, problems=tuple(problems))


def _where(error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found:
        what = message[: found.start()].strip()
        return f"line {found.group(1)}, column {found.group(2)}: {what}"
    return message


def _kind(kind: type | tuple[type, ...]) -> str:
    if kind is str:
        return "string"
    if kind is bool:
        return "true or false"
    return "number"


def _keymap(value: object, name: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(f'{name}: [keymap] must be a table of binding id = "keys"; ignored')
        return {}
    keymap: dict[str, str] = {}
    for binding, keys in value.items():
        if isinstance(keys, str) and keys.strip():
            keymap[binding] = keys
        else:
            problems.append(f'{name}: keymap {binding} = {keys!r} must be keys like "ctrl+s"; ignored')
    return keymap


def _views(value: object, name: str, problems: list[str]) -> tuple[View, ...]:
    if not isinstance(value, list):
        problems.append(f"{name}: views must be [[views]] tables; the default views apply")
        return ()
    views: list[View] = []
    for number, item in enumerate(value, start=1):
        label = f"{name}: view {number}"
        if not isinstance(item, dict):
            problems.append(f"{label} is not a table; ignored")
            continue
        key, title, query = str(item.get("key", "")), item.get("name"), item.get("query", "")
        sort = item.get("sort", "updated")
        if key not in tuple("123456789"):
            problems.append(f'{label}: key must be "1" to "9", not {key!r}; ignored')
        elif not isinstance(title, str) or not title.strip():
            problems.append(f"{label}: needs a name; ignored")
        elif sort not in tuple(Sort):
            problems.append(f"{label} ({title}): sort {sort!r} is not one of {', '.join(Sort)}; ignored")
        elif not isinstance(query, str):
            problems.append(f"{label} ({title}): query must be a string; ignored")
        else:
            try:
                parse(query)
            except QueryError as error:
                problems.append(f"{label} ({title}): {error}; ignored")
                continue
            views.append(View(key, title.strip(), query, Sort(sort)))
    return tuple(views)


def remember_theme(name: str, path: Path | None = None) -> bool:
    """Write `theme = "name"` into the file, keeping every other line; False if the
    file is not valid TOML (it is left as it is)."""
    return remember("theme", name, path)


def remember(key: str, value: str, path: Path | None = None) -> bool:
    """Write `key = "value"` at the top of the file (replacing the key's line there),
    keeping every other line; False if the file is not valid TOML (it is left as it
    is) or cannot be written."""
    path = path or config_path()
    line = f"{key} = {_toml_string(value)}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError):
        return False
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    top = re.split(r"^\s*\[", text, maxsplit=1, flags=re.MULTILINE)[0]
    existing = re.compile(rf"^\s*{re.escape(key)}\s*=.*$", re.MULTILINE)
    text = existing.sub(lambda _match: line, text, count=1) if existing.search(top) else line + "\n" + text
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError:
        return False
    return True


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

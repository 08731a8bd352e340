"""Themes as files: the ones shipped in `themes/` and the user's own in the config
dir's `themes/`. A broken file is skipped and reported, never fatal."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import platformdirs
from textual.color import Color, ColorParseError
from textual.theme import Theme

import cs_tui

COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)


def builtin_theme_dir() -> Path:
    """`cs_tui/themes` in an installed wheel, else `themes/` of the source tree."""
    package = Path(cs_tui.__file__).parent
    shipped = package / "themes"
    return shipped if shipped.is_dir() else package.parent / "themes"


def user_theme_dir() -> Path:
    return platformdirs.user_config_path("cs-tui", appauthor=False) / "themes"


def load_themes(dirs: Iterable[Path] | None = None) -> tuple[list[Theme], list[str]]:
    """Every theme found, later directories replacing earlier ones by name; and problems."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for directory in dirs if dirs is not None else (builtin_theme_dir(), user_theme_dir()):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = read_theme(path)
            except ValueError as error:
                problems.append(f"theme file {path}: {error}; it was skipped")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def read_theme(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(str(error)) from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError('it needs a name = "..."')
    colours: dict[str, str] = {}
    for key in COLOURS:
        if key in data:
            colours[key] = _colour(key, data[key])
    if "primary" not in colours:
        raise ValueError("it needs at least a primary colour")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    fields: dict[str, Any] = {
        **colours,
        "name": name.strip(),
        "dark": bool(data.get("dark", True)),
        "variables": {str(k): _colour(f"variables.{k}", v) for k, v in variables.items()},
    }
    return Theme(**fields)


def _colour(key: str, value: object) -> str:
    try:
        Color.parse(str(value))
    except ColorParseError:
        raise ValueError(f'{key} = {value!r} is not a colour (write e.g. "#5fafd7")') from None
    return str(value)

"""Themes as files (shipped in `themes/`, the user's own in the config dir's), a broken
one skipped and reported, never fatal; the theme to start in, and how NO_COLOR is met."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import Theme

import cs_tui
from cs_tui.config import Config

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


# Without colour

MONO = "mono"
"""The theme NO_COLOR chooses: white and greys on black, every text at least 4.5:1."""
GREY_SPREAD = 3
"""How far apart a colour's red, green and blue may be for it to count as a grey
(Textual's lighter and darker shades of a grey can be a step off)."""


def no_colour_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """NO_COLOR is set and not empty, as no-color.org has it (Textual takes an empty one
    as set too)."""
    return bool(environ.get("NO_COLOR"))


def starting_theme(config: Config, default: str, environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """The theme to start in, and the one to fall back to if it is unknown. A theme the
    user named wins, NO_COLOR or not: no-color.org has a program's config file override
    NO_COLOR. Else NO_COLOR chooses mono, and without it `default`."""
    fallback = MONO if no_colour_wanted(environ) else default
    named = config.theme != default or _file_names_a_theme(config.path)
    return (config.theme if named else fallback), fallback


def _file_names_a_theme(path: Path | None) -> bool:
    """The config file says `theme = ...` (Config cannot tell "cs-dark" written there
    from the default)."""
    if path is None:
        return False
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("theme"), str)


def line_filters(filters: Sequence[LineFilter], theme: Theme) -> list[LineFilter]:
    """The filters the screen goes through. Textual answers NO_COLOR by greying the
    colours of whatever theme is on, which left cs-dark grey on grey, below 4.5:1;
    cs-tui answers it with the mono theme instead, so that filter goes. A theme of
    greys alone gets one that draws what widgets colour by name ("bold red") in its
    foreground, where Textual's filter made it dark grey on black."""
    kept = [f for f in filters if not isinstance(f, Monochrome | NoColor)]
    grey = _grey_filter(theme)
    return kept if grey is None else [*kept, grey]


_grey_filters: dict[str, tuple[Theme, LineFilter | None]] = {}


def _grey_filter(theme: Theme) -> LineFilter | None:
    """A theme's GreysOnly filter, if all its colours are greys (asked at every repaint)."""
    known = _grey_filters.get(theme.name)
    if known is None or known[0] is not theme:
        foreground = theme.foreground if is_monochrome(theme) else None
        found = GreysOnly(Color.parse(foreground).rich_color) if foreground else None
        known = _grey_filters[theme.name] = (theme, found)
    return known[1]


def is_monochrome(theme: Theme) -> bool:
    """Every colour the theme gives is a grey."""
    given = [getattr(theme, key) for key in COLOURS] + list(theme.variables.values())
    for value in given:
        if value is None:
            continue
        try:
            colour = Color.parse(value)
        except ColorParseError:
            continue  # a text style, such as block-cursor-text-style
        if not _is_grey(colour.rich_color):
            return False
    return True


class GreysOnly(LineFilter):
    """Greys stay as they are; text in any other colour is drawn in the theme's
    foreground (bold, reverse and underline stay), a background in its grey."""

    def __init__(self, foreground: RichColor) -> None:
        super().__init__()
        self.foreground = foreground

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        foreground = self.foreground
        return [
            Segment(text, None if style is None else _greys_only(style, foreground), None)
            for text, style, _ in segments
        ]


@lru_cache(1024)
def _greys_only(style: Style, foreground: RichColor) -> Style:
    colour, behind = style.color, style.bgcolor
    if colour is not None and colour.triplet is not None and not _is_grey(colour):
        colour = foreground
    if behind is not None and behind.triplet is not None and not _is_grey(behind):
        behind = Color.from_rich_color(behind).monochrome.rich_color
    if colour is style.color and behind is style.bgcolor:
        return style
    return style + Style.from_color(colour, behind)


def _is_grey(colour: RichColor) -> bool:
    if colour.triplet is None:
        return False
    return max(colour.triplet) - min(colour.triplet) <= GREY_SPREAD

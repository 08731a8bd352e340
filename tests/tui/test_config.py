"""The config file and theme files: defaults, what is reported, what is kept."""

from __future__ import annotations

from pathlib import Path

from cs_tui.config import DEFAULT_VIEWS, load_config, remember_theme
from cs_tui.tui.themes import builtin_theme_dir, load_themes

from .helpers import AppFactory, main_screen, settled


def test_no_file_means_the_defaults_and_no_complaint(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.toml")
    assert config.views == DEFAULT_VIEWS
    assert [v.name for v in config.views][:3] == ["Mine", "Unassigned", "All open"]
    assert config.problems == ()


def test_a_full_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'store = "sqlite:///srv/cs.db"\nagent = "sari@tokonusantara.example"\ntheme = "cs-light"\n'
        'bell = true\n[keymap]\nreply = "R"\n[[views]]\nkey = "1"\nname = "Refunds"\n'
        'query = "tag:refund status:open"\nsort = "sla"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.store, config.agent, config.theme, config.bell) == (
        "sqlite:///srv/cs.db",
        "sari@tokonusantara.example",
        "cs-light",
        True,
    )
    assert config.keymap == {"reply": "R"}
    assert [(v.key, v.name, v.sort) for v in config.views] == [("1", "Refunds", "sla")]
    assert config.problems == ()


def test_a_syntax_error_is_reported_with_its_line_and_the_defaults_apply(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "cs-light"\nbell = \n', encoding="utf-8")
    config = load_config(path)
    assert config.theme == "cs-dark"
    assert len(config.problems) == 1
    assert "line 2" in config.problems[0]


def test_bad_settings_are_reported_and_the_rest_applies(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "cs-light"\ncolour = "blue"\nbell = "yes"\n'
        '[[views]]\nkey = "1"\nname = "Ok"\nquery = "status:open"\n'
        '[[views]]\nkey = "2"\nname = "Broken"\nquery = "status:nope"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.theme == "cs-light"
    assert config.bell is False
    assert [v.name for v in config.views] == ["Ok"]
    text = "\n".join(config.problems)
    assert "colour" in text
    assert "bell" in text
    assert "Broken" in text
    assert "nope" in text


def test_remembering_a_theme_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    assert remember_theme("cs-256", path)
    assert load_config(path).theme == "cs-256"
    path.write_text(
        '# my settings\nbell = true\ntheme = "cs-dark"\n[keymap]\nreply = "R"\n', encoding="utf-8"
    )
    assert remember_theme("cs-light", path)
    text = path.read_text(encoding="utf-8")
    assert text == '# my settings\nbell = true\ntheme = "cs-light"\n[keymap]\nreply = "R"\n'
    path.write_text("bell = \n", encoding="utf-8")
    assert not remember_theme("cs-light", path)
    assert path.read_text(encoding="utf-8") == "bell = \n"


def test_the_shipped_themes_load_and_a_broken_user_theme_is_skipped(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    user.mkdir()
    (user / "broken.toml").write_text('name = "broken"\nprimary = "not a colour"\n', encoding="utf-8")
    (user / "cs-light.toml").write_text(
        'name = "cs-light"\ndark = false\nprimary = "#000080"\n', encoding="utf-8"
    )
    themes, problems = load_themes([builtin_theme_dir(), user])
    names = {t.name: t for t in themes}
    assert {"cs-dark", "cs-light", "cs-high-contrast", "cs-256"} <= set(names)
    assert "broken" not in names
    assert len(problems) == 1
    assert "broken.toml" in problems[0]
    assert names["cs-light"].primary == "#000080"


def test_every_colour_of_the_256_theme_is_an_exact_xterm_palette_colour() -> None:
    levels = (0, 95, 135, 175, 215, 255)
    palette = {f"#{r:02x}{g:02x}{b:02x}" for r in levels for g in levels for b in levels}
    palette |= {f"#{v:02x}{v:02x}{v:02x}" for v in range(8, 248, 10)}
    themes, _ = load_themes([builtin_theme_dir()])
    theme = next(t for t in themes if t.name == "cs-256")
    colours = [theme.primary, theme.secondary, theme.accent, theme.foreground, theme.background]
    colours += [theme.surface, theme.panel, theme.warning, theme.error, theme.success]
    colours += list(theme.variables.values())
    assert all(c is not None and c.lower() in palette for c in colours), colours


async def test_the_keymap_and_theme_from_the_config_apply(make_app: AppFactory, tmp_path: Path) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "cs-light"\n[keymap]\nreply = "R"\n', encoding="utf-8")
    app = make_app(load_config(path))
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.theme == "cs-light"
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("R")
        assert main_screen(app).ticket_pane.composer.is_open
        app.theme = "cs-high-contrast"
        await pilot.pause()
        assert load_config(path).theme == "cs-high-contrast"

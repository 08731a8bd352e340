"""The README is a front door that CI and newcomers start from, and the pages it
leads to (docs/, CHANGELOG.md) point at files that are there."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CHANGELOG = ROOT / "CHANGELOG.md"
SNAPSHOTS = ROOT / "tests" / "tui" / "__snapshots__"
README_MAX_BYTES = 8_000

# [text](target) and ![alt](target), with an optional "title" after the target.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```(?:sh|bash)\n(python3 -m venv .venv && [^\n]+)\n```", text)


def pages() -> list[Path]:
    """The Markdown a reader browses: the README, the changelog and docs/."""
    return [README, CHANGELOG, *sorted((ROOT / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text without its fenced code blocks, whose brackets are not links."""
    return FENCE.sub("", text)


def relative_links(page: Path) -> list[str]:
    """The targets of the page's links and images that name a file in the checkout."""
    targets = LINK.findall(prose(page.read_text(encoding="utf-8")))
    return [t for t in targets if not urlparse(t).scheme and not t.startswith("#")]


def linked_path(page: Path, target: str) -> Path:
    """The file a link on `page` names, its query and anchor left off."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return (page.parent / path).resolve()


def test_readme_has_the_demo_and_the_test_command() -> None:
    commands = readme_commands()
    assert any(c.endswith("cs-tui demo") for c in commands), commands
    assert any(c.endswith("python -m pytest") for c in commands), commands


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = next(c for c in readme_commands() if c.endswith("python -m pytest"))
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_readme_is_a_front_door_not_the_reference() -> None:
    """The README stays short enough to read at a glance; the reference is in docs/."""
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size:,} bytes; move reference text to docs/"


def test_every_relative_link_points_to_a_file_in_the_checkout() -> None:
    """A reader who follows a link in the README, the changelog or docs/ finds the page."""
    broken = [
        f"{page.relative_to(ROOT)}: {target}"
        for page in pages()
        for target in relative_links(page)
        if not linked_path(page, target).exists()
    ]
    assert not broken, "links to files that are not there:\n" + "\n".join(broken)


def test_the_link_check_sees_links_images_and_encoded_paths(tmp_path: Path) -> None:
    """The check above finds what a reader would click, and only that."""
    page = tmp_path / "page.md"
    page.write_text(
        "[a](docs/a.md#top) ![b](shots/b%5B1%5D.svg) [c](https://example.com) [d](#here)\n"
        "[e](mailto:x@example.com)\n```\n[not](a-link.md)\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["docs/a.md#top", "shots/b%5B1%5D.svg"]
    assert linked_path(page, "shots/b%5B1%5D.svg") == (tmp_path / "shots" / "b[1].svg").resolve()


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, dashes for spaces."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of the page's headings, a repeated one numbered as GitHub numbers it."""
    headings = re.findall(r"^#{1,6} +(.+?) *#*$", prose(page.read_text(encoding="utf-8")), re.MULTILINE)
    seen: dict[str, int] = {}
    found: set[str] = set()
    for heading in headings:
        base = slug(heading)
        found.add(f"{base}-{seen[base]}" if base in seen else base)
        seen[base] = seen.get(base, 0) + 1
    return found


def test_every_link_to_a_section_finds_its_heading() -> None:
    """A link to a section of another page lands on that section, not the page's top."""
    broken: list[str] = []
    for page in pages():
        for target in relative_links(page):
            path, _, anchor = target.partition("#")
            linked = linked_path(page, path)
            if anchor and linked.suffix == ".md" and linked.exists() and anchor not in anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, "links to sections that are not there:\n" + "\n".join(broken)


def test_the_docs_index_lists_every_page() -> None:
    """docs/README.md is the way in: every page in docs/ is on it."""
    listed = {
        linked_path(ROOT / "docs" / "README.md", t) for t in relative_links(ROOT / "docs" / "README.md")
    }
    missing = [
        p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.name != "README.md" and p not in listed
    ]
    assert not missing, f"docs/README.md does not list {missing}"


def test_readme_shows_the_screen_the_snapshot_tests_keep_current() -> None:
    """The picture on the front page is one the snapshot tests compare the screen with."""
    images = IMAGE.findall(prose(README.read_text(encoding="utf-8")))
    assert images, "README.md has no picture of the screen"
    picture = linked_path(README, images[0])
    snapshots = {path.resolve() for path in SNAPSHOTS.rglob("*.svg")}
    assert picture in snapshots, f"{images[0]} is not one of the snapshot SVGs under {SNAPSHOTS}"


def test_changelog_has_an_unreleased_section() -> None:
    """Changes a user would notice land under Unreleased until a version is cut."""
    lines = CHANGELOG.read_text(encoding="utf-8").splitlines()
    assert "## [Unreleased]" in lines
    assert "keepachangelog.com/en/1.1.0" in CHANGELOG.read_text(encoding="utf-8")

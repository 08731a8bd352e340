"""The quoted history under a reply, found so that the conversation can fold it: the
new text first, the history one key away. Mail clients mark it in their own words, in
English and in Indonesian: Gmail's "On ... wrote:" / "Pada ... menulis:", Outlook's
"From:" / "Dari:" block, "-----Original Message-----", and lines quoted with ">"."""

from __future__ import annotations

import re

# A line that opens the history (possibly wrapped over two lines by the client).
_INTRO = re.compile(
    r"""^\s*(?:
        on\s.{4,200}?\bwrote:                        # Gmail, Apple Mail (English)
      | pada\s.{4,200}?\bmenulis:                    # Gmail (Indonesian)
      | -{2,}\s*(?:original\s+message|pesan\s+asli|forwarded\s+message|pesan\s+yang\s+diteruskan)\s*-{2,}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# Outlook's header block: a From line, and a Sent/Date line soon after it.
_FROM = re.compile(r"^\s*\*?(?:from|dari)\s*:\*?\s", re.IGNORECASE)
_SENT = re.compile(r"^\s*\*?(?:sent|date|dikirim|tanggal)\s*:\*?\s", re.IGNORECASE)
_QUOTED = re.compile(r"^\s*>")


def split_quoted(text: str) -> tuple[str, str]:
    """`text` as (what the sender wrote now, the history they quoted under it). The
    history is "" when none is found; text written below the history (an inline
    reply) stays in the new part, so nothing the sender wrote is ever folded away."""
    lines = text.split("\n")
    start = _history_start(lines)
    if start is None:
        return text.strip("\n"), ""
    history = lines[start:]
    if _written_below(history):
        return text.strip("\n"), ""
    new = "\n".join(lines[:start]).rstrip()
    if not new.strip():  # all history: nothing to fold it under
        return text.strip("\n"), ""
    return new, "\n".join(history).strip("\n")


def _history_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if _INTRO.match(line):
            return index
        if index + 1 < len(lines) and _INTRO.match(f"{line} {lines[index + 1]}") and line.strip():
            return index
        if _FROM.match(line) and any(_SENT.match(later) for later in lines[index + 1 : index + 4]):
            return index
        if _QUOTED.match(line) and all(_QUOTED.match(rest) or not rest.strip() for rest in lines[index:]):
            return index
    return None


def _written_below(history: list[str]) -> bool:
    """Whether the sender wrote between quoted lines (an inline reply): a line that is
    not quoted, after a quoted one, with more quoted lines or nothing after it."""
    quoted_seen = False
    for line in history[1:]:
        if _QUOTED.match(line):
            quoted_seen = True
        elif quoted_seen and line.strip():
            return True
    return False

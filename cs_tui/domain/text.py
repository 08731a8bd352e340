"""Sanitising untrusted text: customer subjects, bodies, names and emails."""

from __future__ import annotations

import json
import re
from typing import Any

# ESC-introduced sequences: CSI (ESC [ ... final byte), OSC/DCS/SOS/PM/APC strings
# (terminated by BEL or ST; an unterminated one loses only its introducer, so a
# stray ESC ] cannot swallow the rest of a customer's message), and two-character
# escapes. The 8-bit C1 forms (\x9b CSI, \x9d OSC, ...) are matched as well, so
# nothing reaches a terminal that it could act on.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?            # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])     # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)        # ... up to BEL or ST
    | \x1b[ -/]*[0-~]?                            # other escapes (ESC c, ESC ( B, ...)
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, and the C1 range.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates reorder what follows them: a subject could
# show "fdp.exe" as "exe.pdf". Line and paragraph separators end lines like \n.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_SEPARATOR = re.compile("[\u2028\u2029]")


def sanitize(text: str) -> str:
    """Remove escape sequences and control characters; keep tabs and newlines.

    Carriage returns become newlines (\\r\\n -> \\n), so a body cannot rewrite the
    line it is printed on.
    """
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_SEPARATOR.sub("\n", _BIDI.sub("", text))
    return _CONTROL.sub("", text)


def sanitize_line(text: str) -> str:
    """Sanitise and fold to one line, for subjects, names and emails."""
    return " ".join(sanitize(text).split())


# What JSON leaves raw with ensure_ascii=False and a terminal could act on or reorder:
# DEL, the C1 controls (8-bit escapes) and the bidirectional and line separators.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe_json(data: Any, *, indent: int | None = None) -> str:
    """JSON that stays readable UTF-8 and that a terminal can show: each character it
    could act on is written as a \\u escape (JSON escapes C0 itself), so the data
    read back is the same."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def file_size(size: int) -> str:
    """A size as people read it: 812 bytes, 14 KB, 3.2 MB (1 KB = 1,024 bytes)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    units = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))
    unit, scale = next((unit, scale) for unit, scale in units if size >= scale)
    value = size / scale
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


_UNSAFE_IN_A_NAME = str.maketrans({"/": "_", "\\": "_", "\0": "_"})
FILENAME_CHARS = 200


def safe_filename(filename: str) -> str:
    """A name a customer gave a file, as a name in one folder: on one line, with no
    folders in it (nothing climbs out with "../"), not hidden (no leading dot)."""
    name = sanitize_line(filename).translate(_UNSAFE_IN_A_NAME).strip().lstrip(".")
    return name[:FILENAME_CHARS] or "attachment"

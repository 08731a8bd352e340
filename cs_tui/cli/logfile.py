"""The log file: readable by its owner alone, and never a secret in it (tokens,
passwords, Authorization headers), whatever a message or a traceback carries."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import stat
from pathlib import Path

REDACTED = "[redacted]"
PRIVATE = 0o600
"""Files cs-tui writes for one user (the log, the outbox): theirs alone."""

_SECRET_OPTION = r"--(?:token|password|secret|access-token|app-secret|verify-token)"
_SECRETS = [
    # --token X, --token=X, and their kin
    re.compile(rf"({_SECRET_OPTION}(?:=|\s+))(\S+)"),
    # Authorization: Bearer X / Basic X, and a bare "Bearer X"
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)([^\s'\",}]+)"),
    re.compile(r"(?i)(\bbearer\s+)([^\s'\",}]+)"),
    # CS_TUI_TOKEN=X, PASSWORD=X, token = "X", "password": "X"
    re.compile(
        r"(?i)(\b[\w-]*(?:token|password|passwd|secret)['\"]?\s*[:=]\s*['\"]?)(?!\[redacted\])([^\s'\",}]+)"
    ),
    # a password in a URL: scheme://user:secret@host
    re.compile(r"(://[^/\s:@]+:)([^@\s/]+)(@)"),
    # a cs-tui token anywhere
    re.compile(r"()(cst_[A-Za-z0-9_\-]{8,})"),
]


def redact(text: str, known: tuple[str, ...] = ()) -> str:
    """`text` with every secret it shows replaced by [redacted]; `known` are secrets
    to hide wherever they appear (the token in use)."""
    for secret in known:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED + (m.group(3) if m.re.groups >= 3 else ""), text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose lines, tracebacks included, carry no secret."""

    known: tuple[str, ...] = ()
    """Secrets to hide wherever they appear: the token from the environment, say."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.known or _known_secrets())


def _known_secrets() -> tuple[str, ...]:
    return tuple(value for name in ("CS_TUI_TOKEN",) if (value := os.environ.get(name, "")))


class PrivateFileHandler(logging.FileHandler):
    """A FileHandler whose file only its owner may read (0600), made so from the start,
    and made so again if an older cs-tui left it readable by others."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
        # Only a plain file (never /dev/null and the like); and one not ours to change
        # (a shared log someone set up) is written to as it is.
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, PRIVATE)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def open_log(path: Path, format: str = "%(asctime)s %(levelname)s %(name)s: %(message)s") -> logging.Handler:
    """A handler writing to the log file at `path` (its folder made, for its owner
    alone), with secrets redacted; OSError when it cannot be opened."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = PrivateFileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(format))
    return handler

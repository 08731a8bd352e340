"""Agent tokens for `cs-tui serve`: made at random, shown once, kept only as a
SHA-256 hash, so a copy of the store lets nobody sign in."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "cst_"
"""Marks a string as a cs-tui token, for people and for secret scanners."""


def new_token() -> str:
    """A fresh token: 256 random bits, URL-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.strip().encode()).hexdigest()

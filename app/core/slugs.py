"""File names from user-facing names, and the natural order the sidebar shows."""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"(\d+)")


def slugify(name: str) -> str:
    """'Get post #1' -> 'get-post-1'; never empty, never a path."""
    slug = _NOT_ALNUM.sub("-", name.lower()).strip("-")
    return slug[:80].rstrip("-") or "untitled"


def unique_slug(slug: str, taken: set[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... whichever is not in ``taken``."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Case-insensitive order with numbers compared as numbers ('Item 2' < 'Item 10')."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in _DIGITS.split(name.casefold())
        if part
    )

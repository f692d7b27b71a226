"""File names from user-facing names, and the natural order the sidebar shows."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"(\d+)")


#: names Windows refuses for a file or directory, with any extension ("con.request.yaml")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{n}" for n in range(1, 10)]
    + [f"lpt{n}" for n in range(1, 10)]
)


def slugify(name: str) -> str:
    """'Get post #1' -> 'get-post-1', 'Über' -> 'uber'; never empty, never a path.

    Collections travel through git between systems, so a name Windows cannot
    use as a file ('CON', 'aux') gets a suffix everywhere.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALNUM.sub("-", ascii_name.lower()).strip("-")
    slug = slug[:80].rstrip("-") or "untitled"
    return f"{slug}-1" if slug in _WINDOWS_RESERVED else slug


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

"""``Content-Range`` as a resume reads it (RFC 9110 14.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ContentRange:
    #: first and last byte sent (None for ``bytes */N``, as a 416 says)
    start: int | None
    end: int | None
    #: the whole representation's size (None for ``/*``)
    total: int | None


def parse_content_range(value: str | None) -> ContentRange | None:
    """``bytes 100-199/1000`` -> ContentRange(100, 199, 1000); None when malformed."""
    if not value:
        return None
    match = _RANGE.match(value)
    if match is None:
        return None
    first, last, total = match.groups()
    whole = int(total) if total != "*" else None
    if first is None:
        return ContentRange(None, None, whole)
    start, end = int(first), int(last)
    if end < start or (whole is not None and end >= whole):
        return None
    return ContentRange(start, end, whole)

"""Sizes and durations as people read them (binary units, labelled as such)."""

from __future__ import annotations


def human_size(size: int | float) -> str:
    """``1536`` -> ``"1.5 KiB"``; bytes below 1 KiB stay exact."""
    if size < 1024:
        return f"{int(size)} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
    return f"{size} B"  # pragma: no cover


def human_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"

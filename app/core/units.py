"""Sizes and durations as people read them.

Sizes are binary and labelled so (KiB, MiB, GiB, TiB: powers of 1,024, as Courier
computes every size and limit, e.g. the body limit in MiB), never a MiB called "MB".
A value that rounds up to 1,024 of a unit is shown in the next one ("1.0 MiB", not
"1024.0 KiB").
"""

from __future__ import annotations

UNITS = ("KiB", "MiB", "GiB", "TiB")
KIB = 1024


def human_size(size: int | float) -> str:
    """``1536`` -> ``"1.5 KiB"``; bytes below 1 KiB stay exact (``"512 B"``)."""
    if size < KIB:
        return f"{int(size)} B"
    value = float(size)
    for unit in UNITS:
        value /= KIB
        if round(value, 1) < KIB or unit == UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable: the last unit always returns")  # pragma: no cover


def human_time(seconds: float | None) -> str:
    """``0.25`` -> ``"250 ms"``, ``1.5`` -> ``"1.50 s"``; a value that rounds to
    1,000 ms is shown in seconds."""
    if seconds is None:
        return "—"
    if round(seconds * 1000) < 1000:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"

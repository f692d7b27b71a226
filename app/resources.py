"""Where Courier's bundled resources (icons, stylesheet, sample collection) live.

In a source checkout or an editable install they are the repository's
``resources/`` directory; in a wheel they are packaged as ``app/_resources``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("Courier's resources directory is missing from this installation")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)

"""Sizes say what they compute: binary units labelled KiB/MiB/GiB/TiB, the number
matching the unit's power of 1,024, never "1024.0 KiB" at a boundary; the demo
collection's request names use the same units as the sizes it fetches."""

from __future__ import annotations

import re

import pytest

from app.core import storage
from app.core.units import human_size, human_time
from app.resources import resource_path

POWERS = {"B": 0, "KiB": 1, "MiB": 2, "GiB": 3, "TiB": 4}


@pytest.mark.parametrize(
    ("size", "label"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (1024 * 1024 - 1, "1.0 MiB"),
        (1024 * 1024 - 40, "1.0 MiB"),
        (1024 * 1024 - 60, "1023.9 KiB"),
        (5 * 1024 * 1024, "5.0 MiB"),
        (2 * 1024**3, "2.0 GiB"),
        (1024**4 - 1, "1.0 TiB"),
        (3 * 1024**5, "3072.0 TiB"),
    ],
)
def test_human_size_labels(size: int, label: str) -> None:
    assert human_size(size) == label


@pytest.mark.parametrize("size", [1000, 10**6, 10**9, 1_048_576, 1_500_000, 123_456_789, 2**40])
def test_the_label_says_what_it_computes(size: int) -> None:
    number, unit = human_size(size).split(" ")
    assert unit in POWERS, "binary sizes carry binary (IEC) labels"
    assert abs(float(number) * 1024 ** POWERS[unit] - size) <= 0.05 * 1024 ** POWERS[unit]
    assert float(number) < 1024 or unit == "TiB"


def test_human_time_rolls_over_to_seconds() -> None:
    assert human_time(None) == "—"
    assert human_time(0.25) == "250 ms"
    assert human_time(0.9996) == "1.00 s"
    assert human_time(1.5) == "1.50 s"


def test_the_demo_collection_names_sizes_in_the_units_it_fetches() -> None:
    """The demo's sizes are binary (``/bytes/1048576``, ``?mb=`` in MiB): a name that
    says "1 MB" for 1 MiB is the mislabel a user saw next to the pane's "1.0 MiB"."""
    collection = storage.load_collection(resource_path("sample-collection"), use_cache=False)
    names = [request.name for _chain, request in collection.iter_requests()]
    assert "1 MiB of bytes" in names
    decimal = [n for n in names if re.search(r"\d\s*(kB|KB|MB|GB|TB)\b", n)]
    assert decimal == []

"""The fast YAML reader of Insomnia exports gives exactly what Courier's bounded YAML
loader gives (values, types, errors), and hands it what it does not read itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import yamlio
from app.core.importers import insomnia_yaml

_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 300,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "insomnia"


def outcome(load: object, text: str) -> tuple[str, object]:
    try:
        return "ok", load(text)  # type: ignore[operator]
    except (yamlio.YAMLError, ValueError) as exc:
        return "error", type(exc).__name__


@pytest.mark.parametrize("name", ["shop.insomnia_v4.yaml", "shop.insomnia_v5.yaml"])
def test_the_fixtures_read_the_same(name: str) -> None:
    text = (FIXTURES / name).read_text()
    assert insomnia_yaml.load(text) == yamlio.load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: true\nc: ~\nd:\ne: 1.5\nf: 2024-06-04\ng: 0x1F\nh: '1'\ni: |\n  x\n  y\n",
        "j: [1, 'a', {k: v}]\nk: 0x_\nl: .inf\nm: -.5\nn: 2001-12-14t21:59:43.10-05:00\n",
        'o: !!str 5\np: "2"\nq: >\n  folded\n  text\n',
        "! 0",  # the non-specific tag: resolved as PyYAML resolves it (found by hypothesis)
        "a: ! '1'\nb: ! true\n",
        "- 1\n- - 2\n  - x: &a 3\n    y: *a\n",  # aliases: handed to yamlio
        "<<: {a: 1}\nb: 2\n",  # a merge key: handed to yamlio
        "? [a]\n: 1\n",  # a complex key: handed to yamlio
        "",
        "---\na: 1\n---\nb: 2\n",  # two documents: yamlio says so
        "a: b: c",
        "{a: 1, b: [x, y]}",
        "'x'",
        "a: 1\na: 2\n",
    ],
)
def test_values_types_and_errors_are_the_loaders(text: str) -> None:
    assert outcome(insomnia_yaml.load, text) == outcome(yamlio.load, text)


def test_nesting_is_bounded() -> None:
    text = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 150))
    deep = "[" * 150 + "]" * 150
    for case in (deep, text):
        with pytest.raises(yamlio.TooComplex):
            insomnia_yaml.load(case)


@SETTINGS
@given(st.text(alphabet="ab:-[]{}'\"&*!|>#?%,\t \n01.~<", max_size=60))
def test_any_text_reads_as_the_loader_reads_it(text: str) -> None:
    assert outcome(insomnia_yaml.load, text) == outcome(yamlio.load, text)

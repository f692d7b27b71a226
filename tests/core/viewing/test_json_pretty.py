"""JsonPrettyPrinter: json.dumps(indent=2) layout, tokens as written, any split."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.viewing.json_pretty import STREAM_STRING, JsonPrettyPrinter, pretty_json


def run(body: bytes, cuts: list[int] | None = None, indent: int = 2) -> tuple[bytes, str | None]:
    printer = JsonPrettyPrinter(indent)
    points = sorted({c for c in cuts or [] if 0 < c < len(body)})
    out, last = [], 0
    for point in [*points, len(body)]:
        out.append(printer.feed(body[last:point]))
        last = point
    out.append(printer.finish())
    return b"".join(out), printer.error


def every_split(body: bytes) -> list[tuple[bytes, str | None]]:
    return [run(body, [cut]) for cut in range(len(body) + 1)] + [run(body, list(range(len(body))))]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    value=json_values,
    layout=st.sampled_from(["compact", "spaced", "indented", "ascii"]),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=8),
)
def test_any_value_any_split_matches_json_dumps(value: Any, layout: str, cuts: list[int]) -> None:
    if layout == "compact":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    elif layout == "spaced":
        body = json.dumps(value, ensure_ascii=False).encode()
    elif layout == "indented":
        body = ("\r\n\t " + json.dumps(value, ensure_ascii=False, indent="\t") + " \n").encode()
    else:
        body = json.dumps(value).encode()
    out, error = run(body, cuts)
    assert error is None
    assert json.loads(out) == json.loads(body)
    assert out.decode() == json.dumps(value, indent=2, ensure_ascii=(layout == "ascii"))


def test_tokens_are_kept_as_written() -> None:
    body = b'{"a": 1.50, "a": -0.0e+3, "b": "\\u00e9\\/x", "c": [true, false, null, {}, [ ]]}'
    expected = (
        b'{\n  "a": 1.50,\n  "a": -0.0e+3,\n  "b": "\\u00e9\\/x",\n  "c": [\n    true,\n'
        b"    false,\n    null,\n    {},\n    []\n  ]\n}"
    )
    for out, error in every_split(body):
        assert (out, error) == (expected, None)


def test_multibyte_characters_cut_between_pieces() -> None:
    body = '{"ключ": "значение 🎉", "n": 1}'.encode()
    expected = '{\n  "ключ": "значение 🎉",\n  "n": 1\n}'.encode()
    for out, error in every_split(body):
        assert (out, error) == (expected, None)


def test_indent_width_and_scalars() -> None:
    assert run(b'{"a":[1]}', indent=4) == (b'{\n    "a": [\n        1\n    ]\n}', None)
    assert run(b'  "abc"  ') == (b'"abc"', None)
    assert run(b"12") == (b"12", None)
    assert run(b"\xef\xbb\xbf[1]", [1, 2]) == (b"[\n  1\n]", None)
    assert run(b"") == (b"", None)


@pytest.mark.parametrize(
    ("body", "formatted", "error"),
    [
        (b"[1, 2,]", b"[\n  1,\n  2,\n  ]", "unexpected ']' at byte 6: expected a value"),
        (b'{"a" 1}', b'{\n  "a"1}', "unexpected number at byte 5: expected ':'"),
        (b"[1} ", b"[\n  1} ", "unexpected '}' at byte 2: expected ',' or ']'"),
        (b'{"a":1', b'{\n  "a": 1', "unexpected end of data at byte 6: expected ',' or '}'"),
        (b"[tru]", b"[tru]", "invalid literal or number at byte 1"),
        (b"[01]", b"[\n  01]", "unexpected number at byte 2: expected ',' or ']'"),
        (b"[1]x y", b"[\n  1\n]x y", "unexpected 'x' at byte 3: expected the end of the data"),
        (b'["a\x01b"]', b'["a\x01b"]', "invalid character in string at byte 3"),
        (b'["ab', b'["ab', "unterminated string at byte 4"),
        (
            b'{"a":1}{"b":2}',
            b'{\n  "a": 1\n}{"b":2}',
            "unexpected '{' at byte 7: expected the end of the data",
        ),
    ],
)
def test_invalid_json_stops_at_the_error_and_passes_the_rest(
    body: bytes, formatted: bytes, error: str
) -> None:
    for out, got in every_split(body):
        assert (out, got) == (formatted, error)


def test_after_an_error_later_pieces_pass_through() -> None:
    printer = JsonPrettyPrinter()
    assert printer.feed(b"[1 @ ") == b"[\n  1@ "
    assert printer.error is not None
    assert printer.error_offset == 3
    assert printer.feed(b'{"x": 1}') == b'{"x": 1}'
    assert printer.finish() == b""


def test_a_long_string_is_written_while_it_arrives() -> None:
    printer = JsonPrettyPrinter()
    text = "é" * STREAM_STRING  # 2 bytes each
    body = json.dumps({"key": text, "k": 1}, ensure_ascii=False).encode()
    cut = len(body) * 3 // 4 + 1  # inside the string and inside a character
    first = printer.feed(body[:cut])
    assert len(first) >= cut - 10
    out = first + printer.feed(body[cut:]) + printer.finish()
    assert printer.error is None
    assert out.decode() == json.dumps({"key": text, "k": 1}, indent=2, ensure_ascii=False)


def test_a_long_string_with_a_cut_escape_and_an_error_later() -> None:
    printer = JsonPrettyPrinter()
    body = b'["' + b"a" * STREAM_STRING + b'\\u00e9\\n", 1, 2 3]'
    cut = 2 + STREAM_STRING + 3  # inside the \u escape
    out = printer.feed(body[:cut]) + printer.feed(body[cut:]) + printer.finish()
    assert out == b'[\n  "' + b"a" * STREAM_STRING + b'\\u00e9\\n",\n  1,\n  23]'
    assert printer.error == f"unexpected number at byte {len(body) - 2}: expected ',' or ']'"


def test_whole_body_helper() -> None:
    assert pretty_json(b'{"a":[]}') == (b'{\n  "a": []\n}', None)

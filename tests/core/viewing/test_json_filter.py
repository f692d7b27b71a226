"""run_filter: JSONPath and jq over real bytes, errors as short messages."""

from __future__ import annotations

import json

import pytest

from app.core.viewing.json_filter import FilterError, language_of, run_filter

BODY = json.dumps(
    {"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3}], "big": 2**70}
).encode()


def test_jsonpath() -> None:
    result = run_filter(BODY, "$.items[*].id")
    assert (result.count, result.language) == (3, "jsonpath")
    assert json.loads(result.text) == [1, 2, 3]
    assert result.text == "[\n  1,\n  2,\n  3\n]"


def test_jsonpath_with_a_filter_and_big_integers() -> None:
    assert json.loads(run_filter(BODY, "$.items[?@.name == 'b']").text) == [{"id": 2, "name": "b"}]
    assert json.loads(run_filter(BODY, "$.big").text) == [2**70]


def test_jq() -> None:
    result = run_filter(BODY, ".items[] | select(.name) | .name")
    assert (json.loads(result.text), result.count, result.language) == (["a", "b"], 2, "jq")
    assert run_filter(b"\xef\xbb\xbf[1,2]", "length").text == "[\n  2\n]"


def test_no_match_is_an_empty_list() -> None:
    result = run_filter(BODY, "$.nothing")
    assert (result.text, result.count) == ("[]", 0)


def test_language_choice() -> None:
    assert language_of("  $.a") == "jsonpath"
    assert language_of(".a") == "jq"


@pytest.mark.parametrize(
    ("body", "expression", "message"),
    [
        (BODY, "$.items[", "unexpected end of query"),
        (BODY, ".items[", "syntax error, unexpected end of file"),
        (BODY, ".items | keys[0] | .x", "Cannot index number with string"),
        (b"{nope", "$.a", "the body is not valid JSON"),
        (b"{nope", ".a", "the body is not valid JSON: parse error"),
        (BODY, "  ", "empty expression"),
    ],
)
def test_errors_are_short_messages(body: bytes, expression: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        run_filter(body, expression)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_size_limit() -> None:
    # sizes in the unit they need ("0 MB" said nothing about a 101-byte body)
    with pytest.raises(FilterError, match=r"too large to filter \(101 B; the limit is 10 B\)"):
        run_filter(BODY, "$.items", limit=10)

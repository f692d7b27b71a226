"""{{variables}}: substitution, nesting, recursion, dynamic values, highlighting spans."""

from __future__ import annotations

import re
import uuid

from app.core.templating import RenderResult, find_variables, render


def test_known_names_are_replaced_and_unknown_kept_and_reported() -> None:
    result = render("{{base}}/users/{{ id }}?t={{token}}", {"base": "https://h", "id": "7"})
    assert result.text == "https://h/users/7?t={{token}}"
    assert result.unresolved == ("token",)


def test_values_can_refer_to_other_variables() -> None:
    values = {"host": "api.example.com", "base": "https://{{host}}/v1"}
    assert render("{{base}}/x", values).text == "https://api.example.com/v1/x"


def test_self_and_mutual_references_do_not_loop() -> None:
    result = render("{{a}}", {"a": "x{{b}}", "b": "y{{a}}"})
    assert result.unresolved == ("a",)
    assert result.text == "xy{{a}}"
    assert render("{{me}}", {"me": "{{me}}"}).unresolved == ("me",)


def test_dynamic_values() -> None:
    text = render("{{$uuid}} {{$timestamp}} {{$isoTimestamp}} {{$randomInt}}", {}).text
    u, ts, iso, n = text.split(" ")
    assert uuid.UUID(u).version == 4
    assert ts.isdigit()
    assert int(ts) > 1_700_000_000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert 0 <= int(n) <= 1000
    first = render("{{$uuid}}", {}).text
    assert first != render("{{$uuid}}", {}).text, "computed on every render"


def test_caller_builtins_and_text_without_braces() -> None:
    assert render("{{$demo}}/posts", {"$demo": "http://127.0.0.1:9"}).text.endswith(":9/posts")
    assert render("plain", {}).unresolved == ()


def test_find_variables_spans() -> None:
    spans = find_variables("a {{x}} b {{ y.z }}")
    assert [(s.start, s.end, s.name) for s in spans] == [(2, 7, "x"), (10, 19, "y.z")]


def test_nesting_stops_at_ten_levels() -> None:
    ten = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(9)} | {"v9": "end"}
    assert render("<{{v0}}>", ten) == RenderResult("<end>", ())
    eleven = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(10)} | {"v10": "end"}
    assert render("<{{v0}}>", eleven) == RenderResult("<{{v10}}>", ("v10",))

"""{{variables}}: substitution, nesting, recursion, dynamic values, highlighting spans."""

from __future__ import annotations

import re
import uuid

import pytest

from app.core.errors import ExpansionTooLarge
from app.core.templating import (
    MAX_GROWTH,
    Budget,
    Expander,
    RenderResult,
    find_variables,
    render,
)


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


def test_any_name_between_braces_is_a_variable() -> None:
    text = "{{my var}}/{{ ünï }}/{{a-b.c$}}/{{}}/{{ }}/{{a\nb}}"
    result = render(text, {})
    assert result.unresolved == ("my var", "ünï", "a-b.c$")
    assert result.text == text, "unresolved placeholders stay as typed"
    assert render(text, {"my var": "1", "ünï": "2", "a-b.c$": "3"}) == RenderResult(
        "1/2/3/{{}}/{{ }}/{{a\nb}}", ()
    )
    spans = find_variables(text)
    assert [s.name for s in spans] == ["my var", "ünï", "a-b.c$"]
    assert [text[s.start : s.end] for s in spans] == ["{{my var}}", "{{ ünï }}", "{{a-b.c$}}"]


def test_expansion_past_the_step_budget_names_the_variable() -> None:
    bomb = {f"v{i}": f"{{{{v{i + 1}}}}}" * 10 for i in range(9)} | {"v9": "x"}
    with pytest.raises(ExpansionTooLarge) as caught:
        render("{{v0}}", bomb)
    assert "{{v0}}" in caught.value.message
    assert "substitutions" in caught.value.message
    assert "{{v0}} → {{v1}}" in caught.value.message, "the path that led there"


def test_expansion_past_the_size_budget_names_the_variable() -> None:
    values = {"big": "{{chunk}}" * 5, "chunk": "x" * (MAX_GROWTH // 4)}
    with pytest.raises(ExpansionTooLarge, match=r"\{\{big\}\} grows the text by more than 4 MiB"):
        render("{{big}}", values)
    four = {"big": "{{chunk}}" * 4, "chunk": "x" * (MAX_GROWTH // 4)}
    assert len(render("{{big}}", four).text) == MAX_GROWTH, "up to the budget is fine"
    large = "y" * (MAX_GROWTH + 10) + "{{id}}"
    assert render(large, {"id": "7"}).text.endswith("y7"), "a big text may still use variables"


def test_one_budget_spans_several_renders() -> None:
    expander = Expander({"a": "1"}, Budget(steps=3))
    assert expander.render("{{a}}{{a}}").text == "11"
    expander.render("{{a}}")
    with pytest.raises(ExpansionTooLarge):
        expander.render("{{a}}")


def test_expander_reports_what_went_in() -> None:
    result = Expander({"a": "<{{b}}>", "b": "{{$uuid}}", "c": "3"}).render("{{a}}{{c}}{{d}}")
    assert result.used == frozenset({"a", "b", "$uuid", "c"})
    assert result.dynamic is True
    assert result.unresolved == ("d",)
    assert Expander({"c": "3"}).render("{{c}}").dynamic is False

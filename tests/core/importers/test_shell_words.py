"""Commands split into words as bash and as Windows cmd + curl.exe would split them."""

from __future__ import annotations

import pytest

from app.core.importers import MalformedImport
from app.core.importers.shell_words import looks_like_cmd, split_bash, split_cmd


def words(text: str) -> list[list[str]]:
    return [[w.text for w in command.words] for command in split_bash(text)]


def cmd_words(text: str) -> list[list[str]]:
    return [[w.text for w in command.words] for command in split_cmd(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("curl -d 'a b' x", ["curl", "-d", "a b", "x"]),
        ('curl -H "X: \\"q\\" \\$HOME \\n"', ["curl", "-H", 'X: "q" $HOME \\n']),
        ("curl 'it'\"'\"'s'", ["curl", "it's"]),
        ("curl $'a\\tb\\n\\'c\\' \\x41\\u00e9\\101\\\\'", ["curl", "a\tb\n'c' AéA\\"]),
        ("curl a\\ b c\\\n  d", ["curl", "a b", "c", "d"]),
        ("curl ''", ["curl", ""]),
        ("curl x # a comment", ["curl", "x"]),
        ("curl a#b", ["curl", "a#b"]),
        ('curl "$TOKEN" ${HOST}/x', ["curl", "{{TOKEN}}", "{{HOST}}/x"]),
        ("curl 'no $EXPANSION here'", ["curl", "no $EXPANSION here"]),
        ("curl $ x", ["curl", "$", "x"]),
    ],
)
def test_bash_quoting(text: str, expected: list[str]) -> None:
    assert words(text) == [expected]


def test_commands_end_at_newlines_and_operators_and_pipes_are_dropped() -> None:
    text = "curl a | jq .\ncurl b > out.json; curl c && curl d\n\ncurl e < body.json"
    commands = split_bash(text)
    assert [[w.text for w in c.words] for c in commands] == [
        ["curl", "a"],
        ["curl", "b"],
        ["curl", "c"],
        ["curl", "d"],
        ["curl", "e"],
    ]
    assert "piped" in commands[0].notes[0]
    assert "out.json" in commands[1].notes[0]
    assert commands[4].stdin_file == "body.json"


def test_shell_variables_are_listed() -> None:
    (command,) = split_bash('curl -H "Authorization: Bearer $API_KEY" "$BASE/x"')
    assert command.variables == ["API_KEY", "BASE"]


def test_word_positions_are_line_and_column() -> None:
    (command,) = split_bash("curl \\\n  -H 'x: y' \\\n    https://e.com")
    assert [(w.text, w.line, w.column) for w in command.words] == [
        ("curl", 1, 1),
        ("-H", 2, 3),
        ("x: y", 2, 6),
        ("https://e.com", 3, 5),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("curl 'open", 1, 6, "'...' string is never closed"),
        ('curl x\n  -d "open', 2, 6, '"..." string is never closed'),
        ("curl $'open", 1, 6, "$'...' string is never closed"),
        ("curl ${X", 1, 6, "${...} is never closed"),
        ("curl x >", 1, 9, "file name is missing after >"),
    ],
)
def test_malformed_commands_say_where(text: str, line: int, column: int, reason: str) -> None:
    with pytest.raises(MalformedImport) as caught:
        split_bash(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert reason in caught.value.message
    assert f"line {line}, column {column}" in caught.value.message


def test_chrome_cmd_flavour() -> None:
    text = (
        'curl ^"https://e.com/a?x=1^&y=^%^3D^" ^\n'
        '  -H ^"sec-ch-ua: ^\\^"Chromium^\\^";v=^\\^"124^\\^"^" ^\n'
        '  --data-raw ^"^{^\\^"a^\\^":^\\^"b ^& c^\\^"^}^"'
    )
    assert looks_like_cmd(text)
    assert cmd_words(text) == [
        [
            "curl",
            "https://e.com/a?x=1&y=%3D",
            "-H",
            'sec-ch-ua: "Chromium";v="124"',
            "--data-raw",
            '{"a":"b & c"}',
        ]
    ]


def test_cmd_plain_double_quotes_and_backslashes() -> None:
    text = r'curl -d "{\"n\": \"a\\b\"}" "x y" "say ""hi""" "end\\"'
    expected = ["curl", "-d", r'{"n": "a\\b"}', "x y", 'say "hi"', "end\\"]
    assert cmd_words(text) == [expected]


def test_cmd_percent_variables() -> None:
    (command,) = split_cmd('curl -H "Authorization: Bearer %TOKEN%" ^\n  https://e.com')
    assert [w.text for w in command.words][2] == "Authorization: Bearer {{TOKEN}}"
    assert command.variables == ["TOKEN"]


def test_bash_is_not_taken_for_cmd() -> None:
    assert not looks_like_cmd("curl 'https://e.com' \\\n  -H 'a: b'")

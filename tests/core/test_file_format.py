"""The YAML layer: the fast loader means what PyYAML's safe loader means, any text
survives a save and load unchanged, and file names are safe on every system."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from app.core import yamlio
from app.core.codec import request_from_yaml, request_to_yaml
from app.core.model import Body, BodyKind, FormPart, KeyValue, PartKind, Request
from app.core.slugs import slugify, unique_slug

try:
    from yaml import CSafeLoader as ReferenceLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as ReferenceLoader  # type: ignore[assignment]

DOCUMENTS = [
    "name: A\nmethod: GET\nurl: /x\n",
    "a: 1\nb: yes\nc: ~\nd: 1.5\ne: 2001-12-14\nf: !!binary aGVsbG8=\n",
    "1: one\ntrue: t\nnull: n\n3.5: f\n",
    "a: &x [1, 2]\nb: *x\n",
    "a: &x {k: v}\nb: *x\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "? [1, 2]\n: v\n",
    "!!set {a, b}\n",
    "!!omap [a: 1, b: 2]\n",
    "a: !!str 12\nb: !!int '7'\n",
    "",
    "# only a comment\n",
    "plain text\n",
    "- a\n- b: c\n",
    "a: b\na: c\n",
    "text: |\n  x\n  y\n",
]


def reference_load(text: str) -> object:
    return yaml.load(text, Loader=ReferenceLoader)


def outcome(load: Callable[[str], object], text: str) -> str:
    try:
        return repr(load(text))
    except yaml.YAMLError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("text", DOCUMENTS)
def test_fast_loader_matches_pyyaml(text: str) -> None:
    assert outcome(yamlio.load, text) == outcome(reference_load, text)


def test_fast_loader_keeps_shared_aliases_and_refuses_recursive_ones() -> None:
    shared = yamlio.load("a: &x [1]\nb: *x\n")
    assert shared["a"] is shared["b"]
    # a recursive structure is infinite to anything walking it (the parse cache's JSON)
    for text in ("&a [*a]\n", "a: &m {b: *m}\n", "- &s [x, [*s]]\n"):
        with pytest.raises(yamlio.TooComplex, match="refers to itself"):
            yamlio.load(text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: !!python/object:os.system x\n", yaml.constructor.ConstructorError),
        ("a: !!nope x\n", yaml.constructor.ConstructorError),
        ("a: [\n", yaml.parser.ParserError),
        ("a: 1\n---\nb: 2\n", yaml.composer.ComposerError),
    ],
)
def test_fast_loader_refuses_what_the_safe_loader_refuses(
    text: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        reference_load(text)
    with pytest.raises(error):
        yamlio.load(text)


AWKWARD = [
    "",
    "yes",
    "null",
    "~",
    "1",
    "1.0",
    "0x1f",
    "2001-01-01",
    "<<",
    " leading",
    "trailing ",
    "\n",
    "\n\n",
    "a\n",
    "a\n\n",
    "  indented\nnext",
    "a\r\nb",
    "- x",
    "#c",
    "a: b",
    "{{x}}",
    "tab\tinside\n",
    "space before break \nnext\n",
    "\ttab first\nx",
    "\u2028 line separator",
    "\ufeffbom",
    "nul \x00 bell \x07",
    "é 🚀 日本",
]
ALPHABET = "ab Z09 \t\n\r:#-'\"{}[]|>!&*%@`,?~\\é🚀\u2028\x85"


def awkward_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(AWKWARD)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14)))


def random_request(rng: random.Random) -> Request:
    kind = rng.choice(list(BodyKind))
    return Request(
        name=awkward_text(rng) or "unnamed",
        method=rng.choice(["GET", "POST", "PROPFIND"]),
        url=awkward_text(rng),
        params=[
            KeyValue(awkward_text(rng), awkward_text(rng), rng.random() < 0.5)
            for _ in range(rng.randint(0, 2))
        ],
        headers=[KeyValue(awkward_text(rng), awkward_text(rng)) for _ in range(rng.randint(0, 2))],
        body=Body(
            kind,
            text=awkward_text(rng) if kind in (BodyKind.RAW, BodyKind.JSON) else "",
            content_type=awkward_text(rng) if kind in (BodyKind.RAW, BodyKind.FILE) else "",
            form=[KeyValue(awkward_text(rng), awkward_text(rng))] if kind is BodyKind.FORM else [],
            path=awkward_text(rng) if kind is BodyKind.FILE else "",
            parts=[
                FormPart(
                    awkward_text(rng),
                    awkward_text(rng),
                    rng.choice(list(PartKind)),
                    awkward_text(rng),
                    awkward_text(rng),
                    rng.random() < 0.5,
                )
                for _ in range(rng.randint(0, 3) if kind is BodyKind.MULTIPART else 0)
            ],
        ),
        notes=awkward_text(rng),
    )


def test_any_text_survives_save_and_load_byte_identical() -> None:
    rng = random.Random(20240501)
    for _ in range(3000):
        request = random_request(rng)
        text = request_to_yaml(request)
        loaded = request_from_yaml(text, Path("r.request.yaml"))
        assert loaded == request, text
        assert request_to_yaml(loaded) == text


def test_multiline_text_is_a_literal_block() -> None:
    text = request_to_yaml(Request(name="R", notes="one\ntwo\n"))
    assert text.endswith("notes: |\n  one\n  two\n")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Get post #1", "get-post-1"),
        ("  --Hello, World!--  ", "hello-world"),
        ("Ünïcode API", "unicode-api"),
        ("日本語", "untitled"),
        ("", "untitled"),
        ("../../etc/passwd", "etc-passwd"),
        ("CON", "con-1"),
        ("lpt1", "lpt1-1"),
        ("console", "console"),
        ("x" * 200, "x" * 80),
    ],
)
def test_slugs_are_safe_file_names(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_unique_slug_counts_up() -> None:
    assert unique_slug("a", set()) == "a"
    assert unique_slug("a", {"a", "a-2"}) == "a-3"


def test_deadline_and_body_cap_settings_round_trip() -> None:
    from app.core.model import Settings

    request = Request(name="r", settings=Settings(timeout_s=5.0, deadline_s=60.0, max_body_mb=256))
    text = request_to_yaml(request)
    assert text.endswith("settings:\n  timeout_s: 5.0\n  deadline_s: 60.0\n  max_body_mb: 256\n")
    assert request_from_yaml(text) == request
    # 0 = "no deadline", an override worth keeping; None = inherit, never written
    request.settings = Settings(deadline_s=0.0)
    text = request_to_yaml(request)
    assert "deadline_s: 0.0" in text
    assert "max_body_mb" not in text
    assert request_from_yaml(text).settings == Settings(deadline_s=0.0)
    assert "settings" not in request_to_yaml(Request(name="plain"))
    assert request_from_yaml("name: r\nsettings: {deadline_s: 3}\n").settings.deadline_s == 3.0


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ("{max_body_mb: 1.5}", "'max_body_mb' must be a whole number of MiB between 0 and "),
        ("{deadline_s: soon}", "'deadline_s' must be a number of seconds between 0 and 86400"),
        ("{deadline_s: -1}", "'deadline_s' must be a number of seconds .*, not -1$"),
        ("{max_body_mb: -5}", "'max_body_mb' must be .*, not -5$"),
    ],
)
def test_bad_deadline_or_body_cap_is_refused(settings: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        request_from_yaml(f"name: r\nsettings: {settings}\n")


def test_upload_bodies_in_the_file() -> None:
    request = Request(
        name="Upload",
        method="POST",
        body=Body(
            BodyKind.MULTIPART,
            parts=[
                FormPart("caption", "hi {{name}}"),
                FormPart("photo", "fixtures/p.png", PartKind.FILE),
                FormPart("doc", "~/d.txt", PartKind.FILE, "text/plain", "d.txt", enabled=False),
            ],
        ),
    )
    text = request_to_yaml(request)
    assert text == (
        "name: Upload\nmethod: POST\nbody:\n  type: multipart\n  parts:\n"
        "  - name: caption\n    value: hi {{name}}\n"
        "  - name: photo\n    type: file\n    path: fixtures/p.png\n"
        "  - name: doc\n    type: file\n    path: ~/d.txt\n    file_name: d.txt\n"
        "    content_type: text/plain\n    enabled: false\n"
    )
    assert request_from_yaml(text) == request
    single = Request(name="F", method="PUT", body=Body(BodyKind.FILE, path="a b.bin"))
    assert "body:\n  type: file\n  path: a b.bin\n" in request_to_yaml(single)
    assert request_from_yaml(request_to_yaml(single)) == single


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "{type: multipart, parts: [{name: a, type: blob}]}",
            "part 1 of 'parts' has the unknown 'type' 'blob'",
        ),
        (
            "{type: multipart, parts: [{name: a, type: file, value: x}]}",
            "name its file with 'path'",
        ),
        ("{type: multipart, parts: [{name: a, path: x}]}", "add 'type: file'"),
        ("{type: multipart, parts: [a]}", "expected a mapping for part 1 of 'parts'"),
        ("{type: multipart, parts: {a: 1}}", "'parts' must be a list"),
        ("{type: file, path: [a]}", "'path' must be text"),
        (
            "{type: upload}",
            "unknown body type 'upload' (expected none, raw, json, form, file, multipart)",
        ),
    ],
)
def test_malformed_upload_bodies_say_what_is_wrong(body: str, reason: str) -> None:
    from app.core.codec import BadShape

    with pytest.raises(BadShape, match=re.escape(reason)):
        request_from_yaml(f"name: R\nbody: {body}\n")

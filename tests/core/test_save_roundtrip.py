"""Saving keeps what Courier does not own: property tests over generated files.

Every file type (request, folder.yaml, collection.yaml, environment) is
generated from a random model, decorated with unknown keys (top level and inside
rows, auth, body, settings) and comments, written to a real collection and
opened with ``load_collection``.  Then:

* saving unchanged leaves every byte as it was;
* changing one field and saving applies exactly that change (reloading gives
  the changed model) and keeps every unknown key and every comment.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.core import codec, storage, yamlio
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Settings,
    Variable,
)

# A fixed sequence of examples in every run (CI included), so a run is repeatable;
# ``COURIER_FUZZ=3000`` explores that many fresh random examples per file type.
_FUZZ = int(os.environ.get("COURIER_FUZZ", "0"))
SETTINGS = settings(
    max_examples=_FUZZ or 60,
    derandomize=not _FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

word = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
line = (
    st.text("abcdefghijklmnopqrstuvwxyz ABC0123456789-_./:{}", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
text = st.lists(line, min_size=1, max_size=3).map("\n".join) | st.just("")
rows = st.lists(st.builds(KeyValue, word, line | st.just(""), st.booleans()), max_size=3)
reference = st.sampled_from(["", "{{token}}", "{{ secret.pw }}"])
auths = st.one_of(
    st.builds(Auth, kind=st.sampled_from([AuthKind.INHERIT, AuthKind.NONE])),
    st.builds(Auth, kind=st.just(AuthKind.BEARER), token=reference),
    st.builds(Auth, kind=st.just(AuthKind.BASIC), username=word, password=reference),
    st.builds(Auth, kind=st.just(AuthKind.API_KEY), key_name=word, key_value=reference),
)
setting_values = st.builds(
    Settings,
    timeout_s=st.sampled_from([None, 1.5, 30.0]),
    follow_redirects=st.sampled_from([None, True, False]),
    max_redirects=st.sampled_from([None, 0, 5]),
    proxy=st.sampled_from([None, "", "http://proxy:3128"]),
)
variables = st.lists(
    st.one_of(
        st.builds(Variable, word, line, st.booleans()),
        st.builds(Variable, word, st.just(""), st.booleans(), st.just(True)),
    ),
    max_size=3,
)
bodies = st.one_of(
    st.just(Body()),
    st.builds(Body, kind=st.just(BodyKind.JSON), text=text),
    st.builds(Body, kind=st.just(BodyKind.FORM), form=rows),
    st.builds(Body, kind=st.just(BodyKind.FILE), path=line, content_type=st.just("") | line),
    st.builds(
        Body,
        kind=st.just(BodyKind.MULTIPART),
        parts=st.lists(
            st.builds(
                FormPart,
                line,
                line,
                st.sampled_from(list(PartKind)),
                st.just("") | line,
                st.just("") | line,
                st.booleans(),
            ),
            max_size=3,
        ),
    ),
)
requests = st.builds(
    Request,
    name=line,
    method=st.sampled_from(["GET", "POST", "PATCH"]),
    url=line | st.just(""),
    params=rows,
    headers=rows,
    body=bodies,
    notes=text,
    auth=auths,
    settings=setting_values,
)
folders = st.builds(
    Folder,
    name=line,
    headers=rows,
    variables=variables,
    notes=text,
    auth=auths.filter(lambda a: a.kind is not AuthKind.NONE),
    settings=setting_values,
)
collections = st.builds(
    Collection,
    name=line,
    id=st.just("c0ffee"),
    base_url=line | st.just(""),
    headers=rows,
    variables=variables,
    notes=text,
    auth=auths.filter(lambda a: a.kind is not AuthKind.INHERIT),
    settings=setting_values,
)
environments = st.builds(Environment, name=line, variables=variables)


# --------------------------------------------------------------- decoration

_KEY_LINE = re.compile(r"^( *)(- )?[A-Za-z_][\w-]*:")
_BLOCK_START = re.compile(r":\s*[|>][-+0-9]*$")


def decorate(data: dict[str, Any], draw: Callable[[Any], Any]) -> tuple[str, dict[str, Any]]:
    """Courier's data with unknown keys and comments; (text, the unknown keys added)."""
    unknown: dict[str, Any] = {}
    data = dict(data)
    keys = list(data)
    at = draw(st.integers(0, len(keys)))
    extra = {"x-team-owner": draw(word), "tests": [draw(word), draw(word)]}
    data = {**dict(list(data.items())[:at]), **extra, **dict(list(data.items())[at:])}
    unknown.update(extra)
    for key in ("headers", "params", "variables"):
        if data.get(key):
            data[key] = [dict(data[key][0], **{"x-note": draw(word)}), *data[key][1:]]
            unknown[f"{key}[0].x-note"] = data[key][0]["x-note"]
    for key in ("auth", "settings", "body"):
        if isinstance(data.get(key), dict):
            data[key] = {**data[key], "x-future": draw(word)}
            unknown[f"{key}.x-future"] = data[key]["x-future"]
    lines = yamlio.dump(data).splitlines()
    out = ["# head comment"]
    block_indent: int | None = None
    for n, current in enumerate(lines):
        indent = len(current) - len(current.lstrip(" "))
        if block_indent is not None and (not current.strip() or indent > block_indent):
            out.append(current)
            continue
        block_indent = None
        match = _KEY_LINE.match(current)
        if match and (match.group(2) or indent == 0) and draw(st.booleans()):
            out.append(f"{match.group(1)}# comment {n}")
        if match and "x-" in current.split(":")[0] and draw(st.booleans()):
            current += f"  # eol {n}"
        out.append(current)
        if _BLOCK_START.search(current):
            block_indent = indent
    out.append("# tail comment")
    return "\n".join(out) + "\n", unknown


def comments(text: str) -> list[str]:
    return sorted(re.findall(r"# (?:head comment|tail comment|comment \d+|eol \d+)", text))


def unknown_of(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {k: data[k] for k in ("x-team-owner", "tests") if k in data}
    for key in ("headers", "params", "variables"):
        for row in data.get(key) or []:
            if isinstance(row, dict) and "x-note" in row:  # rows may have moved
                found[f"{key}[0].x-note"] = row["x-note"]
    for key in ("auth", "settings", "body"):
        if isinstance(data.get(key), dict) and "x-future" in data[key]:
            found[f"{key}.x-future"] = data[key]["x-future"]
    return found


# ------------------------------------------------------------------ changes

MUTATIONS: dict[str, Callable[[Any, Any], None]] = {
    "name": lambda item, v: setattr(item, "name", f"Renamed {v}"),
    "notes": lambda item, v: setattr(item, "notes", "" if v % 2 else f"new\nnotes {v}"),
    "add row": lambda item, v: item.headers.insert(v % (len(item.headers) + 1), KeyValue("New")),
    "drop last row": lambda item, v: item.headers and item.headers.pop(),
    "row value": lambda item, v: item.headers and setattr(item.headers[0], "value", f"v{v}"),
    "timeout": lambda item, v: setattr(item.settings, "timeout_s", float(v)),
    "no timeout": lambda item, v: setattr(item.settings, "timeout_s", None),
    "add variable": lambda item, v: item.variables.append(Variable(f"n{v}", "", secret=v % 2 == 0)),
    "url": lambda item, v: setattr(item, "url", "" if v % 3 == 0 else f"https://x/{v}"),
    "method": lambda item, v: setattr(item, "method", "DELETE"),
    "body text": lambda item, v: setattr(item, "body", Body(BodyKind.RAW, text=f"a\nb{v}")),
    "base_url": lambda item, v: setattr(item, "base_url", "" if v % 2 else f"http://h{v}"),
}
FOR_TYPE = {
    "request": ["name", "notes", "add row", "drop last row", "row value", "timeout",
                "no timeout", "url", "method", "body text"],
    "folder": ["name", "notes", "add row", "drop last row", "row value", "timeout",
               "no timeout", "add variable"],
    "collection": ["name", "notes", "add row", "drop last row", "row value", "timeout",
                   "add variable", "base_url"],
    "environment": ["name", "add variable"],
}  # fmt: skip


def write_collection(root: Path, kind: str, item: Any, text: str) -> Path:
    """A collection whose file of ``kind`` is ``text``; the path of that file."""
    collection = storage.create_collection(root, "Base")
    if kind == "collection":
        target = root / "collection.yaml"
    elif kind == "folder":
        (root / "f").mkdir()
        target = root / "f" / "folder.yaml"
    elif kind == "request":
        target = root / "r.request.yaml"
    else:
        (root / "environments").mkdir()
        target = root / "environments" / "e.yaml"
    del collection
    target.write_text(text, encoding="utf-8")
    return target


def find(collection: Collection, kind: str) -> Any:
    if kind == "collection":
        return collection
    if kind == "folder":
        return collection.folders[0]
    if kind == "request":
        return collection.requests[0]
    return collection.environments[0]


def save(collection: Collection, kind: str, item: Any) -> None:
    if kind == "collection":
        storage.save_collection_settings(collection)
    elif kind == "folder":
        storage.save_folder_settings(collection, item)
    elif kind == "request":
        storage.save_request(collection, item)
    else:
        storage.save_environment(collection, item)


TO_DATA: dict[str, Callable[[Any], dict[str, Any]]] = {
    "request": codec.request_to_data,
    "folder": codec.folder_to_data,
    "collection": codec.collection_to_data,
    "environment": codec.environment_to_data,
}


def own_fields(item: Any) -> dict[str, Any]:
    return TO_DATA[type(item).__name__.lower()](item)


def round_trip(kind: str, model: Any, data: st.DataObject) -> None:
    text, unknown = decorate(TO_DATA[kind](model), data.draw)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "c"
        target = write_collection(root, kind, model, text)
        before = target.read_bytes()
        collection = storage.load_collection(root, use_cache=False)
        assert not collection.problems
        item = find(collection, kind)
        assert own_fields(item) == TO_DATA[kind](model)

        save(collection, kind, item)  # unchanged: not a byte differs
        assert target.read_bytes() == before

        change = data.draw(st.sampled_from(FOR_TYPE[kind]))
        had_rows = len(getattr(item, "headers", []))
        MUTATIONS[change](item, data.draw(st.integers(0, 50)))
        expected = own_fields(item)
        save(collection, kind, item)

        after = target.read_text(encoding="utf-8")
        reloaded = storage.load_collection(root, use_cache=False)
        assert not reloaded.problems, after
        assert own_fields(find(reloaded, kind)) == expected, after
        kept = unknown_of(yamlio.load(after))
        expected_comments = comments(text)
        if change == "drop last row" and had_rows == 1:  # the whole headers block is gone
            unknown.pop("headers[0].x-note", None)
            expected_comments = comments(without_block(text, "headers"))
        if change == "body text":  # a form/multipart body becomes raw: its rows (and comments) go
            rows_gone = without_nested_block(text, "body", "form")
            expected_comments = comments(without_nested_block(rows_gone, "body", "parts"))
        assert kept == unknown, after
        left = comments(after)  # all but those inside a deleted block, none invented
        assert set(expected_comments) <= set(left) <= set(comments(text)), f"{text}\n--\n{after}"
        assert len(left) == len(set(left))


def without_block(text: str, key: str) -> str:
    """``text`` without the lines of the top-level ``key`` (comments after it stay)."""
    lines = text.splitlines()
    start = next(i for i, current in enumerate(lines) if current.startswith(f"{key}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[i])), len(lines)
    )
    while lines[end - 1].startswith("#"):
        end -= 1
    return "\n".join(lines[:start] + lines[end:])


def without_nested_block(text: str, key: str, inner: str) -> str:
    """``text`` without the lines of ``inner`` nested one level under the top-level ``key``."""
    lines = text.splitlines()
    try:
        top = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        start = next(i for i in range(top + 1, len(lines)) if lines[i].strip() == f"{inner}:")
    except StopIteration:
        return text
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        depth = len(line) - len(line.lstrip())
        if line.strip() and depth <= indent and not line.lstrip().startswith(("-", "#")):
            break  # the next key of the outer mapping
        if line.strip() and depth < indent:
            break
        end += 1
    return "\n".join(lines[:start] + lines[end:])


@SETTINGS
@given(requests, st.data())
def test_request_file_round_trips_with_unknown_keys_and_comments(
    model: Request, data: st.DataObject
) -> None:
    round_trip("request", model, data)


@SETTINGS
@given(folders, st.data())
def test_folder_file_round_trips_with_unknown_keys_and_comments(
    model: Folder, data: st.DataObject
) -> None:
    round_trip("folder", model, data)


@SETTINGS
@given(collections, st.data())
def test_collection_file_round_trips_with_unknown_keys_and_comments(
    model: Collection, data: st.DataObject
) -> None:
    round_trip("collection", model, data)


@SETTINGS
@given(environments, st.data())
def test_environment_file_round_trips_with_unknown_keys_and_comments(
    model: Environment, data: st.DataObject
) -> None:
    round_trip("environment", model, data)


def test_values_keep_their_meaning_through_a_merge(tmp_path: Path) -> None:
    """Untouched scalars read the same after a save as before (found by the property test:
    ruamel's YAML 1.2 read ``059_`` as the integer 59 and the save fell back to a plain
    dump, dropping every comment and nested unknown key)."""
    root = tmp_path / "c"
    storage.create_collection(root, "Base")
    text = (
        "# keep me\n"
        "courier: 1\n"
        "name: 059_\n"
        "method: GET\n"
        "url: ''\n"
        "x-values: [y, n, yes, 1e5, 1.5e+3, '012', 012, 1:30, 0b1, 1_000, .50, 2026-11-24]\n"
        "x-odd: 0x_\n"
        "headers:\n"
        "- name: A\n"
        "  value: y  # eol\n"
        "  x-note: 1e5\n"
    )
    target = root / "r.request.yaml"
    target.write_text(text, encoding="utf-8")
    before = yamlio.load(text)
    collection = storage.load_collection(root, use_cache=False)
    request = collection.requests[0]
    assert request.name == "059_"
    assert request.headers[0].value == "y"
    request.url = "https://example.test/"
    storage.save_request(collection, request)
    after_text = target.read_text(encoding="utf-8")
    after = yamlio.load(after_text)
    assert after == {**before, "url": "https://example.test/"}, after_text
    assert "# keep me" in after_text
    assert text.splitlines()[5] in after_text.splitlines()  # untouched: spelled as it was
    assert "x-odd: 0x_" in after_text.splitlines()
    assert "url: https://example.test/" in after_text.splitlines()  # '' was quoted as empty
    assert "# eol" in after_text
    request.headers[0].value = "n"  # a new value PyYAML would read as a string stays one
    request.name = "yes"  # ... and one it would read as a boolean is quoted
    storage.save_request(collection, request)
    reloaded = storage.load_collection(root, use_cache=False).requests[0]
    assert (reloaded.name, reloaded.headers[0].value) == ("yes", "n")


def test_a_secret_spelled_yes_is_still_kept_out_of_the_file(tmp_path: Path) -> None:
    """``secret: yes`` is true to Courier's loader; the saver's scrub reads it the same."""
    root = tmp_path / "c"
    collection = storage.create_collection(root, "Base")
    environment = storage.add_environment(collection, "Dev")
    assert environment.path is not None
    environment.path.write_text(
        "name: Dev\nvariables:\n- name: pw\n  value: hunter2\n  secret: yes  # typed by hand\n",
        encoding="utf-8",
    )
    environment = storage.load_collection(root, use_cache=False).environments[0]
    assert environment.variables[0].secret
    environment.name = "Development"
    storage.save_environment(collection, environment, force=True)
    assert environment.path is not None
    written = environment.path.read_text(encoding="utf-8")
    assert "hunter2" not in written
    assert "secret: yes  # typed by hand" in written

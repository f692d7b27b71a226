"""JsonTree: lazy children over a ByteSource, paths, original bytes, previews."""

from __future__ import annotations

import json
import os
import tempfile

import pytest

from app.core.viewing.json_tree import JsonNode, JsonTree, JsonTreeError
from app.core.viewing.source import FileSource, MemorySource

DOC = (
    b'\xef\xbb\xbf {"data": [{"id": 1, "name": "a\\"]b", "price": 1.50},'
    b' {"id": 2, "tags": [], "o": {}}, true, null, -0.5e3],'
    b' "a b": "x\'y", "": {"k\\u00e9": "\\u00e9"}, "n": false}'
)


class CountingSource(MemorySource):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, offset: int, size: int) -> bytes:
        data = super().read(offset, size)
        self.read_bytes += len(data)
        return data


def by_key(tree: JsonTree, node: JsonNode) -> dict[str | int | None, JsonNode]:
    return {child.key: child for child in tree.children(node)}


def test_kinds_keys_ranges_and_counts() -> None:
    tree = JsonTree(MemorySource(DOC))
    root = tree.root
    assert (root.kind, root.key, root.start) == ("object", None, 4)
    top = by_key(tree, root)
    assert list(top) == ["data", "a b", "", "n"]
    assert root.count == 4
    assert tree.end_of(root) == len(DOC)
    data = tree.children(root)[0]
    items = tree.children(data)
    assert [(c.kind, c.key) for c in items] == [
        ("object", 0),
        ("object", 1),
        ("true", 2),
        ("null", 3),
        ("number", 4),
    ]
    first = by_key(tree, items[0])
    assert tree.value_bytes(first["name"]) == b'"a\\"]b"'
    assert tree.value_bytes(first["price"]) == b"1.50"
    assert tree.value_bytes(items[0]) == b'{"id": 1, "name": "a\\"]b", "price": 1.50}'
    second = by_key(tree, items[1])
    assert (tree.value_bytes(second["tags"]), second["tags"].kind) == (b"[]", "array")
    assert tree.children(second["tags"]) == []
    assert second["tags"].count == 0
    assert tree.value_bytes(items[4]) == b"-0.5e3"


def test_paths() -> None:
    tree = JsonTree(MemorySource(DOC))
    top = by_key(tree, tree.root)
    first = by_key(tree, tree.children(top["data"])[0])
    assert tree.path(tree.root) == "$"
    assert tree.path(first["name"]) == "$.data[0].name"
    assert tree.path(top["a b"]) == "$['a b']"
    assert tree.path(top[""]) == "$['']"
    inner = tree.children(top[""])[0]
    assert (inner.key, tree.path(inner)) == ("ké", "$['']['ké']")
    odd = JsonTree(MemorySource(b'{"it\'s\\\\": 1}'))
    assert tree.path(odd.children(odd.root)[0]) == "$['it\\'s\\\\']"


def test_paths_work_with_jsonpath() -> None:
    import jsonpath

    tree = JsonTree(MemorySource(DOC))
    document = json.loads(DOC.decode("utf-8-sig"))
    stack = [tree.root]
    checked = 0
    while stack:
        node = stack.pop()
        value = json.loads(tree.value_bytes(node))
        assert jsonpath.findall(tree.path(node), document) == [value]
        stack.extend(tree.children(node))
        checked += 1
    assert checked == 17


def test_previews_and_copy_text() -> None:
    tree = JsonTree(MemorySource(DOC))
    top = by_key(tree, tree.root)
    assert tree.preview(top["a b"]) == '"x\'y"'
    assert tree.preview(top["n"]) == "false"
    assert tree.preview(top["data"]) == "[…]"
    tree.children(top["data"])
    assert tree.preview(top["data"]) == "[5 items]"
    assert tree.text(top["a b"]) == "x'y"
    assert tree.text(top["data"]).startswith('[{"id": 1,')
    long = JsonTree(MemorySource(json.dumps({"s": "é\n" * 500}).encode()))
    leaf = long.children(long.root)[0]
    assert long.preview(leaf, limit=10) == '"' + "é⏎" * 5 + '…"'


def test_root_of_a_huge_array_lists_its_first_children_without_reading_the_rest() -> None:
    body = (
        b"[" + b",".join(b'{"id": %d, "v": [1, 2, {"x": "]"}]}' % i for i in range(200_000)) + b"]"
    )
    source = CountingSource(body)
    tree = JsonTree(source)
    first = tree.children(tree.root, 0, 100)
    assert [c.key for c in first] == list(range(100))
    assert tree.root.count is None
    assert source.read_bytes < 4 << 20  # a few windows, not the 7 MB body
    page = tree.children(tree.root, 150_000, 3)
    assert [json.loads(tree.value_bytes(c))["id"] for c in page] == [150_000, 150_001, 150_002]


def test_a_huge_sibling_is_skipped_in_budgeted_steps() -> None:
    big = json.dumps([{"s": 'a]b}\\"' * 3, "n": [i]} for i in range(100_000)]).encode()
    body = b'{"data": ' + big + b', "meta": {"ok": true}}'
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    os.write(fd, body)
    source = FileSource(fd, len(body), complete=True)
    try:
        tree = JsonTree(source)
        steps = 0
        while not tree.scan(tree.root, 2, budget=0.0):
            steps += 1
        assert steps > 1  # the 1 MB blocks of "data" were skipped over several calls
        data, meta = tree.children(tree.root)
        assert (meta.key, tree.value_bytes(meta)) == ("meta", b'{"ok": true}')
        assert tree.value_bytes(data) == big
    finally:
        source.close()


@pytest.mark.parametrize("end", ['\\"]', "]"])  # with an escaped quote, and without
def test_a_sibling_holding_a_string_longer_than_a_block(end: str) -> None:
    text = "x" * (9 << 20) + end
    body = json.dumps({"big": [{"s": text}, "[", text], "after": 1}).encode()
    tree = JsonTree(MemorySource(body))
    big, after = tree.children(tree.root)
    assert (after.key, tree.value_bytes(after)) == ("after", b"1")
    assert json.loads(tree.value_bytes(big)) == [{"s": text}, "[", text]


def test_strings_longer_than_a_window() -> None:
    text = 'q\\"' * 200_000
    body = json.dumps([text, 1]).encode()
    tree = JsonTree(MemorySource(body))
    string, number = tree.children(tree.root)
    assert tree.text(string) == text
    assert tree.value_bytes(number) == b"1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "no JSON value at byte 0"),
        (b"[1 2]", "unexpected '2': expected ',' or ']' at byte 3"),
        (b'{"a" 1}', "unexpected '1': expected ':' at byte 5"),
        (b"[tru]", "invalid literal or number at byte 1"),
        (b'[{"a": [1, 2}', "unexpected end of data at byte 13"),
        (b'["abc', "unterminated string at byte 1"),
    ],
)
def test_invalid_json_raises_where_it_looked(body: bytes, message: str) -> None:
    def walk() -> None:
        tree = JsonTree(MemorySource(body))
        for child in tree.children(tree.root):
            tree.children(child)

    with pytest.raises(JsonTreeError) as caught:
        walk()
    assert str(caught.value) == message


@pytest.fixture
def scalar_tree() -> JsonTree:
    return JsonTree(MemorySource(b'  "top"  '))


def test_a_scalar_root(scalar_tree: JsonTree) -> None:
    root = scalar_tree.root
    assert (root.kind, scalar_tree.children(root), scalar_tree.path(root)) == ("string", [], "$")
    assert scalar_tree.value_bytes(root) == b'"top"'
